"""The project's packaging and configuration: what `pip install`, Binder and the book rely on."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_package_builds_a_wheel_with_numpy_and_scipy_as_its_only_dependencies(tmp_path: Path) -> None:
    done = pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path), ".")
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("relu_lib-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(archive.read(n).decode() for n in names if n.endswith("METADATA"))
    for module in ("activations", "derivatives", "registry", "initialisers", "plotting", "piecewise", "widgets"):
        assert f"relu_lib/{module}.py" in names
    required = [line for line in metadata.splitlines() if line.startswith("Requires-Dist") and "extra ==" not in line]
    assert sorted(line.split()[1].split(">")[0] for line in required) == ["numpy", "scipy"]


def test_the_package_installs_from_a_git_url(tmp_path: Path) -> None:
    target = tmp_path / "site"
    url = f"git+{ROOT.as_uri()}"
    done = pip("install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), url)
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [sys.executable, "-c", "import relu_lib; print(relu_lib.__file__, relu_lib.relu(-5.5), relu_lib.relu(7.2))"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": ""},
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    location, negative, positive = check.stdout.split()
    assert location.startswith(str(target)) and float(negative) == 0.0 and float(positive) == 7.2


def test_book_configuration() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["stderr_output"] == "error"
    assert config["repository"]["branch"] == "main"
    assert config["repository"]["url"].startswith("https://github.com/")
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert "sphinx_design" in config["sphinx"]["extra_extensions"]
    assert (ROOT / config["bibtex_bibfiles"][0]).is_file()
    assert config["sphinx"]["config"]["nb_execution_raise_on_error"] is True


def test_requirements_pin_every_package_and_jupyter_book_1() -> None:
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and line[0] != "#"]
    requirements = [Requirement(line) for line in lines]
    unpinned = [str(r) for r in requirements if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert not unpinned, f"unpinned requirements: {unpinned}"
    # A package may be pinned per platform (tensorflow-cpu on Linux x86-64, tensorflow elsewhere).
    pins = {r.name.lower().replace("_", "-"): next(iter(r.specifier)).version for r in requirements}
    assert pins["jupyter-book"].startswith("1."), "the book is Jupyter Book 1 (>=1.0.4,<2)"
    assert pins["torch"] == "2.13.0", "torch==2.13.0 exactly: the CPU index serves it as 2.13.0+cpu"
    for name in ("tensorflow-cpu", "keras", "numpy", "scipy", "ipywidgets", "matplotlib", "hypothesis", "ruff"):
        assert name in pins, f"{name} is not pinned"


def test_binder_installs_cpu_pytorch_the_pinned_runtime_and_relu_lib() -> None:
    binder = ROOT / "binder"
    requirements = (binder / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    # The runtime alone, pinned in binder/ itself: tests/test_binder.py.
    assert "-r " not in requirements and "torch==2.13.0" in requirements
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install" in post_build.read_text() and " ." in post_build.read_text()


def test_ci_runs_make_test() -> None:
    run = ROOT / ".ci" / "run"
    assert run.stat().st_mode & 0o111 and "make test" in run.read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
