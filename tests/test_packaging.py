"""relu-lib as PyPI will have it: the sdist and wheel, their metadata, a clean install, the citation.

The release workflow (.github/workflows/release.yml) publishes exactly what ``python -m build``
makes, so these tests build both from a copy of the sources in a temporary folder (building in the
checkout would write ``build/`` and ``*.egg-info`` beside other tests that read it), check them
with ``twine check --strict`` as PyPI would, and install the wheel into a new venv that has nothing
else: it must pull numpy and scipy and nothing more, import, and report the version its metadata
has. numpy's and scipy's wheels come from PyPI at the versions, and with the hashes, of the locked
runtime set (requirements/runtime.txt): pip's cache keeps them after the first run.
"""

from __future__ import annotations

import email.parser
import importlib.util
import json
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import notebooks  # noqa: E402  (tools/notebooks.py: the one reader of the version source)

VERSION = notebooks.relu_lib_version()
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
# The sources a build of relu-lib may read, and two folders it must leave out (tests/ and
# chapters/ are copied so that leaving them out is tested, not assumed).
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "CHANGELOG.md", "CITATION.cff"]
BOOK_ONLY = ["tests", "chapters"]


def require_module(name: str, package: str) -> None:
    if importlib.util.find_spec(name) is None:
        pytest.fail(
            f"tests/test_packaging.py needs {package} ({name} cannot be imported): "
            "`make test` installs it with the locked test set (requirements/test.txt)",
            pytrace=False,
        )


def run(*command: str | Path, cwd: Path, timeout: int = 600) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    shown = " ".join(map(str, command))
    assert done.returncode == 0, f"{shown} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel, as the release workflow builds them (the wheel from the sdist)."""
    require_module("build", "build")
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, source / name)
    # relu_lib/results links to benchmarks/results: copy the files it points at, as a checkout has.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "relu_lib", source / "relu_lib", symlinks=False, ignore=ignore)
    for name in BOOK_ONLY:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = work / "dist"
    # --no-isolation: the build backend is the locked setuptools of this venv, so the test needs
    # no index and builds with the version CI pins.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source, cwd=work)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "work": work}


def test_the_files_are_named_for_relu_lib_and_its_one_version(dist: dict[str, Path]) -> None:
    assert dist["sdist"].name == f"relu_lib-{VERSION}.tar.gz"
    assert dist["wheel"].name == f"relu_lib-{VERSION}-py3-none-any.whl"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"], "the version is written once"


def test_the_sdist_holds_what_a_build_needs_and_nothing_of_the_book(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in [*SOURCES, "relu_lib/__init__.py", "relu_lib/activations.py", "relu_lib/py.typed"]:
        assert name in names, f"the sdist lacks {name}"
    assert any(name.startswith("relu_lib/results/") and name.endswith("bench.csv") for name in names)
    book = sorted(name for name in names if name.split("/")[0] in BOOK_ONLY)
    assert not book, f"the sdist ships the book's files: {book[:5]}"


def test_the_wheel_ships_py_typed_the_licence_and_spdx_metadata(dist: dict[str, Path]) -> None:
    with zipfile.ZipFile(dist["wheel"]) as archive:
        names = set(archive.namelist())
        metadata = email.parser.Parser().parsestr(archive.read(f"relu_lib-{VERSION}.dist-info/METADATA").decode())
    assert "relu_lib/py.typed" in names
    assert f"relu_lib-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not [name for name in names if name.split("/")[0] in BOOK_ONLY]
    assert metadata["Name"] == "relu-lib" and metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT" and metadata.get_all("License-File") == ["LICENSE"]
    # PEP 639: a licence expression replaces the licence classifiers, which must then be absent.
    classifiers = metadata.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and not [c for c in classifiers if c.startswith("License ::")]
    assert metadata["Author"] == "The ReLU book authors"
    urls = dict(line.split(", ", 1) for line in metadata.get_all("Project-URL"))
    assert urls["Source"] == REPOSITORY and urls["Issues"] == f"{REPOSITORY}/issues"
    assert metadata["Description-Content-Type"] == "text/markdown"
    required = [Requirement(line) for line in metadata.get_all("Requires-Dist")]
    assert sorted(r.name for r in required if r.marker is None) == ["numpy", "scipy"]


def test_twine_check_strict_passes_the_sdist_and_the_wheel(dist: dict[str, Path]) -> None:
    require_module("twine", "twine")
    out = run(sys.executable, "-m", "twine", "check", "--strict", dist["sdist"], dist["wheel"], cwd=dist["work"])
    assert out.count("PASSED") == 2, out


def test_the_wheel_installs_numpy_and_scipy_only_into_a_clean_venv_and_imports(dist: dict[str, Path]) -> None:
    work = dist["work"]
    wheelhouse = work / "wheelhouse"
    # numpy and scipy, pinned and hash-checked, as wheels for this interpreter and platform.
    run(sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--no-deps", "--require-hashes",
        "--dest", wheelhouse, "-r", ROOT / "requirements" / "runtime.txt", cwd=work)  # fmt: skip
    clean = work / "clean-venv"
    venv.create(clean, with_pip=True, clear=True)
    python = clean / "bin" / "python"
    listing = [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"]

    def installed() -> set[str]:
        return {canonicalize_name(item["name"]) for item in json.loads(run(*listing, cwd=work))}

    before = installed()
    # --no-index, and --isolated from any configured find-links: the wheel's dependencies can come
    # from the wheelhouse alone, so anything beyond numpy and scipy fails the install, and the set
    # difference below names what came in.
    install = [python, "-m", "pip", "install", "--isolated", "--quiet", "--no-index", "--find-links", wheelhouse]
    run(*install, dist["wheel"], cwd=work)
    assert installed() - before == {"relu-lib", "numpy", "scipy"}
    probe = (
        "import importlib.metadata, json, relu_lib; "
        "print(json.dumps([relu_lib.__version__, importlib.metadata.version('relu-lib'), relu_lib.__file__, "
        "float(relu_lib.relu(-2.5)), float(relu_lib.gelu(0.0)), float(relu_lib.derivative('relu')(3.0))]))"
    )
    # cwd is the temporary folder, so relu_lib can only come from the venv.
    version, metadata_version, location, relu, gelu, slope = json.loads(run(python, "-c", probe, cwd=work))
    assert version == metadata_version == VERSION
    assert Path(location).is_relative_to(clean)
    assert (relu, gelu, slope) == (0.0, 0.0, 1.0)


def test_citation_cff_is_valid_cff_1_2_0_and_names_this_release() -> None:
    # The Citation File Format 1.2.0 schema ships with check-jsonschema (vendor.citation-file-format):
    # nothing is downloaded.
    citation = ROOT / "CITATION.cff"
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.citation-file-format", citation],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    cff = yaml.safe_load(citation.read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == VERSION and cff["license"] == "MIT"
    assert cff["repository-code"] == REPOSITORY


def test_the_changelog_keeps_a_changelog_and_its_latest_release_is_this_version() -> None:
    lines = (ROOT / "CHANGELOG.md").read_text().splitlines()
    releases = [line for line in lines if line.startswith("## [")]
    assert releases[0] == "## [Unreleased]"
    assert releases[1].startswith(f"## [{VERSION}] - "), releases[1]
    assert f"[{VERSION}]: {REPOSITORY}/releases/tag/v{VERSION}" in lines


def test_the_code_is_mit_and_the_prose_and_figures_cc_by_4_0() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    text = (ROOT / "LICENSE-CC-BY-4.0.txt").read_text()
    assert "Creative Commons Attribution 4.0 International Public License" in text
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE-CC-BY-4.0.txt" in readme and "CC BY 4.0" in readme
