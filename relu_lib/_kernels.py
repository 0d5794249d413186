"""Numerical building blocks shared by the activations and their derivatives.

Every kernel here writes its result into a destination array ``res`` that may
be the input itself (``out=x``), allocates at most one temporary the size of
the input, and runs as numpy passes, except where a fused kernel (:data:`FUSED`)
runs as one loop compiled by numba (:mod:`relu_lib._compiled`). Masked passes (``where=``,
``np.where``) cost about ten times a plain pass, so branches are written as
arithmetic (``max(x, 0) + expm1(min(x, 0))`` for ELU) wherever that is exact.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from . import _compiled
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
    # ``is`` first: reading a data pointer costs about a microsecond.
    return a is b or (a.strides == b.strides and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


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
        # own overlap handling covers any out=, aliased or not; the two that copy x
        # (the compare path, the indicator) copy it first where out= overlaps it partially.
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


# Selectable clamp kernels
# ------------------------
# ReLU and its relatives clamp at zero, and PyTorch's clamp keeps the sign of a zero
# input and of a NaN. numpy offers several ways to clamp whose speed and signed-zero
# behaviour differ by CPU and by numpy's SIMD dispatch: on AVX-512, np.maximum(0, x)
# keeps -0.0 but runs a slower loop than np.maximum(x, 0), which loses it, while
# array-against-array and np.clip run the fastest loops. So each way is a *path*;
# the paths that are exact on this CPU are probed and timed once, lazily, and the
# fastest is used. Every exact path gives the same bits, so the choice only changes
# speed. Tests force each path with forced() to check it on any machine.

try:  # the ufunc behind np.clip, without np.clip's microseconds of Python-level checks
    from numpy._core.umath import clip as _clip_ufunc
except ImportError:  # numpy < 2
    from numpy.core.umath import clip as _clip_ufunc

Bounds = tuple[float | None, float | None]

OPERATIONS: dict[str, Bounds] = {"max0": (0.0, None), "min0": (None, 0.0), "relu6": (0.0, 6.0)}
"""The selectable clamps and their (lower, upper) bounds: ReLU's max(x, 0), ELU's min(x, 0) and ReLU6."""

PATHS: tuple[str, ...] = ("clip", "scalar", "blocked", "compare")
"""Every way a clamp can run (see :func:`paths`); ``compare`` is the fallback that is always exact."""

FUSED: dict[str, str] = {
    "scaled": "Leaky ReLU's x if x > 0 else s x (against_scaled)",
    "levels": "the piecewise-constant derivatives (indicator)",
}
"""The multi-pass kernels that one compiled loop can replace, and what each computes."""

FUSED_PATHS: tuple[str, ...] = ("passes", "compiled")
"""How a multi-pass kernel can run: numpy passes over cache-sized blocks (always exact), or one
loop compiled by numba (:mod:`relu_lib._compiled`) where numba is installed and the probe finds it exact."""

FALLBACK: dict[str, str] = {**dict.fromkeys(OPERATIONS, "compare"), **dict.fromkeys(FUSED, "passes")}
"""The path each operation runs where the one chosen or forced is not exact: exact on every CPU."""

BLOCK = 65536
"""Elements per block of the ``blocked`` path: its zero block (256 KiB in float32) stays in
the L2 cache, and at about a microsecond of Python per block the loop costs under 5% at 1e7."""

STREAM_BYTES = 1 << 20
"""Bytes per block of the multi-pass kernels (:func:`against_scaled`, :func:`indicator`).

Their passes over a block re-read it from the cache, so out of the cache the
input is read from memory once. What has to stay in the cache is bytes, so a
block holds ``STREAM_BYTES // itemsize`` values (see :func:`stream_block`).
On 1e7 float32 values 1 MiB blocks beat 256 KiB ones on an AMD EPYC with 1 MiB
of L2 cache per core; on an Intel Xeon with 2 MiB, blocks of 256-512 KiB were up
to 15% faster, and 2 MiB ones (float64's, when blocks were counted in values)
the slowest in both dtypes. ``make bench`` prints the sweep for each machine. Arrays
of up to one block run as whole arrays, which is faster while they fit in the
cache anyway.
"""


def stream_block(dtype: np.dtype) -> int:
    """Values per block of the multi-pass kernels in ``dtype``: :data:`STREAM_BYTES` of them."""
    return STREAM_BYTES // dtype.itemsize


_ORDERS = ("zero_first", "x_first")
# Timing runs in the cache, where the loops differ most; out of it they all wait on memory.
# A quarter block keeps a whole selection under a millisecond in float32 and float64
# (float16 has no SIMD loops and takes a few).
_TIMED_SIZE = BLOCK // 4 + 7


def _zero_side(op: str) -> np.ufunc:
    return np.maximum if OPERATIONS[op][0] == 0.0 else np.minimum


def _finish_upper(op: str, res: np.ndarray) -> None:
    """Apply relu6's cap of 6 in place; min(x, 6) has no signed-zero question to answer."""
    upper = OPERATIONS[op][1]
    if upper is not None and upper != 0.0:
        np.minimum(res, res.dtype.type(upper), out=res)


def _clip_path(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    lower, upper = OPERATIONS[op]
    t = x.dtype.type
    _clip_ufunc(x, t(-np.inf if lower is None else lower), t(np.inf if upper is None else upper), out=res)


def _scalar_path(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    zero = x.dtype.type(0)
    ufunc = _zero_side(op)
    if order == "zero_first":
        ufunc(zero, x, out=res)
    else:
        ufunc(x, zero, out=res)
    _finish_upper(op, res)


@functools.cache
def _zero_block(dtype: np.dtype) -> np.ndarray:
    block = np.zeros(BLOCK, dtype=dtype)
    block.flags.writeable = False  # shared by every call: nothing may write into it
    return block


def _blocked_path(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    """Array-against-array passes over cache-sized blocks, each against the same zero block.

    numpy vectorises the (array, array) loop where it may not vectorise the
    argument order that keeps -0.0 against a scalar. Arrays that cannot be
    walked as one flat run (strided views, or ``res`` laid out unlike ``x``), and
    a ``res`` overlapping ``x`` partially (a block's result would overwrite input
    of the next block), are compared against a broadcast zero in one call instead.
    """
    ufunc = _zero_side(op)
    zeros = _zero_block(x.dtype)
    if not (x.flags.c_contiguous and res.flags.c_contiguous) or _overlaps_partially(x, res):
        zero = np.broadcast_to(zeros[:1], x.shape)
        ufunc(*((zero, x) if order == "zero_first" else (x, zero)), out=res)
        _finish_upper(op, res)
        return
    flat_x, flat_res = x.reshape(-1), res.reshape(-1)
    for start in range(0, flat_x.size, BLOCK):
        part = flat_x[start : start + BLOCK]
        into = flat_res[start : start + BLOCK]
        zero = zeros[: part.size]
        ufunc(*((zero, part) if order == "zero_first" else (part, zero)), out=into)
        # The cap is applied while the block is still in the cache.
        _finish_upper(op, into)


def _compare_path(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    """The definition itself, ``x < 0 ? 0 : x``: slower, and exact on every CPU.

    NaN fails every comparison and so is copied through with its sign; -0.0 is
    not below 0 and is copied through too.
    """
    lower, upper = OPERATIONS[op]
    t = x.dtype.type
    if _overlaps_partially(x, res):
        # np.copyto, unlike a ufunc, does not order a copy between overlapping arrays of
        # different strides (out= every second element of a buffer x starts): read x first.
        x = x.copy()
    # The masks are taken before res, which may be x itself, is written.
    below = None if lower is None else np.less(x, lower)
    above = None if upper is None else np.greater(x, upper)
    np.copyto(res, x)
    if below is not None:
        np.copyto(res, t(lower), where=below)
    if above is not None:
        np.copyto(res, t(upper), where=above)


_PATH_FUNCTIONS: dict[str, Callable[[str, np.ndarray, np.ndarray, str | None], None]] = {
    "clip": _clip_path,
    "scalar": _scalar_path,
    "blocked": _blocked_path,
    "compare": _compare_path,
}


def paths() -> dict[str, tuple[str, ...]]:
    """Every selectable operation and the paths it can run, for tests that force each one."""
    return {**dict.fromkeys(OPERATIONS, PATHS), **dict.fromkeys(FUSED, FUSED_PATHS)}


def _probe_inputs(dtype: np.dtype) -> list[np.ndarray]:
    """Signed zeros, NaN of both signs, the infinities, subnormals, the bounds and ordinary values.

    Laid out as SIMD bodies and scalar tails, a misaligned start, and strided and
    2-D non-contiguous views. Block boundaries need no probe: every block is the
    same contiguous loop as a short array.
    """
    info = np.finfo(dtype)
    tiny = float(info.smallest_subnormal)
    values = [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 6.0, -6.0, 7.0, 1.0, -1.0, tiny, -tiny]
    specials = np.array([*values, float(info.max), -float(info.max)], dtype=dtype)
    body = np.resize(specials, 67)
    grid = np.resize(specials, (9, 14))
    return [body, body[:5], body[1:], body[::3], grid[:, ::2], grid.T]


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def _is_exact(op: str, path: str, order: str | None, dtype: np.dtype) -> bool:
    """Whether ``path`` in ``order`` gives the bits of the compare path on every probe, fresh and in place."""
    run = _PATH_FUNCTIONS[path]
    for x in _probe_inputs(dtype):
        expected = np.empty_like(x)
        _compare_path(op, x, expected, None)
        fresh = np.empty_like(x)
        run(op, x, fresh, order)
        in_place = x.copy()
        run(op, in_place, in_place, order)
        if not (_same_bits(fresh, expected) and _same_bits(in_place, expected)):
            return False
    return True


def _exact_order(op: str, path: str, dtype: np.dtype) -> str | bool | None:
    """The argument order in which ``path`` is exact here, None for an orderless exact path, False if none."""
    orders: tuple[str | None, ...] = _ORDERS if path in ("scalar", "blocked") else (None,)
    for order in orders:
        if path == "compare" or _is_exact(op, path, order, dtype):
            return order
    return False


def _seconds(fn: Callable[[], object], rounds: int = 4) -> float:
    """Best of a few rounds of two calls: enough to rank loops whose speeds differ by 20% or more."""
    fn()  # the first call pays for the zero block and page faults
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@dataclass(frozen=True)
class Selection:
    """What a clamp runs for one dtype: the exact paths found (with their argument order) and the fastest.

    Attributes:
        exact: each path exact on this CPU, with its argument order (None where it has none).
        seconds: the best time of two calls of each exact path on a quarter block.
        path: the path used when none is forced.
    """

    exact: dict[str, str | None]
    seconds: dict[str, float]
    path: str


_SELECTIONS: dict[tuple[str, np.dtype], Selection] = {}
_FORCED: dict[str, str] = {}


def _select(op: str, dtype: np.dtype) -> Selection:
    exact = {}
    for path in PATHS:
        order = _exact_order(op, path, dtype)
        if order is not False:
            exact[path] = order
    x = np.linspace(-1.0, 1.0, _TIMED_SIZE).astype(dtype)
    res = np.empty_like(x)
    run = _PATH_FUNCTIONS
    seconds = {path: _seconds(functools.partial(run[path], op, x, res, order)) for path, order in exact.items()}
    return Selection(exact, seconds, min(seconds, key=seconds.__getitem__))


# Parameters each fused kernel is probed with: a slope below 1 (max) and above (min); and
# ReLU', ReLU6' and Leaky ReLU' levels, with a slope the passes can make by arithmetic and
# one they cannot (-0.0).
_FUSED_PROBES: dict[str, tuple[tuple[Any, ...], ...]] = {
    "scaled": ((np.maximum, 0.01), (np.minimum, 2.0)),
    "levels": ((0.0, None, 1.0, 0.0), (0.0, 6.0, 1.0, 0.0), (0.0, None, 1.0, 0.01), (0.0, None, 1.0, -0.0)),
}


def _loops() -> _compiled.Loops:
    # Only called where a selection found the loops exact, which needs them to exist.
    return cast(_compiled.Loops, _compiled.loops())


def _fused_run(op: str, path: str, x: np.ndarray, res: np.ndarray, args: tuple[Any, ...]) -> None:
    """Run fused kernel ``op`` through ``path`` (``res`` contiguous and apart from ``x``, or ``x`` itself)."""
    if op == "scaled":
        ufunc, slope = args
        s = x.dtype.type(slope)
        if path == "compiled":
            _loops().scaled(x.reshape(-1), s, res.reshape(-1))
        else:
            _scaled_passes(ufunc, x, s, res)
        return
    above, below, high, low = args
    if path == "compiled":
        t = x.dtype.type
        bounded = below is not None
        _loops().levels(x.reshape(-1), res.reshape(-1), t(above), t(below if bounded else 0), bounded, t(high), t(low))
    else:
        _levels_passes(x, res, above, below, high, low)


def _compiled_is_exact(op: str, dtype: np.dtype) -> bool:
    """Whether the compiled loop exists for ``dtype`` and gives the passes' bits on every probe, fresh and in place."""
    if dtype not in _compiled.DTYPES or _compiled.loops() is None:
        return False
    for probe in _probe_inputs(dtype):
        x = np.ascontiguousarray(probe)  # the loop only ever runs on flat runs
        for args in _FUSED_PROBES[op]:
            expected = np.empty_like(x)
            # A slope of 2 overflows the product at the dtype's maximum, to -inf as intended.
            with np.errstate(over="ignore"):
                _fused_run(op, "passes", x, expected, args)
            fresh = np.empty_like(x)
            _fused_run(op, "compiled", x, fresh, args)
            in_place = x.copy()
            _fused_run(op, "compiled", in_place, in_place, args)
            if not (_same_bits(fresh, expected) and _same_bits(in_place, expected)):
                return False
    return True


def _select_fused(op: str, dtype: np.dtype) -> Selection:
    exact: dict[str, str | None] = {"passes": None}
    if _compiled_is_exact(op, dtype):
        exact["compiled"] = None
    x = np.linspace(-1.0, 1.0, _TIMED_SIZE).astype(dtype)
    res = np.empty_like(x)
    # Timed with the first probe's parameters. For the levels that is ReLU', whose passes are
    # the fewest (the mask is cast as it is): the loop is chosen only if it beats the passes
    # where they are cheapest.
    args = _FUSED_PROBES[op][0]
    seconds = {path: _seconds(functools.partial(_fused_run, op, path, x, res, args)) for path in exact}
    return Selection(exact, seconds, min(seconds, key=seconds.__getitem__))


def selection(op: str, dtype: np.dtype | type) -> Selection:
    """The probed and timed :class:`Selection` of ``op`` for ``dtype``, made at its first use."""
    key = (op, np.dtype(dtype))
    if key not in _SELECTIONS:
        if op not in FALLBACK:
            raise ValueError(f"no selectable operation {op!r}; there are {sorted(FALLBACK)}")
        _SELECTIONS[key] = _select(*key) if op in OPERATIONS else _select_fused(*key)
    return _SELECTIONS[key]


def chosen(op: str, dtype: np.dtype | type) -> tuple[str, str | None]:
    """The path and argument order ``op`` runs now for ``dtype``, honouring :func:`forced`.

    A forced path that cannot be exact on this CPU (no argument order keeps
    -0.0, or numba is not installed) runs as the fallback, ``compare`` for a
    clamp and ``passes`` for a fused kernel: a forced kernel is never allowed
    to be wrong.
    """
    sel = selection(op, dtype)
    path = _FORCED.get(op, sel.path)
    if path not in sel.exact:
        path = FALLBACK[op]
    return path, sel.exact[path]


@contextlib.contextmanager
def forced(op: str, path: str) -> Iterator[None]:
    """Run ``op`` through ``path`` inside the ``with`` block, whatever the timing chose.

    Example:
        >>> import relu_lib
        >>> with forced("max0", "compare"):
        ...     relu_lib.relu(-0.0)
        np.float64(-0.0)
        >>> sorted(paths()["max0"])
        ['blocked', 'clip', 'compare', 'scalar']
    """
    if path not in paths().get(op, ()):
        raise ValueError(f"forced() takes an operation and one of its paths, from {paths()}")
    previous = _FORCED.get(op)
    _FORCED[op] = path
    try:
        yield
    finally:
        if previous is None:
            del _FORCED[op]
        else:
            _FORCED[op] = previous


def _running(op: str, dtype: np.dtype) -> tuple[str, str | None]:
    """:func:`chosen`, with a plain dict lookup first: this runs on every call of a kernel."""
    sel = _SELECTIONS.get((op, dtype))
    if sel is None or _FORCED:
        return chosen(op, dtype)
    return sel.path, sel.exact[sel.path]


def clamp(op: str, x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = op(x)`` through the chosen path; ``res`` may be ``x`` itself."""
    path, order = _running(op, x.dtype)
    _PATH_FUNCTIONS[path](op, x, res, order)
    return res


def max0(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = max(x, 0)`` with PyTorch's signed zero: max(-0.0, 0) is -0.0."""
    return clamp("max0", x, res)


def min0(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = min(x, 0)`` keeping -0.0, the mirror of :func:`max0`."""
    return clamp("min0", x, res)


def relu6_into(x: np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = min(max(x, 0), 6)`` keeping -0.0, in one pass where the CPU allows."""
    return clamp("relu6", x, res)


def _overlaps_partially(x: np.ndarray, res: np.ndarray) -> bool:
    """Whether ``res`` shares memory with ``x`` other than by being the very same elements.

    The bounds check of np.may_share_memory is enough: it only errs towards True,
    which merely sends a call to the whole-array passes numpy orders for itself.
    """
    return np.may_share_memory(x, res) and not _exactly_aliased(x, res)


def _block_pairs(x: np.ndarray, res: np.ndarray, *, apart: bool = False) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(x, res)`` cut into matching flat blocks, or as one pair where blocks would not help or be safe.

    Blocks need both arrays to be one flat run laid out alike, and ``res`` to be
    either apart from ``x`` or ``x`` itself: with a partial overlap a block's
    result could overwrite input a later block still has to read. ``apart``
    says the caller has ruled that out already.
    """
    size = stream_block(x.dtype)
    if x.size <= size or not (x.flags.c_contiguous and res.flags.c_contiguous):
        return [(x, res)]
    if not apart and _overlaps_partially(x, res):
        return [(x, res)]
    flat_x, flat_res = x.reshape(-1), res.reshape(-1)
    return [(flat_x[i : i + size], flat_res[i : i + size]) for i in range(0, flat_x.size, size)]


def _runs_compiled(op: str, x: np.ndarray, res: np.ndarray) -> bool:
    """Whether the fused kernel ``op`` runs its compiled loop on this ``x`` and ``res``.

    The loop walks both arrays as one flat run, so both must be contiguous and
    of one dtype, and ``res`` either apart from ``x`` or ``x`` itself.
    """
    return (
        _running(op, x.dtype)[0] == "compiled"
        and x.flags.c_contiguous
        and res.flags.c_contiguous
        and res.dtype == x.dtype
        and not _overlaps_partially(x, res)
    )


def against_scaled(ufunc: np.ufunc, x: np.ndarray, scale: np.generic | np.ndarray, res: np.ndarray) -> np.ndarray:
    """``res = ufunc(x, scale * x)``: Leaky ReLU, ``x if x > 0 else scale * x``, for a positive ``scale``.

    ``ufunc`` is np.maximum for ``scale <= 1`` and np.minimum above. Where the
    ``scaled`` kernel runs compiled (see :data:`FUSED`) that is one loop. Else it
    is two passes, with ``res`` itself as the scratch: ``scale * x`` is written
    into ``res`` and combined with ``x`` in place, so no temporary is allocated
    unless ``res`` shares memory with ``x``. Large arrays run block by block, both
    passes while the block is in the cache, so out of the cache the input is read
    once. ``res`` may be ``x`` itself (a block is read before it is written) or
    overlap it partially (then numpy orders whole-array passes itself).
    """
    if _runs_compiled("scaled", x, res):
        # PReLU hands over its one slope as an array shaped to broadcast; the loop takes a scalar.
        _fused_run("scaled", "compiled", x, res, (ufunc, np.asarray(scale).item()))
        return res
    return _scaled_passes(ufunc, x, scale, res)


def _scaled_passes(ufunc: np.ufunc, x: np.ndarray, scale: np.generic | np.ndarray, res: np.ndarray) -> np.ndarray:
    pairs = _block_pairs(x, res)
    if len(pairs) == 1:
        if np.may_share_memory(x, res):
            ufunc(x, np.multiply(x, scale), out=res)
        else:
            ufunc(x, np.multiply(x, scale, out=res), out=res)
        return res
    scratch = np.empty(stream_block(x.dtype), dtype=x.dtype) if np.may_share_memory(x, res) else None
    for part, into in pairs:
        tmp = into if scratch is None else scratch[: part.size]
        np.multiply(part, scale, out=tmp)
        ufunc(part, tmp, out=into)
    return res


@functools.cache
def _levels(dtype: np.dtype, high: float, low: float, low_sign: float) -> tuple[str, np.generic, np.generic]:
    """How :func:`indicator` turns its mask into ``high``/``low`` values of ``dtype``, worked out once.

    "cast" when they are 1 and +0.0 (the mask's own values), "affine" when
    ``low + mask * (high - low)`` gives both exactly (a low of -0.0 would come
    out +0.0), else "masked".
    """
    # ``low_sign`` only keeps -0.0 and +0.0 apart in the cache, where they are equal keys;
    # ``low`` itself carries its sign.
    t = dtype.type
    high_v, low_v = t(high), t(low)
    if high_v == 1 and low_v == 0 and not np.signbit(low_v):
        return "cast", high_v, low_v
    step = t(high_v - low_v)
    if t(step + low_v) == high_v and not (low_v == 0 and np.signbit(low_v)):
        return "affine", step, low_v
    return "masked", high_v, low_v


def indicator(
    x: np.ndarray,
    res: np.ndarray,
    *,
    above: float = 0.0,
    below: float | None = None,
    high: float = 1.0,
    low: float = 0.0,
) -> np.ndarray:
    """``res = high`` where ``above < x`` (and ``x < below``, for ``above < below``), ``low`` elsewhere, NaN at NaN.

    The piecewise-constant derivatives (ReLU', ReLU6', Leaky ReLU'). Where the
    ``levels`` kernel runs compiled (see :data:`FUSED`) that is one loop. Else, per cache-sized
    block: the comparisons into a reused boolean mask (a byte per value, the
    cheapest comparison numpy has), one cast of the mask into ``res``, and, unless
    ``high`` and ``low`` are 1 and 0, ``low + mask * (high - low)`` where that is
    exact (else a masked copy). NaN fails every comparison, so a maximum-reduction
    of the block, done while it is in the cache, tells whether any NaN needs
    writing back. Out of the cache the input is read once and the result written
    once, where whole-array passes would read the input twice. ``res`` may be
    ``x`` or overlap it.
    """
    if x.size == 0:
        return res
    if np.may_share_memory(x, res) and not _exactly_aliased(x, res):
        x = x.copy()  # a block's result must not overwrite input a later block reads
    if _runs_compiled("levels", x, res):
        _fused_run("levels", "compiled", x, res, (above, below, high, low))
        return res
    return _levels_passes(x, res, above, below, high, low)


def _levels_passes(
    x: np.ndarray, res: np.ndarray, above: float, below: float | None, high: float, low: float
) -> np.ndarray:
    """:func:`indicator` as numpy passes over cache-sized blocks; ``res`` is ``x`` or apart from it."""
    kind, first, second = _levels(res.dtype, high, low, math.copysign(1.0, low))
    pairs = _block_pairs(x, res, apart=True)
    whole = len(pairs) == 1
    mask = np.empty(x.shape if whole else stream_block(x.dtype), dtype=bool)
    inside = None if below is None else np.empty_like(mask)
    either = None if below is None else np.empty_like(mask)
    for part, into in pairs:
        m = mask if whole else mask[: part.size]
        np.greater(part, above, out=m)
        if inside is None or either is None:
            peak = np.maximum.reduce(part, axis=None)
            found_nan = peak != peak
        else:
            m2 = inside if whole else inside[: part.size]
            np.less(part, below, out=m2)
            # With above < below every number is above one bound or below the other,
            # and NaN is neither: two passes over bytes, cheaper than a reduction.
            m_or = either if whole else either[: part.size]
            found_nan = not np.logical_or(m, m2, out=m_or).all()
            np.logical_and(m, m2, out=m)
        # Located before ``into``, which may be ``part`` itself, is written.
        nan_at = np.isnan(part) if found_nan else None
        if kind == "masked":
            into.fill(second)
            np.copyto(into, first, where=m)
        else:
            np.copyto(into, m)
            if kind == "affine":
                into *= first
                into += second
        if nan_at is not None:
            into[nan_at] = np.nan
    return res


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
