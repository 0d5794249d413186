"""Input checking and dtype handling shared by every elementwise function.

The rules are PyTorch's where PyTorch has one and numpy's where it does not:
floating dtypes are kept, integers and booleans become float64 (numpy's default
float), and anything that is not a real number is refused with a message that
names what was expected and what arrived.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

ArrayLike = float | int | bool | np.generic | np.ndarray | list | tuple
"""Anything the activations accept: a real scalar, a (nested) list or tuple of them, an array."""

_FLOAT_KINDS = {"f"}
# Extended precision (np.longdouble where it is wider than float64) has no counterpart in the frameworks.
_SUPPORTED_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_PROMOTED_KINDS = {"i", "u", "b"}


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}" if np.isscalar(x) or x is None else type(x).__name__


def as_real_array(x: ArrayLike, name: str, argument: str = "") -> np.ndarray:
    """Return ``x`` as a floating ndarray, or raise a clear error.

    ``name`` is the calling function's name and ``argument`` the parameter, if
    not the input itself; both appear in messages.
    """
    name = f"{name}() {argument}" if argument else f"{name}()"
    if isinstance(x, np.ndarray):
        arr = x
    elif isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} expects real numbers (a float, int, list or array), got {_describe(x)}")
    elif isinstance(x, (numbers.Real, np.generic, list, tuple)):
        try:
            arr = np.asarray(x)
        except ValueError as exc:
            raise ValueError(
                f"{name} expects a rectangular (nested) list of real numbers, got a ragged {type(x).__name__}: {exc}"
            ) from None
    else:
        raise TypeError(f"{name} expects real numbers (a float, int, list or array), got {_describe(x)}")

    kind = arr.dtype.kind
    if kind in _FLOAT_KINDS:
        if arr.dtype not in _SUPPORTED_FLOATS:
            raise TypeError(
                f"{name} expects real numbers in float16, float32 or float64, the floating dtypes PyTorch and "
                f"TensorFlow have; got {arr.dtype}: convert it first, e.g. x.astype(np.float64)"
            )
        return arr
    if kind in _PROMOTED_KINDS:
        return arr.astype(np.float64)
    if kind == "c":
        raise TypeError(f"{name} expects real numbers, got complex values (dtype {arr.dtype})")
    if kind == "O" and all(isinstance(v, numbers.Real) for v in arr.flat):
        # Python's exact reals (Fraction, an int beyond int64) that numpy keeps as objects.
        try:
            return arr.astype(np.float64)
        except OverflowError:
            raise ValueError(f"{name} expects real numbers within float64's range, got {_describe(x)}") from None
    raise TypeError(
        f"{name} expects real numbers, got {_describe(x)}"
        + ("" if isinstance(x, np.ndarray) else f" (numpy reads it as dtype {arr.dtype})")
    )


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype transcendental formulas are evaluated in.

    float16 is evaluated in float32 and rounded once at the end, as PyTorch's
    CPU kernels do (their "opmath" type), which keeps half-precision results
    within one rounding of the exact value.
    """
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def check_out(out: np.ndarray | None, shape: tuple[int, ...], dtype: np.dtype, name: str) -> None:
    """Refuse an ``out=`` buffer that cannot hold the result exactly."""
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name}() out= must be a numpy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{name}() out= has shape {out.shape}, but the result has shape {shape}")
    if out.dtype != dtype:
        raise TypeError(f"{name}() out= has dtype {out.dtype}, but the result has dtype {dtype}")
    if not out.flags.writeable:
        raise ValueError(f"{name}() out= is read-only")


def finish(result: np.ndarray, x_in: Any, out: np.ndarray | None) -> Any:
    """Hand the result back in the form the caller gave: array in, array out; scalar in, scalar out."""
    if out is not None:
        return out
    if not isinstance(x_in, np.ndarray) and result.ndim == 0:
        return result[()]
    return result


def elementwise(kernel: Callable[..., np.ndarray]) -> Callable[..., Any]:
    """Wrap an elementwise function so that its body sees a checked array of at least one axis.

    The wrapper validates ``x`` and ``out=``, turns a 0-d input into shape (1,)
    (numpy ufuncs return scalars, not arrays, for 0-d operands), copies the
    body's result into ``out`` unless the body wrote there itself, and returns
    the result in the caller's form.
    """
    name = kernel.__name__

    @functools.wraps(kernel)
    def wrapper(x: ArrayLike, *args: Any, out: np.ndarray | None = None, **kwargs: Any) -> Any:
        arr = as_real_array(x, name)
        check_out(out, arr.shape, arr.dtype, name)
        if arr.ndim:
            # No reshaped views: each costs a fraction of a microsecond, and keeping
            # ``out`` itself lets the kernels recognise out=x by identity.
            result = kernel(arr, *args, out=out, **kwargs)
            if out is not None and result is not out:
                np.copyto(out, result)
            return finish(result, x, out)
        work_out = None if out is None else out.reshape(1)
        result = kernel(arr.reshape(1), *args, out=work_out, **kwargs)
        if work_out is not None and result is not work_out:
            np.copyto(work_out, result)
        return finish(result.reshape(arr.shape), x, out)

    return wrapper


def check_real_parameter(value: Any, parameter: str, name: str, *, positive: bool = False) -> float:
    """Validate a scalar keyword such as ``alpha`` or ``negative_slope``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name}() {parameter} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}() {parameter} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name}() {parameter} must be positive, got {value}")
    return value


def check_count(value: Any, name: str, low: int = 1) -> int:
    """Validate a count such as a depth, a width or a number of epochs: an integer >= ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low:
        expected = "a positive integer" if low == 1 else f"an integer >= {low}"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)
