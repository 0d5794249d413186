"""Every activation and derivative allocates at most one temporary the size of its input.

Masks count too: a boolean mask is an eighth of a float64 input and a quarter of
a float32 one, so the budget is one temporary plus masks worth at most another
quarter of the input. With ``out=`` the result itself costs nothing; without it,
one more input-sized array. Sizes, not times: speed is measured by ``make bench``.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from conftest import require

import relu_lib as rl
from relu_lib import _kernels as k
from relu_lib import derivative

CASES = [
    ("relu", rl.relu, {}),
    ("relu6", rl.relu6, {}),
    ("leaky_relu", rl.leaky_relu, {}),
    ("leaky_relu, slope 0", rl.leaky_relu, {"negative_slope": 0.0}),
    ("leaky_relu, slope -0.5", rl.leaky_relu, {"negative_slope": -0.5}),
    ("prelu", rl.prelu, {"weight": 0.25}),
    ("elu", rl.elu, {}),
    ("selu", rl.selu, {}),
    ("gelu", rl.gelu, {}),
    ("gelu, tanh", rl.gelu, {"approximate": "tanh"}),
    ("silu", rl.silu, {}),
    ("softplus", rl.softplus, {}),
    ("softplus, beta 2, threshold -1", rl.softplus, {"beta": 2.0, "threshold": -1.0}),
    ("sigmoid", rl.sigmoid, {}),
    ("tanh", rl.tanh, {}),
]
ONE_TEMPORARY = 1.25


@pytest.fixture(autouse=True)
def mask_free_clamps():
    """The clamps at zero through np.clip, their exact path that needs no mask.

    Which exact path a clamp runs is this CPU's choice, by speed (on some the
    fallback that compares, and takes a mask of a byte per value, wins); the
    budgets here are the kernels', so they are checked on the same path on every
    CPU. The fallback's own allocation is checked below, and every path's values
    in test_kernels.py.
    """
    with k.forced("max0", "clip"), k.forced("min0", "clip"), k.forced("relu6", "clip"):
        yield


# The tanh-form GELU derivative needs sigmoid(A), A and x at once (see its kernel).
EXCEPTIONS = {("gelu, tanh", True): 2.0}


# What peak() sees besides arrays: Python's own bookkeeping, a few KiB, and more under
# mutmut's instrumented run (`make mutation`), whose wrapper copies every library call's
# arguments. The arrays these tests look for are 100 KB or more.
SLACK = 16 << 10


def peak(call) -> int:
    call()  # first-call caches (scipy's import, the signed-zero probe) are not the kernel's
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        used = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return used


# Leaky ReLU and the piecewise derivatives run as numpy passes or as one compiled loop
# (numba): each budget must hold for both.
FUSED = pytest.mark.parametrize("fused", k.FUSED_PATHS)


@pytest.fixture
def fused_path(fused: str):
    with k.forced("scaled", fused), k.forced("levels", fused):
        yield fused


@FUSED
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("slope", [False, True], ids=["value", "derivative"])
@pytest.mark.parametrize(("name", "fn", "kwargs"), CASES, ids=[case[0] for case in CASES])
def test_at_most_one_input_sized_temporary(name, fn, kwargs, slope, dtype, fused_path) -> None:
    f = derivative(fn) if slope else fn
    # Both tails and NaN, so that every branch and fix-up of the kernels runs.
    x = (np.random.default_rng(0).standard_normal(200_000) * 40).astype(dtype)
    x[:4] = [np.nan, np.inf, -np.inf, -0.0]
    budget = EXCEPTIONS.get((name, slope), ONE_TEMPORARY) * x.nbytes + SLACK
    buffer = np.empty_like(x)
    with_out = peak(lambda: f(x, out=buffer, **kwargs))
    allocating = peak(lambda: f(x, **kwargs))
    assert with_out <= budget, f"{name}: {with_out / x.nbytes:.2f}x the input with out="
    assert allocating <= budget + x.nbytes, f"{name}: {allocating / x.nbytes:.2f}x the input"


def test_out_is_written_in_place_not_copied_into() -> None:
    x = np.linspace(-5, 5, 100_000, dtype=np.float32)
    out = np.empty_like(x)
    # relu with out= is one ufunc pass into out: no array the size of x is allocated at all.
    assert peak(lambda: rl.relu(x, out=out)) < SLACK
    assert rl.relu(x, out=out) is out
    in_place = x.copy()
    assert rl.silu(in_place, out=in_place) is in_place
    np.testing.assert_allclose(in_place, rl.silu(x), rtol=1e-6)


# The kernels that need no scratch array: with out= they write there directly, so
# nothing near the input's size is allocated at all (a result computed elsewhere and
# copied into out would be one whole input more).
NO_SCRATCH = [
    ("relu", rl.relu),
    ("relu6", rl.relu6),
    ("leaky_relu", rl.leaky_relu),
    ("prelu", lambda x, out: rl.prelu(x, 0.25, out=out)),
    ("sigmoid", rl.sigmoid),
    ("tanh", rl.tanh),
    ("sigmoid'", derivative(rl.sigmoid)),
    ("tanh'", derivative(rl.tanh)),
]


@FUSED
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("name", "fn"), NO_SCRATCH, ids=[case[0] for case in NO_SCRATCH])
def test_out_is_the_only_array_of_the_input_size(name, fn, dtype, fused_path) -> None:
    x = (np.random.default_rng(1).standard_normal(100_000) * 40).astype(dtype)
    x[:4] = [np.nan, np.inf, -np.inf, -0.0]
    out = np.empty_like(x)
    assert peak(lambda: fn(x, out=out)) < SLACK, name
    assert fn(x, out=out) is out


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_leaky_relu_on_blocks_needs_at_most_one_block_of_scratch(dtype) -> None:
    # Beyond a block (STREAM_BYTES) Leaky ReLU runs block by block: into an out= apart from x
    # with no scratch at all, in place with one block of x's dtype as scratch.
    from relu_lib._kernels import STREAM_BYTES, stream_block

    x = (np.random.default_rng(2).standard_normal(2 * stream_block(np.dtype(dtype)) + 5) * 40).astype(dtype)
    out = np.empty_like(x)
    block = STREAM_BYTES
    with k.forced("scaled", "passes"):
        assert peak(lambda: rl.leaky_relu(x, out=out)) < SLACK
        in_place = x.copy()
        assert block <= peak(lambda: rl.leaky_relu(in_place, out=in_place)) < block + SLACK
        in_place = x.copy()
        rl.leaky_relu(in_place, out=in_place)
    np.testing.assert_array_equal(in_place, rl.leaky_relu(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_the_compiled_loops_need_no_scratch_at_all(dtype) -> None:
    # One loop reads each value before it writes its result, in place too.
    require("numba")
    x = (np.random.default_rng(3).standard_normal(2 * k.stream_block(np.dtype(dtype)) + 5) * 40).astype(dtype)
    with k.forced("scaled", "compiled"), k.forced("levels", "compiled"):
        for name, fn in (("leaky_relu", rl.leaky_relu), ("relu6'", derivative(rl.relu6))):
            scratch = x.copy()  # peak() calls twice: in place, the second call sees the first's result
            assert peak(lambda fn=fn, scratch=scratch: fn(scratch, out=scratch)) < SLACK, name
            in_place = x.copy()
            fn(in_place, out=in_place)
            np.testing.assert_array_equal(in_place, fn(x))


# The kernels exact in any dtype (clamps, comparisons, a product by a slope already in
# x's dtype) run on float16 as it is. A float32 working copy, which the smooth functions
# need, would be twice the input; the masks, a byte per value, are half of it each, and
# ReLU6' takes three (above 0, below 6, either) where no NaN asks for a fourth.
NATIVE_HALF = [
    ("relu", rl.relu),
    ("relu6", rl.relu6),
    ("prelu", lambda x, out: rl.prelu(x, 0.25, out=out)),
    ("relu'", derivative(rl.relu)),
    ("relu6'", derivative(rl.relu6)),
    ("leaky_relu'", derivative(rl.leaky_relu)),
    # A slope beyond float16's range runs with numpy's overflow warning switched off, still in float16.
    ("leaky_relu', slope 1e5", lambda x, out: derivative(rl.leaky_relu)(x, 1e5, out=out)),
    ("prelu'", lambda x, out: derivative(rl.prelu)(x, 0.25, out=out)),
]


@pytest.mark.parametrize(("name", "fn"), NATIVE_HALF, ids=[case[0] for case in NATIVE_HALF])
def test_exact_kernels_run_float16_without_a_float32_copy(name, fn) -> None:
    x = (np.random.default_rng(3).standard_normal(100_000) * 40).astype(np.float16)
    x[:3] = [np.inf, -np.inf, -0.0]
    out = np.empty_like(x)
    used = peak(lambda: fn(x, out=out))
    assert used <= 1.5 * x.nbytes + SLACK, f"{name}: {used / x.nbytes:.2f}x a float16 input with out="
    assert fn(x, out=out) is out


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_the_compare_fallback_takes_only_its_masks(dtype) -> None:
    # x < 0 (and x > 6 for ReLU6) as masks of a byte per value, nothing of x's size.
    x = (np.random.default_rng(4).standard_normal(100_000) * 40).astype(dtype)
    out = np.empty_like(x)
    with k.forced("max0", "compare"), k.forced("relu6", "compare"):
        assert k.chosen("max0", dtype)[0] == "compare"
        assert peak(lambda: rl.relu(x, out=out)) <= x.size + SLACK
        assert peak(lambda: rl.relu6(x, out=out)) <= 2 * x.size + SLACK
        np.testing.assert_array_equal(rl.relu(x, out=out), np.maximum(x, 0))
