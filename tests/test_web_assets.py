"""The browser files the site serves: pinned in package-lock.json, copied at build time, never committed.

These need neither Node.js nor a build; tests/browser checks the built pages themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "_ext"))
import relu_book_assets  # noqa: E402
import web_assets  # noqa: E402

PACKAGE = json.loads((ROOT / "package.json").read_text())
LOCK = json.loads((ROOT / "package-lock.json").read_text())


def test_npm_packages_are_pinned_exactly_and_locked_with_hashes() -> None:
    wanted = {**PACKAGE["dependencies"], **PACKAGE["devDependencies"]}
    assert {"mathjax", "axe-core"} <= set(wanted)
    for name, version in wanted.items():
        assert version[0].isdigit() and not set(version) & set("^~<>*x| "), f"{name} is not pinned: {version}"
        assert LOCK["packages"][f"node_modules/{name}"]["version"] == version, f"package-lock.json disagrees on {name}"
    assert LOCK["lockfileVersion"] >= 2
    assert LOCK["packages"][""]["dependencies"] == PACKAGE["dependencies"]
    for path, entry in LOCK["packages"].items():
        if path:
            assert entry.get("integrity", "").startswith("sha512-"), f"{path} has no integrity hash in the lock"


def test_every_copied_package_is_a_pinned_dependency() -> None:
    assert set(web_assets.FILES) <= set(PACKAGE["dependencies"])


def test_node_modules_and_the_copies_are_ignored_and_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "node_modules/" in ignored and "_vendor/" in ignored
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not [line for line in tracked.splitlines() if line.startswith(("node_modules/", "_vendor/"))]


def fake_app(srcdir: Path) -> tuple[SimpleNamespace, SimpleNamespace]:
    cdn = {"https://cdn.example/require.js": {}}
    config = SimpleNamespace(
        exclude_patterns=["_build"],
        templates_path=[],
        html_context={},
        html_static_path=["_static"],
        mathjax_path="https://cdn.example/mathjax.js",
        nb_ipywidgets_js=cdn,
    )
    return SimpleNamespace(srcdir=str(srcdir)), config


def test_without_the_copies_the_build_keeps_the_cdn_defaults(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app, config = fake_app(tmp_path)
    with caplog.at_level("INFO"):
        relu_book_assets.configure(app, config)  # type: ignore[arg-type]
    assert config.mathjax_path == "https://cdn.example/mathjax.js"
    assert config.nb_ipywidgets_js == {}, "the pages render explorers without the widget renderer"
    assert config.html_static_path == ["_static"]
    assert "node_modules" in config.exclude_patterns and config.templates_path == ["_templates"]
    assert "load it from its CDN" in caplog.text
    assert all(record.levelname == "INFO" for record in caplog.records), "a warning would fail the strict build"


def test_with_the_copies_the_build_serves_them_from_the_site(tmp_path: Path) -> None:
    (tmp_path / "_vendor" / relu_book_assets.MATHJAX).parent.mkdir(parents=True)
    (tmp_path / "_vendor" / relu_book_assets.MATHJAX).write_text("// a copy")
    app, config = fake_app(tmp_path)
    relu_book_assets.configure(app, config)  # type: ignore[arg-type]
    assert config.mathjax_path == "npm/mathjax/es5/tex-mml-chtml.js"
    assert config.nb_ipywidgets_js == {}
    assert config.html_static_path == ["_static", "_vendor"]
