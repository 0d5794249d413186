"""``derivative(fn)`` against PyTorch autograd, including autograd's conventions at the kinks."""

import math

import numpy as np
import pytest
from conftest import (
    CASE_IDS,
    CASES,
    FLOATS,
    TORCH_HALF_GRAD_ATOL,
    Case,
    assert_close,
    atol,
    oracle,
    require,
    special_values,
    torch_same_dtype,
)

import relu_lib as rl

torch = require("torch")
F = torch.nn.functional

SELU_KINK = rl.SELU_SCALE * rl.SELU_ALPHA


def grid(dtype) -> np.ndarray:
    dense = np.linspace(-30.0, 30.0, 2401)
    return np.concatenate([dense.astype(dtype), special_values(dtype)])


def autograd(fn, x: np.ndarray, dtype=None) -> np.ndarray:
    """d fn / dx at every element of x, by autograd (the gradient of the sum)."""
    tx = torch.tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    y = fn(tx)
    y.backward(torch.ones_like(y))
    return tx.grad.numpy()


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivatives_match_autograd_in_the_same_dtype(case: Case, dtype):
    x = grid(dtype)
    _, reference = torch_same_dtype(torch, case, x)
    half = np.dtype(dtype) == np.float16
    tolerance = TORCH_HALF_GRAD_ATOL if half else atol(dtype, case.derivative_atol_eps)
    assert_close(case.derivative(x), reference, dtype, abs_tol=tolerance)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivatives_match_autograd_in_float64_rounded(case: Case, dtype):
    x = grid(dtype)
    _, expected = oracle(torch, case, x)
    # For float16/float32 the float64 oracle's own cancellation is far below the
    # tolerance; for float64 the oracle is torch in float64 itself, cancellation included.
    eps = case.derivative_atol_eps if np.dtype(dtype) == np.float64 else 16
    assert_close(case.derivative(x), expected, dtype, abs_tol=atol(dtype, eps))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivative_by_name_matches_autograd(case: Case):
    by_name = rl.derivative(case.fn.__name__)
    assert by_name is rl.derivative(case.fn)
    # Checked against autograd, not against derivative(fn): the name must lead to the right
    # derivative, and comparing the function with itself could not fail.
    x = np.linspace(-3, 3, 7)
    _, expected = oracle(torch, case, x)
    assert_close(by_name(x, **case.kwargs), expected, np.float64)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivatives_match_central_differences(case: Case):
    # Independent of torch: (f(x + h) - f(x - h)) / 2h, away from the kinks.
    x = np.linspace(-8.0, 8.0, 321)
    kinks = [0.0, 6.0]
    if case.fn is rl.softplus:
        kinks.append(case.kwargs.get("threshold", 20.0) / case.kwargs.get("beta", 1.0))
    x = x[np.min(np.abs(x[:, None] - np.array(kinks)), axis=1) > 1e-3]
    h = 1e-6
    numeric = (case(x + h) - case(x - h)) / (2 * h)
    np.testing.assert_allclose(case.derivative(x), numeric, rtol=1e-6, atol=1e-8)


# The kinks: autograd's values, which relu_lib promises.


def torch_and_ours(fn_torch, ours, points, dtype):
    x = np.array(points, dtype=dtype)
    return autograd(fn_torch, x), ours(x)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
class TestKinks:
    def test_relu_at_zero_is_zero(self, dtype):
        theirs, ours = torch_and_ours(F.relu, rl.derivative(rl.relu), [0.0, -0.0], dtype)
        np.testing.assert_array_equal(ours, [0.0, 0.0])
        np.testing.assert_array_equal(ours, theirs)

    def test_relu6_at_zero_and_six_is_zero(self, dtype):
        theirs, ours = torch_and_ours(F.relu6, rl.derivative(rl.relu6), [0.0, -0.0, 6.0], dtype)
        np.testing.assert_array_equal(ours, [0.0, 0.0, 0.0])
        np.testing.assert_array_equal(ours, theirs)
        near = np.array([np.nextafter(dtype(0), dtype(1)), np.nextafter(dtype(6), dtype(0))])
        np.testing.assert_array_equal(rl.derivative(rl.relu6)(near), [1.0, 1.0])

    @pytest.mark.parametrize("slope", [0.01, 0.2, 0.0, -0.5, 3.0])
    def test_leaky_relu_at_zero_is_the_slope(self, dtype, slope):
        theirs, ours = torch_and_ours(
            lambda t: F.leaky_relu(t, slope), lambda v: rl.derivative(rl.leaky_relu)(v, slope), [0.0, -0.0], dtype
        )
        np.testing.assert_array_equal(ours, [dtype(slope)] * 2)
        np.testing.assert_array_equal(ours, theirs)

    def test_prelu_at_zero_is_the_weight(self, dtype):
        weight = np.array([0.25, -0.5, 2.0], dtype=dtype)
        x = np.zeros((2, 3), dtype=dtype)
        x[1] = -0.0
        theirs = autograd(lambda t: F.prelu(t, torch.from_numpy(weight)), x)
        ours = rl.derivative(rl.prelu)(x, weight)
        np.testing.assert_array_equal(ours, np.broadcast_to(weight, (2, 3)))
        np.testing.assert_array_equal(ours, theirs)

    @pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
    def test_elu_at_zero_is_alpha(self, dtype, alpha):
        theirs, ours = torch_and_ours(
            lambda t: F.elu(t, alpha), lambda v: rl.derivative(rl.elu)(v, alpha), [0.0, -0.0], dtype
        )
        np.testing.assert_array_equal(ours, [dtype(alpha)] * 2)
        np.testing.assert_array_equal(ours, theirs)

    def test_selu_at_zero_is_scale_times_alpha(self, dtype):
        theirs, ours = torch_and_ours(F.selu, rl.derivative(rl.selu), [0.0, -0.0], dtype)
        assert_close(ours, [SELU_KINK] * 2, dtype)
        assert_close(ours, theirs, dtype)
        assert np.all(ours > 1.75), "the left branch (scale * alpha = 1.758), not the right one (scale = 1.051)"

    @pytest.mark.parametrize(("beta", "threshold"), [(1.0, 20.0), (2.0, 10.0), (0.5, 5.0), (1.0, 3.0)])
    def test_softplus_is_exactly_one_above_the_threshold(self, dtype, beta, threshold):
        switch = dtype(threshold / beta)  # exactly representable for these parameters
        above = [np.nextafter(switch, dtype(np.inf)), switch * 2, dtype(np.finfo(dtype).max), dtype(np.inf)]
        d = rl.derivative(rl.softplus)
        np.testing.assert_array_equal(d(np.array(above, dtype=dtype), beta, threshold), 1.0)
        at = d(np.array([switch]), beta, threshold)
        expected = 1.0 / (1.0 + math.exp(-threshold))
        assert_close(at, [expected], dtype)
        theirs = autograd(lambda t: F.softplus(t, beta, threshold), np.array([switch, *above[:3]], dtype=dtype))
        np.testing.assert_array_equal(theirs[1:], 1.0)
        assert_close(at, theirs[:1], dtype)

    def test_softplus_below_the_threshold_is_the_sigmoid(self, dtype):
        # Against the sigmoid computed here in float64 and rounded once, not relu_lib's own
        # sigmoid, which shares softplus'(x)'s kernel.
        x = np.array([-40.0, -3.0, 0.0, 3.0, 19.5], dtype=dtype)
        exact = [1.0 / (1.0 + math.exp(-float(v))) for v in x]
        assert_close(rl.derivative(rl.softplus)(x), exact, dtype)
        assert_close(rl.derivative(rl.softplus)(x), torch.sigmoid(torch.from_numpy(x)).numpy(), dtype)


def test_float64_kink_values_are_exact():
    d = rl.derivative
    assert d(rl.relu)(0.0) == 0.0 and d(rl.relu)(-0.0) == 0.0
    assert d(rl.relu6)(0.0) == 0.0 and d(rl.relu6)(6.0) == 0.0
    assert d(rl.leaky_relu)(0.0) == 0.01
    assert d(rl.leaky_relu)(0.0, negative_slope=0.3) == 0.3
    assert d(rl.elu)(0.0) == 1.0 and d(rl.elu)(0.0, alpha=0.7) == 0.7
    assert d(rl.selu)(0.0) == pytest.approx(SELU_KINK, rel=1e-15)
    assert d(rl.softplus)(20.0 + 1e-12) == 1.0
    assert d(rl.softplus)(20.0) < 1.0
    assert d(rl.sigmoid)(0.0) == 0.25
    assert d(rl.tanh)(0.0) == 1.0
    assert d(rl.gelu)(0.0) == 0.5 and d(rl.gelu)(0.0, approximate="tanh") == 0.5
    assert d(rl.silu)(0.0) == 0.5


# Where relu_lib deliberately differs from autograd.


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_nan_gives_nan_for_every_derivative(case: Case, dtype):
    x = np.array([np.nan, 1.0, np.nan, -1.0], dtype=dtype)
    result = case.derivative(x)
    assert result.dtype == dtype
    np.testing.assert_array_equal(np.isnan(result), [True, False, True, False])
    assert np.isnan(case.derivative(dtype(np.nan)))


@pytest.mark.parametrize(
    ("name", "torch_fn", "ours", "autograd_value"),
    [
        ("relu", F.relu, lambda x: rl.derivative(rl.relu)(x), 1.0),
        ("leaky_relu", lambda t: F.leaky_relu(t, 0.2), lambda x: rl.derivative(rl.leaky_relu)(x, 0.2), 0.2),
        (
            "prelu",
            lambda t: F.prelu(t, torch.tensor([0.25], dtype=t.dtype)),
            lambda x: rl.derivative(rl.prelu)(x, 0.25),
            0.25,
        ),
        ("elu", F.elu, lambda x: rl.derivative(rl.elu)(x), 1.0),
        ("selu", F.selu, lambda x: rl.derivative(rl.selu)(x), rl.SELU_SCALE),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_autograd_gives_a_branch_value_at_nan_where_relu_lib_gives_nan(name, torch_fn, ours, autograd_value, dtype):
    x = np.array([np.nan], dtype=dtype)
    theirs = autograd(torch_fn, x)
    assert theirs[0] == pytest.approx(autograd_value, rel=1e-6), f"autograd's {name}'(nan)"
    assert np.isnan(ours(x)[0])


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(
    "ours",
    [rl.derivative(rl.gelu), lambda x: rl.derivative(rl.gelu)(x, "tanh"), rl.derivative(rl.silu)],
    ids=["gelu", "gelu-tanh", "silu"],
)
def test_derivative_at_the_infinities_is_the_limit(ours, dtype):
    # Autograd computes inf * 0 there: NaN on x86-64, and an infinity from PyTorch's aarch64
    # float32 GELU. Which one comes out is PyTorch's loop's business, so it is not asserted.
    x = np.array([np.inf, -np.inf], dtype=dtype)
    result = ours(x)
    assert result.dtype == dtype
    np.testing.assert_array_equal(result, [1.0, 0.0])


def test_gelu_tanh_derivative_at_huge_float32_is_the_limit():
    # x**3 overflows float32 at 1e30, and autograd's tanh-form backward computes inf * 0.
    x = np.array([1e30, -1e30, 3e38, -3e38], dtype=np.float32)
    result = rl.derivative(rl.gelu)(x, approximate="tanh")
    np.testing.assert_array_equal(result, [1.0, 0.0, 1.0, 0.0])
    # float64 does not overflow there, and autograd agrees with the limit.
    np.testing.assert_array_equal(autograd(lambda t: F.gelu(t, approximate="tanh"), x[:2], np.float64), [1.0, 0.0])


def test_sigmoid_derivative_in_the_float32_tail_is_more_accurate_than_autograd():
    x = np.array([20.0, -20.0], dtype=np.float32)
    exact = math.exp(-20.0) / (1 + math.exp(-20.0)) ** 2
    np.testing.assert_allclose(rl.derivative(rl.sigmoid)(x), [exact, exact], rtol=1e-6)
    theirs = autograd(torch.sigmoid, x)
    assert theirs[0] == 0.0, "autograd's y * (1 - y) with y = 1.0f"


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_sigmoid_derivative_never_exceeds_a_quarter_next_to_zero(dtype):
    # sigma(x) sigma(-x) with both factors rounded gave 0.25000003 at float32 x = 1.2e-7.
    tiny = np.finfo(dtype).eps * np.arange(-64, 65)
    x = np.concatenate([tiny, np.nextafter(dtype(0), dtype(1)) * np.arange(5)]).astype(dtype)
    result = rl.derivative(rl.sigmoid)(x)
    assert (result <= 0.25).all()
    assert (result >= dtype(0.25) - 2 * np.finfo(dtype).eps).all()
    assert rl.derivative(rl.sigmoid)(np.float32(1.1920929e-07)) == 0.25


def test_derivative_values_stay_in_their_dtype_for_scalars():
    for case in CASES:
        for dtype in FLOATS:
            result = case.derivative(dtype(0.5))
            assert isinstance(result, dtype), (case.id, dtype)
        assert isinstance(case.derivative(0.5), np.float64)
        assert isinstance(case.derivative(1), np.float64)
        assert case.derivative(np.array(0.5)).shape == ()
