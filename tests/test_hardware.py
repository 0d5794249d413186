"""relu_lib.hardware: a description of the machine that agrees with numpy's and PyTorch's own reports.

Nothing here names a CPU: every expectation is derived from what numpy (and
PyTorch) report on the machine that runs the tests, so the suite passes on
AVX-512, AVX2-only and arm64 machines alike.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, require

from relu_lib.hardware import Machine, describe, vector_path

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def numpy_simd() -> dict[str, list[str]]:
    return np.show_config(mode="dicts")["SIMD Extensions"]


def describe_in_subprocess(environment: dict[str, str], *, with_torch: bool) -> dict:
    """``describe().to_dict()`` in a fresh interpreter with extra environment variables."""
    code = (
        f"import sys, json\nsys.path.insert(0, {ROOT!r})\n"
        + ("import torch\n" if with_torch else "")
        + "from relu_lib import hardware\nprint(json.dumps(hardware.describe().to_dict()))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, **environment},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_description_agrees_with_numpy_and_the_operating_system() -> None:
    machine = describe(frameworks=False)
    simd = numpy_simd()
    assert machine.cpu.strip() and machine.architecture.strip()
    assert machine.cores == os.cpu_count()
    assert list(machine.numpy_simd_baseline) == list(simd["baseline"])
    assert list(machine.numpy_simd_found) == list(simd["found"])
    assert machine.version("numpy") == np.__version__
    assert machine.version("python") == ".".join(map(str, sys.version_info[:3]))
    assert machine.torch_capability is None and machine.version("torch") is None


def test_frameworks_already_imported_are_described_as_they_report_themselves() -> None:
    torch = require("torch")
    tf = require("tensorflow")
    machine = describe()
    assert machine.torch_capability == torch.backends.cpu.get_cpu_capability()
    threads = dict(machine.threads)
    assert threads["torch"] == torch.get_num_threads()
    assert threads["tensorflow"] == tf.config.threading.get_intra_op_parallelism_threads()
    assert machine.version("torch") == torch.__version__ and machine.version("tensorflow") == tf.__version__
    assert f"PyTorch {machine.torch_capability}" in str(machine)


def test_describe_imports_no_framework_and_no_scipy() -> None:
    code = (
        f"import sys\nsys.path.insert(0, {ROOT!r})\n"
        "from relu_lib import hardware\nhardware.describe()\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'scipy') if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


def test_slug_is_filesystem_safe_and_names_the_vector_path_and_cores() -> None:
    machine = describe()
    assert SLUG.match(machine.slug), machine.slug
    assert len(machine.slug) <= 80
    assert f"-{machine.vector_path}-" in f"-{machine.slug}-"
    assert machine.slug.endswith(f"-{machine.cores}core")
    assert machine.vector_path == vector_path(numpy_simd()["baseline"] + numpy_simd()["found"])


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [
        ("AMD EPYC", "amd-epyc"),
        ("AMD EPYC 7763 64-Core Processor", "amd-epyc-7763"),
        ("Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "intel-xeon-platinum-8370c"),
        ("Apple M2 Pro", "apple-m2-pro"),
        ("", "x86-64"),  # no model name: the architecture stands in
    ],
)
def test_slug_shortens_marketing_names(cpu: str, expected: str) -> None:
    assert Machine(cpu, "x86_64", 4, ("X86_V2",), ("X86_V3",)).slug == f"{expected}-avx2-4core"


def test_slug_adds_pytorch_path_only_where_it_differs_from_numpy() -> None:
    avx512 = ("X86_V2",), ("X86_V3", "X86_V4", "AVX512_ICL")
    assert Machine("AMD EPYC", "x86_64", 2, *avx512, torch_capability="AVX512").slug == "amd-epyc-avx512-2core"
    lowered = Machine("AMD EPYC", "x86_64", 2, *avx512, torch_capability="AVX2")
    assert lowered.slug == "amd-epyc-avx512-torch-avx2-2core"


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        (["X86_V2", "X86_V3", "X86_V4", "AVX512_ICL"], "avx512"),
        (["SSE", "SSE2", "SSE3", "SSE41", "AVX", "F16C", "FMA3", "AVX2"], "avx2"),
        (["X86_V2"], "sse"),
        (["NEON", "NEON_FP16", "NEON_VFPV4", "ASIMD", "ASIMDHP", "ASIMDDP"], "neon"),
        (["NEON", "ASIMD", "SVE"], "sve"),
        (["VSX", "VSX2"], "vsx"),
        ([], "scalar"),
    ],
)
def test_vector_path_picks_the_widest_family(features: list[str], expected: str) -> None:
    assert vector_path(features) == expected


def test_summary_is_one_line_naming_cpu_simd_threads_and_versions() -> None:
    machine = describe()
    text = str(machine)
    assert "\n" not in text
    assert machine.cpu in text and f"{machine.cores} core" in text
    assert f"numpy SIMD {machine.numpy_simd}" in text and f"numpy {np.__version__}" in text
    assert machine.numpy_simd in (*machine.numpy_simd_baseline, *machine.numpy_simd_found, "none")


def test_thread_summary() -> None:
    one = Machine("CPU", "x86_64", 2, threads=(("BLAS", 1), ("torch", 1), ("tensorflow", 1)))
    assert one.thread_summary() == "1 thread" and str(one).endswith("; 1 thread")
    mixed = Machine("CPU", "x86_64", 2, threads=(("BLAS", 2), ("torch", 1), ("tensorflow", 0)))
    assert mixed.thread_summary() == "threads BLAS 2, torch 1, TF default"


def test_kernel_environment_variables_are_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    machine = describe(frameworks=False)
    environment = dict(machine.environment)
    assert environment["OPENBLAS_CORETYPE"] == "Haswell" and environment["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert "OPENBLAS_CORETYPE=Haswell" in str(machine)
    assert "TF_ENABLE_ONEDNN_OPTS" not in str(machine)  # every chapter sets it; the HTML shows it
    assert "TF_ENABLE_ONEDNN_OPTS=0" in machine._repr_html_()


def test_html_is_a_captioned_escaped_table() -> None:
    machine = Machine("<Odd & CPU>", "x86_64", 2, ("X86_V2",), ("X86_V3",), versions=(("numpy", "2.0"),))
    html = machine._repr_html_()
    assert html.startswith('<table class="machine"><caption>') and "</caption>" in html
    assert "&lt;Odd &amp; CPU&gt;" in html and "<Odd" not in html
    assert "X86_V3" in html and "numpy 2.0" in html


def test_dict_round_trip_through_json() -> None:
    machine = describe()
    assert Machine.from_dict(json.loads(json.dumps(machine.to_dict()))) == machine


def test_disabling_numpys_widest_features_changes_the_slug_as_numpy_reports() -> None:
    simd = numpy_simd()
    widest = vector_path(simd["baseline"] + simd["found"])
    # Empty where the widest path is numpy's compiled baseline (it cannot be disabled): then the
    # run below must keep the slug.
    disabled = [f for f in simd["found"] if vector_path([f]) == widest]
    remaining = [f for f in simd["found"] if f not in disabled]
    expected = vector_path(simd["baseline"] + remaining)
    # Keep what this run already disables (the suite may itself run under an emulation).
    variable = " ".join([*os.environ.get("NPY_DISABLE_CPU_FEATURES", "").split(), *disabled])
    emulated = Machine.from_dict(describe_in_subprocess({"NPY_DISABLE_CPU_FEATURES": variable}, with_torch=False))
    assert not set(disabled) & set(emulated.numpy_simd_found)
    assert emulated.vector_path == expected
    assert ("NPY_DISABLE_CPU_FEATURES", variable) in emulated.environment
    native = describe(frameworks=False)
    assert (emulated.slug == native.slug) == (expected == widest)


def test_lowering_pytorchs_kernels_gets_its_own_slug_where_it_changes_the_path() -> None:
    """ATEN_CPU_CAPABILITY=default works on every platform; on x86-64 it names a slower path."""
    require("torch")
    native = Machine.from_dict(describe_in_subprocess({}, with_torch=True))
    emulated = Machine.from_dict(describe_in_subprocess({"ATEN_CPU_CAPABILITY": "default"}, with_torch=True))
    assert emulated.torch_capability == "DEFAULT" and "ATEN_CPU_CAPABILITY=default" in str(emulated)
    x86 = native.architecture.lower().startswith(("x86", "amd64", "i686"))
    assert (emulated.slug != native.slug) == (x86 and native.torch_capability != "DEFAULT")
