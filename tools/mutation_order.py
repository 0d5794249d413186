"""A pytest plugin for `make mutation`: run a mutant's tests fastest first.

mutmut hands pytest a mutant's tests as a set of node ids, so their order is
arbitrary, and pytest stops at the first failure (``-x``). Most mutants are
caught by many tests; running the quickest first finds the first failure soonest.
The durations are the ones mutmut measured in its instrumented run
(``mutants/mutmut-stats.json``, the directory the mutants' tests run in).
tools/mutation.py copies this file next to the tests and loads it with ``-p``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STATS = Path("mutmut-stats.json")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if not STATS.is_file():
        return  # the instrumented run itself, which writes the durations
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    slowest = max(durations.values(), default=0.0)
    items.sort(key=lambda item: durations.get(item.nodeid, slowest))
