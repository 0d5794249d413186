"""Timing code fairly on a shared machine: interleaved rounds, best of each, ratios to a reference.

A single timing on a busy machine says little; a *ratio* measured in the same
run says a lot. :func:`compare` therefore times every candidate once per round,
in turn, for several rounds, keeps each candidate's best round (the one least
disturbed by other work) and reports every time against one reference.

Example:
    >>> import numpy as np
    >>> x = np.linspace(-1.0, 1.0, 1000)
    >>> table = compare({"maximum": lambda: np.maximum(x, 0.0), "where": lambda: np.where(x > 0, x, 0.0)},
    ...                 reference="maximum", repeat=3, min_time=0.001)
    >>> table.names
    ('maximum', 'where')
    >>> table.speedup("maximum")
    1.0
    >>> table.machine == hardware.describe()  # where it ran: CPU, vector paths, threads, versions
    True
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import hardware

__all__ = ["SpeedTable", "best_time", "compare", "loops_for"]


def _check_positive(value: float, name: str, function: str, integer: bool = False) -> None:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0 or not math.isfinite(value):
        expected = "a positive integer" if integer else "a positive finite number"
        raise ValueError(f"{function}() expects {name} to be {expected}, got {value!r}")


def _check_callable(fn: object, name: str, function: str) -> None:
    if not callable(fn):
        raise TypeError(f"{function}() expects {name} to be a function of no arguments, got {type(fn).__name__}")


def _run(fn: Callable[[], object], loops: int) -> float:
    """Seconds for ``loops`` calls of ``fn``."""
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return time.perf_counter() - start


def loops_for(fn: Callable[[], object], min_time: float = 0.02) -> int:
    """How many calls of ``fn`` take at least ``min_time`` seconds (1, 2, 5, 10, 20, ...).

    The same steps as :meth:`timeit.Timer.autorange`: a round long enough to
    swamp the clock's resolution and the loop's own overhead.

    Example:
        >>> loops_for(lambda: sum(range(10)), min_time=1e-4) >= 1
        True
    """
    _check_callable(fn, "fn", "loops_for")
    _check_positive(min_time, "min_time", "loops_for")
    fn()  # a first call pays for imports, caches and lazy compilation
    loops = 1
    while True:
        for factor in (1, 2, 5):
            if _run(fn, loops * factor) >= min_time:
                return loops * factor
        loops *= 10


def best_time(fn: Callable[[], object], *, repeat: int = 5, min_time: float = 0.02) -> float:
    r"""Seconds per call of ``fn``: the best of ``repeat`` rounds.

    .. math::
        t = \min_{r=1}^{R} \frac{T_r}{n}

    where round :math:`r` makes :math:`n` calls (chosen by :func:`loops_for`)
    in :math:`T_r` seconds. The minimum, not the mean, estimates the cost of
    the code itself: other work on the machine only ever adds time.

    Args:
        fn: the code to time, as a function of no arguments.
        repeat: rounds to take the best of.
        min_time: the least duration of one round, in seconds.

    Returns:
        The estimated seconds per call.

    Example:
        >>> best_time(lambda: sum(range(100)), repeat=3, min_time=1e-3) > 0
        True

    References:
        The method of Python's :mod:`timeit` module.
    """
    _check_callable(fn, "fn", "best_time")
    _check_positive(repeat, "repeat", "best_time", integer=True)
    loops = loops_for(fn, min_time)
    return min(_run(fn, loops) for _ in range(repeat)) / loops


@dataclass(frozen=True)
class SpeedTable:
    """Best seconds per call of several candidates, measured in one run, and a reference.

    Attributes:
        names: the candidates, in the order they were given.
        seconds: the best seconds per call of each.
        reference: the name every speed-up is relative to.
        machine: the hardware and library set-up it was measured on (None when unknown).
            Orderings of costs differ between CPUs, so a table names its machine.
    """

    names: tuple[str, ...]
    seconds: tuple[float, ...]
    reference: str
    machine: hardware.Machine | None = None

    def time(self, name: str) -> float:
        """Best seconds per call of ``name``."""
        if name not in self.names:
            raise KeyError(f"no candidate named {name!r}; measured: {', '.join(self.names)}")
        return self.seconds[self.names.index(name)]

    def speedup(self, name: str) -> float:
        """How many times faster ``name`` ran than the reference (below 1: slower)."""
        return self.time(self.reference) / self.time(name)

    def relative(self, name: str) -> float:
        """``name``'s time as a multiple of the reference's (the inverse of :meth:`speedup`)."""
        return self.time(name) / self.time(self.reference)

    def fastest(self) -> str:
        """The candidate with the smallest time."""
        return self.names[self.seconds.index(min(self.seconds))]

    def rows(self) -> list[tuple[str, float, float]]:
        """``(name, microseconds per call, speed-up against the reference)`` for each candidate."""
        return [
            (name, seconds * 1e6, self.speedup(name)) for name, seconds in zip(self.names, self.seconds, strict=True)
        ]

    def __str__(self) -> str:
        width = max(len(name) for name in self.names)
        lines = [f"{'':<{width}}  {'time per call':>14}  {f'speed-up vs {self.reference}':>20}"]
        lines += [
            f"{name:<{width}}  {_format_time(s):>14}  {self.speedup(name):>19.3g}x"
            for name, s in zip(self.names, self.seconds, strict=True)
        ]
        if self.machine is not None:
            lines.append(f"measured on: {self.machine}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = f"<tr><th>implementation</th><th>time per call</th><th>speed-up vs {self.reference}</th></tr>"
        body = "".join(
            f"<tr><td>{name}</td><td>{_format_time(s)}</td><td>{self.speedup(name):.3g}×</td></tr>"
            for name, s in zip(self.names, self.seconds, strict=True)
        )
        caption = "" if self.machine is None else f"<caption>Measured on {html.escape(str(self.machine))}</caption>"
        return f'<table class="speed-table">{caption}<thead>{head}</thead><tbody>{body}</tbody></table>'


def _format_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def compare(
    candidates: Mapping[str, Callable[[], object]],
    *,
    reference: str,
    repeat: int = 5,
    min_time: float = 0.02,
) -> SpeedTable:
    r"""Time several candidates in interleaved rounds and relate each to a reference.

    .. math::
        \text{speed-up}_i = \frac{t_\text{reference}}{t_i}, \qquad
        t_i = \min_{r=1}^{R} \frac{T_{i,r}}{n_i}

    Each round times every candidate once, in turn, so that a burst of other
    work on the machine slows all of them rather than one; each candidate
    keeps its best round. The table records the machine
    (:func:`relu_lib.hardware.describe`, after the timing, so that the thread
    counts are those the candidates ran with).

    Args:
        candidates: names and functions of no arguments to time.
        reference: the candidate the speed-ups are relative to.
        repeat: rounds to take the best of.
        min_time: the least duration of one candidate's round, in seconds.

    Returns:
        A :class:`SpeedTable`, printable and shown as an HTML table in notebooks,
        both naming the machine.

    Raises:
        ValueError: no candidates, or ``reference`` is not one of them.

    Example:
        >>> table = compare({"sum": lambda: sum(range(100)), "range": lambda: range(100)},
        ...                 reference="sum", repeat=2, min_time=1e-3)
        >>> table.fastest()
        'range'
    """
    if not isinstance(candidates, Mapping) or not candidates:
        raise ValueError("compare() expects candidates to be a non-empty mapping of names to functions")
    for name, fn in candidates.items():
        _check_callable(fn, f"candidates[{name!r}]", "compare")
    if reference not in candidates:
        raise ValueError(f"compare() expects reference to be one of {list(candidates)}, got {reference!r}")
    _check_positive(repeat, "repeat", "compare", integer=True)
    loops = {name: loops_for(fn, min_time) for name, fn in candidates.items()}
    best = dict.fromkeys(candidates, math.inf)
    for _ in range(repeat):
        for name, fn in candidates.items():
            best[name] = min(best[name], _run(fn, loops[name]) / loops[name])
    return SpeedTable(tuple(candidates), tuple(best[name] for name in candidates), reference, hardware.describe())
