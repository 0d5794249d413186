"""Every parameter region of the parametrised activations, by value, against PyTorch.

``tests/test_activations_torch.py`` checks each activation at its defaults and at
one ordinary setting. The branches that only other settings reach live here:
Softplus with a negative, zero, small or huge ``threshold`` and a tiny or huge
``beta``; Leaky ReLU with a negative, zero, above-one or huge slope; ELU with a
zero, negative or large ``alpha``; PReLU with such weights, shared and per channel;
and ReLU6. Values and derivatives are compared with ``torch.nn.functional`` and
autograd in float16, float32 and float64, on a fixed grid and under hypothesis over
every magnitude the dtype holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import FLOATS, apply_promises, assert_close, masked_level_slopes, require, special_values
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import relu_lib as rl

torch = require("torch")
F = torch.nn.functional

DTYPE_IDS = [np.dtype(d).name for d in FLOATS]

BETAS = (1e-3, 0.1, 1.0, 3.0, 50.0, 1e3)
THRESHOLDS = (-20.0, -5.0, -0.5, 0.0, 0.5, 1.0, 20.0, 1e4)
SLOPES = (-2.0, -0.5, 0.0, 0.01, 1.0, 1.5, 1e3, 1e30)
ALPHAS = (0.0, -1.0, 0.5, 3.0, 1e3)
PRELU_WEIGHTS = (-2.0, 0.0, 0.25, 1.0, 3.0, 1e4)


def grid(dtype: Any) -> np.ndarray:
    """A sweep of [-30, 30] that crosses every switch point used here, and the dtype's special values."""
    return np.concatenate([np.linspace(-30.0, 30.0, 601).astype(dtype), special_values(dtype)])


def torch_reference(
    torch_fn: Callable[[Any], Any],
    x: np.ndarray,
    limits: tuple[float, float],
    slope_limits: tuple[float, float],
    exact: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and autograd derivative in x's dtype, with relu_lib's documented promises applied.

    ``limits`` replace a NaN that PyTorch makes from a non-NaN input (inf * 0), as in
    conftest. ``exact``, where given, replaces an infinity PyTorch reaches by overflowing
    an intermediate at a finite x whose value is finite: Softplus with a huge threshold
    evaluates log1p(exp(beta x)) / beta past exp's range, relu_lib does not.
    """
    tx = torch.tensor(x, requires_grad=True)
    y = torch_fn(tx)
    y.backward(torch.ones_like(y))
    value = apply_promises(x, y.detach().numpy(), limits)
    slope = apply_promises(x, tx.grad.numpy(), slope_limits)
    if exact is not None:
        with np.errstate(all="ignore"):
            true = exact(x.astype(np.float64)).astype(x.dtype).astype(np.float64)
        spurious = np.isinf(value) & np.isfinite(x) & np.isfinite(true)
        value[spurious] = true[spurious]
    return value, slope


def check(ours: Callable[..., Any], kwargs: dict, reference: tuple[np.ndarray, np.ndarray], x: np.ndarray) -> None:
    value, slope = reference
    assert_close(ours(x, **kwargs), value, x.dtype)
    assert_close(rl.derivative(ours)(x, **kwargs), slope, x.dtype)


def _softplus_exact(beta: float) -> Callable[[np.ndarray], np.ndarray]:
    # log(1 + e^(beta x)) / beta without overflow: numpy's logaddexp, not relu_lib's formula.
    return lambda x: np.logaddexp(0.0, beta * x) / beta


def _leaky_limits(slope: float, dtype: Any) -> tuple[float, float]:
    """Leaky ReLU's values at (+inf, -inf) where PyTorch computes 0 * -inf.

    Both libraries multiply by the slope as held in the dtype the product is formed in
    (float32 for float16): a slope of 1e-300 is 0 there, and 0 * -inf has the limit -0.0.
    """
    compute = np.float32 if np.dtype(dtype) == np.float16 else dtype
    with np.errstate(under="ignore", over="ignore"):
        held = float(np.array(slope, dtype=compute))
    return (math.inf, -0.0 if held == 0 else math.copysign(math.inf, -held))


# Fixed grids
# -----------


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("beta", BETAS)
def test_softplus_every_beta_and_threshold(beta: float, threshold: float, dtype: Any) -> None:
    x = grid(dtype)
    reference = torch_reference(
        lambda t: F.softplus(t, beta, threshold), x, (math.inf, 0.0), (1.0, 0.0), _softplus_exact(beta)
    )
    check(rl.softplus, {"beta": beta, "threshold": threshold}, reference, x)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_softplus_negative_threshold_keeps_x_between_threshold_and_zero(dtype: Any) -> None:
    # With threshold -5 and beta 3, every x above -5/3 is returned as itself, negative ones
    # included; below it the smooth branch applies. Clamping all negative x to 0 (as a
    # non-negative threshold allows) would give [-3, 0, 0] + tails.
    x = np.array([-3.0, -1.0, -0.5], dtype=dtype)
    ours = rl.softplus(x, beta=3.0, threshold=-5.0)
    theirs = F.softplus(torch.from_numpy(x), beta=3.0, threshold=-5.0).numpy()
    assert_close(ours, theirs, dtype)
    assert ours[1] == -1.0 and ours[2] == -0.5
    assert 0 < ours[0] < 1e-4, "softplus(-3) with beta 3 is log1p(e^-9) / 3 = 4.1e-5"


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("slope", SLOPES)
def test_leaky_relu_every_slope(slope: float, dtype: Any) -> None:
    x = grid(dtype)
    reference = torch_reference(lambda t: F.leaky_relu(t, slope), x, _leaky_limits(slope, dtype), (1.0, slope))
    check(rl.leaky_relu, {"negative_slope": slope}, reference, x)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("alpha", ALPHAS)
def test_elu_every_alpha(alpha: float, dtype: Any) -> None:
    x = grid(dtype)
    reference = torch_reference(lambda t: F.elu(t, alpha), x, (math.inf, -alpha), (1.0, 0.0))
    check(rl.elu, {"alpha": alpha}, reference, x)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("weight", PRELU_WEIGHTS)
def test_prelu_every_shared_weight(weight: float, dtype: Any) -> None:
    x = grid(dtype)
    w = torch.tensor([weight], dtype=torch.from_numpy(x).dtype)
    reference = torch_reference(lambda t: F.prelu(t, w), x, _leaky_limits(weight, dtype), (1.0, weight))
    check(rl.prelu, {"weight": weight}, reference, x)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_prelu_per_channel_weights_of_every_sign(dtype: Any) -> None:
    # One slope per channel (axis 1): negative, zero, below one, above one, huge.
    weights = np.array([-2.0, 0.0, 0.25, 3.0, 1e4], dtype=dtype)
    x = np.resize(grid(dtype), (130, 5))
    x = x[np.isfinite(x).all(axis=1)]  # the per-channel limits at -inf differ by channel: checked in the grid tests
    reference = torch_reference(lambda t: F.prelu(t, torch.from_numpy(weights)), x, (math.inf, 0.0), (1.0, 0.0))
    assert_close(rl.prelu(x, weights), reference[0], dtype)
    assert_close(rl.derivative(rl.prelu)(x, weights), reference[1], dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("which", ["two channels", "inexact levels"])
def test_prelu_per_channel_bit_for_bit(which: str, dtype: Any) -> None:
    # PReLU is a maximum (or minimum) of x and a product rounded once in x's dtype, and its
    # derivative one of two levels: both exact, so both give PyTorch's bits. Two channels
    # are the smallest per-channel case; the inexact levels are slopes for which the levels
    # must be copied under a mask, as 1 - s + s rounds away from 1.
    w = np.array([0.25, -0.5] if which == "two channels" else masked_level_slopes(dtype, 3), dtype=dtype)
    x = np.resize(grid(dtype), (70 * w.size, w.size))
    x = x[np.isfinite(x).all(axis=1)]
    value, slope = torch_reference(lambda t: F.prelu(t, torch.from_numpy(w)), x, (math.inf, 0.0), (1.0, 0.0))
    ours, ours_slope = rl.prelu(x, w), rl.derivative(rl.prelu)(x, w)
    assert ours.dtype == x.dtype and ours_slope.dtype == x.dtype
    np.testing.assert_array_equal(ours, value.astype(x.dtype))
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(value))
    np.testing.assert_array_equal(ours_slope, slope.astype(x.dtype))


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize(
    "weights",
    [(0.25, 1.0, 0.01), (1.5, 3.0, 1e4), (1.25, 2.0, 1.5), (0.5, 1.5, 1.0)],
    ids=["positive-at-most-one", "all-above-one", "all-above-one-up-to-two", "positive-either-side-of-one"],
)
def test_prelu_per_channel_positive_weights(weights: tuple[float, ...], dtype: Any) -> None:
    # Positive slopes all at most one (or all above) run as max(x, s x) (or min) per channel;
    # on both sides of one they need the masked definition, as mixed signs do. Each against
    # torch, signed zeros too.
    w = np.array(weights, dtype=dtype)
    x = np.resize(grid(dtype), (210, 3))
    x = x[np.isfinite(x).all(axis=1)]
    value, slope = torch_reference(lambda t: F.prelu(t, torch.from_numpy(w)), x, (math.inf, 0.0), (1.0, 0.0))
    ours = rl.prelu(x, w)
    assert_close(ours, value, dtype)
    zero = value == 0
    np.testing.assert_array_equal(np.signbit(ours[zero]), np.signbit(value[zero]))
    assert_close(rl.derivative(rl.prelu)(x, w), slope, dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_relu6_on_the_grid(dtype: Any) -> None:
    x = grid(dtype)
    check(rl.relu6, {}, torch_reference(F.relu6, x, (6.0, 0.0), (0.0, 0.0)), x)


# Hypothesis: any magnitude the dtype holds, any parameter in a wide range
# --------------------------------------------------------------------------


def extreme_arrays(dtype: Any) -> st.SearchStrategy:
    width = np.dtype(dtype).itemsize * 8
    elements = st.floats(width=width, allow_nan=True, allow_infinity=True, allow_subnormal=True)
    return hnp.arrays(dtype, st.integers(1, 40), elements=elements)


# Ordinary parameters and the extremes: a threshold far on either side, a zero threshold.
thresholds = st.floats(-60.0, 60.0) | st.sampled_from([0.0, -0.0, -1e4, 1e4, 1e-30, -1e-30])
betas = st.floats(1e-3, 1e3)
slopes = st.floats(-1e3, 1e3) | st.sampled_from([0.0, -0.0, 1.0, 1e30, -1e30])
alphas = st.floats(-10.0, 1e3) | st.sampled_from([0.0, 1e30])


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_softplus_any_beta_threshold_and_magnitude(dtype: Any) -> None:
    @given(x=extreme_arrays(dtype), beta=betas, threshold=thresholds)
    def run(x: np.ndarray, beta: float, threshold: float) -> None:
        reference = torch_reference(
            lambda t: F.softplus(t, beta, threshold), x, (math.inf, 0.0), (1.0, 0.0), _softplus_exact(beta)
        )
        check(rl.softplus, {"beta": beta, "threshold": threshold}, reference, x)

    run()


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_leaky_relu_and_prelu_any_slope_and_magnitude(dtype: Any) -> None:
    @given(x=extreme_arrays(dtype), slope=slopes)
    def run(x: np.ndarray, slope: float) -> None:
        reference = torch_reference(lambda t: F.leaky_relu(t, slope), x, _leaky_limits(slope, dtype), (1.0, slope))
        check(rl.leaky_relu, {"negative_slope": slope}, reference, x)
        # PReLU's weight is a tensor of x's dtype: the slope rounded to it first.
        with np.errstate(over="ignore", under="ignore"):
            w = float(np.array(slope).astype(dtype))
        if math.isfinite(w):
            tw = torch.tensor([w], dtype=torch.from_numpy(x).dtype)
            reference = torch_reference(lambda t: F.prelu(t, tw), x, _leaky_limits(w, dtype), (1.0, w))
            check(rl.prelu, {"weight": w}, reference, x)

    run()


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_elu_any_alpha_and_magnitude(dtype: Any) -> None:
    @given(x=extreme_arrays(dtype), alpha=alphas)
    def run(x: np.ndarray, alpha: float) -> None:
        reference = torch_reference(lambda t: F.elu(t, alpha), x, (math.inf, -alpha), (1.0, 0.0))
        check(rl.elu, {"alpha": alpha}, reference, x)

    run()


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_relu6_any_magnitude(dtype: Any) -> None:
    @given(x=extreme_arrays(dtype))
    def run(x: np.ndarray) -> None:
        check(rl.relu6, {}, torch_reference(F.relu6, x, (6.0, 0.0), (0.0, 0.0)), x)

    run()
