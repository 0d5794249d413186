"""The locked test set, torch's pin, and relu_lib's optional extras resolve on every supported platform.

For Linux x86-64, Linux arm64 and macOS arm64 (Apple silicon), pip resolves the locks from PyPI as
binary wheels for that platform and CPython 3.11 without installing anything:
``pip install --dry-run --ignore-installed --only-binary=:all: --platform ... --python-version ...
--implementation cp --target TMP -r requirements/test.txt --report REPORT``. The lock has hashes,
so pip runs in hash-checking mode: every package the platform needs must be in the lock, pinned
and hashed, or the resolution fails. (requirements/test.txt holds the book and runtime sets.)
torch, pinned apart without hashes (requirements/torch.txt), is resolved on its own.

Two things make that dry run mean what it says:

* It depends on nothing but PyPI. ``--isolated`` makes pip ignore ``PIP_*`` variables and the user's
  configuration, and ``PIP_CONFIG_FILE=os.devnull`` makes it skip every configuration file, the
  global ones included (a machine may add find-links, extra indexes or a constraint file there:
  this one does). Only ``PIP_CERT``, which says how to trust the network, is passed on.
* ``--platform`` chooses wheels but does not change the environment markers pip evaluates: on its
  own, pip reads ``sys_platform == "darwin"`` (in the locks, and in every dependency's
  metadata, such as torch's CUDA packages) for the machine it runs on. The resolution therefore runs
  in a pip whose marker environment is the target platform's (``TARGET_PIP`` below).

They read package metadata from PyPI (about a minute per platform here, no wheel downloaded: see
``TARGET_PIP``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from requirements_kit import pins

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements" / "test.txt"
TORCH = ROOT / "requirements" / "torch.txt"

# The oldest CPython the README promises (3.11.0): every pin must install there.
PYTHON = "3.11"


def manylinux(arch: str, glibc_minor: int) -> list[str]:
    """The wheel platform tags a Linux with glibc 2.<glibc_minor> accepts (pip does not expand these itself)."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc_minor, 16, -1)]
    tags.append(f"manylinux2014_{arch}")
    if arch == "x86_64":
        tags += [f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    return tags


# name: (wheel platform tags, the environment markers that differ from this machine's, TensorFlow's distribution)
PLATFORMS = {
    "linux-x86_64": (
        manylinux("x86_64", 28),
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
        "tensorflow-cpu",
    ),
    "linux-aarch64": (
        manylinux("aarch64", 28),
        {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"},
        "tensorflow",
    ),
    # pip expands macosx_14_0_arm64 to every macOS from 11.0 to 14 (and universal2).
    # torch 2.13.0's only Apple-silicon wheel is macosx_14_0_arm64: macOS 14 or newer.
    "macos-arm64": (
        ["macosx_11_0_arm64", "macosx_14_0_arm64"],
        {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"},
        "tensorflow",
    ),
}

# pip, with the marker environment of the platform named by its first argument (JSON).
#
# And, for speed only (the resolution is the same without it): a dry run needs the wheels' metadata,
# not the wheels. pip reads it from PyPI's metadata files (PEP 658) where the index advertises them
# and, with --use-feature=fast-deps, from the wheel's own METADATA through HTTP range requests where
# it does not (this machine's PyPI mirror does not); but after resolving, pip 23 downloads every wheel
# of the resolution even in a dry run: about 3 GB per Linux platform (torch's CUDA packages), which
# the mirror does not let pip cache. Where this pip has the functions below, it downloads no wheel.
TARGET_PIP = """
import json, sys
from pip._vendor.packaging import markers

environment = markers.default_environment()
environment.update(json.loads(sys.argv[1]))
markers.default_environment = lambda: dict(environment)

try:
    from pip._internal.operations.prepare import RequirementPreparer
    from pip._internal.req.req_install import InstallRequirement
    from pip._internal.utils.direct_url_helpers import direct_url_from_link

    fetch_metadata_only = RequirementPreparer._fetch_metadata_only
    get_dist = InstallRequirement.get_dist
    RequirementPreparer.prepare_linked_requirements_more
except (ImportError, AttributeError):
    pass
else:

    def keep_metadata(self, req):
        req.metadata_only_dist = fetch_metadata_only(self, req)
        return req.metadata_only_dist

    def metadata_or_wheel(self):
        return getattr(self, "metadata_only_dist", None) or get_dist(self)

    def download_nothing(self, reqs, parallel_builds=False):
        for req in reqs:
            if req.download_info is None:
                req.download_info = direct_url_from_link(req.link)

    RequirementPreparer._fetch_metadata_only = keep_metadata
    InstallRequirement.get_dist = metadata_or_wheel
    RequirementPreparer.prepare_linked_requirements_more = download_nothing

from pip._internal.cli.main import main

sys.exit(main(sys.argv[2:]))
"""


def target_environment(name: str) -> dict[str, str]:
    _, differing, _ = PLATFORMS[name]
    major_minor = ".".join(PYTHON.split(".")[:2])
    return {
        **differing,
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "python_version": major_minor,
        "python_full_version": PYTHON,
        "implementation_version": PYTHON,
    }


def locked_pins(name: str) -> dict[str, str]:
    """The pins of the test lock and torch's that apply on platform `name`: {canonical name: version}."""
    environment = target_environment(name)
    return pins(REQUIREMENTS, environment) | pins(TORCH, environment)


def extras() -> list[str]:
    """Every requirement of relu_lib, its optional extras included, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in project["optional-dependencies"].values():
        requirements += [r for r in group if r not in requirements]
    return requirements


def resolve(name: str, tmp_path: Path, *requirements: str, deps: bool = True) -> dict[str, str]:
    """pip's dry-run resolution for platform `name`: {canonical name: version}; fails with pip's output."""
    tags, _, _ = PLATFORMS[name]
    report = tmp_path / "report.json"
    command = [sys.executable, "-c", TARGET_PIP, json.dumps(target_environment(name))]
    command += ["install", "--isolated", "--disable-pip-version-check", "--no-input", "--quiet"]
    command += ["--dry-run", "--ignore-installed", "--only-binary=:all:", "--use-feature=fast-deps"]
    command += [arg for tag in tags for arg in ("--platform", tag)]
    command += ["--python-version", PYTHON, "--implementation", "cp", "--target", str(tmp_path / "target")]
    command += ["--report", str(report), *requirements]
    if not deps:
        command.append("--no-deps")
    if os.environ.get("PIP_CERT"):
        command += ["--cert", os.environ["PIP_CERT"]]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    environment["PIP_CONFIG_FILE"] = os.devnull
    done = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, (
        f"pip cannot resolve {' '.join(requirements)} for {name} (CPython {PYTHON}, wheels only, from PyPI); "
        f"exit status {done.returncode}. pip's stderr:\n{done.stderr}\npip's stdout:\n{done.stdout}"
    )
    installs = json.loads(report.read_text())["install"]
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in installs}


@pytest.mark.parametrize("name", PLATFORMS)
def test_requirements_resolve(name: str, tmp_path: Path) -> None:
    resolved = resolve(name, tmp_path, "-r", str(REQUIREMENTS))
    # torch on its own: its dependencies for the CPU build are in the lock, which resolved above.
    torch = resolve(name, tmp_path, "-r", str(TORCH), deps=False)
    assert set(torch) == {"torch"}
    resolved.update(torch)
    tensorflow = PLATFORMS[name][2]
    for package in ("numpy", "scipy", "torch", "keras", "ipykernel", "jupyter-book", tensorflow):
        assert package in resolved, f"{package} is not in the {name} resolution: {sorted(resolved)}"
    other = {"tensorflow", "tensorflow-cpu"} - {tensorflow}
    assert not other & resolved.keys(), f"{name} should get {tensorflow} only, not {other}"
    wrong = {
        package: (version, resolved.get(package))
        for package, version in locked_pins(name).items()
        # PyPI's torch 2.13.0, or a local build of it such as 2.13.0+cpu
        if resolved.get(package, "").split("+")[0] != version
    }
    assert not wrong, f"{name}: pinned versions that did not resolve as pinned (pin, resolved): {wrong}"


@pytest.mark.parametrize("name", PLATFORMS)
def test_optional_extras_have_wheels(name: str, tmp_path: Path) -> None:
    """`pip install "relu_lib[plot,widgets,torch,tensorflow,experiments]"` finds a wheel of each on every platform.

    Each requirement on its own (--no-deps): their dependencies are those of the pinned set, which
    test_requirements_resolve resolves for the same platform.
    """
    requirements = extras()
    resolved = resolve(name, tmp_path, *requirements, deps=False)
    for requirement in map(Requirement, requirements):
        version = resolved.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in the {name} resolution"
        assert requirement.specifier.contains(version), f"{name}: {requirement.name} {version} is not {requirement}"
