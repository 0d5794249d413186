"""The project's packaging and configuration: what `pip install`, Binder and the book rely on."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
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


def locked(name: str) -> list[tuple[Requirement, list[str]]]:
    """The requirements of requirements/<name>, each with its --hash options (continuation lines joined)."""
    text = re.sub(r"\\\n", " ", (ROOT / "requirements" / name).read_text())
    found = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        hashes = [part for part in parts if part.startswith("--hash=")]
        if parts:
            found.append((Requirement(" ".join(part for part in parts if part not in hashes)), hashes))
    return found


@pytest.mark.parametrize("name", ["runtime.txt", "book.txt", "test.txt"])
def test_every_lock_pins_every_package_with_hashes(name: str) -> None:
    requirements = locked(name)
    unpinned = [str(r) for r, _ in requirements if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert requirements and not unpinned, f"unpinned requirements: {unpinned}"
    unhashed = [str(r) for r, hashes in requirements if not hashes]
    assert not unhashed, f"requirements/{name}: no hashes for {unhashed}"
    assert "torch" not in {r.name for r, _ in requirements}, "torch is pinned apart (requirements/torch.txt)"


def test_the_runtime_lock_is_relu_libs_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(line).name for line in project["dependencies"]}
    assert {r.name for r, _ in locked("runtime.txt")} == wanted == {"numpy", "scipy"}


def test_the_test_lock_holds_the_book_lock_and_jupyter_book_1() -> None:
    def versions(name: str) -> dict[str, set[str]]:
        # By name: a package's markers may differ between the sets (needed on more platforms in one).
        found: dict[str, set[str]] = {}
        for requirement, _ in locked(name):
            found.setdefault(requirement.name.lower(), set()).add(next(iter(requirement.specifier)).version)
        return found

    book, test = versions("book.txt"), versions("test.txt")
    assert not {name for name in book if book[name] != test.get(name)}, "the test set installs the book set's versions"
    names = {name: min(versions) for name, versions in test.items()}
    assert names["jupyter-book"].startswith("1."), "the book is Jupyter Book 1 (>=1.0.4,<2)"
    # A package may be pinned per platform (tensorflow-cpu on Linux x86-64, tensorflow elsewhere).
    for name in ("tensorflow-cpu", "tensorflow", "keras", "numpy", "scipy", "ipywidgets", "matplotlib", "hypothesis"):
        assert name in names, f"{name} is not locked"
    for name in ("ruff", "zizmor", "build", "twine", "pytest", "playwright"):
        assert name in names and name not in book, f"{name} is a test tool, locked in test.txt only"


def test_torch_is_pinned_exactly_for_pytorchs_cpu_index() -> None:
    lines = [line for line in (ROOT / "requirements" / "torch.txt").read_text().splitlines() if line and line[0] != "#"]
    assert lines == ["torch==2.13.0"], "torch==2.13.0 exactly: the CPU index serves it as 2.13.0+cpu"


def test_binder_installs_the_locked_chapters_set_cpu_pytorch_and_relu_lib() -> None:
    binder = ROOT / "binder"
    requirements = (binder / "requirements.txt").read_text()
    # The chapters' set alone, locked in binder/ itself (tests/test_binder.py); torch in postBuild.
    assert "\n-r " not in requirements and "--hash=sha256:" in requirements
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "https://download.pytorch.org/whl/cpu -r requirements/torch.txt" in post_build.read_text()


def test_ci_runs_make_test() -> None:
    run = ROOT / ".ci" / "run"
    assert run.stat().st_mode & 0o111 and "make test" in run.read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme


# The workflows (.github/workflows/): what they publish and how. `make lint` validates them against
# GitHub's schema and audits them with zizmor; these check the book's own rules.
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps_running(job: dict, text: str) -> list[dict]:
    return [step for step in job["steps"] if text in step.get("run", "")]


def test_the_deployed_site_is_the_artifact_of_the_job_that_ran_make_test() -> None:
    jobs = workflow("book.yml")["jobs"]
    (tested,) = [name for name, job in jobs.items() if steps_running(job, "make test")]
    assert not [name for name, job in jobs.items() if steps_running(job, "make book")], "a second, unchecked build"
    (upload,) = [
        step for step in jobs[tested]["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    assert upload["with"]["path"] == "_build/html"
    uploads = [i for i, step in enumerate(jobs[tested]["steps"]) if "uses" in step and "upload" in step["uses"]]
    assert min(uploads) > jobs[tested]["steps"].index(steps_running(jobs[tested], "make test")[0])
    (deploy,) = [job for job in jobs.values() if any("deploy-pages@" in step.get("uses", "") for step in job["steps"])]
    assert deploy["needs"] == [tested]


def test_pages_deploys_are_never_cancelled_half_way() -> None:
    book = workflow("book.yml")
    (deploy,) = [
        job for job in book["jobs"].values() if any("deploy-pages@" in s.get("uses", "") for s in job["steps"])
    ]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    # The run-wide group cancels superseded pull-request runs only, never a run on main.
    assert book["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_no_cache_falls_back_to_another_key_and_no_execution_cache_reaches_the_site() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in job["steps"]:
                options = step.get("with", {})
                assert "restore-keys" not in options, f"{path.name}: a cache restored from a key prefix"
                assert "jupyter_cache" not in str(options.get("path")), f"{path.name}: outputs of an earlier run"
    caches = [
        step for job in workflow("book.yml")["jobs"].values() for step in job["steps"]
        if step.get("uses", "").startswith("actions/cache@")
    ]  # fmt: skip
    assert {step["with"]["path"] for step in caches} == {".venv", ".venv-colab"}
    venv = next(step for step in caches if step["with"]["path"] == ".venv")
    assert "hashFiles('requirements/test.txt', 'requirements/torch.txt')" in venv["with"]["key"]
    assert not [
        job for job in workflow("release.yml")["jobs"].values() for s in job["steps"] if "cache" in s.get("with", {})
    ]


def test_every_job_has_a_timeout_and_every_action_a_commit_and_its_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 90, f"{path.name}: {name}"
        for line in path.read_text().splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{path.name}: {line}"


def test_a_version_tag_tests_then_publishes_to_pypi_and_makes_the_github_release() -> None:
    release = workflow("release.yml")
    assert release[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    jobs = release["jobs"]
    build = jobs["build"]
    for command in ("make test", "make pdf", "python -m build", "twine check --strict", "_build/pdf/relu-book.pdf"):
        assert steps_running(build, command), f"the build job does not run {command}"
    assert steps_running(build, "_build/html/_reader/chapters/*.ipynb")
    pypi = jobs["pypi"]
    assert pypi["needs"] == ["build"] and pypi["environment"]["name"] == "pypi"
    assert pypi["permissions"] == {"id-token": "write"}, "trusted publishing, and nothing else"
    assert pypi["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in pypi["steps"][-1], "no password or token: PyPI trusts the workflow"
    github = jobs["github-release"]
    assert set(github["needs"]) == {"build", "pypi"}
    assert steps_running(github, "gh release create")
