"""Every path of ``relu_lib._kernels``, forced, against PyTorch: values, dtypes and signed zeros.

The paths are the clamps' (clip, scalar, blocked, compare) and the fused kernels'
(numpy passes, or numba's compiled loop). The library picks a path per operation
and dtype by probing and timing, so on a given CPU most paths never run by
themselves. Here each one is forced in turn and the activations built on it are
compared bit for bit with PyTorch (``F.relu``, ``F.relu6``, ``F.leaky_relu`` and
autograd), on the inputs where clamps go wrong:
signed zeros, NaN of both signs, infinities, subnormals, the dtype's extremes,
SIMD tails, block boundaries, strided views and ``out=`` aliased with the input.
Nothing here measures time: which path is fastest is the CPU's business.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from conftest import (
    FLOATS,
    INPUT_ZERO_IDS,
    apply_promises,
    assert_close,
    keep_input_zeros,
    masked_level_slopes,
    require,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import relu_lib as rl
from relu_lib import _kernels as k

torch = require("torch")
F = torch.nn.functional

FORCED = [(op, path) for op, op_paths in k.paths().items() for path in op_paths]
FORCED_IDS = [f"{op}-{path}" for op, path in FORCED]


@dataclass(frozen=True)
class Fn:
    """An activation at fixed keywords, its PyTorch form, and whether relu_lib matches it bit for bit.

    ``limits`` and ``slope_limits`` are relu_lib's values at (+inf, -inf) where
    PyTorch computes inf * 0 (Leaky ReLU with slope 0 at -inf).
    """

    id: str
    fn: Callable[..., Any]
    kwargs: dict
    torch_call: Callable[[Any], Any]
    limits: tuple[float, float]
    slope_limits: tuple[float, float]
    bitwise: bool = True

    def value(self, x: np.ndarray, **extra: Any) -> Any:
        return self.fn(x, **self.kwargs, **extra)

    def slope(self, x: np.ndarray, **extra: Any) -> Any:
        return rl.derivative(self.fn)(x, **self.kwargs, **extra)


def _leaky(s: float) -> Fn:
    limit = -0.0 if s == 0 else math.copysign(math.inf, -s)
    return Fn(
        f"leaky_relu-{s}",
        rl.leaky_relu,
        {"negative_slope": s},
        lambda t: F.leaky_relu(t, s),
        (math.inf, limit),
        (1.0, s),
    )


FUNCTIONS = [
    Fn("relu", rl.relu, {}, F.relu, (math.inf, 0.0), (1.0, 0.0)),
    Fn("relu6", rl.relu6, {}, F.relu6, (6.0, 0.0), (0.0, 0.0)),
    *(_leaky(s) for s in (0.01, 0.0, -0.5, 2.0)),
    # ELU runs min0 and softplus max0; both are smooth, so compared within tolerance.
    Fn("elu", rl.elu, {}, F.elu, (math.inf, -1.0), (1.0, 0.0), bitwise=False),
    Fn("softplus", rl.softplus, {}, F.softplus, (math.inf, 0.0), (1.0, 0.0), bitwise=False),
]
FUNCTION_IDS = [f.id for f in FUNCTIONS]
BY_ID = {f.id: f for f in FUNCTIONS}

# SIMD tails (vectors hold 8 to 64 of these values), and sizes around the block boundary.
SIZES = (1, 3, 7, 15, 17, 33, 67, k.BLOCK - 1, k.BLOCK, k.BLOCK + 1, 2 * k.BLOCK + 5)
# `make mutation` runs a mutant's tests again for every mutant that survives them, and this table
# is most of their time: there, one tail of each kind and each side of a block boundary.
if os.environ.get("RELU_LIB_MUTATION") == "1":
    SIZES = (1, 7, 17, 67, k.BLOCK - 1, k.BLOCK + 1)


def specials(dtype: Any) -> np.ndarray:
    """Signed zeros, NaN of both signs, infinities, subnormals, huge and tiny magnitudes, the kinks."""
    info = np.finfo(dtype)
    tiny, sub = float(info.tiny), float(info.smallest_subnormal)
    values = [0.0, -0.0, math.nan, -math.nan, math.inf, -math.inf, sub, -sub, 3 * sub, -3 * sub, tiny, -tiny]
    values += [float(info.max), -float(info.max), float(info.max) / 3, -float(info.max) / 3]
    values += [6.0, -6.0, 5.5, 6.5, 1.0, -1.0, 0.5, -0.25]
    return np.array(values, dtype=dtype)


@functools.cache
def base_input(dtype: Any, n: int) -> np.ndarray:
    """``n`` values: the specials in turn with random values of every magnitude between them."""
    rng = np.random.default_rng(n)
    with np.errstate(over="ignore"):
        noise = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)).astype(dtype)
    x = np.resize(specials(dtype), n)
    x[1::2] = noise[1::2]
    x.flags.writeable = False
    return x


def layouts(x: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """``x`` contiguous, as one contiguous row, and the same values as strided, reversed and 2-D non-contiguous views.

    The row is 2-D and contiguous: kernels that walk blocks must walk it flat.
    """
    yield "contiguous", x
    yield "2-D row", x.reshape(1, -1)
    spaced = np.empty(2 * x.size, dtype=x.dtype)
    spaced[::2] = x
    yield "strided", spaced[::2]
    yield "reversed", x[::-1].copy()[::-1]
    if x.size % 2 == 0 and x.size > 2:
        wide = np.empty((2, x.size), dtype=x.dtype)
        wide[:, : x.size // 2] = x.reshape(2, -1)
        yield "2-D view", wide[:, : x.size // 2]


def torch_expected(f: Fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's value and autograd derivative at ``x`` in x's dtype, with relu_lib's promises applied.

    The value keeps PyTorch's bits (a NaN keeps its sign); the derivative is NaN
    where x is NaN, as relu_lib promises.
    """
    tx = torch.tensor(np.ascontiguousarray(x), requires_grad=True)
    y = f.torch_call(tx)
    y.backward(torch.ones_like(y))
    value = y.detach().numpy().copy()
    if f.id in INPUT_ZERO_IDS:
        value = keep_input_zeros(x, value)
    made_up = np.isnan(value) & ~np.isnan(x)
    value[made_up] = apply_promises(x[made_up], value[made_up], f.limits).astype(x.dtype)
    grad = apply_promises(x, tx.grad.numpy(), f.slope_limits).astype(x.dtype)
    return value, grad


@functools.cache
def expected_for(fn_id: str, dtype: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    return torch_expected(BY_ID[fn_id], base_input(dtype, n))


def assert_bits(actual: Any, expected: np.ndarray, *, nan_sign: bool, what: str) -> None:
    """Same dtype, same values, same sign bits (of NaN too when ``nan_sign``)."""
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    signs = np.signbit(actual) == np.signbit(expected)
    if not nan_sign:
        signs |= np.isnan(expected)
    bad = np.flatnonzero(~(same & signs))
    assert bad.size == 0, (
        f"{what}: {bad.size} differ, first at {bad[0]}: got {actual.flat[bad[0]]!r}, expected {expected.flat[bad[0]]!r}"
    )


def check(f: Fn, dtype: Any, n: int) -> None:
    """``f`` and its derivative at every layout of the size-``n`` input, fresh, into out= and in place."""
    value, slope = expected_for(f.id, dtype, n)
    for layout, x in layouts(base_input(dtype, n)):
        want = {"value": value.reshape(x.shape), "slope": slope.reshape(x.shape)}
        for kind, call in (("value", f.value), ("slope", f.slope)):
            results = {"fresh": call(x)}
            results["out="] = call(x, out=np.empty_like(x))
            # An out= laid out unlike x: a block of it cannot be taken as a flat view.
            results["strided out="] = call(x, out=np.empty((*x.shape, 2), dtype=x.dtype)[..., 0])
            in_place = x.copy()
            results["out=x"] = call(in_place, out=in_place)
            for how, got in results.items():
                what = f"{f.id} {kind}, {np.dtype(dtype).name}, n={n}, {layout}, {how}"
                if f.bitwise:
                    assert_bits(got, want[kind], nan_sign=kind == "value", what=what)
                else:
                    exact = np.isfinite(want[kind]) & (want[kind] == 0)
                    assert_close(got, want[kind], dtype, rtol=2e-3 if dtype == np.float16 else None)
                    zeros = np.asarray(got)[exact]
                    assert np.array_equal(np.signbit(zeros), np.signbit(want[kind][exact])), what


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fn_id", FUNCTION_IDS)
@pytest.mark.parametrize(("op", "path"), FORCED, ids=FORCED_IDS)
def test_forced_path_matches_torch(op: str, path: str, fn_id: str, dtype: Any) -> None:
    with k.forced(op, path):
        if path in k.selection(op, dtype).exact:
            assert k.chosen(op, dtype)[0] == path, "forcing a path that is exact here must run it"
        for n in SIZES:
            check(BY_ID[fn_id], dtype, n)


def test_every_declared_path_is_forced_by_a_test() -> None:
    declared = {(op, path) for op in k.OPERATIONS for path in k.PATHS}
    declared |= {(op, path) for op in k.FUSED for path in k.FUSED_PATHS}
    assert set(FORCED) == declared
    # paths() and the table the clamps dispatch on name the same paths: none is hidden.
    assert set(k.PATHS) == set(k._PATH_FUNCTIONS)
    assert set(k.paths()) == set(k.OPERATIONS) | set(k.FUSED)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_compare_path_keeps_negative_zero_and_nan_sign(dtype: Any) -> None:
    # The fallback must test x < 0, not x <= 0: -0.0 is not below zero and stays -0.0.
    x = np.array([-0.0, 0.0, -math.nan, math.nan, -1.0, 7.0, -math.inf, math.inf], dtype=dtype)
    with k.forced("max0", "compare"), k.forced("relu6", "compare"), k.forced("min0", "compare"):
        relu, relu6 = rl.relu(x), rl.relu6(x)
        negative_part = k.min0(x, np.empty_like(x))
    assert_bits(
        relu, np.array([-0.0, 0.0, -math.nan, math.nan, 0.0, 7.0, 0.0, math.inf], dtype), nan_sign=True, what="relu"
    )
    assert_bits(
        relu6, np.array([-0.0, 0.0, -math.nan, math.nan, 0.0, 6.0, 0.0, 6.0], dtype), nan_sign=True, what="relu6"
    )
    expected_min = np.array([-0.0, 0.0, -math.nan, math.nan, -1.0, 0.0, -math.inf, 0.0], dtype)
    assert_bits(negative_part, expected_min, nan_sign=True, what="min0")


@pytest.mark.parametrize(("op", "path"), FORCED, ids=FORCED_IDS)
def test_forced_nests_and_restores(op: str, path: str) -> None:
    natural = k.chosen(op, np.float32)
    with k.forced(op, path):
        with k.forced(op, k.FALLBACK[op]):
            assert k.chosen(op, np.float32)[0] == k.FALLBACK[op]
        inside = k.chosen(op, np.float32)
    assert inside[0] == path or path not in k.selection(op, np.float32).exact
    assert k.chosen(op, np.float32) == natural


def test_forced_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="forced"), k.forced("max1", "clip"):
        pass
    with pytest.raises(ValueError, match="forced"), k.forced("max0", "simd"):
        pass
    with pytest.raises(ValueError, match="forced"), k.forced("scaled", "clip"):
        pass
    with pytest.raises(ValueError, match="forced"), k.forced("max0", "compiled"):
        pass
    with pytest.raises(ValueError, match="no selectable operation"):
        k.selection("max1", np.float32)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", [*k.OPERATIONS, *k.FUSED])
def test_selection_picks_an_exact_path_and_the_fallback_is_always_exact(op: str, dtype: Any) -> None:
    sel = k.selection(op, dtype)
    assert k.FALLBACK[op] in sel.exact
    assert sel.path in sel.exact
    # Every exact path was timed (which one wins is this CPU's business and is not asserted).
    assert set(sel.seconds) == set(sel.exact)


def _extreme_floats(dtype: Any) -> st.SearchStrategy:
    width = np.dtype(dtype).itemsize * 8
    return st.floats(width=width, allow_nan=True, allow_infinity=True, allow_subnormal=True)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("op", "path"), FORCED, ids=FORCED_IDS)
def test_forced_path_on_extreme_magnitudes(op: str, path: str, dtype: Any) -> None:
    @given(x=hnp.arrays(dtype, st.integers(1, 80), elements=_extreme_floats(dtype)), stride=st.integers(1, 3))
    def run(x: np.ndarray, stride: int) -> None:
        view = x[::stride]
        with k.forced(op, path):
            for f in (BY_ID["relu"], BY_ID["relu6"], BY_ID["leaky_relu-0.01"]):
                value, slope = torch_expected(f, view)
                assert_bits(f.value(view), value, nan_sign=True, what=f"{f.id} {view!r}")
                assert_bits(f.slope(view), slope, nan_sign=False, what=f"{f.id}' {view!r}")
                in_place = view.copy()
                assert_bits(f.value(in_place, out=in_place), value, nan_sign=True, what=f"{f.id} in place")

    run()


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("which", ["masked", "negative zero"])
def test_leaky_relu_derivative_levels_that_arithmetic_cannot_make(which: str, dtype: Any) -> None:
    # Where low + mask * (1 - low) would round away from 1, or turn a slope of -0.0 into
    # +0.0, the indicator copies the levels under the mask instead.
    s = masked_level_slopes(dtype, 1)[0] if which == "masked" else -0.0
    assert k._levels(np.dtype(dtype), 1.0, s, math.copysign(1.0, s))[0] == "masked"
    f = _leaky(s)
    for n in (67, 2 * k.stream_block(np.dtype(dtype)) + 5):
        x = base_input(dtype, n)
        _, slope = torch_expected(f, x)
        assert_bits(f.slope(x), slope, nan_sign=False, what=f"{f.id}' n={n}")
        in_place = x.copy()
        assert_bits(f.slope(in_place, out=in_place), slope, nan_sign=False, what=f"{f.id}' n={n} in place")


def forced_pairs() -> list[tuple[str, str]]:
    """Each clamp path beside a fused path, in turn: every path of both kinds meets the layout."""
    return [(path, k.FUSED_PATHS[i % len(k.FUSED_PATHS)]) for i, path in enumerate(k.PATHS)]


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fn_id", ["relu", "relu6", "leaky_relu-0.01"])
def test_out_with_padded_rows_beside_a_contiguous_input(fn_id: str, dtype: Any) -> None:
    # x is one contiguous run of more than a block, out= the same shape with padded rows:
    # out= cannot be walked as one flat run, so blocks of it cannot be flat views.
    f = BY_ID[fn_id]
    n = 2 * k.stream_block(np.dtype(dtype)) + 6
    x = base_input(dtype, n).reshape(2, -1)
    value, slope = (a.reshape(x.shape) for a in expected_for(fn_id, dtype, n))
    for path, fused in forced_pairs():
        with k.forced("max0", path), k.forced("relu6", path), k.forced("scaled", fused), k.forced("levels", fused):
            for kind, call, want in (("value", f.value, value), ("slope", f.slope, slope)):
                out = np.empty((2, x.shape[1] + 1), dtype=dtype)[:, :-1]
                assert call(x, out=out) is out
                what = f"{fn_id} {kind}, {path} and {fused} paths, padded out="
                assert_bits(out, want, nan_sign=kind == "value", what=what)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fn_id", ["relu", "leaky_relu-0.01", "elu", "softplus"])
def test_out_starting_where_the_input_starts_at_another_stride(fn_id: str, dtype: Any) -> None:
    # out= every second element of the buffer x is the first half of: both start at the
    # same address, so only their strides tell that they are not the same elements. A
    # kernel of several passes that took them for x itself would read its own results,
    # and so would np.copyto, which the compare path uses. Every path is forced.
    f = BY_ID[fn_id]
    n = 2 * k.stream_block(np.dtype(dtype)) + 6
    for path, fused in forced_pairs():
        with k.forced("max0", path), k.forced("min0", path), k.forced("scaled", fused), k.forced("levels", fused):
            for kind in ("value", "slope"):
                call = f.value if kind == "value" else f.slope
                buf = base_input(dtype, n).copy()
                src, dst = buf[: n // 2], buf[::2]
                expected = np.asarray(call(src.copy()))
                call(src, out=dst)
                what = f"{fn_id} {kind}, {path} and {fused} paths, out= at twice the stride"
                assert_bits(dst, expected, nan_sign=kind == "value", what=what)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fn_id", ["relu", "relu6", "leaky_relu-0.01", "leaky_relu-2.0"])
def test_out_overlapping_the_input_partially(fn_id: str, dtype: Any) -> None:
    # out= one element further along the same buffer: a blocked kernel that wrote a block
    # before reading the next would read its own results.
    # Every path is forced too: the blocked one walks blocks as well, and the compiled
    # loops must leave a partial overlap to the passes.
    f = BY_ID[fn_id]
    n = 2 * k.stream_block(np.dtype(dtype)) + 5
    x = base_input(dtype, n + 1)
    for path, fused in forced_pairs():
        with k.forced("max0", path), k.forced("relu6", path), k.forced("scaled", fused), k.forced("levels", fused):
            for kind in ("value", "slope"):
                call = f.value if kind == "value" else f.slope
                for shift in (1, -1):
                    buf = x.copy()
                    src, dst = (buf[:-1], buf[1:]) if shift == 1 else (buf[1:], buf[:-1])
                    expected = np.asarray(call(src.copy()))
                    call(src, out=dst)
                    what = f"{fn_id} {kind}, {path} and {fused} paths, shift {shift}"
                    assert_bits(dst, expected, nan_sign=kind == "value", what=what)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("fn_id", ["relu", "relu6", "leaky_relu-0.01", "leaky_relu-0.0", "leaky_relu-2.0"])
def test_streamed_kernels_across_their_block_boundaries(fn_id: str, dtype: Any) -> None:
    # Leaky ReLU and the piecewise-constant derivatives run whole arrays up to a block
    # (STREAM_BYTES of the dtype) and blocks beyond it: both sides of the boundary, a full
    # last block and a tail.
    block = k.stream_block(np.dtype(dtype))
    for n in (block, block + 1, 2 * block + 5):
        check(BY_ID[fn_id], dtype, n)
