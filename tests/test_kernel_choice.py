"""How relu_lib's kernels choose what to run: the level arithmetic, the probe, the timing and the counts.

A wrong choice here need not change a single value: it sends every call down a
slower path (a masked copy where a cast would do, a path that was not the
fastest). These tests pin each choice directly, so that such a change fails.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import FLOATS, require

import relu_lib as rl
from relu_lib import _compiled
from relu_lib import _kernels as k
from relu_lib._arrays import check_count


def levels(dtype, high: float, low: float) -> tuple[str, float, float]:
    kind, first, second = k._levels.__wrapped__(np.dtype(dtype), high, low, math.copysign(1.0, low))
    assert np.asarray(first).dtype == np.dtype(dtype) and np.asarray(second).dtype == np.dtype(dtype)
    return kind, float(first), float(second)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_levels_one_and_zero_are_the_mask_itself(dtype) -> None:
    kind, high, low = levels(dtype, 1.0, 0.0)
    assert (kind, high, low) == ("cast", 1.0, 0.0) and not math.copysign(1.0, low) < 0


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("high", "low"), [(1.0, 0.01), (1.0, 0.2), (2.0, 0.1), (0.0, 1.0), (1.0, -0.5), (1.0, 1e-4)])
def test_levels_an_exact_affine_map_is_used_with_its_step(dtype, high: float, low: float) -> None:
    t = np.dtype(dtype).type
    kind, step, base = levels(dtype, high, low)
    assert kind == "affine"
    assert step == float(t(t(high) - t(low))) and base == float(t(low))
    assert t(t(step) * t(1) + t(base)) == t(high) and t(t(step) * t(0) + t(base)) == t(low)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_levels_a_negative_zero_or_an_inexact_step_needs_the_masked_copy(dtype) -> None:
    kind, high, low = levels(dtype, 1.0, -0.0)
    assert kind == "masked" and high == 1.0 and low == 0.0 and math.copysign(1.0, low) < 0
    # 1e-4 - 3 rounds to -3 in every dtype here, so low + step cannot give back 1e-4.
    t = np.dtype(dtype).type
    kind, high, low = levels(dtype, 1e-4, 3.0)
    assert (kind, high, low) == ("masked", float(t(1e-4)), 3.0)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_the_probe_holds_every_special_value_in_every_layout(dtype) -> None:
    info = np.finfo(dtype)
    probes = k._probe_inputs(np.dtype(dtype))
    body = probes[0]
    assert body.dtype == np.dtype(dtype) and body.size == 67 and body.flags.c_contiguous
    values = body[~np.isnan(body)]
    for want in (1.0, -1.0, 6.0, -6.0, 7.0, math.inf, -math.inf, float(info.max), -float(info.max)):
        assert want in values, want
    tiny = float(info.smallest_subnormal)
    assert tiny in values and -tiny in values, "subnormals of both signs"
    zeros = body[body == 0]
    assert np.signbit(zeros).any() and (~np.signbit(zeros)).any(), "zeros of both signs"
    nans = body[np.isnan(body)]
    assert np.signbit(nans).any() and (~np.signbit(nans)).any(), "NaN of both signs"
    assert probes[1].size == 5 and probes[2].size == 66, "a scalar tail and a misaligned start"
    strided, grid, transposed = probes[3], probes[4], probes[5]
    assert strided.strides == (3 * body.itemsize,) and strided.size == 23
    assert grid.ndim == 2 and not grid.flags.c_contiguous and grid.shape == (9, 7)
    assert transposed.shape == (14, 9) and not transposed.flags.c_contiguous
    assert all(p.dtype == np.dtype(dtype) for p in probes) and len(probes) == 6


def test_the_selection_takes_the_fastest_exact_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Made-up timings: the rule "fastest exact path wins" is checked, no CPU's speed is.
    times = {"clip": 3.0, "scalar": 1.0, "blocked": 2.0, "compare": 4.0}
    ran: list[str] = []

    def seconds(fn, rounds: int = 4) -> float:
        path = fn.func.__name__.strip("_").removesuffix("_path")
        ran.append(path)
        return times[path]

    monkeypatch.setattr(k, "_seconds", seconds)
    sel = k._select("max0", np.dtype(np.float32))
    assert set(ran) == set(sel.exact) and sel.seconds == {p: times[p] for p in sel.exact}
    exact_times = {p: times[p] for p in sel.exact}
    assert sel.path == min(exact_times, key=exact_times.__getitem__)
    assert "compare" in sel.exact and sel.exact["compare"] is None, "the fallback is always exact"
    times.update(compare=0.5)
    ran.clear()
    assert k._select("max0", np.dtype(np.float32)).path == "compare"


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_each_exact_path_is_timed_in_its_order_on_a_quarter_block_of_the_dtype(monkeypatch, dtype) -> None:
    # Made-up probe results and timings: what is timed is checked, never how long it takes.
    # A path timed in another argument order, or on other values, than it will run with
    # is timed for a loop it never runs.
    orders = {"clip": None, "scalar": "zero_first", "blocked": "x_first", "compare": None}
    monkeypatch.setattr(k, "_exact_order", lambda op, path, dt: orders[path])
    timed: dict = {}

    def seconds(fn, rounds: int = 4) -> float:
        op, x, res, order = fn.args
        timed[fn.func] = (op, x, res, order)
        return 1.0

    monkeypatch.setattr(k, "_seconds", seconds)
    sel = k._select("relu6", np.dtype(dtype))
    assert sel.exact == orders
    assert set(timed) == {k._PATH_FUNCTIONS[path] for path in orders}
    expected_x = np.linspace(-1.0, 1.0, k._TIMED_SIZE).astype(dtype)
    for path, order in orders.items():
        op, x, res, timed_order = timed[k._PATH_FUNCTIONS[path]]
        assert op == "relu6" and timed_order == order, path
        assert x.dtype == np.dtype(dtype) and x.shape == (k._TIMED_SIZE,)
        # Evenly from -1 to 1: half the values clamped, half kept, as in a layer's inputs.
        np.testing.assert_array_equal(x, expected_x)
        assert res.dtype == np.dtype(dtype) and res.shape == x.shape and not np.shares_memory(res, x)


def test_seconds_keeps_the_best_round_of_two_calls_after_a_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # A scripted clock: the arithmetic of the rounds is checked, not a duration.
    clock = iter([0.0, 5.0, 10.0, 12.0, 20.0, 23.0, 30.0, 34.0])
    monkeypatch.setattr(k.time, "perf_counter", lambda: next(clock))
    calls = []
    assert k._seconds(lambda: calls.append(1), rounds=4) == 2.0
    assert len(calls) == 1 + 2 * 4
    # Four rounds unless told otherwise: the selection's whole cost is sized for that.
    calls.clear()
    monkeypatch.setattr(k.time, "perf_counter", lambda: 0.0)
    assert k._seconds(lambda: calls.append(1)) == 0.0
    assert len(calls) == 1 + 2 * 4


@pytest.mark.parametrize(
    ("value", "low", "message"),
    [
        (0, 1, "^n must be a positive integer, got 0$"),
        (-3, 1, "^n must be a positive integer, got -3$"),
        (1, 2, "^n must be an integer >= 2, got 1$"),
        (-1, 0, "^n must be an integer >= 0, got -1$"),
        (True, 1, "^n must be a positive integer, got True$"),
        (np.bool_(True), 1, "^n must be a positive integer, got "),
        (2.0, 1, "^n must be a positive integer, got 2.0$"),
        ("3", 1, "^n must be a positive integer, got '3'$"),
    ],
)
def test_check_count_names_what_was_wrong(value, low: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_count(value, "n", low)


def test_check_count_accepts_integers_from_its_bound_and_returns_ints() -> None:
    assert check_count(1, "n") == 1 and check_count(0, "n", 0) == 0 and check_count(2, "n", 2) == 2
    counted = check_count(np.int64(7), "n")
    assert counted == 7 and type(counted) is int


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", list(k.OPERATIONS))
def test_chosen_is_the_selection_when_nothing_is_forced(op: str, dtype) -> None:
    sel = k.selection(op, dtype)
    assert k.chosen(op, dtype) == (sel.path, sel.exact[sel.path])


class TieBreaking:
    """``np.maximum`` or ``np.minimum`` as a CPU computes them that settles a tie its own way.

    max(-0.0, 0.0) compares equal, and which zero comes out is up to the vector loop:
    the first operand, the second, or +0.0 whichever order (IEEE 754-2019's maximum).
    Only this decides which argument order of the scalar and blocked paths keeps -0.0,
    so with it the probe and every path can be checked as on each kind of CPU.
    """

    def __init__(self, ufunc: np.ufunc, tie: str) -> None:
        self.ufunc, self.tie = ufunc, tie

    def __call__(self, a, b, out=None):
        a, b = np.asarray(a), np.asarray(b)
        result = np.asarray(self.ufunc(a, b))
        tied = (a == b) & (result == 0)
        if self.tie == "positive":
            pick = np.zeros_like(result)
        else:
            pick = np.broadcast_to(a if self.tie == "first" else b, result.shape)
        result = np.where(tied, pick, result).astype(result.dtype)
        if out is None:
            return result
        np.copyto(out, result)
        return out

    def __getattr__(self, name: str):
        return getattr(self.ufunc, name)  # .reduce and the rest, as numpy has them


class EmulatedNumpy:
    """numpy, but for a maximum and minimum that break ties as ``tie`` says."""

    def __init__(self, tie: str) -> None:
        self.maximum, self.minimum = TieBreaking(np.maximum, tie), TieBreaking(np.minimum, tie)

    def __getattr__(self, name: str):
        return getattr(np, name)


def lossy_clip(x, low, high, out):
    """np.clip on a CPU whose clip loop returns +0.0 for either zero."""
    np.clip(x, low, high, out=out)
    out[out == 0] = 0.0
    return out


# Which argument order keeps -0.0, by how the CPU breaks a tie: ties to the first operand
# keep x's zero in max(x, 0), ties to the second in max(0, x), and +0.0 in neither.
EXACT_ORDER = {"first": "x_first", "second": "zero_first", "positive": None}


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("tie", list(EXACT_ORDER))
def test_every_path_on_a_cpu_that_breaks_ties_each_way(monkeypatch: pytest.MonkeyPatch, tie: str, dtype) -> None:
    monkeypatch.setattr(k, "np", EmulatedNumpy(tie))
    monkeypatch.setattr(k, "_SELECTIONS", {})
    if tie == "positive":
        monkeypatch.setattr(k, "_clip_ufunc", lossy_clip)
    contiguous = k._probe_inputs(np.dtype(dtype))[0]
    contiguous = np.resize(contiguous, 2 * k.BLOCK + 5)  # the blocked path's loop over blocks
    inputs = {"contiguous": contiguous, "strided": contiguous[::3], "2-D": contiguous[:-5].reshape(2, -1)[:, ::2]}
    for op in k.OPERATIONS:
        sel = k.selection(op, dtype)
        order = EXACT_ORDER[tie]
        for path in ("scalar", "blocked"):
            assert sel.exact.get(path, False) == (order if order else False), (op, path, sel.exact)
        assert ("clip" in sel.exact) is not (tie == "positive")
        for path in k.PATHS:
            with k.forced(op, path):
                assert k.chosen(op, dtype)[0] == (path if path in sel.exact else "compare")
                for layout, x in inputs.items():
                    expected = np.empty_like(x)
                    k._compare_path(op, x, expected, None)
                    for how, res in (("fresh", np.empty_like(x)), ("in place", x.copy())):
                        got = k.clamp(op, x if how == "fresh" else res, res)
                        same = np.array_equal(got, expected, equal_nan=True)
                        signs = np.array_equal(np.signbit(got), np.signbit(expected))
                        assert same and signs, f"{op} {path} ties to {tie}, {layout}, {how}"


# The fused kernels: numpy passes, or one loop compiled by numba
# ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("op", list(k.FUSED))
def test_the_compiled_loops_are_offered_where_numba_computes_the_dtype(
    monkeypatch: pytest.MonkeyPatch, op: str, dtype
) -> None:
    require("numba")
    monkeypatch.setattr(k, "_SELECTIONS", {})  # a selection made here, not one an earlier test left
    sel = k.selection(op, dtype)
    offered = np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.float64))
    assert sel.exact == ({"passes": None, "compiled": None} if offered else {"passes": None})
    # Both were timed and the faster runs (which one that is, is this CPU's business).
    assert set(sel.seconds) == set(sel.exact) and sel.path == min(sel.seconds, key=sel.seconds.__getitem__)
    assert k.chosen(op, dtype) == (sel.path, None)


@pytest.mark.parametrize("op", list(k.FUSED))
def test_a_fused_selection_times_both_paths_on_the_clamps_input_and_keeps_the_faster(
    monkeypatch: pytest.MonkeyPatch, op: str
) -> None:
    # Made-up probe results and timings, as for the clamps: what is timed is checked.
    monkeypatch.setattr(k, "_compiled_is_exact", lambda op, dtype: True)
    times = {"passes": 2.0, "compiled": 1.0}
    timed: dict = {}

    def seconds(fn, rounds: int = 4) -> float:
        timed_op, path, x, res, args = fn.args
        timed[path] = (timed_op, x, res, args)
        return times[path]

    monkeypatch.setattr(k, "_seconds", seconds)
    sel = k._select_fused(op, np.dtype(np.float32))
    assert sel.exact == {"passes": None, "compiled": None} and sel.seconds == times and sel.path == "compiled"
    expected_x = np.linspace(-1.0, 1.0, k._TIMED_SIZE).astype(np.float32)
    for path in times:
        timed_op, x, res, args = timed[path]
        # Each path on the clamps' input, with the first probe's parameters (ReLU' for the levels).
        assert timed_op == op and args == k._FUSED_PROBES[op][0], path
        np.testing.assert_array_equal(x, expected_x)
        assert x.dtype == np.float32 and res.dtype == np.float32 and res.shape == x.shape
        assert not np.shares_memory(res, x)
    times.update(passes=0.5)
    assert k._select_fused(op, np.dtype(np.float32)).path == "passes"


def test_the_loops_compute_the_definitions_they_are_named_for() -> None:
    require("numba")
    loops = _compiled.loops.__wrapped__()  # built afresh, not the process's cached pair
    for dtype in _compiled.DTYPES:
        t = dtype.type
        x = np.array([-2.0, -0.0, 0.0, 3.0, 6.0, 7.0, np.inf, -np.inf, np.nan, -np.nan], dtype=dtype)
        res = np.full_like(x, 42.0)
        loops.scaled(x, t(0.5), res)
        want = np.array([-1.0, -0.0, 0.0, 3.0, 6.0, 7.0, np.inf, -np.inf, np.nan, -np.nan], dtype=dtype)
        assert np.array_equal(res, want, equal_nan=True) and np.array_equal(np.signbit(res), np.signbit(want))
        loops.levels(x, res, t(0), t(6), True, t(1), t(0))
        want = np.array([0, 0, 0, 1, 0, 0, 0, 0, np.nan, np.nan], dtype=dtype)
        assert np.array_equal(res, want, equal_nan=True) and not np.signbit(res).any()
        loops.levels(x, res, t(0), t(0), False, t(1), t(-0.0))
        want = np.array([-0.0, -0.0, -0.0, 1, 1, 1, 1, -0.0, np.nan, np.nan], dtype=dtype)
        assert np.array_equal(res, want, equal_nan=True) and np.array_equal(np.signbit(res), np.signbit(want))


class Recorder:
    """The compiled loops, each call noted by name before it runs."""

    def __init__(self, loops: _compiled.Loops) -> None:
        self.calls: list[str] = []
        self.loops = dataclasses.replace(
            loops, scaled=self.noting("scaled", loops.scaled), levels=self.noting("levels", loops.levels)
        )

    def noting(self, name: str, loop):
        def run(*args):
            self.calls.append(name)
            return loop(*args)

        return run


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    require("numba")
    loops = _compiled.loops()
    assert loops is not None
    rec = Recorder(loops)
    monkeypatch.setattr(_compiled, "loops", lambda: rec.loops)
    monkeypatch.setattr(k, "_SELECTIONS", {})
    return rec


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_a_forced_compiled_loop_runs_on_flat_runs_and_nowhere_else(recorder: Recorder, dtype) -> None:
    leaky, slope = rl.leaky_relu, rl.derivative(rl.relu6)
    x = np.linspace(-3, 8, 4001).astype(dtype)
    for op in k.FUSED:
        k.selection(op, dtype)  # the probe runs the loops too: done before anything is counted
    with k.forced("scaled", "compiled"), k.forced("levels", "compiled"):
        recorder.calls.clear()
        leaky(x, out=np.empty_like(x)), slope(x.reshape(1, -1)), leaky(x.copy(), out=None)
        in_place = x.copy()
        leaky(in_place, out=in_place), slope(in_place, out=in_place)
        assert recorder.calls == ["scaled", "levels", "scaled", "scaled", "levels"]
        recorder.calls.clear()
        buf = np.concatenate([x, x])
        leaky(x[::2]), slope(x[::2]), leaky(x, out=np.empty((x.size, 2), dtype)[:, 0])
        leaky(buf[:-1], out=buf[1:]), slope(buf[:-1], out=buf[1:])
        # The strided and partially overlapping calls run as passes, except the derivative
        # with a partial overlap: it copies x first, and the copy is apart from out=.
        assert recorder.calls == ["levels"]
    recorder.calls.clear()
    with k.forced("scaled", "passes"), k.forced("levels", "passes"):
        leaky(x, out=np.empty_like(x)), slope(x)
    assert recorder.calls == []


def test_without_numba_the_fused_kernels_keep_their_exact_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compiled, "loops", lambda: None)
    monkeypatch.setattr(k, "_SELECTIONS", {})
    x = np.array([-2.0, -0.0, 0.0, 3.0, np.nan, -np.inf], dtype=np.float32)
    for op in k.FUSED:
        sel = k.selection(op, np.float32)
        assert sel.exact == {"passes": None} and sel.path == "passes"
        with k.forced(op, "compiled"):
            assert k.chosen(op, np.float32) == ("passes", None)
    value, slope = rl.leaky_relu(x), rl.derivative(rl.leaky_relu)(x)
    want_value = np.array([-0.02, -0.0, 0.0, 3.0, np.nan, -np.inf], dtype=np.float32)
    assert np.array_equal(value, want_value, equal_nan=True) and np.signbit(value[1]) and not np.signbit(value[2])
    assert np.array_equal(slope, np.array([0.01, 0.01, 0.01, 1.0, np.nan, 0.01], dtype=np.float32), equal_nan=True)


def test_a_loop_that_loses_negative_zero_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # A loop written x if x >= 0 (or a compiler that dropped the sign) would turn
    # leaky_relu(-0.0) into +0.0 scaled, still -0.0, but ReLU' at -0.0 into 1: the probe
    # must catch both kinds, so each loop is swapped for one wrong only at a signed zero.
    require("numba")
    loops = _compiled.loops()
    assert loops is not None

    def scaled(x, s, res):
        loops.scaled(x, s, res)
        res[x == 0] = 0.0  # +0.0 for either zero

    def levels(x, res, above, below, bounded, high, low):
        loops.levels(x, res, above, below, bounded, high, low)
        res[x == 0] = high  # the kink counted as positive

    monkeypatch.setattr(_compiled, "loops", lambda: dataclasses.replace(loops, scaled=scaled, levels=levels))
    monkeypatch.setattr(k, "_SELECTIONS", {})
    for op in k.FUSED:
        for dtype in (np.float32, np.float64):
            assert k.selection(op, dtype).exact == {"passes": None}, (op, dtype)


def test_a_loop_wrong_only_in_place_is_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # A loop that read values it had already overwritten would be right into a fresh
    # array and wrong with out=x: the probe runs each loop both ways.
    require("numba")
    loops = _compiled.loops()
    assert loops is not None

    def in_place_only(loop):
        def run(x, *args):
            res = args[1] if loop is loops.scaled else args[0]
            loop(x, *args)
            if np.shares_memory(x, res):
                res[::2] = 0.5

        return run

    monkeypatch.setattr(
        _compiled,
        "loops",
        lambda: dataclasses.replace(loops, scaled=in_place_only(loops.scaled), levels=in_place_only(loops.levels)),
    )
    monkeypatch.setattr(k, "_SELECTIONS", {})
    for op in k.FUSED:
        assert k.selection(op, np.float32).exact == {"passes": None}, op
