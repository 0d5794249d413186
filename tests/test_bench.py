"""`make bench` keeps working: its table has every implementation's column and the files it writes.

Only the shape of the output is checked, on a tiny size: the speed itself is the
benchmark's to report, never a test's to assert.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_writes_one_row_per_function_with_every_implementation(tmp_path: Path, capsys) -> None:
    bench = load_bench()
    argv = ["--only", "relu", "gelu", "--sizes", "1000", "--dtypes", "float32", "--repeats", "1"]
    assert bench.main([*argv, "--output", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    with open(tmp_path / "bench.csv") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["function"] for row in rows]
    assert names == ["relu", "relu (out=)", "gelu", "gelu (tanh)", "relu'", "gelu'", "gelu (tanh)'"]
    for row in rows:
        for column in ("relu_lib", "numpy", "torch", "relu_lib_memory", "numpy_memory"):
            assert float(row[column]) > 0 or column.endswith("memory"), (row["function"], column)
        assert (row["tensorflow"] != "") == ("out=" not in row["function"])
        assert (row["vectorize"] != "") == (row["function"] in ("relu", "relu'")), row["function"]
    table = (tmp_path / "bench.md").read_text().splitlines()
    assert table[0] == bench.HEADER and len(table) == 2 + len(rows)
    assert all(line in printed for line in table[2:])
