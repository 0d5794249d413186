"""relu_lib.experiments and relu_lib.data: shapes, determinism, definitions and bad input.

Agreement with PyTorch and TensorFlow is tested with the chapters' own framework
code in test_chapter_twins.py; the claims themselves in test_claims.py.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pytest

from relu_lib import data, experiments
from relu_lib.mlp import MLP

# The experiments run numpy's matrix products on one BLAS thread; a recomputation here runs
# on however many the machine gives it, and a sum split differently over threads rounds
# differently. 1e-12 is a few thousand float64 ulps: far above that rounding, far below any
# real difference in a network.
BLAS_RTOL = 1e-12


def test_digits_ship_offline_and_are_standardised() -> None:
    inputs, labels = data.digits()
    assert inputs.shape == (1797, data.FEATURES) and inputs.dtype == np.float64
    assert labels.dtype == np.int64 and set(labels.tolist()) == set(range(data.CLASSES))
    spread = inputs.std(axis=0)
    assert np.allclose(inputs.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(spread[spread > 0], 1) and (spread == 0).sum() == 3  # three pixels are blank everywhere
    raw, _ = data.digits(standardise=False)
    assert raw.min() == 0 and raw.max() == 16


def test_digits_returns_fresh_arrays() -> None:
    inputs, labels = data.digits()
    inputs[:] = 0
    labels[:] = 0
    again, again_labels = data.digits()
    assert again.any() and again_labels.any()


def test_documented_keyword_names_and_defaults() -> None:
    expected = {
        "gradient_norms": ["activation", "depth", "width", "init", "seed"],
        "activation_stats": ["activation", "depth", "width", "init", "seed"],
        "train_mlp": ["activation", "depth", "width", "init", "lr", "epochs", "seed"],
        "dead_units": ["activation", "depth", "width", "lr", "epochs", "seed"],
    }
    for name, keywords in expected.items():
        parameters = list(inspect.signature(getattr(experiments, name)).parameters)
        assert parameters[: len(keywords)] == keywords, name
    defaults = inspect.signature(experiments.gradient_norms).parameters
    assert (defaults["activation"].default, defaults["depth"].default) == ("sigmoid", 10)


def test_gradient_norms_are_the_norms_of_the_networks_weight_gradients() -> None:
    norms = experiments.gradient_norms("tanh", depth=4, width=16, init="lecun", seed=3)
    net = MLP.create([64, 16, 16, 16, 16, 10], "tanh", "lecun", seed=3)
    grads = net.gradients(*data.digits())
    np.testing.assert_allclose(norms, [np.linalg.norm(g) for g in grads.weights[:-1]], rtol=BLAS_RTOL)


def test_activation_stats_describe_each_hidden_layer() -> None:
    stats = experiments.activation_stats("relu6", depth=3, width=32, init="he", seed=2, bias=0.1)
    net = MLP.create([64, 32, 32, 32, 10], "relu6", "he", seed=2, bias=0.1)
    trace = net.forward(data.digits()[0])
    assert sorted(stats) == ["mean", "std", "zero_fraction"]
    for layer, h in enumerate(trace.post):
        assert stats["mean"][layer] == pytest.approx(h.mean())
        assert stats["std"][layer] == pytest.approx(h.std())
        # A pre-activation within an ulp of 0 can change sign with the summation order.
        assert stats["zero_fraction"][layer] == pytest.approx(np.mean(h == 0), abs=2 / h.size)


@pytest.mark.parametrize(
    "call",
    [
        lambda seed: experiments.gradient_norms("relu", depth=3, width=8, init="he", seed=seed),
        lambda seed: experiments.activation_stats("elu", depth=3, width=8, seed=seed)["std"],
        lambda seed: experiments.train_mlp("relu", depth=2, width=8, epochs=2, seed=seed)["loss"],
        lambda seed: experiments.dead_units("relu", depth=3, width=4, epochs=1, seed=seed),
        lambda seed: experiments.born_dead(depth=8, width=3, trials=200, seed=seed),
    ],
)
def test_every_experiment_is_deterministic_and_depends_on_its_seed(call) -> None:
    first, again, other = call(4), call(4), call(5)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_shuffles_are_permutations_independent_of_the_weights() -> None:
    order = experiments.shuffles(100, 3, seed=1)
    assert order.shape == (3, 100)
    assert all(sorted(row) == list(range(100)) for row in order.tolist())
    assert not np.array_equal(order[0], order[1])
    np.testing.assert_array_equal(order, experiments.shuffles(100, 3, seed=1))
    assert experiments.shuffles(10, 0).shape == (0, 10)


def test_train_follows_the_shuffled_batches_with_plain_sgd() -> None:
    inputs, labels = data.digits()
    net = MLP.create([64, 8, 10], "relu", "he", seed=0)
    manual = MLP([w.copy() for w in net.weights], [b.copy() for b in net.biases], "relu")
    curves = experiments.train(net, inputs, labels, lr=0.1, epochs=1, seed=2, batch_size=500)
    for start in range(0, 1797, 500):
        batch = experiments.shuffles(1797, 1, seed=2)[0, start : start + 500]
        manual.sgd_step(manual.gradients(inputs[batch], labels[batch]), 0.1)
    for a, b in zip(net.weights, manual.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=BLAS_RTOL, atol=BLAS_RTOL)
    assert curves["loss"][0] == pytest.approx(manual.evaluate(inputs, labels)[0], rel=BLAS_RTOL)


def test_train_mlp_learns_and_reports_per_epoch_curves() -> None:
    curves = experiments.train_mlp("relu", depth=2, width=32, epochs=4, seed=1)
    assert sorted(curves) == ["error", "loss", "zero_fraction"]
    assert all(values.shape == (4,) for values in curves.values())
    assert ((curves["error"] >= 0) & (curves["error"] <= 1)).all()
    assert curves["loss"][-1] < curves["loss"][0] and curves["error"][-1] < 0.1


@pytest.mark.parametrize("seed", [1, 2])
def test_an_l1_activity_penalty_raises_sparsity(seed: int) -> None:
    plain = experiments.train_mlp("relu", epochs=10, seed=seed)
    sparse = experiments.train_mlp("relu", epochs=10, seed=seed, l1_activity=1e-2)
    assert sparse["zero_fraction"][-1] > plain["zero_fraction"][-1] + 0.1
    assert sparse["error"][-1] < 0.05


def test_weight_decay_shrinks_the_weights() -> None:
    inputs, labels = data.digits()
    plain, decayed = (MLP.create([64, 32, 10], "relu", "he", seed=1) for _ in range(2))
    experiments.train(plain, inputs, labels, lr=0.05, epochs=3)
    experiments.train(decayed, inputs, labels, lr=0.05, epochs=3, l2_weights=0.05)
    assert sum(np.linalg.norm(w) for w in decayed.weights) < 0.9 * sum(np.linalg.norm(w) for w in plain.weights)


def test_raw_inputs_train_worse_than_standardised_ones() -> None:
    raw = experiments.train_mlp("relu", epochs=3, seed=1, standardise=False)
    scaled = experiments.train_mlp("relu", epochs=3, seed=1)
    assert scaled["error"][-1] < raw["error"][-1]


def test_divergence_is_an_error_not_a_curve_of_nan() -> None:
    # Chapter 5 found this setting overflows: a positive bias lets a large step blow the weights up.
    with pytest.raises(FloatingPointError, match=r"diverged in epoch \d+ of 5 .*learning rate 0.5 is too large"):
        experiments.dead_units("relu", bias=0.1, seed=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        experiments.train_mlp("relu", lr=50.0, epochs=2, seed=0)


def test_epochs_to_counts_from_one() -> None:
    assert experiments.epochs_to(np.array([0.5, 0.1]), 0.1) == 2
    assert experiments.epochs_to(np.array([0.05]), 0.1) == 1
    assert experiments.epochs_to(np.array([0.5, 0.2]), 0.1) is None


def test_dead_units_at_initialisation_counts_without_training() -> None:
    share = experiments.dead_units("relu", depth=8, width=16, epochs=0, seed=3)
    net = MLP.create([64, *[16] * 8, 10], "relu", "he", seed=3)
    dead = net.dead(data.digits()[0])
    assert share == sum(d.sum() for d in dead) / 128


def test_recommended_init_pairs_activations_with_their_schemes() -> None:
    assert experiments.recommended_init("relu") == "he"
    assert experiments.recommended_init("selu") == "lecun"
    assert experiments.recommended_init("sigmoid") == "xavier"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: experiments.gradient_norms(depth=0), "depth"),
        (lambda: experiments.gradient_norms(width=2.5), "width"),
        (lambda: experiments.activation_stats(depth=True), "depth"),
        (lambda: experiments.activation_stats("softmax"), "activation must be one of"),
        (lambda: experiments.activation_stats(init="kaiming"), "init"),
        (lambda: experiments.train_mlp(lr=-1), "lr"),
        (lambda: experiments.train_mlp(lr=float("inf")), "lr"),
        (lambda: experiments.train_mlp(epochs=-1), "epochs"),
        (lambda: experiments.train_mlp(epochs=1.5), "epochs"),
        (lambda: experiments.train_mlp(batch_size=0, epochs=1), "batch_size"),
        (lambda: experiments.dead_units(lr="fast"), "lr"),
        (lambda: experiments.born_dead(trials=0), "trials"),
        (lambda: data.digits(standardise="yes"), "standardise"),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: experiments.gradient_norms("relu", 2, 8, "he", 0),
        lambda: experiments.activation_stats("relu", 2, 8, "he", 0),
        lambda: experiments.dead_units(),
        lambda: experiments.born_dead(),
    ],
    ids=["gradient_norms", "activation_stats", "dead_units", "born_dead"],
)
def test_without_threadpoolctl_an_experiment_names_the_extra_to_install(call, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import threadpoolctl now fails
    with pytest.raises(ImportError, match=r"pip install 'relu_lib\[experiments\]'"):
        call()
