"""The parts of relu_lib's core that comparing values with PyTorch cannot reach.

The clamp probe admits a path only if it gives the compare path's bits on every
probe input, fresh and in place. On a CPU where every path is exact, a probe
that admits too much (or checks too little) changes nothing that a value test can
see, until the library meets a CPU where a path is wrong. So the probe is shown
paths that are wrong in one way each (signed zero, NaN sign, subnormals, the cap,
the infinities, in place only, strided or 2-D only, short arrays only) and must
refuse every one, and admit a path that is right. The rest: the shared zero block
is read-only, ``paths()`` names every path, a forced path that is not exact runs
as ``compare``, maxout's ``out=`` checks, and SiLU' deep in its float64 tail.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from conftest import FLOATS

import relu_lib as rl
from relu_lib import _kernels as k

DTYPE_IDS = [np.dtype(d).name for d in FLOATS]
Fault = Callable[[str, np.ndarray, np.ndarray, str | None], None]


def _no_fault(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    pass


def _lose_negative_zero(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    res[res == 0] = 0.0


def _sign_positive_zero_input(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if not np.shares_memory(x, res):
        res[(x == 0) & ~np.signbit(x)] = -0.0


def _lose_nan_sign(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    res[np.isnan(res)] = np.nan


def _flush_subnormals(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    res[(res != 0) & (np.abs(res) < np.finfo(res.dtype).tiny)] = 0.0


def _pass_infinities(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if not np.shares_memory(x, res):
        res[np.isinf(x)] = x[np.isinf(x)]


def _pass_the_largest(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if not np.shares_memory(x, res):
        extreme = np.abs(x) == np.finfo(x.dtype).max
        res[extreme] = x[extreme]


def _cap_at_seven(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    res[res == 6] = 7.0


def _wrong_in_place(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if np.shares_memory(x, res):
        res.flat[0] = 5.0


def _wrong_when_short(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if x.size < 8:  # a SIMD loop's scalar remainder
        res.flat[0] = 5.0


def _wrong_when_strided_1d(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if x.ndim == 1 and not x.flags.c_contiguous:
        res.flat[0] = 5.0


def _wrong_when_2d_view(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if x.ndim == 2 and not x.flags.c_contiguous and not x.flags.f_contiguous:
        res.flat[0] = 5.0


def _wrong_when_transposed(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if x.ndim == 2 and x.flags.f_contiguous and not x.flags.c_contiguous:
        res.flat[0] = 5.0


def _wrong_when_zero_first(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if order == "zero_first":
        res[res == 0] = 0.0


def _wrong_when_zero_first_fresh(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if order == "zero_first" and not np.shares_memory(x, res):
        res.flat[0] = 5.0


def _wrong_when_zero_first_in_place(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    if order == "zero_first" and np.shares_memory(x, res):
        res.flat[0] = 5.0


def _wrong_in_every_order(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
    res.flat[0] = 5.0


# Each fault, and the operations whose probe inputs it changes.
FAULTS: dict[str, tuple[Fault, tuple[str, ...]]] = {
    "signed zero": (_lose_negative_zero, ("max0", "min0", "relu6")),
    "+0.0 input": (_sign_positive_zero_input, ("max0", "min0", "relu6")),
    "NaN sign": (_lose_nan_sign, ("max0", "min0", "relu6")),
    "subnormals": (_flush_subnormals, ("max0", "min0", "relu6")),
    "infinities": (_pass_infinities, ("max0", "min0", "relu6")),
    "largest magnitude": (_pass_the_largest, ("max0", "min0", "relu6")),
    "cap": (_cap_at_seven, ("relu6",)),
    "in place": (_wrong_in_place, ("max0", "min0", "relu6")),
    "short": (_wrong_when_short, ("max0", "min0", "relu6")),
    "strided": (_wrong_when_strided_1d, ("max0", "min0", "relu6")),
    "2-D view": (_wrong_when_2d_view, ("max0", "min0", "relu6")),
    "transposed": (_wrong_when_transposed, ("max0", "min0", "relu6")),
}
FAULT_CASES = [(name, op) for name, (_, ops) in FAULTS.items() for op in ops]


def faulty(fault: Fault) -> Callable[[str, np.ndarray, np.ndarray, str | None], None]:
    """A clamp path that computes the right answer, then spoils it as ``fault`` says."""

    def path(op: str, x: np.ndarray, res: np.ndarray, order: str | None) -> None:
        k._compare_path(op, x, res, None)
        fault(op, x, res, order)

    return path


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize(("fault", "op"), FAULT_CASES, ids=[f"{f}-{op}" for f, op in FAULT_CASES])
def test_the_probe_refuses_a_path_wrong_in_one_way(monkeypatch: pytest.MonkeyPatch, fault: str, op: str, dtype: Any):
    monkeypatch.setitem(k._PATH_FUNCTIONS, "clip", faulty(FAULTS[fault][0]))
    assert k._is_exact(op, "clip", None, np.dtype(dtype)) is False
    assert k._exact_order(op, "clip", np.dtype(dtype)) is False


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(k.OPERATIONS))
def test_the_probe_admits_a_right_path_in_the_order_that_is_right(
    monkeypatch: pytest.MonkeyPatch, op: str, dtype: Any
) -> None:
    dt = np.dtype(dtype)
    monkeypatch.setitem(k._PATH_FUNCTIONS, "clip", faulty(_no_fault))
    assert k._is_exact(op, "clip", None, dt) is True
    assert k._exact_order(op, "clip", dt) is None, "an orderless path that is exact"
    assert k._exact_order(op, "compare", dt) is None
    for path in ("scalar", "blocked"):
        monkeypatch.setitem(k._PATH_FUNCTIONS, path, faulty(_no_fault))
        assert k._exact_order(op, path, dt) == "zero_first", "the first exact order"
        monkeypatch.setitem(k._PATH_FUNCTIONS, path, faulty(_wrong_when_zero_first))
        assert k._exact_order(op, path, dt) == "x_first"
        # The probe runs the order it is judging, fresh and in place.
        for one_way in (_wrong_when_zero_first_fresh, _wrong_when_zero_first_in_place):
            monkeypatch.setitem(k._PATH_FUNCTIONS, path, faulty(one_way))
            assert k._exact_order(op, path, dt) == "x_first", one_way.__name__
        monkeypatch.setitem(k._PATH_FUNCTIONS, path, faulty(_wrong_in_every_order))
        assert k._exact_order(op, path, dt) is False


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(k.OPERATIONS))
def test_selection_keeps_only_exact_paths(monkeypatch: pytest.MonkeyPatch, op: str, dtype: Any) -> None:
    # A fixed clock: which paths get timed is checked here, never how long they take.
    monkeypatch.setattr(k, "_seconds", lambda fn, rounds=4: 1e-6)
    for path in ("clip", "scalar", "blocked"):
        monkeypatch.setitem(k._PATH_FUNCTIONS, path, faulty(_wrong_in_every_order))
    alone = k._select(op, np.dtype(dtype))
    assert alone.exact == {"compare": None} and alone.path == "compare" and set(alone.seconds) == {"compare"}
    monkeypatch.setitem(k._PATH_FUNCTIONS, "clip", faulty(_no_fault))
    two = k._select(op, np.dtype(dtype))
    assert two.exact == {"clip": None, "compare": None}
    assert two.path in two.exact and set(two.seconds) == set(two.exact)
    # What is kept per path is the fixed clock's reading, not a duration measured on this machine.
    assert two.seconds == {"clip": 1e-6, "compare": 1e-6}
    # A path with argument orders is kept with the order that is exact: the one it will run.
    monkeypatch.setitem(k._PATH_FUNCTIONS, "scalar", faulty(_no_fault))
    monkeypatch.setitem(k._PATH_FUNCTIONS, "blocked", faulty(_wrong_when_zero_first))
    three = k._select(op, np.dtype(dtype))
    assert three.exact == {"clip": None, "scalar": "zero_first", "blocked": "x_first", "compare": None}


@pytest.mark.parametrize("op", list(k.OPERATIONS))
def test_a_forced_path_that_is_not_exact_here_runs_as_compare(monkeypatch: pytest.MonkeyPatch, op: str) -> None:
    dtype = np.dtype(np.float32)
    only_compare = k.Selection(exact={"compare": None}, seconds={"compare": 1e-6}, path="compare")
    monkeypatch.setitem(k._SELECTIONS, (op, dtype), only_compare)
    for path in k.PATHS:
        with k.forced(op, path):
            assert k.chosen(op, dtype) == ("compare", None)
    x = np.array([-0.0, -1.0, 7.0, np.nan], dtype=dtype)
    with k.forced("max0", "clip"):
        assert np.signbit(rl.relu(x)[0]), "relu(-0.0) is -0.0 through the compare path"


def _layouts(x: np.ndarray) -> list[np.ndarray]:
    spaced = np.empty(2 * x.size, dtype=x.dtype)
    spaced[::2] = x
    square = np.resize(x, (x.size // 2, 2))
    return [x, x[:5], spaced[::2], square.T, np.resize(x, (3 * k.BLOCK + 5,))]


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
@pytest.mark.parametrize("op", list(k.OPERATIONS))
def test_every_path_in_every_order_computes_the_clamp(op: str, dtype: Any) -> None:
    # Run directly, not through the probe (which would hide a broken path behind compare):
    # every path, in either order, gives the compare path's values on every layout, fresh
    # and in place. Only the sign of a zero result may differ by CPU.
    base = np.array([0.0, -0.0, 1.5, -2.5, 6.0, 7.0, np.inf, -np.inf, np.nan, 3.0, -4.0, 0.25], dtype=dtype)
    for x in _layouts(base):
        expected = np.empty_like(x)
        k._compare_path(op, x, expected, None)
        for path, run in k._PATH_FUNCTIONS.items():
            for order in ("zero_first", "x_first", None):
                fresh = np.empty_like(x)
                run(op, x, fresh, order)
                in_place = x.copy()
                run(op, in_place, in_place, order)
                for got in (fresh, in_place):
                    assert np.array_equal(got, expected, equal_nan=True), (path, order, x.shape, x.strides)


def test_same_bits_compares_nan_and_the_sign_of_zero() -> None:
    assert k._same_bits(np.array([np.nan, -0.0, 1.0]), np.array([np.nan, -0.0, 1.0]))
    assert not k._same_bits(np.array([-0.0]), np.array([0.0]))
    assert not k._same_bits(np.array([-np.nan]), np.array([np.nan]))
    assert not k._same_bits(np.array([1.0]), np.array([2.0]))


@pytest.mark.parametrize("dtype", FLOATS, ids=DTYPE_IDS)
def test_the_zero_block_is_a_read_only_block_of_zeros_of_the_dtype(dtype: Any) -> None:
    # A fresh block, as the first call in a process makes it (later calls reuse the cached one).
    k._zero_block.cache_clear()
    block = k._zero_block(np.dtype(dtype))
    assert block.dtype == dtype and block.shape == (k.BLOCK,)
    assert not block.any() and not np.signbit(block).any()
    assert not block.flags.writeable, "shared by every call: a write would change every later result"


def test_paths_names_every_path_of_every_operation() -> None:
    assert k.paths() == {**{op: k.PATHS for op in k.OPERATIONS}, **{op: k.FUSED_PATHS for op in k.FUSED}}
    assert set(k.PATHS) == set(k._PATH_FUNCTIONS)


def test_maxout_checks_its_out_buffer_and_its_input() -> None:
    x = np.arange(24.0).reshape(4, 3, 2)
    with pytest.raises(TypeError, match="out= has dtype float32"):
        rl.maxout(x, 2, axis=0, out=np.empty((2, 3, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"out= has shape \(2, 3\)"):
        rl.maxout(x, 2, axis=0, out=np.empty((2, 3)))
    out = np.empty((2, 3, 2))
    assert rl.maxout(x, 2, axis=0, out=out) is out
    np.testing.assert_array_equal(out, x[1::2])
    single = x.astype(np.float32)
    out32 = np.empty((2, 3, 2), dtype=np.float32)
    assert rl.maxout(single, 2, axis=0, out=out32) is out32, "an out= of x's own dtype, float32, is accepted"
    with pytest.raises(ValueError, match=r"^maxout\(\) needs an array with at least one axis, got a scalar$"):
        rl.maxout(3.0, 1)


def test_prelu_names_its_weight_when_the_weight_is_not_a_number() -> None:
    with pytest.raises(TypeError, match=r"^prelu\(\) weight expects real numbers"):
        rl.prelu([1.0, -1.0], "0.25")
    with pytest.raises(TypeError, match=r"^prelu_derivative\(\) weight expects real numbers"):
        rl.derivative(rl.prelu)([1.0, -1.0], "0.25")


def test_silu_derivative_deep_in_the_float64_tail_is_accurate_not_zero() -> None:
    # Down to x = -700 float64 holds (1 + x) e^x (about 1e-301): relu_lib computes it, to
    # a relative 1e-12, and returns the limit 0 only below that.
    x = np.array([-90.0, -100.0, -300.0, -650.0])
    exact = []
    for v in x:
        s = math.exp(v) / (1.0 + math.exp(v))
        exact.append(s * (1.0 + v * (1.0 - s)))
    got = rl.derivative(rl.silu)(x)
    assert (got < 0).all()
    np.testing.assert_allclose(got, exact, rtol=1e-12, atol=0)
    assert rl.derivative(rl.silu)(np.array([-800.0]))[0] == 0.0


def test_check_count_takes_integers_from_its_lower_bound() -> None:
    from relu_lib._arrays import check_count

    assert check_count(3, "depth") == 3 and type(check_count(np.int64(3), "depth")) is int
    assert check_count(0, "epochs", low=0) == 0
    for bad in (0, -1, True, 2.0, "3", None):
        with pytest.raises(ValueError, match=r"^depth must be a positive integer, got "):
            check_count(bad, "depth")
    with pytest.raises(ValueError, match=r"^width must be an integer >= 2, got 1$"):
        check_count(1, "width", low=2)


def test_elementwise_names_the_function_it_wraps_in_its_messages() -> None:
    # The library's own functions are wrapped when relu_lib is imported; wrapping one here
    # checks the wrapper as it is built, with the name it takes from the wrapped function.
    from relu_lib._arrays import elementwise

    def halve(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
        return np.multiply(x, 0.5, out=out)

    wrapped = elementwise(halve)
    assert wrapped.__name__ == "halve"
    with pytest.raises(TypeError, match=r"^halve\(\) expects real numbers \(a float, int, list or array\), got str"):
        wrapped("1.0")
    with pytest.raises(ValueError, match=r"^halve\(\) out= has shape \(2,\), but the result has shape \(3,\)$"):
        wrapped(np.ones(3), out=np.ones(2))
    assert wrapped(3) == 1.5 and wrapped([2.0, -4.0]).tolist() == [1.0, -2.0]


def test_float16_is_evaluated_in_float32_as_torch_does_and_rounded_once() -> None:
    # PyTorch's CPU kernels compute half precision in float32 (their "opmath" type): so does
    # relu_lib, rounding once at the end. float64 would round twice and cost twice the memory.
    from relu_lib._arrays import compute_dtype

    assert compute_dtype(np.dtype(np.float16)) == np.dtype(np.float32)
    assert compute_dtype(np.dtype(np.float32)) == np.dtype(np.float32)
    assert compute_dtype(np.dtype(np.float64)) == np.dtype(np.float64)
    x = np.linspace(-12.0, 12.0, 4001).astype(np.float16)
    with np.errstate(all="ignore"):
        once = (1 / (1 + np.exp(-x.astype(np.float32)))).astype(np.float16)
    np.testing.assert_array_equal(rl.sigmoid(x), once)
