"""A pytest plugin for `make mutation`: each mutant's tests, the cheapest that can catch it, fastest first.

mutmut hands pytest a mutant's tests as a set of node ids: every test that
called the mutated function in its instrumented run. This plugin

* keeps, for the functions that every test reaches (``FOCUS``), only the tests
  that check what those functions decide. A mutant that survives runs all of
  its tests; in ``as_real_array`` that was the whole selection, 70 s, for a
  change the input checks alone can tell apart. A mutant that survives the
  narrowed tests must survive the tests left out too, or the map lacks a test:
  ``tools/mutation.py --full`` (``RELU_LIB_MUTATION_FULL=1``) runs every test
  that reaches them, to check;
* runs the tests fastest first, so that pytest's ``-x`` stops at the first
  failure soonest. The durations are the ones mutmut measured in its
  instrumented run (``mutmut-stats.json``, in the directory the mutants' tests
  run in);
* records each mutant's test time (CPU and wall seconds, tests run) in
  ``mutation-times.jsonl`` there, for tools/mutation.py's report: mutmut's own
  per-mutant durations are zero under its fork server.

tools/mutation.py copies this file next to the tests and loads it with ``-p``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

STATS = Path("mutmut-stats.json")
TIMES = Path("mutation-times.jsonl")

# What the input checks, dtype handling and dispatch decide is visible in every
# function's values, dtypes, errors and out= handling at fixed inputs: the tests
# that assert those, each a few milliseconds. The hypothesis properties and the
# forced-path tables reach these functions too, only to run the same decisions on
# more values (40 s of a surviving mutant's 70).
_FORMS = (
    "tests/test_inputs.py",
    "tests/test_core_edges.py",
    "tests/test_kernel_choice.py",
    "tests/test_activations_torch.py",
    "tests/test_derivatives_torch.py",
    "tests/test_parameters_torch.py",
    "tests/test_memory.py",
)

# The clamp, block and mask kernels behind every piecewise function: the same, and the
# forced-path, block-boundary and overlap tables that run each of their branches.
_KERNELS = (*_FORMS, "tests/test_kernels.py")

FOCUS: dict[str, tuple[str, ...]] = {
    "relu_lib._arrays.x_as_real_array": _FORMS,
    "relu_lib._arrays.x_check_out": _FORMS,
    "relu_lib._arrays.x_finish": _FORMS,
    "relu_lib._arrays.x_compute_dtype": _FORMS,
    "relu_lib._arrays.x_check_real_parameter": _FORMS,
    "relu_lib.derivatives.x_derivative": _FORMS,
    # evaluate's partial-overlap branch: the overlapping out= table of test_kernels.py.
    "relu_lib._kernels.x_evaluate": (*_FORMS, "tests/test_kernels.py::test_out_overlapping_the_input_partially"),
    **{
        f"relu_lib._kernels.x_{name}": _KERNELS
        for name in (
            "_block_pairs",
            "clamp",
            "indicator",
            "_clip_path",
            "_scalar_path",
            "_blocked_path",
            "_compare_path",
            "_exactly_aliased",
            "_overlaps_partially",
            "forced",
            "selection",
            "chosen",
            "max0",
            "min0",
            "relu6_into",
            "against_scaled",
            "_scaled_passes",
            "_levels_passes",
            "_runs_compiled",
            "_running",
            "_fused_run",
            "_compiled_is_exact",
            "_select_fused",
            "_loops",
        )
    },
}

# Functions that run the same way whichever clamp path is forced (Leaky ReLU's scaled
# maximum, the indicator behind the piecewise derivatives, their blocks and levels). The
# forced-path tables of test_kernels.py run them identically under each of the twelve
# clamp (operation, path) pairs, so for these one clamp pair loses nothing: max0 through
# compare. The four fused pairs stay: they decide between these functions' passes and loops.
PATH_FREE = {
    "relu_lib._kernels.x_indicator",
    "relu_lib._kernels.x__levels",
    "relu_lib._kernels.x_against_scaled",
    "relu_lib._kernels.x__scaled_passes",
    "relu_lib._kernels.x__levels_passes",
    "relu_lib._kernels.x__block_pairs",
    "relu_lib._kernels.x_has_nan",
    "relu_lib.activations.x_leaky_relu",
    "relu_lib.activations.x__negative_part_kernel",
    "relu_lib.derivatives.x_leaky_relu_derivative",
    "relu_lib.derivatives.x__relu_slope",
    "relu_lib.derivatives.x__relu6_slope",
    "relu_lib.derivatives.x__two_level",
    "relu_lib.derivatives.x__piecewise",
    "relu_lib.derivatives.x_prelu_derivative",
}
_OTHER_PATHS = re.compile(
    r"::test_forced_path_(matches_torch|on_extreme_magnitudes)\[(?!max0-compare-|scaled-|levels-)"
)

_MUTANT = re.compile(r"__mutmut_\d+$")


def _function(mutant: str) -> str:
    return _MUTANT.sub("", mutant)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if not STATS.is_file():
        return  # the instrumented run itself, which writes the durations
    function = _function(os.environ.get("MUTANT_UNDER_TEST", ""))
    focus = FOCUS.get(function)
    if (focus or function in PATH_FREE) and not os.environ.get("RELU_LIB_MUTATION_FULL"):
        kept = [
            item
            for item in items
            if (not focus or item.nodeid.startswith(focus))
            and not (function in PATH_FREE and _OTHER_PATHS.search(item.nodeid))
        ]
        if kept:  # never none: pytest would report "no tests" for a mutant
            dropped = [item for item in items if item not in kept]
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    slowest = max(durations.values(), default=0.0)
    items.sort(key=lambda item: durations.get(item.nodeid, slowest))


_started: dict[str, float] = {}
_ran = [0]


def pytest_sessionstart(session: Any) -> None:
    _started.update(cpu=time.process_time(), wall=time.perf_counter())


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    _ran[0] += 1


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if not STATS.is_file() or not _MUTANT.search(mutant):
        return  # the instrumented run, the clean run or the forced failure
    record = {
        "mutant": mutant,
        "cpu": round(time.process_time() - _started["cpu"], 4),
        "wall": round(time.perf_counter() - _started["wall"], 4),
        "tests": _ran[0],
        "exit": int(exitstatus),
    }
    # One short write with O_APPEND: the two workers' lines never interleave.
    fd = os.open(TIMES, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(record) + "\n").encode())
    finally:
        os.close(fd)
