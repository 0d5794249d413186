"""`make mutation`: mutation testing of relu_lib's numerical core with mutmut, in a temporary copy.

    python tools/mutation.py            # every module, then the score and each surviving mutant
    python tools/mutation.py --keep     # keep the copy (and mutmut's mutants/) to inspect it

mutmut changes one operator, constant or call at a time in ``MODULES`` and runs, for each
change, only the tests in ``TESTS`` that call the changed function (it records which test
reaches which function in a first, instrumented run). A change that no test notices
*survives*: either the tests miss a behaviour, or the change is equivalent.

Everything happens in a fresh temporary directory: mutmut writes its mutated modules into
``mutants/`` of the directory it runs in, and other work in the repository (a build, a test
run, an editor) must never import a mutated ``relu_lib``.

Mutants run in processes forked from one that has collected the tests but run
none of them, so that no cache already holds an unmutated result. Each mutant's
tests run fastest first (``tools/mutation_order.py``), so that a caught mutant
stops early, and the mutants of the functions every test reaches run only the
tests that check what those functions decide (``FOCUS`` there; ``--full`` runs
every test that reaches them, to check that the narrowed tests lose nothing).

The report gives the wall time and, from the records of tools/mutation_order.py,
the CPU seconds the mutants' tests took: on a shared machine the wall time
overstates what the run needs, and their sum divided by the workers projects it.

mutmut does not mutate decorated functions (their decorators run at import time), and
every activation is wrapped by ``@elementwise``. In the copy each top-level
``@decorator def name`` is spelled ``def name`` followed by ``name = decorator(name)``,
which Python defines as the same thing, so that their bodies are mutated too.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODULES = (
    "relu_lib/activations.py",
    "relu_lib/derivatives.py",
    "relu_lib/_kernels.py",
    "relu_lib/_compiled.py",
    "relu_lib/_arrays.py",
)

# The tests that exercise those modules by value. The chapter, TensorFlow, experiment and
# plotting tests reach them too, but only through the functions tested here, at minutes a run.
TESTS = (
    "tests/test_activations_torch.py",
    "tests/test_derivatives_torch.py",
    "tests/test_kernels.py",
    "tests/test_inputs.py",
    "tests/test_memory.py",
    "tests/test_properties.py",
    "tests/test_parameters_torch.py",
    "tests/test_core_edges.py",
    "tests/test_kernel_choice.py",
)

# Fewer hypothesis examples per property (tests/conftest.py): each surviving mutant runs
# every test that reaches it, and the fixed example tables already cover the edges.
HYPOTHESIS_PROFILE = "mutation"

# Surviving mutants that no input can tell from the original, each with why: the
# function mutmut names and the mutated line as `mutmut show` prints it. They share
# their line with mutants that the tests do kill, so a `# pragma: no mutate` there
# would hide those as well; the report lists them apart from the survivors.
# Trailing comments are left out of the line.
EQUIVALENT: dict[tuple[str, str], str] = {
    ("relu_lib._kernels.x__seconds", 'best = float("INF")'): 'float() reads "INF" as infinity, as it reads "inf"',
    ("relu_lib._kernels.x__zero_block", "block.flags.writeable = None"): (
        "numpy sets the flag to bool(None), False: the block is read-only either way"
    ),
    # SiLU' returns its limit, 0, below -bound, where the exact value is under 1e-33 (float32) or 1e-301
    # (float64): moving the bound by one, or taking -bound itself, changes a value by less than that, far
    # below any tolerance a test could state against PyTorch (16 ulps of 1).
    ("relu_lib.derivatives.x_silu_derivative", "bound = 81.0 if v.dtype == np.float32 else 700.0"): (
        "harmless: exp(81) is finite in float32, and the values it changes are under 1e-33"
    ),
    ("relu_lib.derivatives.x_silu_derivative", "bound = 80.0 if v.dtype == np.float32 else 701.0"): (
        "harmless: exp(701) is finite in float64, and the values it changes are under 1e-301"
    ),
    ("relu_lib.derivatives.x_silu_derivative", "far_left = v <= -bound"): (
        "harmless: at x = -bound the formula gives under 1e-33 (float32) or 1e-301 (float64), the limit 0"
    ),
    ("relu_lib.derivatives.x_silu_derivative", "xe = np.clip(v, None, bound)"): (
        "below -bound the formula's NaN (inf / inf) is overwritten with the limit 0 anyway"
    ),
    ("relu_lib._arrays.x_as_real_array", "return arr.astype(None)"): "astype(None) is astype(float64) in numpy",
    ("relu_lib._kernels.x_evaluate", "np.copyto(out, work, )"): "same_kind is np.copyto's default casting",
    (
        "relu_lib.activations.x__negative_part_kernel",
        "s = v.dtype.type(slope) if (isinstance(slope, float)) and False else np.asarray(slope, dtype=v.dtype)",
    ): "a 0-d array of the slope in x's dtype instead of a scalar of it: the same value in every use",
    (
        "relu_lib.activations.x__negative_part_kernel",
        "s = v.dtype.type(slope) if (isinstance(slope, float)) or True else np.asarray(slope, dtype=v.dtype)",
    ): "numpy's scalar types applied to PReLU's weight array return that array in x's dtype, as asarray does",
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x__negative_part_kernel",
                "s = v.dtype.type(slope) if isinstance(slope, float) else np.asarray(slope, dtype=None)",
            ),
            (
                "relu_lib.activations.x__negative_part_kernel",
                "s = v.dtype.type(slope) if isinstance(slope, float) else np.asarray(slope, )",
            ),
        ),
        "only PReLU's weights reach asarray, already cast to x's dtype by prelu_weight, and PReLU runs natively",
    ),
    (
        "relu_lib.activations.x__negative_part_kernel",
        "k.against_scaled(np.maximum if s < 1 else np.minimum, v, s, res)",
    ): ("at a slope of exactly 1, min(x, 1 x) and max(x, 1 x) are both x, signed zero and NaN included"),
    **dict.fromkeys(
        (
            ("relu_lib.activations.x__negative_part_kernel", f"if {condition}:")
            for condition in (
                "(s > 1).all() and ((s <= 1).all() or (s > 1).all())",
                "(s > 0).all() and ((s <= 1).all() and (s > 1).all())",
                "(s > 0).all() and ((s < 1).all() or (s > 1).all())",
                "(s > 0).all() and ((s <= 1).all() or (s > 2).all())",
            )
        ),
        "harmless: some per-channel slopes that could take max(x, s x) (or min) take the masked definition "
        "instead, which gives the same values, only slower",
    ),
    (
        "relu_lib.activations.x__negative_part_kernel",
        "zero_times_inf = np.isneginf(v) & (s == 0) if ((s == 0).any()) or True else None",
    ): "with no zero slope the mask is all False, and writing -0.0 under it changes nothing",
    ("relu_lib.activations.x__negative_part_kernel", "if (s > 0).all() and ((s <= 1).all() or (s >= 1).all()):"): (
        "a slope of exactly 1 among slopes above it: min(x, 1 x) is x, as the masked definition gives"
    ),
    ("relu_lib.activations.x_maxout", "return finish(np.max(grouped, axis=axis + 1, out=out), None, out)"): (
        "finish() reads x only to return a scalar for a 0-d result, and maxout's result has at least one axis"
    ),
    ("relu_lib.activations.x_maxout", "return finish(np.max(grouped, axis=axis + 1, out=out), x, None)"): (
        "np.max(..., out=out) returns out itself, which finish() then returns as it would have"
    ),
    # The compiled loops (judged on 2026-12-03, targeted make mutation on an Intel Xeon, AVX-512).
    **dict.fromkeys(
        (
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(cache=None, nogil=True)"),
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(cache=False, nogil=True)"),
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(nogil=True)"),
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(cache=True, nogil=None)"),
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(cache=True, nogil=False)"),
            ("relu_lib._compiled.x_loops", "compile_ = numba.njit(cache=True, )"),
        ),
        "numba's disk cache and the GIL's release change how long a first call takes and whether threads "
        "overlap, never a value",
    ),
    **dict.fromkeys(
        (
            ("relu_lib._kernels.x__compiled_is_exact", "_fused_run(op, None, x, expected, args)"),
            ("relu_lib._kernels.x__compiled_is_exact", '_fused_run(op, "XXpassesXX", x, expected, args)'),
            ("relu_lib._kernels.x__compiled_is_exact", '_fused_run(op, "PASSES", x, expected, args)'),
        ),
        '_fused_run runs the passes for every path but "compiled": any other name is the passes',
    ),
    **dict.fromkeys(
        (
            ("relu_lib._kernels.x_indicator", '_fused_run(None, "compiled", x, res, (above, below, high, low))'),
            (
                "relu_lib._kernels.x_indicator",
                '_fused_run("XXlevelsXX", "compiled", x, res, (above, below, high, low))',
            ),
            ("relu_lib._kernels.x_indicator", '_fused_run("LEVELS", "compiled", x, res, (above, below, high, low))'),
        ),
        '_fused_run runs the levels loop for every operation but "scaled": any other name is the levels',
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__fused_run",
                "_loops().levels(x.reshape(-1), res.reshape(-1), t(above), t(below if (bounded) or True else 0), "
                "bounded, t(high), t(low))",
            ),
            (
                "relu_lib._kernels.x__fused_run",
                "_loops().levels(x.reshape(-1), res.reshape(-1), t(above), t(below if bounded else 1), bounded, "
                "t(high), t(low))",
            ),
        ),
        "the unbounded loop never reads below: any placeholder serves (t(None) is NaN, not an error)",
    ),
    ("relu_lib._kernels.x__loops", "return cast(None, _compiled.loops())"): (
        "typing.cast only informs a type checker: at run time it returns its second argument"
    ),
    # Survivors judged on 2026-12-02 (make mutation on an Intel Xeon, AVX-512): each group's reason.
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__block_pairs",
                "flat_x, flat_res = x.reshape(-1), res.reshape(-2)",
            ),
            (
                "relu_lib._kernels.x__block_pairs",
                "flat_x, flat_res = x.reshape(-2), res.reshape(-1)",
            ),
            (
                "relu_lib._kernels.x__blocked_path",
                "flat_x, flat_res = x.reshape(-1), res.reshape(-2)",
            ),
            (
                "relu_lib._kernels.x__blocked_path",
                "flat_x, flat_res = x.reshape(-2), res.reshape(-1)",
            ),
            ("relu_lib._kernels.x__fused_run", "_loops().scaled(x.reshape(-2), s, res.reshape(-1))"),
            ("relu_lib._kernels.x__fused_run", "_loops().scaled(x.reshape(-1), s, res.reshape(-2))"),
            (
                "relu_lib._kernels.x__fused_run",
                "_loops().levels(x.reshape(-2), res.reshape(-1), t(above), t(below if bounded else 0), bounded, "
                "t(high), t(low))",
            ),
            (
                "relu_lib._kernels.x__fused_run",
                "_loops().levels(x.reshape(-1), res.reshape(-2), t(above), t(below if bounded else 0), bounded, "
                "t(high), t(low))",
            ),
        ),
        "numpy reads any negative dimension in reshape as the one to infer, -2 as it reads -1",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__blocked_path",
                "zeros = _zero_block(None)",
            ),
        ),
        (
            "harmless: a float64 zero block is compared in float64 and cast back to x's dtype, which max and min "
            "survive exactly (signed zeros and NaN included); only slower"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__exact_order",
                'if path == "COMPARE" or _is_exact(op, path, order, dtype):',
            ),
            (
                "relu_lib._kernels.x__exact_order",
                'if path == "XXcompareXX" or _is_exact(op, path, order, dtype):',
            ),
        ),
        "the compare path checked against itself always passes: the name test only spares that probe",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__exactly_aliased",
                (
                    'return a is b and (a.strides == b.strides and a.__array_interface__["data"][0] == '
                    'b.__array_interface__["data"][0])'
                ),
            ),
            (
                "relu_lib._kernels.x__exactly_aliased",
                (
                    'return a is b or (a.strides == b.strides and a.__array_interface__["data"][0] == '
                    'b.__array_interface__["data"][1])'
                ),
            ),
            (
                "relu_lib._kernels.x__exactly_aliased",
                (
                    'return a is b or (a.strides == b.strides and a.__array_interface__["data"][1] == '
                    'b.__array_interface__["data"][0])'
                ),
            ),
        ),
        (
            "harmless: an exact alias taken for a partial overlap only sends the call to whole-array passes or a copy"
            " of x, the way that is safe for any overlap"
        ),
    ),
    **dict.fromkeys(
        (
            ("relu_lib._kernels.x__running", "sel = None"),
            ("relu_lib._kernels.x__running", "sel = _SELECTIONS.get(None)"),
        ),
        (
            "harmless: without the cached lookup every call asks chosen(), which returns the same selection (the "
            "forced and first-call path, only slower)"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x__piecewise",
                "nan_at = np.isnan(v) if (k.has_nan(v)) or True else None",
            ),
        ),
        "harmless: NaN positions looked up where has_nan found none; writing NaN at no position changes nothing",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "into[nan_at] = None",
            ),
            (
                "relu_lib.derivatives.x__piecewise",
                "res[nan_at] = None",
            ),
        ),
        "numpy stores None into a float array as NaN",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "kind, first, second = _levels(res.dtype, high, low, math.copysign(2.0, low))",
            ),
        ),
        "the sign of low_sign is all that _levels reads of it (a cache key that keeps -0.0 apart from +0.0)",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "pairs = _block_pairs(x, res, )",
            ),
            (
                "relu_lib._kernels.x__levels_passes",
                "pairs = _block_pairs(x, res, apart=False)",
            ),
            (
                "relu_lib._kernels.x__levels_passes",
                "pairs = _block_pairs(x, res, apart=None)",
            ),
        ),
        (
            "indicator has already copied x if it overlapped res partially, so the overlap check it would skip can "
            "find none"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "either = None if (below is None) and False else np.empty_like(mask)",
            ),
            (
                "relu_lib._kernels.x__levels_passes",
                "inside = None if (below is None) and False else np.empty_like(mask)",
            ),
        ),
        "harmless: two masks of a block allocated and not used where there is no upper bound",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "m = mask if (whole) and False else mask[: part.size]",
            ),
            (
                "relu_lib._kernels.x__levels_passes",
                "m2 = inside if (whole) and False else inside[: part.size]",
            ),
            (
                "relu_lib._kernels.x__levels_passes",
                "m_or = either if (whole) and False else either[: part.size]",
            ),
        ),
        (
            "a whole-array mask sliced to the input's size is the whole mask: kernels see at least one axis (a scalar"
            " arrives as shape (1,)), and the first axis is never longer than the size"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib._kernels.x__levels_passes",
                "if inside is None and either is None:",
            ),
        ),
        "inside and either are None together: both are made only for an upper bound",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x__elu_kernel",
                "if scale != 2.0:",
            ),
        ),
        "no caller passes a scale of 2 (ELU passes 1, SELU 1.0507...); at 1 the extra multiply by one changes nothing",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_gelu",
                "weight = k.ndtr(v, None)",
            ),
        ),
        "ndtr allocating its result instead of filling an empty one: the same values, the same one array",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_leaky_relu",
                'if 0 < s < 1 and np.geterr()["under"] == "ignore":',
            ),
            (
                "relu_lib.activations.x_leaky_relu",
                'if 0 < s <= 1 and np.geterr()["under"] == "IGNORE":',
            ),
            (
                "relu_lib.activations.x_leaky_relu",
                'if 0 < s <= 1 and np.geterr()["under"] == "XXignoreXX":',
            ),
            (
                "relu_lib.activations.x_leaky_relu",
                'if 1 < s <= 1 and np.geterr()["under"] == "ignore":',
            ),
            (
                "relu_lib.activations.x_leaky_relu",
                "s = x.dtype.type(None)",
            ),
        ),
        (
            "harmless: the guard of Leaky ReLU's fast path; the general path (evaluate) gives the same bits, tested "
            "for every slope"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_prelu_weight",
                "shape = () if (w.size == 1) and False else (w.size,) + (1,) * (arr.ndim - 2)",
            ),
        ),
        "one slope shaped (1, 1, ...) broadcasts as a scalar slope does against x of at least one axis",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_prelu_weight",
                "return w.reshape(shape).astype(None)",
            ),
        ),
        "the kernels cast the weights to x's dtype again (np.asarray(w, dtype=x.dtype)), which rounds as astype does",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_softplus",
                "tail = np.multiply(v, b) if (b != 1.0) or True else v.copy()",
            ),
            (
                "relu_lib.derivatives.x_softplus_derivative",
                "scaled = np.multiply(v, b) if (b != 1.0) or True else v.copy()",
            ),
        ),
        "harmless: multiplying by a beta of 1 gives the copy",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.activations.x_softplus",
                "if t > 0:",
            ),
            (
                "relu_lib.activations.x_softplus",
                "if t >= 1:",
            ),
        ),
        (
            "for thresholds of 0 and above, every x above the threshold is positive, where the general branch's clamp"
            " gives max(x, 0) as well; the sign of a zero, the one other difference, is lost when the tail "
            "log(2)/beta is added"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x__elu_derivative_kernel",
                "if step - left == right:",
            ),
            (
                "relu_lib.derivatives.x__elu_derivative_kernel",
                "step = right + left",
            ),
        ),
        (
            "the exactness check catches the wrong step (it holds only for alpha 0, where the steps agree), and the "
            "masked branch gives the exact values"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x__two_level",
                "high, low = np.asarray(above, v.dtype), np.asarray(below, )",
            ),
            (
                "relu_lib.derivatives.x__two_level",
                "high, low = np.asarray(above, v.dtype), np.asarray(below, None)",
            ),
        ),
        "prelu_weight has cast the weights to x's dtype already: asarray without a dtype keeps it",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x__two_level",
                "if np.array_equal(step + low, np.broadcast_to(high, np.broadcast(None, low).shape)):",
            ),
            (
                "relu_lib.derivatives.x__two_level",
                "if np.array_equal(step + low, np.broadcast_to(high, np.broadcast(low).shape)):",
            ),
            (
                "relu_lib.derivatives.x__two_level",
                "if np.array_equal(step + low, np.broadcast_to(high, np.broadcast(step, ).shape)):",
            ),
            (
                "relu_lib.derivatives.x__two_level",
                "if np.array_equal(step + low, np.broadcast_to(high, np.broadcast(step, None).shape)):",
            ),
        ),
        (
            "the upper level is the scalar 1 in every call (PReLU': 1 and w), so the broadcast shape is low's, with "
            "or without step"
        ),
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x_leaky_relu_derivative",
                "return k.evaluate(kernel, x, out, native=True, )",
            ),
            (
                "relu_lib.derivatives.x_leaky_relu_derivative",
                "return k.evaluate(kernel, x, out, native=True, exact=None)",
            ),
        ),
        "exact=False beside native=True only switches numpy's error state: the same kernel in the same dtype",
    ),
    **dict.fromkeys(
        (
            (
                "relu_lib.derivatives.x_leaky_relu_derivative",
                "return k.evaluate(kernel, x, out, native=True, exact=abs(slope) < 65505)",
            ),
            (
                "relu_lib.derivatives.x_leaky_relu_derivative",
                "return k.evaluate(kernel, x, out, native=True, exact=abs(slope) <= 65504)",
            ),
        ),
        (
            "slopes from 65504 to 65505 round to float16's largest finite value without overflowing: both branches "
            "give the same values and no warning"
        ),
    ),
}

STATUS = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}


def undecorate(source: str) -> str:
    """``@d def f`` at module level rewritten as ``def f`` then ``f = d(f)``: the same module, mutable by mutmut."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            applied = node.name
            for decorator in reversed(node.decorator_list):
                applied = f"{ast.get_source_segment(source, decorator)}({applied})"
            first = node.decorator_list[0].lineno - 1
            edits.append((first, node.lineno - 1, node.end_lineno, f"{node.name} = {applied}\n"))
    for first, definition, end, assignment in reversed(edits):
        lines[end:end] = [assignment]
        del lines[first:definition]
    return "".join(lines)


def prepare(copy: Path) -> None:
    """The package, the tests and a mutmut configuration in ``copy``."""
    ignore = shutil.ignore_patterns("__pycache__", "results", "*.pyc")
    shutil.copytree(ROOT / "relu_lib", copy / "relu_lib", ignore=ignore)
    shutil.copytree(ROOT / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__", "site", "browser"))
    shutil.copy(ROOT / "tools" / "mutation_order.py", copy / "tests" / "mutation_order.py")
    for module in MODULES:
        path = copy / module
        path.write_text(undecorate(path.read_text()))
    tests = [t for t in TESTS if (copy / t).exists()]
    quoted = ", ".join(f'"{item}"' for item in tests)
    only = ", ".join(f'"{item}"' for item in MODULES)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (copy / "pyproject.toml").write_text(
        pyproject
        + "\n[tool.mutmut]\n"
        + 'source_paths = ["relu_lib"]\n'
        + f"only_mutate = [{only}]\n"
        + f"pytest_add_cli_args_test_selection = [{quoted}]\n"
        # xdist would fork workers inside mutmut's own forked workers.
        + 'pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-p", "mutation_order"]\n'
        + "use_git_change_detection = false\n"
        # Each mutant is forked from a process that has only collected the tests, not run them:
        # a process that ran them holds filled caches (functools.cache, the clamp selection),
        # and a mutant of a cached function would never run in its fork.
        + 'process_isolation = "forkserver"\n'
    )


def mutmut(copy: Path, *args: str, capture: bool = False, full: bool = False) -> str:
    env = dict(os.environ, RELU_LIB_HYPOTHESIS_PROFILE=HYPOTHESIS_PROFILE, PYTHONDONTWRITEBYTECODE="1")
    if full:
        env["RELU_LIB_MUTATION_FULL"] = "1"  # tools/mutation_order.py: no narrowing of FOCUS functions
    env["RELU_LIB_MUTATION"] = "1"  # tests/test_kernels.py: fewer sizes in its largest table
    # pytest imports -p plugins before any conftest puts tests/ on the path.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy / "tests"), env.get("PYTHONPATH")]))
    # One thread per worker: two workers share the two cores, and BLAS threads would oversubscribe them.
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [sys.executable, "-m", "mutmut", *args]
    done = subprocess.run(command, cwd=copy, env=env, text=True, capture_output=capture, check=False)
    if done.returncode != 0 and args[0] != "run":
        sys.exit(f"mutmut {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout or ""


def statuses(copy: Path) -> dict[str, str]:
    """Every mutant's name and status, as ``mutmut results --all`` lists them."""
    found = {}
    for line in mutmut(copy, "results", "--all", "true", capture=True).splitlines():
        match = STATUS.match(line)
        if match:
            found[match["name"]] = match["status"]
    return found


def test_time(copy: Path) -> tuple[int, float, float]:
    """How many mutants recorded their test time, and the sums of their CPU and wall seconds."""
    path = copy / "mutants" / "mutation-times.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []
    return len(records), sum(r["cpu"] for r in records), sum(r["wall"] for r in records)


def report(copy: Path, found: dict[str, str], seconds: float, workers: int = 2) -> int:
    """Print the score and each surviving mutant's diff; the number of survivors is the exit status's cause."""
    counts: dict[str, int] = {}
    for status in found.values():
        counts[status] = counts.get(status, 0) + 1
    detected = sum(n for status, n in counts.items() if status in DETECTED)
    # "not checked" (outside the names asked for) and "skipped" mutants were never run.
    unrun = {"not checked", "skipped"}
    survivors = sorted(name for name, status in found.items() if status not in DETECTED | unrun)
    judged = detected + len(survivors)
    print(f"\nmutants: {len(found)}; " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    score = 100.0 * detected / judged if judged else 0.0
    took = "" if math.isnan(seconds) else f", in {seconds / 60:.1f} min"
    print(f"mutation score: {detected}/{judged} = {score:.1f}% detected{took}")
    timed, cpu, wall = test_time(copy)
    if timed:
        print(
            f"mutants' tests: {cpu / 60:.1f} CPU min ({wall / 60:.1f} wall min) over {timed} mutants; "
            f"{cpu / 60 / workers:.1f} min of it on {workers} otherwise idle cores"
        )
    explained, unexplained = [], []
    for name in survivors:
        diff = mutmut(copy, "show", name, capture=True).strip()
        function = re.sub(r"__mutmut_\d+$", "", name)
        lines = diff.splitlines()
        added = [line[1:].split("  #")[0].strip() for line in lines if line[:1] == "+" and line[:3] != "+++"]
        why = next((EQUIVALENT[(function, line)] for line in added if (function, line) in EQUIVALENT), None)
        (unexplained if why is None else explained).append((name, diff, why))
    equivalent = len(explained)
    if equivalent:
        print(
            f"without the {equivalent} equivalent mutants (tools/mutation.py EQUIVALENT): "
            f"{detected}/{judged - equivalent} = {100.0 * detected / (judged - equivalent):.1f}% detected"
        )
    for name, diff, why in explained:
        print(f"\n--- {name}: equivalent: {why}\n{diff}")
    for name, diff, _ in unexplained:
        print(f"\n--- {name}: {found[name]}\n{diff}")
    return len(unexplained)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print its path")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument(
        "--full", action="store_true", help="every test that reaches a mutant, also for FOCUS functions"
    )
    parser.add_argument("--report", type=Path, metavar="COPY", help="only report on a copy kept by --keep")
    parser.add_argument("names", nargs="*", help="only these mutants (mutmut's names, globs allowed)")
    args = parser.parse_args()
    if args.report:
        report(args.report, statuses(args.report), math.nan, args.max_children)
        return 0
    copy = Path(tempfile.mkdtemp(prefix="relu-mutation-"))
    start = time.monotonic()
    try:
        prepare(copy)
        mutmut(copy, "run", "--max-children", str(args.max_children), *args.names, full=args.full)
        found = statuses(copy)
        if not found:
            sys.exit("mutmut reported no mutants: see its output above")
        report(copy, found, time.monotonic() - start, args.max_children)
    finally:
        if args.keep:
            print(f"\nthe copy, with mutmut's mutants/: {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)
    # Survivors are reported, not failed on: judging each is the reader's work (see the survivors above).
    return 0


if __name__ == "__main__":
    sys.exit(main())
