"""Run notebooks top to bottom in this Python's kernel; report each one's result, time and peak memory.

    python tools/run_notebooks.py [--json FILE] NOTEBOOK...

`make colab-check` runs the reader notebooks with it in a venv of Colab's package versions; run
with the book's venv it measures what a chapter needs on Binder. Each notebook runs in a fresh
kernel, in an empty temporary folder, as in Colab, where nothing of the repository lies beside the
notebook. Peak memory is the largest resident set size of the kernel (and any processes it
started), sampled every 0.1 s: Binder's limit applies to that, not to the runner.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

GIB = 1024**3
CELL_TIMEOUT_S = 600


@dataclass
class Result:
    notebook: str
    ok: bool
    seconds: float
    peak_rss_gib: float
    error: str = ""


class PeakMemory:
    """Samples the resident memory of this process's children (the kernel) in a thread."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for child in psutil.Process().children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:  # a process that ended between listing and reading
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(path: Path) -> Result:
    """Execute one notebook in a fresh kernel of this Python, in an empty folder."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    error = ""
    with tempfile.TemporaryDirectory() as folder, PeakMemory() as memory:
        client = NotebookClient(
            nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": folder}}
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            # The exception's first line: the traceback is long, and ends in Keras's call arguments.
            error = f"{exc.ename}: {exc.evalue.strip().splitlines()[0] if exc.evalue.strip() else ''}"[:300]
        except Exception as exc:  # a dead kernel or a timeout: still a result, not a crash of the run
            error = f"{type(exc).__name__}: {exc}"
    return Result(path.stem, not error, time.perf_counter() - start, memory.peak / GIB, error)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]} at {sys.prefix}", flush=True)
    results = []
    for path in args.notebooks:
        result = run(path)
        results.append(result)
        status = "ok  " if result.ok else "FAIL"
        print(
            f"{status} {result.notebook:<20} {result.seconds:7.1f} s  peak RSS {result.peak_rss_gib:.2f} GiB"
            + (f"  {result.error}" if result.error else ""),
            flush=True,
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(result) for result in results], indent=2) + "\n")
    failed = [result.notebook for result in results if not result.ok]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
