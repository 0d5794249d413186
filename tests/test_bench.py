"""`make bench` keeps working: its table has every implementation's column, and it files it by machine.

Only the shape of the output is checked, on a tiny size: the speed itself is the
benchmark's to report, never a test's to assert.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from relu_lib import hardware, measurements

ROOT = Path(__file__).resolve().parents[1]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_writes_one_row_per_function_with_every_implementation(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load_bench()
    monkeypatch.setattr(bench, "RESULTS", tmp_path)  # the default directory, without touching the real one
    argv = ["--only", "relu", "gelu", "--sizes", "1000", "--dtypes", "float32", "--repeats", "1"]
    assert bench.main([*argv, "--label", "tiny", "--notes", "a test run"]) == 0
    printed = capsys.readouterr().out
    directory = tmp_path / f"{hardware.describe().slug}-tiny"
    assert sorted(p.name for p in tmp_path.iterdir()) == [directory.name]
    assert sorted(p.name for p in directory.iterdir()) == [
        "MACHINE.md",
        "bench.csv",
        "bench.md",
        "claims.md",
        "machine.json",
    ]
    info = json.loads((directory / "machine.json").read_text())
    machine = hardware.Machine.from_dict(info["machine"])
    # every library on one thread while it ran (BLAS too, where threadpoolctl can set it)
    assert all(count == 1 for _, count in machine.threads) and {"torch", "tensorflow"} <= dict(machine.threads).keys()
    assert printed.splitlines()[0] == f"measured on: {machine}"
    with open(directory / "bench.csv") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["function"] for row in rows]
    assert names == ["relu", "relu (out=)", "gelu", "gelu (tanh)", "relu'", "gelu'", "gelu (tanh)'"]
    for row in rows:
        for column in ("relu_lib", "numpy", "torch", "relu_lib_memory", "numpy_memory"):
            assert float(row[column]) > 0 or column.endswith("memory"), (row["function"], column)
        assert (row["tensorflow"] != "") == ("out=" not in row["function"])
        assert (row["vectorize"] != "") == (row["function"] in ("relu", "relu'")), row["function"]
    table = (directory / "bench.md").read_text().splitlines()
    assert table[0] == bench.HEADER and len(table) == 2 + len(rows)
    assert all(line in printed for line in table[2:])

    assert info["summary"] == str(machine) and info["slug"] == machine.slug and info["notes"] == "a test run"
    assert info["commit"] and info["date"]
    (result_set,) = measurements.load(tmp_path)
    assert result_set.machine == machine and result_set.name == directory.name
    assert result_set.time("gelu", library="torch", dtype="float32", n=1000) > 0
    claims = (directory / "claims.md").read_text()
    assert claims.startswith(f"## Cost claims on this machine ({machine})") and claims.strip() in printed
    report = (directory / "MACHINE.md").read_text()
    assert report.startswith(f"# {machine}\n") and "a test run" in report and machine.slug in report


def test_default_directory_is_named_by_the_machine() -> None:
    bench = load_bench()
    machine = hardware.describe()
    assert bench.output_directory(machine) == bench.RESULTS / machine.slug
    assert bench.output_directory(machine, "384f9c3") == bench.RESULTS / f"{machine.slug}-384f9c3"
    assert bench.output_directory(machine, "a b/c").name == f"{machine.slug}-a-b-c"


def test_cost_claims_take_their_words_from_the_numbers() -> None:
    bench = load_bench()
    machine = hardware.Machine("Some CPU", "x86_64", 2)

    def row(function: str, relu_lib: float, torch: float) -> dict:
        return {
            "function": function,
            "dtype": "float32",
            "n": 1000,
            "relu_lib": relu_lib,
            "torch": torch,
            "tensorflow": None,
        }

    rows = [row("relu", 1.0, 1.0), row("sigmoid", 3.0, 0.5), row("tanh", 0.4, 30.0), row("gelu", 9.0, 2.0)]
    lines = bench.claims(rows, machine, matmul_over_relu=40.0)
    assert lines[0] == "## Cost claims on this machine (Some CPU, x86_64, 2 cores; numpy SIMD none; threads unknown)"
    (lib,) = [line for line in lines if "relu_lib:" in line]
    (torch,) = [line for line in lines if "PyTorch:" in line]
    assert "sigmoid 3.00x, tanh 0.40x, gelu 9.00x" in lib and "holds; tanh ran faster than ReLU" in lib
    assert "DOES NOT HOLD; tanh ran slower than ReLU" in torch  # sigmoid took half of ReLU's time there
    assert not any("TensorFlow" in line for line in lines)  # no times, no claim
    assert "took 40 times relu_lib.relu" in lines[-1]
