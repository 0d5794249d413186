"""relu_lib.measurements: per-machine result sets, their ratios and the tables chapters show.

The fixture writes two small, made-up result sets; only the last test reads
the real ``benchmarks/results``, and it checks their shape, never a time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from relu_lib import measurements
from relu_lib.hardware import Machine

HEADER = "function,dtype,n,relu_lib,numpy,torch,tensorflow,vectorize,relu_lib_memory,numpy_memory"

AVX512 = Machine(
    "AMD EPYC", "x86_64", 2, ("X86_V2",), ("X86_V3", "X86_V4", "AVX512_ICL"), "AVX512", threads=(("torch", 1),)
)
ARM = Machine("Apple M2", "arm64", 8, ("NEON", "ASIMD"), ("ASIMDHP",), "DEFAULT", threads=(("torch", 1),))


def write_set(root: Path, name: str, machine: Machine, rows: list[str], **info: str) -> None:
    directory = root / name
    directory.mkdir()
    (directory / "bench.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    (directory / "machine.json").write_text(json.dumps({"summary": str(machine), **info, "machine": machine.to_dict()}))


@pytest.fixture
def results(tmp_path: Path) -> Path:
    write_set(
        tmp_path,
        "b-arm",
        ARM,
        [
            "relu,float32,100000,2e-05,1e-05,4e-06,8e-06,,1.0,1.0",
            "tanh,float32,100000,4e-05,3e-05,8e-06,1.6e-05,,1.0,1.0",
            "relu (out=),float32,100000,2e-05,1e-05,4e-06,,,0.0,0.0",
        ],
    )
    write_set(
        tmp_path,
        "a-avx512",
        AVX512,
        [
            "relu,float32,100000,4e-05,2e-05,1e-05,1e-05,0.009,1.0,1.0",
            "tanh,float32,100000,2e-05,1e-05,2e-04,3e-05,,1.0,1.0",
            "relu (out=),float32,100000,4e-05,2e-05,5e-06,,,0.0,0.0",
        ],
        date="2026-12-02",
        commit="384f9c3",
        notes="made up",
    )
    (tmp_path / "README.md").write_text("not a result set")
    (tmp_path / "empty").mkdir()  # no bench.csv: not a result set either
    return tmp_path


def test_load_reads_every_set_sorted_with_its_machine(results: Path) -> None:
    sets = measurements.load(results)
    assert [s.name for s in sets] == ["a-avx512", "b-arm"]
    first = sets[0]
    assert first.machine == AVX512 and first.date == "2026-12-02" and first.commit == "384f9c3"
    assert first.notes == "made up" and first.summary == f"{AVX512}; at 384f9c3"
    assert sets[1].commit is None and sets[1].summary == str(ARM)
    assert first.time("relu", library="vectorize", dtype="float32", n=100_000) == pytest.approx(0.009)
    assert first.time("relu (out=)", library="TensorFlow", dtype="float32", n=100_000) is None


def test_ratio_divides_within_one_library_and_machine(results: Path) -> None:
    avx512, arm = measurements.load(results)
    args = {"dtype": "float32", "n": 100_000}
    assert measurements.ratio(avx512, "tanh", "relu", library="numpy", **args) == pytest.approx(0.5)
    assert measurements.ratio(avx512, "tanh", "relu", library="PyTorch", **args) == pytest.approx(20.0)
    assert measurements.ratio(arm, "tanh", "relu", library="torch", **args) == pytest.approx(2.0)
    assert measurements.ratio(arm, "relu (out=)", "relu", library="tf", **args) is None


def test_ratio_table_has_a_row_per_machine_and_a_column_per_pair_and_library(results: Path) -> None:
    sets = measurements.load(results)
    table = measurements.ratio_table(
        sets, [("tanh", "relu")], libraries=("numpy", "torch", "tensorflow"), dtype="float32", n=100_000
    )
    assert table.rows == ("a-avx512", "b-arm")
    assert table.columns == ("tanh / relu in numpy", "tanh / relu in PyTorch", "tanh / relu in TensorFlow")
    assert table.value("b-arm", "tanh / relu in numpy") == pytest.approx(3.0)
    assert table.column("tanh / relu in PyTorch") == (pytest.approx(20.0), pytest.approx(2.0))
    text = str(table)
    assert "float32" in text and "100,000" in text
    assert f"a-avx512: {AVX512}; at 384f9c3" in text and f"b-arm: {ARM}" in text
    html = table._repr_html_()
    assert html.startswith('<table class="ratio-table"><caption>') and html.count("<tr>") == 3
    assert "Apple M2" in html and "AMD EPYC" in html and "20" in html


def test_ratio_table_shows_a_dash_where_a_library_lacks_a_row(results: Path) -> None:
    table = measurements.ratio_table(
        measurements.load(results), [("relu (out=)", "relu")], libraries="tensorflow", n=100_000
    )
    assert table.column("relu (out=) / relu in TensorFlow") == (None, None)
    assert "–" in str(table) and "<td>–</td>" in table._repr_html_()


def test_spread_is_the_range_across_machines(results: Path) -> None:
    sets = measurements.load(results)
    assert measurements.spread(sets, "tanh", "relu", library="torch", n=100_000) == (
        pytest.approx(2.0),
        pytest.approx(20.0),
    )
    with pytest.raises(ValueError, match="no result set"):
        measurements.spread(sets, "relu (out=)", "relu", library="tensorflow", n=100_000)


def test_errors_name_what_is_missing(results: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    sets = measurements.load(results)
    with pytest.raises(KeyError, match="no row for 'gelu'"):
        sets[0].time("gelu", library="numpy", dtype="float32", n=100_000)
    with pytest.raises(ValueError, match="unknown library 'jax'"):
        measurements.ratio(sets[0], "tanh", "relu", library="jax", dtype="float32", n=100_000)
    (results / "a-avx512" / "machine.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"machine\.json"):
        measurements.load(results)
    with pytest.raises(FileNotFoundError, match="no results directory"):
        measurements.load(tmp_path_factory.mktemp("none") / "absent")


def test_the_books_result_sets_name_their_machines_and_have_what_chapters_read() -> None:
    sets = measurements.load(ROOT + "/benchmarks/results")
    assert sets, "benchmarks/results holds no result set"
    for result_set in sets:
        machine = result_set.machine
        assert machine.cpu and machine.architecture and machine.cores >= 1, result_set.name
        assert machine.numpy_simd_found or machine.numpy_simd_baseline, result_set.name
        assert machine.version("numpy"), result_set.name
        assert result_set.name.startswith(machine.slug), (result_set.name, machine.slug)
        for n in (10**5, 10**7):
            for function in ("relu", "sigmoid", "tanh", "gelu"):
                for library in ("relu_lib", "numpy", "torch", "tensorflow"):
                    seconds = result_set.time(function, library=library, dtype="float32", n=n)
                    assert seconds is not None and seconds > 0, (result_set.name, function, library, n)


def test_the_sets_ship_with_the_package_as_the_repository_keeps_them() -> None:
    """relu_lib/results is the repository's benchmarks/results, so a chapter run anywhere finds them."""
    assert measurements.SHIPPED.resolve() == (Path(ROOT) / "benchmarks" / "results").resolve()
    assert [s.name for s in measurements.load()] == [s.name for s in measurements.load(ROOT + "/benchmarks/results")]


def test_library_table_divides_each_librarys_time_by_the_references(results: Path) -> None:
    table = measurements.library_table(
        measurements.load(results), "tanh", libraries=["numpy", "torch"], reference="numpy", n=100_000
    )
    assert table.columns == ("numpy / numpy", "PyTorch / numpy")
    assert table.column("numpy / numpy") == (1.0, 1.0)
    assert "Time of tanh in each library divided by its time in numpy" in str(table)
    with pytest.raises(ValueError, match="unknown library"):
        measurements.library_table([], "tanh", libraries=["jax"], reference="numpy", n=1)
