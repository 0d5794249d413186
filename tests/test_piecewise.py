"""relu_lib.piecewise and the piecewise-linear bound: linear layers collapse, k ReLU units give at most k + 1 pieces."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from conftest import require

import relu_lib
from relu_lib.piecewise import (
    TARGETS,
    ReluFit,
    compose_linear,
    count_linear_pieces,
    forward,
    max_pieces,
    relu_units_fit,
)

SEEDS = range(8)
UNITS = (1, 2, 4, 8, 16)


def random_stack(seed: int, depth: int, dtype: type = np.float64) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, size=depth + 1)
    weights = [rng.normal(size=(sizes[i + 1], sizes[i])).astype(dtype) for i in range(depth)]
    biases = [rng.normal(size=sizes[i + 1]).astype(dtype) for i in range(depth)]
    return weights, biases


def piecewise_linear(slopes: np.ndarray, kinks: np.ndarray):
    """The continuous function with the given slopes between the given kinks, through (0, 0) on the left."""
    changes = np.diff(slopes)
    return lambda x: slopes[0] * x + np.maximum(np.subtract.outer(x, kinks), 0.0) @ changes


# --- a stack of linear layers is one linear map ------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("depth", [1, 2, 3, 5, 10])
def test_stacked_linear_layers_equal_one_linear_map(seed: int, depth: int) -> None:
    weights, biases = random_stack(seed, depth)
    w, b = compose_linear(weights, biases)
    assert w.shape == (weights[-1].shape[0], weights[0].shape[1]) and b.shape == (weights[-1].shape[0],)
    x = np.random.default_rng(seed + 100).normal(size=(64, weights[0].shape[1]))
    layer_by_layer = forward(weights, biases, x)
    scale = np.max(np.abs(layer_by_layer)) + 1.0
    np.testing.assert_allclose(x @ w.T + b, layer_by_layer, rtol=0, atol=1e-10 * scale)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_relu_between_the_layers_breaks_the_collapse(seed: int) -> None:
    weights, biases = random_stack(seed, 3)
    weights[0] = np.random.default_rng(seed).normal(size=(16, 4))
    weights[1] = np.random.default_rng(seed + 1).normal(size=(weights[1].shape[0], 16))
    biases[0] = np.random.default_rng(seed + 2).normal(size=16)
    w, b = compose_linear(weights, biases)
    x = np.random.default_rng(seed + 3).normal(size=(256, 4))
    gap = np.max(np.abs(forward(weights, biases, x, relu_lib.relu) - (x @ w.T + b)))
    assert gap > 0.1, "with ReLU between them the layers are no longer one affine map"
    # And no affine map at all fits it: midpoints are not mapped to midpoints.
    f = lambda v: forward(weights, biases, v, relu_lib.relu)  # noqa: E731
    y = np.random.default_rng(seed + 4).normal(size=(256, 4))
    assert np.max(np.abs(f((x + y) / 2) - (f(x) + f(y)) / 2)) > 1e-3


def test_compose_linear_keeps_float32_and_accepts_missing_biases() -> None:
    weights, _ = random_stack(0, 3, np.float32)
    w, b = compose_linear(weights)
    assert w.dtype == np.float32 and b.dtype == np.float32
    np.testing.assert_array_equal(b, np.zeros_like(b))
    w2, b2 = compose_linear(weights, [None, np.ones(weights[1].shape[0], np.float32), None])
    np.testing.assert_allclose(b2, weights[2] @ np.ones(weights[1].shape[0]), rtol=1e-6)
    np.testing.assert_allclose(w2, w)


def test_compose_linear_rejects_shapes_that_do_not_chain() -> None:
    with pytest.raises(ValueError, match="takes 3 inputs"):
        compose_linear([np.ones((2, 4)), np.ones((5, 3))])
    with pytest.raises(ValueError, match="bias must have shape"):
        compose_linear([np.ones((2, 4))], [np.ones(3)])
    with pytest.raises(ValueError, match="2 weight matrices but 1 biases"):
        compose_linear([np.ones((2, 2)), np.ones((2, 2))], [np.ones(2)])
    with pytest.raises(ValueError, match="at least one layer"):
        compose_linear([])
    with pytest.raises(TypeError, match="sequence of matrices"):
        compose_linear(np.ones((2, 2)))
    with pytest.raises(ValueError, match="matrix"):
        compose_linear([np.ones(3)])


def test_compose_linear_agrees_with_torch_linear_layers() -> None:
    torch = require("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Linear(8, 8), torch.nn.Linear(8, 2)).double()
    linears = list(model)
    w, b = compose_linear([m.weight.detach().numpy() for m in linears], [m.bias.detach().numpy() for m in linears])
    x = torch.randn(32, 5, dtype=torch.float64)
    with torch.no_grad():
        np.testing.assert_allclose(x.numpy() @ w.T + b, model(x).numpy(), rtol=0, atol=1e-12)


def test_compose_linear_agrees_with_keras_dense_layers() -> None:
    # conftest has set TensorFlow's logging and oneDNN switches before this import.
    tf = require("tensorflow")
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input(shape=(5,)), tf.keras.layers.Dense(8), tf.keras.layers.Dense(3)])
    for layer in model.layers:  # Keras starts biases at zero: give them values so they are tested too
        kernel, bias = layer.get_weights()
        layer.set_weights([kernel, np.linspace(-1, 1, bias.size, dtype=np.float32)])
    # A Keras kernel is (in, out): transpose it to the (out, in) of x -> W x + b.
    w, b = compose_linear(
        [layer.kernel.numpy().T for layer in model.layers], [layer.bias.numpy() for layer in model.layers]
    )
    x = np.random.default_rng(0).normal(size=(32, 5)).astype(np.float32)
    np.testing.assert_allclose(x @ w.T + b, model(x).numpy(), rtol=0, atol=1e-5)


# --- counting linear pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_count_linear_pieces_is_exact_for_well_separated_kinks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.linspace(-3, 3, 3001)
    for _ in range(25):
        kinks_count = int(rng.integers(0, 12))
        kinks = np.sort(rng.uniform(-2.95, 2.95, kinks_count))
        if kinks_count > 1 and np.min(np.diff(kinks)) < 4 * (x[1] - x[0]):
            continue
        slopes = rng.choice([-1, 1], size=kinks_count + 1) * rng.uniform(0.1, 3, size=kinks_count + 1)
        slopes = np.cumsum(np.concatenate(([slopes[0]], slopes[1:])))  # consecutive slopes differ by >= 0.1
        assert count_linear_pieces(piecewise_linear(slopes, kinks), x) == kinks_count + 1


def test_count_linear_pieces_merges_a_kink_between_grid_points() -> None:
    x = np.linspace(-1, 1, 201)  # spacing 0.01
    for kink in (0.0, 0.0025, 0.005, 0.0099, 0.5033):
        assert count_linear_pieces(lambda t, k=kink: np.maximum(0, t - k), x) == 2, kink
    assert count_linear_pieces(np.abs, x) == 2


@pytest.mark.parametrize("spacings", [0.3, 1.0, 1.5, 2.0, 2.7, 3.2, 5.5])
def test_count_linear_pieces_near_the_ends_of_the_grid(spacings: float) -> None:
    x = np.linspace(0, 1, 101)
    near_left, near_right = 0.01 * spacings, 1 - 0.01 * spacings
    assert count_linear_pieces(lambda t: np.maximum(0, t - near_left), x) == 2
    assert count_linear_pieces(lambda t: np.maximum(0, t - near_right), x) == 2
    assert count_linear_pieces(lambda t: np.maximum(0, t - near_left) - 2 * np.maximum(0, t - near_right), x) == 3


def test_count_linear_pieces_of_lines_smooth_curves_and_values() -> None:
    x = np.linspace(-2, 2, 101)
    assert count_linear_pieces(lambda t: 3 * t - 1, x) == 1
    assert count_linear_pieces(np.zeros_like(x), x) == 1
    assert count_linear_pieces(np.exp, x) == x.size - 1, "a smooth curve counts as its polyline"
    assert count_linear_pieces(relu_lib.relu(x), x) == count_linear_pieces(relu_lib.relu, x) == 2
    assert count_linear_pieces(np.abs, [0.0, 1.0]) == 1
    assert count_linear_pieces(lambda t: relu_lib.relu6(t * 4), x) == 3


def test_count_linear_pieces_rejects_bad_grids_and_values() -> None:
    with pytest.raises(ValueError, match="increasing"):
        count_linear_pieces(np.abs, [0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="two points"):
        count_linear_pieces(np.abs, [1.0])
    with pytest.raises(ValueError, match="shape"):
        count_linear_pieces([1.0, 2.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        count_linear_pieces([0.0, np.nan, 1.0], [0.0, 1.0, 2.0])


def test_max_pieces() -> None:
    assert [max_pieces(k) for k in (0, 1, 2, 7, 16)] == [1, 2, 3, 8, 17]
    assert max_pieces(np.int64(3)) == 4
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError):
            max_pieces(bad)  # type: ignore[arg-type]


# --- k ReLU units build at most k + 1 pieces, and more units fit better -----------------------------------


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("seed", SEEDS)
def test_k_relu_units_give_at_most_k_plus_one_pieces_and_error_falls_with_k(target: str, seed: int) -> None:
    fn, (low, high), _ = TARGETS[target]
    x = np.linspace(low, high, 1001)
    fine = np.linspace(low, high, 20001)  # count on a finer grid than the fit saw
    fits = [relu_units_fit(x, fn(x), k, seed=seed) for k in UNITS]
    for k, fit in zip(UNITS, fits, strict=True):
        pieces = count_linear_pieces(fit, fine)
        assert pieces <= max_pieces(k), f"{k} units made {pieces} pieces"
        inside = np.sum((fit.kinks > low) & (fit.kinks < high))
        assert pieces == inside + 1, "every kink inside the range bends the fit"
    rms = [fit.rms_error for fit in fits]
    assert all(later < earlier for earlier, later in pairwise(rms)), rms
    assert fits[-1].max_error < fits[0].max_error / 4, [fit.max_error for fit in fits]


def test_the_bump_is_fitted_to_within_a_few_hundredths_by_16_units_on_every_seed() -> None:
    fn, (low, high), _ = TARGETS["bump"]
    x = np.linspace(low, high, 1001)
    for seed in SEEDS:
        assert relu_units_fit(x, fn(x), 16, seed=seed).max_error < 0.05
        assert relu_units_fit(x, fn(x), 1, seed=seed).max_error > 0.4


def test_fit_is_deterministic_nested_and_seeded() -> None:
    x = np.linspace(-1, 2, 301)
    y = np.cos(3 * x)
    a, b = relu_units_fit(x, y, 8, seed=3), relu_units_fit(x, y, 8, seed=3)
    np.testing.assert_array_equal(a.kinks, b.kinks)
    np.testing.assert_array_equal(a.coefficients, b.coefficients)
    assert not np.array_equal(a.kinks, relu_units_fit(x, y, 8, seed=4).kinks)
    smaller = relu_units_fit(x, y, 4, seed=3)
    assert set(np.round(smaller.kinks, 12)) <= set(np.round(a.kinks, 12)), "kinks of k units are among those of 2k"
    assert np.all((a.kinks >= -1) & (a.kinks < 2)) and np.all(np.diff(a.kinks) > 0)


def test_fit_recovers_a_function_it_can_represent() -> None:
    x = np.linspace(-2, 2, 401)
    template = relu_units_fit(x, np.sin(x), 6, seed=1)
    coefficients = np.arange(1.0, 7.0) * (-1) ** np.arange(6)
    y = 0.5 + template.features(x) @ coefficients
    fit = relu_units_fit(x, y, 6, seed=1)
    assert fit.max_error < 1e-9
    np.testing.assert_allclose(fit.coefficients, coefficients, atol=1e-8)
    assert fit.intercept == pytest.approx(0.5, abs=1e-9)


def test_fit_result_is_callable_and_consistent() -> None:
    x = np.linspace(0, 1, 101)
    y = x**2
    fit = relu_units_fit(x, y, 3)
    assert isinstance(fit, ReluFit) and fit.units == 3
    assert fit(x).shape == x.shape and fit(x.reshape(101, 1)).shape == (101, 1)
    np.testing.assert_allclose(fit(x), fit.predict(x))
    residual = fit(x) - y
    assert fit.max_error == pytest.approx(np.max(np.abs(residual)))
    assert fit.rms_error == pytest.approx(np.sqrt(np.mean(residual**2)))
    np.testing.assert_allclose(np.sort(-fit.biases / fit.weights), fit.kinks)


def test_fit_rejects_bad_input() -> None:
    x = np.linspace(0, 1, 11)
    with pytest.raises(ValueError, match="positive integer"):
        relu_units_fit(x, x, 0)
    with pytest.raises(ValueError, match="at least 12 points"):
        relu_units_fit(x, x, 11)
    with pytest.raises(ValueError, match="1-D"):
        relu_units_fit(x, x[:5], 2)
    with pytest.raises(ValueError, match="finite"):
        relu_units_fit(x, np.where(x > 0.5, np.inf, x), 2)
    with pytest.raises(ValueError, match="span"):
        relu_units_fit(np.zeros(5), np.arange(5.0), 2)
