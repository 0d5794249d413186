"""Shared pieces of the relu_lib test suite: the activation cases, the PyTorch oracle and the tolerances.

PyTorch and TensorFlow are the references the library promises to match; they
are test dependencies (``make test`` installs them from the locked requirements/test.txt), so a
missing one fails the suite with that hint instead of skipping tests.
"""

import os

# TensorFlow reads these when it is imported: silence its C++ logging and turn
# off oneDNN's reordered (slightly different) float arithmetic.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

import relu_lib as rl

# Deterministic property tests: the same examples on every run and every
# machine, nothing read from or written to a .hypothesis database. For a longer
# random search, run with RELU_LIB_HYPOTHESIS_PROFILE=thorough.
settings.register_profile("relu_lib", derandomize=True, database=None, deadline=None, max_examples=100)
settings.register_profile("thorough", derandomize=False, database=None, deadline=None, max_examples=2000)
# `make mutation` (tools/mutation.py) runs the tests once per mutant: fewer examples, same edges.
settings.register_profile("mutation", derandomize=True, database=None, deadline=None, max_examples=20)
settings.load_profile(os.environ.get("RELU_LIB_HYPOTHESIS_PROFILE", "relu_lib"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLOATS = (np.float16, np.float32, np.float64)


def require(name: str) -> ModuleType:
    """Import a test dependency, or fail (never skip) saying how to get it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        pytest.fail(
            f"the relu_lib tests need {name!r}, which cannot be imported ({exc}); "
            "`make test` installs it with the other locked requirements (requirements/test.txt)",
            pytrace=False,
        )


# Tolerances
# ----------
# RTOL is a few dozen ulps of the result dtype (float16: two ulps, as its results
# are one rounding of a float32 evaluation).  ATOL is 16 ulps of the dtype the
# formulas are *computed* in (float32 for float16 input), for three reasons that
# all produce small absolute, not relative, differences:
#   * PyTorch loses the lower tails to cancellation: gelu evaluates 1 + erf(x/sqrt 2),
#     which is 0 in float32 once x < -5.5, while relu_lib uses ndtr (exact there),
#     gelu-tanh evaluates 1 + tanh(u), sigmoid' evaluates y * (1 - y), which is 0 at
#     x = 20 in float32 (relu_lib: 2.06e-9).  Torch's absolute error there is about
#     |x| * eps / 2 with |x| <= ~6 before the tail underflows, i.e. a few eps.
#   * near a root of the function (gelu'(-0.75), silu'(-1.28)) any float evaluation
#     has an absolute, not relative, error of a few eps;
#   * float16 results below 6.1e-5 are subnormal, with a spacing of 6e-8.
RTOL = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-13}


def atol(dtype: Any, eps: int = 16) -> float:
    dtype = np.dtype(dtype)
    compute = np.float32 if dtype == np.float16 else dtype
    return eps * float(np.finfo(compute).eps)


# PyTorch's half-precision *autograd* keeps its intermediates (the saved output y
# of sigmoid and tanh) in float16, so its derivatives carry an absolute error of
# about one float16 eps; relu_lib evaluates them in float32 and rounds once.
TORCH_HALF_GRAD_ATOL = float(np.finfo(np.float16).eps)


def assert_close(actual: Any, expected: Any, dtype: Any, *, rtol: float | None = None, abs_tol: float | None = None):
    """``actual`` has ``dtype`` and matches ``expected`` (NaN where it is NaN) within the dtype's tolerance."""
    dtype = np.dtype(dtype)
    actual = np.asarray(actual)
    assert actual.dtype == dtype, f"dtype {actual.dtype}, expected {dtype}"
    np.testing.assert_allclose(
        actual.astype(np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=RTOL[dtype] if rtol is None else rtol,
        atol=atol(dtype) if abs_tol is None else abs_tol,
        equal_nan=True,
    )


# The elementwise activations and their PyTorch counterparts
# ----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One elementwise activation at fixed parameters, with its PyTorch form and its limits.

    ``limits`` and ``derivative_limits`` are (value at +inf, value at -inf): what
    relu_lib promises where PyTorch's formula gives NaN for a non-NaN input
    (inf * 0 at the infinities, or at huge inputs once x**2 overflows).
    """

    id: str
    fn: Callable[..., Any]
    kwargs: dict = field(default_factory=dict)
    torch_call: Callable[[ModuleType, Any], Any] = None
    limits: tuple[float, float] = (math.inf, 0.0)
    derivative_limits: tuple[float, float] = (1.0, 0.0)
    monotone: bool = True
    derivative_atol_eps: int = 16

    def __call__(self, x: Any, **extra: Any) -> Any:
        return self.fn(x, **self.kwargs, **extra)

    def derivative(self, x: Any, **extra: Any) -> Any:
        return rl.derivative(self.fn)(x, **self.kwargs, **extra)

    def __repr__(self) -> str:
        return self.id


def _prelu_torch(t: ModuleType, x: Any, weight: float) -> Any:
    return t.nn.functional.prelu(x, t.tensor([weight], dtype=x.dtype))


CASES = [
    Case("relu", rl.relu, {}, lambda t, x: t.nn.functional.relu(x), (math.inf, 0.0), (1.0, 0.0)),
    Case("relu6", rl.relu6, {}, lambda t, x: t.nn.functional.relu6(x), (6.0, 0.0), (0.0, 0.0)),
    Case(
        "leaky_relu",
        rl.leaky_relu,
        {},
        lambda t, x: t.nn.functional.leaky_relu(x),
        (math.inf, -math.inf),
        (1.0, 0.01),
    ),
    Case(
        "leaky_relu-0.2",
        rl.leaky_relu,
        {"negative_slope": 0.2},
        lambda t, x: t.nn.functional.leaky_relu(x, 0.2),
        (math.inf, -math.inf),
        (1.0, 0.2),
    ),
    Case(
        "prelu-0.25",
        rl.prelu,
        {"weight": 0.25},
        lambda t, x: _prelu_torch(t, x, 0.25),
        (math.inf, -math.inf),
        (1.0, 0.25),
    ),
    Case("elu", rl.elu, {}, lambda t, x: t.nn.functional.elu(x), (math.inf, -1.0), (1.0, 0.0)),
    Case(
        "elu-0.5",
        rl.elu,
        {"alpha": 0.5},
        lambda t, x: t.nn.functional.elu(x, alpha=0.5),
        (math.inf, -0.5),
        (1.0, 0.0),
    ),
    Case(
        "selu",
        rl.selu,
        {},
        lambda t, x: t.nn.functional.selu(x),
        (math.inf, -rl.SELU_SCALE * rl.SELU_ALPHA),
        (rl.SELU_SCALE, 0.0),
    ),
    Case("gelu", rl.gelu, {}, lambda t, x: t.nn.functional.gelu(x), (math.inf, -0.0), (1.0, 0.0), monotone=False),
    # Autograd's gelu-tanh backward forms 0.5 x (1 - tanh(u)**2) u'(x): the cancellation
    # in 1 - tanh**2 (absolute error eps) is multiplied by 0.5 |x| u'(x), about 44 at
    # x = -7.1 where float64's tanh saturates (12 at float32's x = -4.3).  Torch in
    # float64 gives 0 at x = -7.15, where the derivative is -4.6e-15.
    Case(
        "gelu-tanh",
        rl.gelu,
        {"approximate": "tanh"},
        lambda t, x: t.nn.functional.gelu(x, approximate="tanh"),
        (math.inf, -0.0),
        (1.0, 0.0),
        monotone=False,
        derivative_atol_eps=64,
    ),
    Case("silu", rl.silu, {}, lambda t, x: t.nn.functional.silu(x), (math.inf, -0.0), (1.0, 0.0), monotone=False),
    Case("softplus", rl.softplus, {}, lambda t, x: t.nn.functional.softplus(x), (math.inf, 0.0), (1.0, 0.0)),
    Case(
        "softplus-b2-t10",
        rl.softplus,
        {"beta": 2.0, "threshold": 10.0},
        lambda t, x: t.nn.functional.softplus(x, beta=2.0, threshold=10.0),
        (math.inf, 0.0),
        (1.0, 0.0),
    ),
    Case(
        "softplus-b0.5-t5",
        rl.softplus,
        {"beta": 0.5, "threshold": 5.0},
        lambda t, x: t.nn.functional.softplus(x, beta=0.5, threshold=5.0),
        (math.inf, 0.0),
        (1.0, 0.0),
    ),
    Case("sigmoid", rl.sigmoid, {}, lambda t, x: t.sigmoid(x), (1.0, 0.0), (0.0, 0.0)),
    Case("tanh", rl.tanh, {}, lambda t, x: t.tanh(x), (1.0, -1.0), (0.0, 0.0)),
]

CASE_IDS = [case.id for case in CASES]

# The activations that, like PyTorch, keep the sign of a zero input.
SIGNED_ZERO_CASES = [c for c in CASES if c.fn in (rl.relu, rl.relu6, rl.leaky_relu, rl.prelu, rl.elu, rl.selu)]

# The activations whose value at a zero input is that zero itself, -0.0 included: the clamps
# max(x, 0) and min(max(x, 0), 6), where the zero operand ties with x, and GELU, x Phi(x).
INPUT_ZERO_IDS = frozenset({"relu", "relu6", "gelu", "gelu-tanh"})


def keep_input_zeros(x: np.ndarray, value: np.ndarray) -> np.ndarray:
    """PyTorch's ``value`` with the input's own zero wherever the input is a zero.

    For the activations of ``INPUT_ZERO_IDS`` the sign of that zero is not PyTorch's
    semantics but its vector loops': on x86-64 and in its scalar code relu(-0.0) and
    gelu(-0.0) are -0.0, while its aarch64 loops give +0.0 (the IEEE maximum, and a
    float32 GELU that loses the sign) at some array positions. relu_lib returns the
    input's zero on every CPU, as the definitions give it, so that is what the tests
    expect wherever they run. Elsewhere a zero's sign is a product's (a negative slope
    times -0.0 is +0.0), the same on every CPU.
    """
    x = np.asarray(x)
    value = np.array(value, copy=True)
    at = (x == 0) & (value == 0)
    value[at] = x[at]
    return value


def torch_values(torch: ModuleType, case: Case, x: np.ndarray, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and autograd derivative of ``case`` at ``x``, evaluated in ``dtype``."""
    tx = torch.tensor(np.asarray(x, dtype=dtype), requires_grad=True)
    y = case.torch_call(torch, tx)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), tx.grad.numpy()


def apply_promises(x: np.ndarray, reference: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
    """PyTorch's answer, corrected where relu_lib deliberately differs.

    NaN input gives NaN (autograd's piecewise kernels return a branch value
    instead, relu'(nan) = 1); a NaN that PyTorch computes from a non-NaN input
    (inf * 0) becomes the function's limit on that side.
    """
    x = np.asarray(x, dtype=np.float64)
    expected = np.array(reference, dtype=np.float64)
    nan_in = np.isnan(x)
    expected[nan_in] = np.nan
    made_up = np.isnan(expected) & ~nan_in
    expected[made_up & (x > 0)] = limits[0]
    expected[made_up & (x < 0)] = limits[1]
    return expected


def masked_level_slopes(dtype: Any, count: int) -> list[float]:
    """Slopes s whose derivative levels 1 and s are not both exact as s + [x > 0] (1 - s).

    For these the indicator copies the levels under a mask (``_levels`` says "masked").
    """
    from relu_lib import _kernels

    candidates = np.random.default_rng(0).uniform(-100.0, 100.0, 20000)
    found = [float(s) for s in candidates if _kernels._levels(np.dtype(dtype), 1.0, float(s), 1.0)[0] == "masked"]
    assert len(found) >= count, f"no {count} slopes need the masked levels in {np.dtype(dtype).name}"
    return found[:count]


def oracle(torch: ModuleType, case: Case, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact value and derivative, as far as PyTorch in float64 knows them, rounded to x's dtype.

    For float16 and float32 input PyTorch evaluated in float64 is a good oracle:
    its cancellations and overflows happen far below those dtypes' resolution.
    """
    x = np.asarray(x)
    value, grad = torch_values(torch, case, x, np.float64)
    value = apply_promises(x, value, case.limits)
    if case.id in INPUT_ZERO_IDS:
        value = keep_input_zeros(x, value)
    grad = apply_promises(x, grad, case.derivative_limits)
    with np.errstate(over="ignore", under="ignore"):
        return value.astype(x.dtype), grad.astype(x.dtype)


def torch_same_dtype(torch: ModuleType, case: Case, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and derivative in x's own dtype, with relu_lib's promises applied.

    Two more corrections, where PyTorch's float32 kernels overflow in an
    intermediate near the dtype's maximum, so the exact (float64) value is expected:

    - where PyTorch says +-inf but the exact value rounds to a finite number
      (``F.gelu`` of float32's max is inf, as it forms ``x * (1 + erf)`` = 2x first);
    - in the derivative, where ``x * x`` overflows in the dtype (GELU's backward
      forms ``exp(-x * x / 2)``; PyTorch's aarch64 vector loop then gives
      1 +- 2 sqrt(2 / pi) at float32's max instead of the limits 1 and 0).
    """
    x = np.asarray(x)
    value, grad = torch_values(torch, case, x, x.dtype)
    value = apply_promises(x, value, case.limits)
    if case.id in INPUT_ZERO_IDS:
        value = keep_input_zeros(x, value)
    grad = apply_promises(x, grad, case.derivative_limits)
    exact_value, exact_grad = oracle(torch, case, x)
    for ours, exact in ((value, exact_value), (grad, exact_grad)):
        # At an infinite x too: PyTorch's aarch64 float32 GELU backward gives an infinity
        # there, where its float64 one gives inf * 0 = NaN and relu_lib the limit.
        spurious = np.isinf(ours) & ~np.isnan(x) & np.isfinite(exact)
        ours[spurious] = exact[spurious]
    with np.errstate(over="ignore"):
        squared_overflows = np.isinf(x * x) & np.isfinite(x)
    grad[squared_overflows] = exact_grad[squared_overflows]
    return value, grad


def special_values(dtype: Any) -> np.ndarray:
    """Zeros of both signs, infinities, NaN, the extremes of ``dtype`` and ordinary values."""
    info = np.finfo(dtype)
    values = [0.0, -0.0, np.nan, np.inf, -np.inf, info.max, -info.max, info.tiny, -info.tiny]
    values += [info.smallest_subnormal, -info.smallest_subnormal, 1.0, -1.0, 2.5, 5.0, 6.0, 10.0, 20.0, -20.0]
    values += [0.5, -0.75, -5.0, -10.0, -40.0]
    values += [float(info.max) ** 0.5, -(float(info.max) ** 0.5), 1e4, -1e4]
    if dtype != np.float16:
        values += [1e30, -1e30]
    if dtype == np.float64:
        values += [1e300, -1e300, 1e154, -1e154]
    return np.array(values, dtype=dtype)


@pytest.fixture(params=FLOATS, ids=lambda d: np.dtype(d).name)
def dtype(request: pytest.FixtureRequest) -> type:
    return request.param
