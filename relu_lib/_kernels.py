"""Numerical building blocks shared by the activations and their derivatives.

Every kernel here writes its result into a destination array ``res`` that may
be the input itself (``out=x``), allocates at most one temporary the size of
the input, and runs as whole-array numpy passes. Masked passes (``where=``,
``np.where``) cost about ten times a plain pass, so branches are written as
arithmetic (``max(x, 0) + expm1(min(x, 0))`` for ELU) wherever that is exact.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ._arrays import compute_dtype

Kernel = Callable[[np.ndarray, np.ndarray], None]

# Past this magnitude every smooth activation here has saturated to the last bit of
# float64 (ndtr(-1e4) and sigmoid(-1e4) are exactly 0), so clipping the input to it
# changes no result and removes inf * 0 from the formulas.
SATURATED = 1e4


@functools.cache
def _special() -> Any:
    # scipy.special costs about 0.2 s to import; only GELU needs it.
    import scipy.special

    return scipy.special


def ndtr(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The standard normal CDF, accurate far into the lower tail (unlike 0.5 * (1 + erf))."""
    return _special().ndtr(x, out=out)


def _exactly_aliased(a: np.ndarray, b: np.ndarray) -> bool:
    return a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.strides == b.strides


def evaluate(
    kernel: Kernel, x: np.ndarray, out: np.ndarray | None, *, native: bool = False, exact: bool = False
) -> np.ndarray:
    """Run ``kernel(x, res)`` with numpy's floating-point warnings off and return ``res``.

    ``res`` is ``out`` when given, else a new array. float16 is evaluated in
    float32 and rounded once, as PyTorch's CPU kernels do, unless the kernel
    is ``native`` (exact in any dtype, like ReLU). Every overflow and invalid
    operation inside a kernel is intentional and resolved by the kernel (an
    ``exp`` that overflows in a branch the formula then discards), so warnings
    would only be noise for the caller. ``exact`` kernels (comparisons, max and
    min) are native too, raise no floating-point error at all and skip that
    switch, which costs about a microsecond: most of a call on a thousand values.
    """
    if exact:
        # These kernels read each input element before any pass writes it, so numpy's
        # own overlap handling covers any out=, aliased or not.
        res = np.empty_like(x) if out is None else out
        kernel(x, res)
        return res
    ct = x.dtype if native else compute_dtype(x.dtype)
    with np.errstate(all="ignore"):
        if ct != x.dtype:
            work = x.astype(ct)
            kernel(work, work)
            if out is None:
                return work.astype(x.dtype)
            np.copyto(out, work, casting="same_kind")
            return out
        if out is not None and np.shares_memory(out, x) and not _exactly_aliased(out, x):
            # A partial overlap would feed a pass its own output: work on a fresh array.
            res = np.empty_like(x)
            kernel(x, res)
            np.copyto(out, res)
            return out
        res = np.empty_like(x) if out is None else out
        kernel(x, res)
        return res


_ORDERS: dict[tuple[np.ufunc, np.dtype], str | None] = {}


def _order_keeping_negative_zero(ufunc: np.ufunc, dtype: np.dtype) -> str | None:
    """Which argument order makes ``ufunc(0, -0.0)`` return -0.0 on this platform, if any.

    PyTorch's ReLU is ``x < 0 ? 0 : x`` and so keeps -0.0; IEEE leaves the sign of
    max(+0, -0) open, and numpy's SIMD and scalar loops answer differently. The
    probe covers SIMD bodies, scalar tails and strided views.
    """
    key = (ufunc, dtype)
    if key not in _ORDERS:  # a plain dict: this runs on every ReLU call
        neg_zero = np.full(67, -0.0, dtype=dtype)
        zero = dtype.type(0)
        _ORDERS[key] = None
        for order in ("zero_first", "x_first"):
            kept = True
            for view in (neg_zero, neg_zero[::3], neg_zero[:5]):
                args = (zero, view) if order == "zero_first" else (view, zero)
                kept &= bool(np.signbit(ufunc(*args)).all())
            if kept:
                _ORDERS[key] = order
                break
    return _ORDERS[key]


def _clamp_zero(ufunc: np.ufunc, x: np.ndarray, res: np.ndarray) -> np.ndarray:
    order = _order_keeping_negative_zero(ufunc, x.dtype)
    zero = x.dtype.type(0)
    if order == "zero_first":
        return ufunc(zero, x, out=res)
    if order == "x_first":
        return ufunc(x, zero, out=res)
    # No argument order keeps -0.0 here: compare explicitly (slower, always right).
    replace = x < 0 if ufunc is np.maximum else x > 0
    np.copyto(res, x)
    np.copyto(res, zero, where=replace)
    return res


def max0(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = max(x, 0)`` with PyTorch's signed zero: max(-0.0, 0) is -0.0."""
    return _clamp_zero(np.maximum, x, res)


def min0(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = min(x, 0)`` keeping -0.0, the mirror of :func:`max0`."""
    return _clamp_zero(np.minimum, x, res)


def has_nan(x: np.ndarray) -> bool:
    """Whether x holds a NaN: one reduction, no temporary (np.maximum propagates NaN)."""
    return x.size > 0 and bool(np.isnan(np.maximum.reduce(x, axis=None)))


def sigmoid_into(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = 1 / (1 + exp(-x))`` in four SIMD passes, accurate to a few ulp.

    Where exp(-x) overflows (x below about -88 in float32) the result is 0, the
    correctly rounded value down to the subnormals.
    """
    np.negative(x, out=res)
    np.exp(res, out=res)
    res += 1
    return np.divide(1, res, out=res)


def sigmoid_slope_into(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = sigmoid(x) sigmoid(-x) = 1 / (2 + 2 cosh x)``: four passes, no temporary.

    Near 0 this form is exact to the last bit (the product of two rounded
    sigmoids is not), it can never exceed 1/4 since cosh x >= 1, and where cosh
    overflows (|x| above about 89 in float32) the result is 0.
    """
    np.cosh(x, out=res)
    res *= 2
    res += 2
    return np.divide(1, res, out=res)
