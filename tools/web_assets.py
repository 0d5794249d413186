"""Copy the browser files the book serves itself from node_modules/ into _vendor/.

    npm ci && python tools/web_assets.py      # what `make book` runs when Node.js is there

The published pages load nothing from other sites: MathJax comes from the npm
registry at the version pinned in ``package-lock.json`` and is served from
``_static/npm/<package>/...``. Only the files a page can request are copied
(no source maps, no other MathJax bundles), and nothing here is committed:
``_vendor/`` and ``node_modules/`` are git-ignored and rebuilt from the lock file.
``_ext/relu_book_assets.py`` points Sphinx and myst-nb at these copies when they
exist and falls back to the CDN defaults when they do not.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "_vendor"
# Sphinx copies _vendor/ into _static/, so the files land in _static/npm/.
PREFIX = "npm"

# package -> glob patterns (relative to the package) of the files to serve.
FILES: dict[str, tuple[str, ...]] = {
    # The CommonHTML bundle that Sphinx's mathjax_path names, its web fonts, and
    # the components it loads on demand (TeX extensions via autoload, the menu's
    # accessibility and speech parts); the other combined bundles are not used.
    "mathjax": (
        "LICENSE",
        "es5/tex-mml-chtml.js",
        "es5/output/**/*",
        "es5/input/**/*",
        "es5/a11y/**/*",
        "es5/ui/**/*",
        "es5/adaptors/**/*",
        "es5/sre/**/*",
    ),
}


def version(package: str) -> str:
    """The installed version of ``package``, as npm ci left it."""
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        raise SystemExit(f"{manifest} is missing: run `npm ci` in {ROOT} first (make book does)")
    return json.loads(manifest.read_text())["version"]


def copy_all() -> list[Path]:
    """Replace _vendor/ with fresh copies of every listed file; return the files copied."""
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    copied: list[Path] = []
    for package, patterns in FILES.items():
        source = NODE_MODULES / package
        target = VENDOR / PREFIX / package
        version(package)  # fails with a hint when npm ci has not run
        for pattern in patterns:
            matches = [path for path in source.glob(pattern) if path.is_file()]
            if not matches and "*" not in pattern:
                raise SystemExit(f"{package} {version(package)} has no {pattern}: update tools/web_assets.py")
            for path in matches:
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
                copied.append(destination)
    return copied


def main(argv: list[str]) -> int:
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    copied = copy_all()
    size = sum(path.stat().st_size for path in copied) / 2**20
    versions = ", ".join(f"{package} {version(package)}" for package in FILES)
    print(f"web assets: {len(copied)} files ({size:.1f} MiB) in {VENDOR.relative_to(ROOT)}/{PREFIX}/: {versions}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
