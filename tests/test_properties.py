"""Property tests (hypothesis): every elementwise activation and derivative against PyTorch on arbitrary floats.

The arrays hold any float of their dtype (NaN, +-inf, -0.0, subnormals, the
dtype's maximum) mixed with moderate values, where the functions bend. The
rules are relu_lib's promises: torch's value, except NaN for NaN input and the
limit where torch computes inf * 0. The profile registered in conftest.py makes
the runs deterministic (derandomize=True, no example database).
"""

import math

import numpy as np
import pytest
from conftest import (
    CASE_IDS,
    CASES,
    FLOATS,
    SIGNED_ZERO_CASES,
    Case,
    apply_promises,
    assert_close,
    atol,
    oracle,
    require,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import relu_lib as rl

torch = require("torch")
F = torch.nn.functional

DTYPES = pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)


def elements(dtype) -> st.SearchStrategy[float]:
    """Any float of the dtype, or a moderate one (where the activations bend), about evenly."""
    width = np.finfo(dtype).bits
    return st.one_of(
        st.floats(width=width, allow_nan=True, allow_infinity=True),
        st.floats(min_value=-40.0, max_value=40.0, width=width),
    )


def arrays(dtype) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=2, max_side=12), elements=elements(dtype))


def finite_arrays(dtype) -> st.SearchStrategy[np.ndarray]:
    width = np.finfo(dtype).bits
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=1, max_dims=1, min_side=2, max_side=24),
        elements=st.one_of(
            st.floats(width=width, allow_nan=False, allow_infinity=False),
            st.floats(min_value=-40.0, max_value=40.0, width=width),
        ),
    )


@DTYPES
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@given(data=st.data())
def test_values_and_derivatives_match_torch(case: Case, dtype, data):
    x = data.draw(arrays(dtype), label="x")
    value, grad = oracle(torch, case, x)
    ours = case(x)
    assert_close(ours, value, dtype)
    eps = case.derivative_atol_eps if np.dtype(dtype) == np.float64 else 16
    assert_close(case.derivative(x), grad, dtype, abs_tol=atol(dtype, eps))
    if case in SIGNED_ZERO_CASES:
        zero = (value == 0) & ~np.isnan(x)
        np.testing.assert_array_equal(np.signbit(ours[zero]), np.signbit(value[zero]))


@pytest.mark.parametrize("fn", [rl.leaky_relu, rl.prelu], ids=["leaky_relu", "prelu"])
@given(x=arrays(np.float64), slope=st.floats(-10.0, 10.0))
def test_leaky_relu_and_prelu_with_any_slope_match_torch(fn, x, slope):
    t = torch.tensor(x, requires_grad=True)
    y = F.leaky_relu(t, slope) if fn is rl.leaky_relu else F.prelu(t, torch.tensor([slope], dtype=torch.float64))
    y.backward(torch.ones_like(y))
    # torch gives nan for 0 * -inf (slope 0); relu_lib gives the limit -0.0.
    assert_close(fn(x, slope), apply_promises(x, y.detach().numpy(), (math.inf, -0.0)), np.float64)
    assert_close(rl.derivative(fn)(x, slope), apply_promises(x, t.grad.numpy(), (1.0, slope)), np.float64)
    zero = (fn(x, slope) == 0) & np.isfinite(x)
    expected = y.detach().numpy()
    np.testing.assert_array_equal(np.signbit(fn(x, slope)[zero]), np.signbit(expected[zero]))


@given(x=arrays(np.float64), alpha=st.floats(0.0, 10.0))
def test_elu_with_any_alpha_matches_torch(x, alpha):
    t = torch.tensor(x, requires_grad=True)
    y = F.elu(t, alpha)
    y.backward(torch.ones_like(y))
    assert_close(rl.elu(x, alpha), apply_promises(x, y.detach().numpy(), (math.inf, -alpha)), np.float64)
    assert_close(rl.derivative(rl.elu)(x, alpha), apply_promises(x, t.grad.numpy(), (1.0, 0.0)), np.float64)


@given(x=arrays(np.float64), beta=st.floats(0.1, 10.0), threshold=st.floats(1.0, 40.0))
def test_softplus_with_any_beta_and_threshold_matches_torch(x, beta, threshold):
    t = torch.tensor(x, requires_grad=True)
    y = F.softplus(t, beta, threshold)
    y.backward(torch.ones_like(y))
    assert_close(rl.softplus(x, beta, threshold), apply_promises(x, y.detach().numpy(), (math.inf, 0.0)), np.float64)
    ours_grad = rl.derivative(rl.softplus)(x, beta, threshold)
    assert_close(ours_grad, apply_promises(x, t.grad.numpy(), (1.0, 0.0)), np.float64)
    with np.errstate(over="ignore"):
        above = np.multiply(x, beta) > threshold
    np.testing.assert_array_equal(ours_grad[above], 1.0)


# Ranges and shapes: what the book claims about each function.


@DTYPES
@given(data=st.data())
def test_ranges_of_the_activations(dtype, data):
    x = data.draw(arrays(dtype), label="x")
    real = ~np.isnan(x)
    relu = rl.relu(x)[real]
    assert (relu >= 0).all()
    assert ((relu == x[real]) | (relu == 0)).all(), "relu(x) is x or 0"
    relu6 = rl.relu6(x)[real]
    assert ((relu6 >= 0) & (relu6 <= 6)).all()
    sigmoid = rl.sigmoid(x)[real]
    assert ((sigmoid >= 0) & (sigmoid <= 1)).all()
    tanh = rl.tanh(x)[real]
    assert ((tanh >= -1) & (tanh <= 1)).all()
    softplus = rl.softplus(x)[real]
    assert (softplus >= 0).all() and (softplus >= x[real]).all(), "softplus lies above relu"
    assert (rl.elu(x)[real] >= -1).all()
    assert (rl.elu(x, 0.5)[real] >= -0.5).all()
    assert (rl.selu(x)[real] >= dtype(-rl.SELU_SCALE * rl.SELU_ALPHA)).all()
    assert (rl.gelu(x)[real] >= -0.1700).all(), "min of x Phi(x) is -0.16997 at x = -0.7518"
    assert (rl.gelu(x, approximate="tanh")[real] >= -0.1701).all()
    assert (rl.silu(x)[real] >= -0.2785).all(), "min of x sigmoid(x) is -0.27846 at x = -1.2785"


@DTYPES
@given(data=st.data())
def test_ranges_of_the_derivatives(dtype, data):
    x = data.draw(arrays(dtype), label="x")
    d = rl.derivative
    real = ~np.isnan(x)
    assert np.isnan(d(rl.tanh)(x)[~real]).all()
    tanh = d(rl.tanh)(x)[real]
    assert ((tanh >= 0) & (tanh <= 1)).all(), "tanh' is in [0, 1]"
    sigmoid = d(rl.sigmoid)(x)[real]
    assert ((sigmoid >= 0) & (sigmoid <= 0.25)).all(), "sigmoid' is in [0, 1/4]"
    for fn in (rl.relu, rl.relu6):
        assert np.isin(d(fn)(x)[real], [0.0, 1.0]).all()
    softplus = d(rl.softplus)(x)[real]
    assert ((softplus >= 0) & (softplus <= 1)).all()
    elu = d(rl.elu)(x)[real]
    assert ((elu >= 0) & (elu <= 1)).all()
    assert (elu[x[real] > -8] > 0).all(), "elu' = e^x > 0 (until e^x underflows the dtype)"
    silu = d(rl.silu)(x)[real]
    assert ((silu >= -0.0999) & (silu <= 1.0999)).all(), "silu' lies in [-0.0998, 1.0998]"
    gelu = d(rl.gelu)(x)[real]
    assert ((gelu >= -0.1701) & (gelu <= 1.1701)).all(), "gelu' lies in [-0.1700, 1.1700]"


@DTYPES
@given(data=st.data(), slope=st.floats(-10.0, 10.0).filter(lambda s: s != 0))
def test_leaky_relu_derivative_is_never_zero(dtype, data, slope):
    # With a slope that the dtype represents (not 0 after rounding), a leaky unit cannot die.
    x = data.draw(arrays(dtype), label="x")
    if dtype(slope) == 0:
        slope = 1.0
    result = rl.derivative(rl.leaky_relu)(x, slope)
    real = ~np.isnan(x)
    assert (result[real] != 0).all()
    assert np.isin(result[real], [dtype(1), dtype(slope)]).all()
    assert np.isnan(result[~real]).all()


MONOTONE = [case for case in CASES if case.monotone]


@DTYPES
@pytest.mark.parametrize("case", MONOTONE, ids=[c.id for c in MONOTONE])
@given(data=st.data())
def test_monotone_activations_are_monotone(case: Case, dtype, data):
    x = np.sort(data.draw(finite_arrays(dtype), label="x"))
    y = case(x)
    assert (y[1:] >= y[:-1]).all(), f"{case.id} decreases on {x} -> {y}"


@given(x=finite_arrays(np.float64))
def test_symmetries(x):
    x = x[np.abs(x) < 1e300]
    np.testing.assert_array_equal(rl.relu(x) - rl.relu(-x), x)
    np.testing.assert_array_equal(rl.tanh(-x), -rl.tanh(x))
    np.testing.assert_allclose(rl.sigmoid(x) + rl.sigmoid(-x), 1.0, rtol=1e-15)
    np.testing.assert_allclose(rl.silu(x) - rl.silu(-x), x, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(rl.gelu(x) - rl.gelu(-x), x, rtol=1e-15, atol=1e-300)
    np.testing.assert_array_equal(rl.derivative(rl.sigmoid)(x), rl.derivative(rl.sigmoid)(-x))
    small = x[np.abs(x) <= 20]
    np.testing.assert_allclose(rl.softplus(small) - rl.softplus(-small), small, rtol=1e-14, atol=1e-14)


@given(x=finite_arrays(np.float64), pieces=st.integers(1, 4))
def test_maxout_matches_torch(x, pieces):
    x = x[: x.size // pieces * pieces]
    expected = torch.from_numpy(x).view(-1, pieces).amax(-1).numpy()
    np.testing.assert_array_equal(rl.maxout(x, pieces), expected)
