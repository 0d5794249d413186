"""Reading the book's pip requirement files: the locks, torch's pin and Binder's set."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def entries(path: Path) -> list[tuple[str, list[str]]]:
    """A pip requirements file as (requirement or option, its --hash options), continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    found = []
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        hashes = [part for part in parts if part.startswith("--hash=")]
        found.append((" ".join(part for part in parts if part not in hashes), hashes))
    return found


def pins(path: Path, environment: Mapping[str, str]) -> dict[str, str]:
    """Canonical name -> pinned version, for the requirements whose markers hold in ``environment``."""
    result = {}
    for line, _ in entries(path):
        if line.startswith("-"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(dict(environment)):
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path.name} pins exactly: {requirement} is not pinned"
            result[canonicalize_name(requirement.name)] = specifier.version
    return result
