"""Keep the chapters' notebooks in the book's conventions.

    python tools/notebooks.py sync     # rewrite every chapter's Colab bootstrap cell, strip outputs

The bootstrap cell is generated from relu_lib's version (``__version__`` in
``relu_lib/__init__.py``, its one version source), so that Colab installs the release of
``relu_lib`` the book was built with from PyPI (``relu-lib==<version>``).
The reader notebooks (tools/reader_notebooks.py) are published on ``READER_BRANCH``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml
from setuptools.config.expand import read_attr

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BOOTSTRAP_TAGS = ["bootstrap", "remove-cell"]
# The branch the Pages workflow commits the reader notebooks to, for Colab and Binder.
READER_BRANCH = "notebooks"


def repository() -> tuple[str, str]:
    """The repository URL and branch named in ``_config.yml``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo["branch"]


def base_url() -> str:
    """The published book's address (``html.baseurl``), ending in a slash."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["html"]["baseurl"].rstrip("/") + "/"


def relu_lib_version() -> str:
    """The version of relu_lib in this checkout: ``__version__`` in ``relu_lib/__init__.py``.

    Read by setuptools' own function for ``version = { attr = ... }`` (pyproject.toml), which
    reads a literal assignment from the source without importing it: ``make sync`` and the reader
    notebooks need no installed relu_lib, and the wheel gets the same version.
    """
    return str(read_attr("relu_lib.__version__", root_dir=ROOT))


def release_tag() -> str:
    """The git tag of this version of relu_lib: pushing it runs the release workflow (PyPI)."""
    return f"v{relu_lib_version()}"


def install_source() -> str:
    """The pip requirement that installs this release of relu_lib from PyPI.

    A release, never a branch: a reader who opens an old page gets the library that page was
    built with, and PyPI keeps every release.
    """
    return f"relu-lib=={relu_lib_version()}"


# What relu_lib and its extras (experiments, plot, widgets) import, by import name, with the
# pip name to install when it is missing. Colab has them all; the check keeps an environment that
# has them (Colab's numpy, torch, TensorFlow) from having them reinstalled or upgraded.
LIGHT_DEPENDENCIES = {
    "numpy": "numpy",
    "scipy": "scipy",
    "sklearn": "scikit-learn",
    "threadpoolctl": "threadpoolctl",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
}


def bootstrap_source() -> str:
    """The source of every chapter's first cell."""
    return (
        f"# In Google Colab, install relu_lib {relu_lib_version()} from PyPI, the version this book was built with,\n"
        "# and only those of its light dependencies that are missing: the numpy, torch and\n"
        "# TensorFlow already there stay as they are. Everywhere else (your machine, Binder,\n"
        "# the book's own build) relu_lib is installed already and this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import importlib.util\n"
        "    import subprocess\n"
        "\n"
        "    light = {  # import name: pip name\n"
        + "".join(f'        "{module}": "{pip_name}",\n' for module, pip_name in LIGHT_DEPENDENCIES.items())
        + "    }\n"
        "    missing = [pip_name for module, pip_name in light.items() if importlib.util.find_spec(module) is None]\n"
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]\n'
        "    if missing:\n"
        "        subprocess.run([*pip, *missing], check=True)\n"
        f'    subprocess.run([*pip, "--no-deps", "{install_source()}"], check=True)'
    )


def chapter_paths() -> list[Path]:
    """Every chapter notebook, in file order."""
    return sorted(CHAPTERS.glob("*.ipynb"))


def sync(path: Path) -> bool:
    """Rewrite ``path``'s bootstrap cell and strip its outputs; return whether it changed."""
    before = path.read_text()
    nb = nbformat.reads(before, as_version=4)
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "code" or "bootstrap" not in first.metadata.get("tags", []):
        nb.cells.insert(0, nbformat.v4.new_code_cell())
        first = nb.cells[0]
    first.source = bootstrap_source()
    first.metadata["tags"] = BOOTSTRAP_TAGS
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after)
    return after != before


def main(argv: list[str]) -> int:
    if argv != ["sync"]:
        print(__doc__, file=sys.stderr)
        return 2
    for path in chapter_paths():
        if sync(path):
            print(f"synced {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
