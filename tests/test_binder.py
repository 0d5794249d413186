"""Binder's environment (binder/): the runtime only, cacheable by repo2docker, on the book's versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
# What the chapters import at run time, and the kernel and widget packages that run them.
RUNTIME = {
    "numpy",
    "scipy",
    "torch",
    "tensorflow-cpu",
    "keras",
    "matplotlib",
    "scikit-learn",
    "threadpoolctl",
    "ipywidgets",
    "jupyterlab-widgets",
    "widgetsnbextension",
    "ipykernel",
}
# Tools of the book's build and checks, which a reader never runs.
TOOLS = re.compile(
    r"^(pytest.*|ruff|zizmor|check-jsonschema|playwright|axe-.*|hypothesis|sphinx.*|jupyter-book|myst-.*|"
    r"jupyter-cache|pydata-sphinx-theme|mypy|black|coverage|pre-commit|nbclient|psutil)$"
)


def requirements(path: Path) -> tuple[list[Requirement], list[str]]:
    """The requirements of a pip requirements file, and its option lines."""
    found, options = [], []
    for raw in path.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            options.append(line)
        else:
            found.append(Requirement(line))
    return found, options


def pins(path: Path) -> dict[str, str]:
    """Name -> pinned version, for the requirements that apply on Linux x86-64 (Binder's platform)."""
    linux = {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"}
    result = {}
    for requirement in requirements(path)[0]:
        if requirement.marker is None or requirement.marker.evaluate(linux):
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path.name}: {requirement} is not pinned"
            result[canonicalize_name(requirement.name)] = specifier.version
    return result


def test_binder_installs_the_runtime_and_no_build_test_or_lint_tool() -> None:
    names = set(pins(BINDER / "requirements.txt"))
    assert not {name for name in names if TOOLS.match(name)}, "a build, test or lint tool"
    assert names <= RUNTIME, f"not needed to run the chapters: {sorted(names - RUNTIME)}"
    assert {"numpy", "scipy", "torch", "tensorflow-cpu", "matplotlib", "ipywidgets", "scikit-learn"} <= names


def test_binder_reads_nothing_outside_binder() -> None:
    # repo2docker installs binder/requirements.txt before copying the repository only when the
    # file refers to nothing else: no other requirements file, constraint, path or editable install.
    _, options = requirements(BINDER / "requirements.txt")
    for option in options:
        assert option.startswith("--extra-index-url https://"), f"binder/requirements.txt: {option}"
    text = (BINDER / "requirements.txt").read_text()
    assert ".." not in text and "file:" not in text and "git+" not in text


def test_binder_uses_the_books_versions() -> None:
    book = pins(ROOT / "requirements.txt")
    binder = pins(BINDER / "requirements.txt")
    differing = {name: (version, book.get(name)) for name, version in binder.items() if book.get(name) != version}
    assert not differing, f"binder/requirements.txt against requirements.txt: {differing}"


def test_torch_comes_from_pytorchs_cpu_index() -> None:
    _, options = requirements(BINDER / "requirements.txt")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in options


@pytest.mark.parametrize("line", ["set -euo pipefail", "python -m pip install --no-cache-dir --no-deps ."])
def test_postbuild_installs_relu_lib_alone_from_the_repository(line: str) -> None:
    post_build = BINDER / "postBuild"
    assert line in post_build.read_text().splitlines()
    assert post_build.stat().st_mode & 0o111, "repo2docker runs postBuild only when it is executable"
