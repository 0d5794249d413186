"""Keep the chapters' notebooks in the book's conventions.

    python tools/notebooks.py sync     # rewrite every chapter's Colab bootstrap cell, strip outputs

The bootstrap cell is generated from ``repository`` in ``_config.yml``, the one
place the repository is named, so that Colab installs ``relu_lib`` from the
same repository and branch the launch buttons point at.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

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


def install_source() -> str:
    """The pip requirement that installs relu_lib from the book's repository."""
    url, branch = repository()
    return f"relu_lib @ git+{url}@{branch}"


def bootstrap_source() -> str:
    """The source of every chapter's first cell."""
    return (
        "# In Google Colab, install relu_lib from the book's repository. Everywhere else\n"
        "# (your machine, Binder, the book's own build) it is installed already and this\n"
        "# cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "--quiet", "{install_source()}"],\n'
        "        check=True,\n"
        "    )"
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
