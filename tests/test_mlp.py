"""relu_lib.mlp: the numpy network's forward and backward pass, checked against PyTorch autograd."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require

from relu_lib.mlp import ACTIVATIONS, MLP, activation_function, cross_entropy

torch = require("torch")

TORCH_ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "elu": torch.nn.functional.elu,
    "selu": torch.selu,
    "gelu": torch.nn.functional.gelu,
    "silu": torch.nn.functional.silu,
    "softplus": torch.nn.functional.softplus,
    "relu6": torch.nn.functional.relu6,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def batch(seed: int, rows: int = 40, features: int = 6, classes: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, features)), rng.integers(0, classes, size=rows)


def torch_loss(net: MLP, x: np.ndarray, y: np.ndarray, l1_activity: float = 0.0):
    """The same network in PyTorch, float64: its loss and its parameter tensors."""
    weights = [torch.tensor(w, requires_grad=True) for w in net.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in net.biases]
    h = torch.tensor(x)
    penalty = torch.zeros((), dtype=torch.float64)
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        h = TORCH_ACTIVATIONS[net.activation](h @ w + b)
        penalty = penalty + h.abs().sum()
    logits = h @ weights[-1] + biases[-1]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y)) + l1_activity * penalty / len(y)
    return loss, weights, biases


def test_every_elementwise_activation_but_prelu_can_be_used() -> None:
    assert set(ACTIVATIONS) == set(TORCH_ACTIVATIONS)


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd(activation: str, seed: int) -> None:
    net = MLP.create([6, 9, 7, 8, 4], activation, "he", seed=seed, bias=0.1)
    x, y = batch(seed)
    grads = net.gradients(x, y)
    loss, weights, biases = torch_loss(net, x, y)
    loss.backward()
    assert grads.loss == pytest.approx(loss.item(), rel=1e-12)
    for ours, theirs in zip(grads.weights + grads.biases, weights + biases, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", [0, 1])
def test_l1_activity_penalty_matches_autograd(seed: int) -> None:
    net = MLP.create([6, 9, 7, 4], "relu", "he", seed=seed)
    x, y = batch(seed)
    grads = net.gradients(x, y, l1_activity=0.03)
    loss, weights, biases = torch_loss(net, x, y, l1_activity=0.03)
    loss.backward()
    assert grads.loss == pytest.approx(loss.item(), rel=1e-12)
    for ours, theirs in zip(grads.weights + grads.biases, weights + biases, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_backward_matches_finite_differences() -> None:
    net = MLP.create([3, 5, 5, 3], "tanh", "xavier", seed=4)
    x, y = batch(4, rows=10, features=3, classes=3)
    grads = net.gradients(x, y)
    step = 1e-6
    for layer in range(len(net.weights)):
        for index in [(0, 0), (1, 2), (2, 1)]:
            saved = net.weights[layer][index]
            net.weights[layer][index] = saved + step
            up = net.gradients(x, y).loss
            net.weights[layer][index] = saved - step
            down = net.gradients(x, y).loss
            net.weights[layer][index] = saved
            assert grads.weights[layer][index] == pytest.approx((up - down) / (2 * step), rel=1e-6, abs=1e-10)


def test_sgd_step_with_weight_decay_matches_torch_sgd() -> None:
    net = MLP.create([6, 8, 4], "relu", "he", seed=5, bias=0.1)
    x, y = batch(5)
    loss, weights, biases = torch_loss(net, x, y)
    # torch.optim.SGD's weight_decay adds decay * w to the gradient; we penalise weights, not biases.
    optimiser = torch.optim.SGD(
        [{"params": weights, "weight_decay": 0.01}, {"params": biases, "weight_decay": 0.0}], lr=0.3
    )
    loss.backward()
    optimiser.step()
    net.sgd_step(net.gradients(x, y), 0.3, l2_weights=0.01)
    for ours, theirs in zip(net.weights + net.biases, weights + biases, strict=True):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12)


def test_create_draws_layers_in_order_so_a_shallower_net_is_a_prefix() -> None:
    deep = MLP.create([64, 32, 32, 32, 10], "relu", "he", seed=3)
    shallow = MLP.create([64, 32, 32, 10], "relu", "he", seed=3)
    for a, b in zip(deep.weights[:2], shallow.weights[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    assert MLP.create([4, 4, 2], seed=1).weights[0].tolist() == MLP.create([4, 4, 2], seed=1).weights[0].tolist()


def test_initial_scale_follows_the_scheme() -> None:
    for init, variance in (("he", 2 / 400), ("xavier", 2 / 800), ("lecun", 1 / 400)):
        w = MLP.create([400, 400, 2], init=init, seed=0).weights[0]
        assert w.var() == pytest.approx(variance, rel=0.02)


def test_evaluate_counts_errors_and_exact_zeros() -> None:
    net = MLP(
        [np.array([[1.0, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])],
        [np.zeros(2), np.zeros(2)],
        "relu",
    )
    x = np.array([[2.0], [-3.0]])  # hidden outputs (2, 0) and (0, 3)
    loss, error, zeros = net.evaluate(x, np.array([0, 0]))
    assert error == 0.5 and zeros == 0.5
    assert loss == pytest.approx(cross_entropy(np.array([[2.0, 0.0], [0.0, 3.0]]), np.array([0, 0]))[0])


def test_dead_marks_units_whose_derivative_is_zero_on_every_input() -> None:
    weights = [np.array([[1.0, -1.0, 0.0]]), np.ones((3, 2))]
    net = MLP(weights, [np.array([0.0, 0.0, -1.0]), np.zeros(2)], "relu")
    x = np.array([[1.0], [2.0]])  # unit 0 active; unit 1 always negative; unit 2 constant -1
    assert net.dead(x)[0].tolist() == [False, True, True]
    leaky = MLP(weights, net.biases, "leaky_relu")
    assert not leaky.dead(x)[0].any()


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    loss, probs = cross_entropy(np.array([[1e308, 0.0], [0.0, -1e308]]), np.array([0, 1]))
    assert np.isfinite(loss) and np.isfinite(probs).all()


def test_activation_keywords_are_bound() -> None:
    f, df = activation_function("elu", {"alpha": 0.5})
    assert float(f(-1e9)) == -0.5 and float(df(1.0)) == 1.0
    net = MLP.create([2, 3, 2], "leaky_relu", seed=0, negative_slope=0.2)
    assert net.keywords == {"negative_slope": 0.2}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: MLP.create([4], "relu"), "sizes"),
        (lambda: MLP.create("44", "relu"), "sizes"),
        (lambda: MLP.create([4, 0, 2], "relu"), "layer size"),
        (lambda: MLP.create([4, 3, 2], "maxout"), "activation must be one of"),
        (lambda: MLP.create([4, 3, 2], "prelu"), "activation must be one of"),
        (lambda: MLP.create([4, 3, 2], "relu", init="glorot"), "init"),
        (lambda: MLP.create([4, 3, 2], "relu", bias=float("nan")), "bias"),
        (lambda: MLP([np.ones((2, 3))], [np.ones(2)]), "do not fit"),
        (lambda: MLP([np.ones((2, 3)), np.ones((4, 2))], [np.ones(3), np.ones(2)]), "takes 4 inputs"),
        (lambda: MLP([], []), "at least one"),
        (lambda: MLP.create([4, 3, 2]).forward(np.ones((5, 3))), r"shape \(n, 4\)"),
        (lambda: MLP.create([4, 3, 2]).gradients(np.ones((5, 4)), np.zeros(4, dtype=int)), "5 integers"),
        (lambda: MLP.create([4, 3, 2]).gradients(np.ones((2, 4)), np.array([0.0, 1.0])), "integers"),
        (lambda: MLP.create([4, 3, 2]).gradients(np.ones((2, 4)), np.array([0, 2])), r"0\.\.1"),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_unknown_activation_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="does not take the keywords"):
        MLP.create([2, 3, 2], "relu", slope=0.1)
