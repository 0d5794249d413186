"""Checks of the built HTML book; they need `make book` (or `make test`, which builds it) first."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "chapters").is_dir():
        pytest.fail(f"no built book in {HTML}: run `make book` (or `make test`, which builds it strictly) first")
    return HTML
