"""Small numerical building blocks shared by the activations and their derivatives."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ._arrays import compute_dtype


@functools.cache
def _special() -> Any:
    # scipy.special costs about 0.2 s to import; only the smooth activations need it.
    import scipy.special

    return scipy.special


def expit(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The logistic sigmoid, exact in the tails and free of overflow."""
    return _special().expit(x, out=out)


def ndtr(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The standard normal CDF, accurate far into the lower tail (unlike 0.5 * (1 + erf))."""
    return _special().ndtr(x, out=out)


def evaluate(kernel: Callable[[np.ndarray], np.ndarray], x: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """Run ``kernel`` in x's compute dtype with numpy's floating-point warnings off.

    Every overflow and invalid operation inside a kernel is intentional and
    resolved by the kernel itself (for example an ``x**3`` that becomes inf in
    a saturated tanh), so warnings would only be noise for the caller. So is
    the rounding of a float32 result back to float16, which overflows to inf
    (``selu`` near float16's maximum) or underflows to 0 as IEEE rounding should.
    """
    work = x.astype(compute_dtype(x.dtype), copy=False)
    with np.errstate(all="ignore"):
        result = kernel(work)
        result = result.astype(x.dtype, copy=False)
    if out is not None:
        np.copyto(out, result)
        return out
    return result


def propagate_nan(result: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Copy NaNs of ``x`` into ``result``: piecewise formulas would map NaN to a branch value."""
    np.copyto(result, x, where=np.isnan(x), casting="unsafe")
    return result


def fill_limits(result: np.ndarray, x: np.ndarray, at_pos_inf: float, at_neg_inf: float) -> np.ndarray:
    """Replace NaNs that a formula produced from non-NaN input by the function's limit.

    Formulas such as ``x * sigmoid(x)`` evaluate ``inf * 0`` at the infinities and,
    once ``x**2`` overflows, at huge finite inputs too. Those points all lie
    where the function has saturated, so its limit there is exact to the dtype.
    """
    bad = np.isnan(result) & ~np.isnan(x)
    if bad.any():
        result[bad & (x > 0)] = at_pos_inf
        result[bad & (x < 0)] = at_neg_inf
    return result


@functools.cache
def maximum_order_keeping_negative_zero(dtype: np.dtype) -> str | None:
    """Which argument order makes ``np.maximum`` return -0.0 for max(0, -0.0) on this platform.

    PyTorch's ReLU is ``x < 0 ? 0 : x`` and so keeps -0.0; IEEE leaves the sign of
    max(+0, -0) open, and numpy's SIMD and scalar loops answer differently. The
    probe covers SIMD bodies, scalar tails and strided views.
    """
    neg_zero = np.full(67, -0.0, dtype=dtype)
    zero = dtype.type(0)
    for order in ("zero_first", "x_first"):
        results = []
        for view in (neg_zero, neg_zero[::3], neg_zero[:5]):
            args = (zero, view) if order == "zero_first" else (view, zero)
            results.append(np.signbit(np.maximum(*args)).all())
        if all(results):
            return order
    return None
