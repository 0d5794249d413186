"""Binder's environment (binder/): the chapters' locked set, cacheable by repo2docker, on the book's versions.

binder/requirements.txt is `make lock`'s output for Binder's platform (Linux x86-64, CPython
3.11): relu_lib's dependencies and what the chapters need to run (requirements/chapters.in), every
package pinned with its hashes. binder/postBuild adds PyTorch's CPU build and relu_lib's release.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from requirements_kit import entries, pins

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
LOCK = BINDER / "requirements.txt"
POST_BUILD = BINDER / "postBuild"
# Binder's platform, for the universal locks' markers.
LINUX = {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"}
LINUX["python_full_version"] = "3.11.0"
# What the chapters import at run time, and the kernel and widget packages that run them.
CHAPTERS = {"numpy", "scipy", "tensorflow-cpu", "keras", "matplotlib", "scikit-learn", "threadpoolctl"}
CHAPTERS |= {"ipywidgets", "jupyterlab-widgets", "widgetsnbextension", "ipykernel"}
# Tools of the book's build and checks, which a reader never runs.
TOOLS = re.compile(
    r"^(pytest.*|ruff|zizmor|check-jsonschema|playwright|axe-.*|hypothesis|sphinx.*|jupyter-book|myst-.*|"
    r"jupyter-cache|pydata-sphinx-theme|mypy|black|coverage|pre-commit|nbclient|mutmut|build|twine)$"
)


def test_binder_installs_the_chapters_set_and_no_build_test_or_lint_tool() -> None:
    names = set(pins(LOCK, LINUX))
    assert not {name for name in names if TOOLS.match(name)}, "a build, test or lint tool"
    assert CHAPTERS <= names, f"the chapters need {sorted(CHAPTERS - names)}"
    # Every direct requirement of the input is in the lock: the lock is of requirements/chapters.in.
    wanted = {
        canonicalize_name(Requirement(line).name)
        for line, _ in entries(ROOT / "requirements" / "chapters.in")
        if Requirement(line).marker is None or Requirement(line).marker.evaluate(LINUX)
    }
    assert wanted <= names, f"requirements/chapters.in names {sorted(wanted - names)}, which the lock lacks"
    assert "torch" not in names, "torch comes from postBuild"
    assert "tensorflow" not in names, "TensorFlow as tensorflow-cpu, its CPU build for Linux x86-64"


def test_every_package_is_pinned_with_its_hashes() -> None:
    found = entries(LOCK)
    unhashed = [line for line, hashes in found if not line.startswith("-") and not hashes]
    assert found and not unhashed, f"binder/requirements.txt without hashes: {unhashed}"


def test_binder_reads_nothing_outside_binder() -> None:
    # repo2docker installs binder/requirements.txt before copying the repository only when the
    # file refers to nothing else: no other requirements file, constraint, path or editable install.
    options = [line for line, _ in entries(LOCK) if line.startswith("-")]
    assert not options, f"binder/requirements.txt: {options}"
    requirements = "\n".join(line for line, _ in entries(LOCK))
    assert ".." not in requirements and "file:" not in requirements and "git+" not in requirements


@pytest.mark.parametrize("lock", ["book.txt", "test.txt"])
def test_binder_uses_the_books_versions(lock: str) -> None:
    book = pins(ROOT / "requirements" / lock, LINUX)
    binder = pins(LOCK, LINUX)
    differing = {name: (version, book.get(name)) for name, version in binder.items() if book.get(name) != version}
    assert not differing, f"binder/requirements.txt against requirements/{lock}: {differing}"


def test_post_build_installs_cpu_torch_and_the_relu_lib_release() -> None:
    lines = POST_BUILD.read_text().splitlines()
    assert POST_BUILD.stat().st_mode & 0o111, "repo2docker runs postBuild only when it is executable"
    assert "set -euo pipefail" in lines
    cpu = "--index-url https://download.pytorch.org/whl/cpu"
    assert f"python -m pip install --no-cache-dir {cpu} -r requirements/torch.txt" in lines
    assert 'python -m pip install --no-cache-dir --no-deps "relu-lib==${version}"' in lines
    assert not [line for line in lines if re.search(r"pip install .*(\s\.$|-e )", line)], "relu_lib from PyPI only"


def test_post_build_reads_the_version_from_its_one_source() -> None:
    lines = POST_BUILD.read_text().splitlines()
    (command,) = [line.removeprefix("version=$(")[:-1] for line in lines if line.startswith("version=$(")]
    # postBuild's `python` is Binder's; here it is this venv's (which has the locked setuptools).
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=environment)
    assert done.returncode == 0, done.stderr
    init = (ROOT / "relu_lib" / "__init__.py").read_text()
    (version,) = re.findall(r'^__version__ = "([^"]+)"$', init, re.MULTILINE)
    assert done.stdout.strip() == version


def test_torch_is_pinned_apart_and_exactly() -> None:
    (line,) = [line for line, _ in entries(ROOT / "requirements" / "torch.txt")]
    assert line == "torch==2.13.0"
