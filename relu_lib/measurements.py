"""The benchmark results of every machine measured, for chapters to set beside their live timings.

``make bench`` writes one result set per machine into
``benchmarks/results/<machine>/``: ``bench.csv`` (seconds per call of each
function in each library), ``bench.md`` (the same as a table) and
``machine.json`` (the :class:`~relu_lib.hardware.Machine` it ran on, its date
and commit). A ratio such as *tanh / relu* is what a reader can carry to
another machine, and even that changes with the CPU's vector instructions, so
the helpers here report ratios with one row per machine.

Example:
    >>> sets = load()  # every machine measured, as shipped with relu_lib
    >>> all(s.machine.cpu for s in sets)
    True
    >>> low, high = spread(sets, "tanh", "relu", library="numpy", dtype="float32", n=10**5)
    >>> 0 < low <= high
    True
"""

from __future__ import annotations

import csv
import html
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .hardware import Machine

__all__ = ["LIBRARIES", "SHIPPED", "RatioTable", "ResultSet", "library_table", "load", "ratio", "ratio_table", "spread"]

LIBRARIES: dict[str, str] = {
    "relu_lib": "relu_lib",
    "numpy": "numpy",
    "torch": "PyTorch",
    "tensorflow": "TensorFlow",
    "vectorize": "np.vectorize",
}
"""The library columns of ``bench.csv`` and the names tables show for them."""

_ALIASES = {"pytorch": "torch", "tf": "tensorflow"}

Key = tuple[str, str, int]  # (function, dtype, n)


def _library(name: str) -> str:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in LIBRARIES:
        raise ValueError(f"unknown library {name!r}; expected one of {', '.join(LIBRARIES)}")
    return key


@dataclass(frozen=True)
class ResultSet:
    """One machine's benchmark: its times and the machine they were measured on.

    Attributes:
        name: the directory's name, e.g. ``"amd-epyc-avx512-2core"``.
        machine: the hardware and library set-up.
        date: when it was measured (ISO date), if recorded.
        commit: the git commit of the code measured, if recorded.
        notes: anything the person who ran it recorded (an emulation, a busy machine).
        times: seconds per call, by ``(function, dtype, n)`` and then library.
    """

    name: str
    machine: Machine
    date: str | None = None
    commit: str | None = None
    notes: str = ""
    times: dict[Key, dict[str, float | None]] = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> str:
        """The machine's one-line description, with the commit measured."""
        return f"{self.machine}" + (f"; at {self.commit}" if self.commit else "")

    def time(self, function: str, *, library: str, dtype: str, n: int) -> float | None:
        """Seconds per call of ``function`` in ``library``, or None where that library lacks it.

        Raises:
            KeyError: the set has no row for ``(function, dtype, n)``.
        """
        key = (function, dtype, int(n))
        if key not in self.times:
            raise KeyError(f"{self.name} has no row for {function!r} at {dtype}, n = {n:,}")
        return self.times[key].get(_library(library))


def _read_times(path: Path) -> dict[Key, dict[str, float | None]]:
    times: dict[Key, dict[str, float | None]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["function"], row["dtype"], int(float(row["n"])))
            times[key] = {lib: float(row[lib]) if row.get(lib) else None for lib in LIBRARIES if lib in row}
    return times


SHIPPED = Path(__file__).resolve().parent / "results"
"""The result sets that ship with relu_lib: the repository's ``benchmarks/results``."""


def load(directory: str | Path | None = None) -> list[ResultSet]:
    """Read every result set under ``directory``, one sub-directory per machine, sorted by name.

    A sub-directory counts when it holds ``bench.csv``; it must also hold
    ``machine.json``, or the numbers could not say where they came from.

    Args:
        directory: the results folder; by default the sets that ship with
            relu_lib (:data:`SHIPPED`), the same as the repository's
            ``benchmarks/results``.

    Returns:
        The :class:`ResultSet` of each machine.

    Raises:
        FileNotFoundError: ``directory`` does not exist, or a set lacks ``machine.json``.

    Example:
        >>> import json, tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / "m").mkdir()
        >>> _ = (root / "m" / "bench.csv").write_text("function,dtype,n,numpy\\nrelu,float32,1000,2e-06\\n")
        >>> machine = {"cpu": "Some CPU", "architecture": "x86_64", "cores": 4}
        >>> _ = (root / "m" / "machine.json").write_text(json.dumps({"machine": machine}))
        >>> [(s.name, s.time("relu", library="numpy", dtype="float32", n=1000)) for s in load(root)]
        [('m', 2e-06)]
    """
    directory = SHIPPED if directory is None else Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no results directory at {directory}")
    sets = []
    for sub in sorted(p for p in directory.iterdir() if (p / "bench.csv").is_file()):
        info_path = sub / "machine.json"
        if not info_path.is_file():
            raise FileNotFoundError(f"{sub / 'bench.csv'} has no machine.json beside it: where was it measured?")
        info = json.loads(info_path.read_text(encoding="utf-8"))
        sets.append(
            ResultSet(
                name=sub.name,
                machine=Machine.from_dict(info["machine"]),
                date=info.get("date"),
                commit=info.get("commit"),
                notes=info.get("notes") or "",
                times=_read_times(sub / "bench.csv"),
            )
        )
    return sets


def ratio(result_set: ResultSet, function: str, reference: str, *, library: str, dtype: str, n: int) -> float | None:
    """How many times as long ``function`` took as ``reference`` in one library on one machine.

    .. math::
        r = t_\\text{function} / t_\\text{reference}

    Args:
        result_set: one machine's results.
        function: a row name of ``bench.csv``, e.g. ``"tanh"`` or ``"gelu (tanh)"``.
        reference: the row to divide by, e.g. ``"relu"``.
        library: ``"relu_lib"``, ``"numpy"``, ``"torch"`` (or ``"PyTorch"``),
            ``"tensorflow"`` (or ``"TensorFlow"``).
        dtype: ``"float32"`` or ``"float64"``.
        n: the number of values.

    Returns:
        The ratio, or None where the library has no time for either row.

    Example:
        >>> m = Machine("Some CPU", "x86_64", 4)
        >>> times = {("tanh", "float32", 10): {"numpy": 3e-6}, ("relu", "float32", 10): {"numpy": 1e-6}}
        >>> s = ResultSet("m", m, times=times)
        >>> round(ratio(s, "tanh", "relu", library="numpy", dtype="float32", n=10), 6)
        3.0
    """
    top = result_set.time(function, library=library, dtype=dtype, n=n)
    bottom = result_set.time(reference, library=library, dtype=dtype, n=n)
    return top / bottom if top and bottom else None


@dataclass(frozen=True)
class RatioTable:
    """Ratios of times, one row per machine and one column per (function / reference, library).

    Attributes:
        rows: the result sets' names.
        summaries: each row's machine, in one line.
        columns: the column headings, e.g. ``"tanh / relu in PyTorch"``.
        values: ``values[i][j]`` is row ``i``'s ratio in column ``j`` (None: not measured).
        dtype: the dtype of every ratio.
        n: the number of values of every ratio.
    """

    rows: tuple[str, ...]
    summaries: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    dtype: str
    n: int
    what: str = "Time of one function divided by another's"

    def value(self, row: str, column: str) -> float | None:
        """The ratio of machine ``row`` in ``column``."""
        return self.values[self.rows.index(row)][self.columns.index(column)]

    def column(self, column: str) -> tuple[float | None, ...]:
        """Every machine's ratio in ``column``, in row order."""
        j = self.columns.index(column)
        return tuple(row[j] for row in self.values)

    @property
    def caption(self) -> str:
        return f"{self.what}, {self.dtype}, n = {self.n:,}, one row per machine measured (make bench)."

    def __str__(self) -> str:
        width = max([len("machine"), *map(len, self.rows)])
        widths = [max(len(c), 6) for c in self.columns]
        head = (f"{c:>{w}}" for c, w in zip(self.columns, widths, strict=True))
        lines = [self.caption, "  ".join([f"{'machine':<{width}}", *head])]
        for name, row in zip(self.rows, self.values, strict=True):
            cells = (f"{_format(v):>{w}}" for v, w in zip(row, widths, strict=True))
            lines.append("  ".join([f"{name:<{width}}", *cells]))
        lines += [f"{name}: {summary}" for name, summary in zip(self.rows, self.summaries, strict=True)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "<tr><th>machine</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in self.columns) + "</tr>"
        body = "".join(
            f'<tr><th scope="row">{html.escape(name)}<br><small>{html.escape(summary)}</small></th>'
            + "".join(f"<td>{_format(v)}</td>" for v in row)
            + "</tr>"
            for name, summary, row in zip(self.rows, self.summaries, self.values, strict=True)
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>"
        return f'<table class="ratio-table">{caption}<thead>{head}</thead><tbody>{body}</tbody></table>'


def _format(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.3g}"


def ratio_table(
    result_sets: Iterable[ResultSet],
    pairs: Sequence[tuple[str, str]],
    *,
    libraries: str | Sequence[str],
    dtype: str = "float32",
    n: int,
) -> RatioTable:
    """Tabulate :func:`ratio` for several machines, function pairs and libraries.

    Args:
        result_sets: the machines, as :func:`load` returns them.
        pairs: ``(function, reference)`` pairs, e.g. ``[("tanh", "relu"), ("gelu", "relu")]``.
        libraries: one library or several; each pair gets one column per library.
        dtype: ``"float32"`` or ``"float64"``.
        n: the number of values.

    Returns:
        A :class:`RatioTable`: printable, and an HTML table with a caption in notebooks.

    Example:
        >>> m = Machine("Some CPU", "x86_64", 4)
        >>> times = {("tanh", "float32", 10): {"numpy": 3e-6, "torch": 8e-6},
        ...          ("relu", "float32", 10): {"numpy": 1e-6, "torch": 1e-6}}
        >>> table = ratio_table([ResultSet("m", m, times=times)], [("tanh", "relu")],
        ...                     libraries=["numpy", "torch"], n=10)
        >>> table.columns
        ('tanh / relu in numpy', 'tanh / relu in PyTorch')
        >>> print(str(table).splitlines()[2])
        m        3                       8
    """
    sets = list(result_sets)
    chosen = [_library(libraries)] if isinstance(libraries, str) else [_library(lib) for lib in libraries]
    columns = [(f, r, lib) for f, r in pairs for lib in chosen]
    return RatioTable(
        rows=tuple(s.name for s in sets),
        summaries=tuple(s.summary for s in sets),
        columns=tuple(f"{f} / {r} in {LIBRARIES[lib]}" for f, r, lib in columns),
        values=tuple(tuple(ratio(s, f, r, library=lib, dtype=dtype, n=n) for f, r, lib in columns) for s in sets),
        dtype=dtype,
        n=int(n),
    )


def library_table(
    result_sets: Iterable[ResultSet],
    function: str,
    *,
    libraries: Sequence[str],
    reference: str,
    dtype: str = "float32",
    n: int,
) -> RatioTable:
    """Tabulate one function's time in each library relative to one library, machine by machine.

    .. math::
        r_\text{library} = t_\text{library} / t_\text{reference}

    Args:
        result_sets: the machines, as :func:`load` returns them.
        function: a row name of ``bench.csv``, e.g. ``"relu"``.
        libraries: the libraries to compare, one column each.
        reference: the library every time is divided by, e.g. ``"numpy"``.
        dtype: ``"float32"`` or ``"float64"``.
        n: the number of values.

    Returns:
        A :class:`RatioTable` with one column per library.

    Example:
        >>> m = Machine("Some CPU", "x86_64", 4)
        >>> times = {("relu", "float32", 10): {"numpy": 2e-6, "relu_lib": 2.2e-6, "torch": 1e-6}}
        >>> table = library_table([ResultSet("m", m, times=times)], "relu", libraries=["relu_lib", "torch"],
        ...                       reference="numpy", n=10)
        >>> table.columns, table.values
        (('relu_lib / numpy', 'PyTorch / numpy'), ((1.1, 0.5),))
    """
    sets = list(result_sets)
    chosen, base = [_library(lib) for lib in libraries], _library(reference)

    def relative(s: ResultSet, lib: str) -> float | None:
        top, bottom = s.time(function, library=lib, dtype=dtype, n=n), s.time(function, library=base, dtype=dtype, n=n)
        return top / bottom if top and bottom else None

    return RatioTable(
        rows=tuple(s.name for s in sets),
        summaries=tuple(s.summary for s in sets),
        columns=tuple(f"{LIBRARIES[lib]} / {LIBRARIES[base]}" for lib in chosen),
        values=tuple(tuple(relative(s, lib) for lib in chosen) for s in sets),
        dtype=dtype,
        n=int(n),
        what=f"Time of {function} in each library divided by its time in {LIBRARIES[base]}",
    )


def spread(
    result_sets: Iterable[ResultSet], function: str, reference: str, *, library: str, dtype: str = "float32", n: int
) -> tuple[float, float]:
    """The smallest and largest :func:`ratio` across machines: how far a cost ordering travels.

    Raises:
        ValueError: no machine has both times.

    Example:
        >>> m = Machine("Some CPU", "x86_64", 4)
        >>> def times(tanh, relu):
        ...     return {("tanh", "float32", 10): {"numpy": tanh}, ("relu", "float32", 10): {"numpy": relu}}
        >>> a, b = ResultSet("a", m, times=times(2.0, 4.0)), ResultSet("b", m, times=times(6.0, 2.0))
        >>> spread([a, b], "tanh", "relu", library="numpy", n=10)
        (0.5, 3.0)
    """
    found = [
        r for s in result_sets if (r := ratio(s, function, reference, library=library, dtype=dtype, n=n)) is not None
    ]
    if not found:
        raise ValueError(f"no result set has both {function!r} and {reference!r} in {library} at {dtype}, n = {n:,}")
    return min(found), max(found)
