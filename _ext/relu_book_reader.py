"""Point each chapter page's Colab, Binder and download buttons at its reader notebook.

A local Sphinx extension (``sphinx: local_extensions`` in ``_config.yml``). sphinx-book-theme
builds its launch links from the repository and branch of the book's source, so they would open
the authoring notebook, MyST markup and all. The reader notebooks (tools/reader_notebooks.py)
are what a reader should get:

* Colab and Binder open ``chapters/<chapter>.ipynb`` on the branch the Pages workflow commits the
  reader notebooks to (``notebooks.READER_BRANCH``): Colab can open a notebook only through its
  GitHub URL scheme, ``/github/<org>/<repo>/blob/<branch>/<path>``. That branch also holds
  ``binder/`` and relu_lib, so Binder builds the same runtime there.
* The download button offers ``_reader/chapters/<chapter>.ipynb``, which the build writes into
  the site, in place of the authoring source.

Live Code (Thebe) keeps running the page's own cells on the book's branch.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sphinx.application import Sphinx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import notebooks

READER_DIR = "_reader"  # in the built site, written by tools/reader_notebooks.py


def reader_links(pagename: str) -> dict[str, str]:
    """The Colab and Binder URLs of a chapter's reader notebook (``pagename``: ``chapters/02_relu``)."""
    url, _ = notebooks.repository()
    repo = urlparse(url).path.strip("/")
    branch = notebooks.READER_BRANCH
    path = f"{pagename}.ipynb"
    return {
        "Colab": f"https://colab.research.google.com/github/{repo}/blob/{branch}/{path}",
        "Binder": f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/{path}",
    }


def _buttons(header_buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button, the ones inside dropdown groups included."""
    found = []
    for button in header_buttons:
        found.append(button)
        found.extend(button.get("buttons", []))
    return found


def use_reader_notebooks(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Rewrite the launch and download buttons of a chapter page (``html-page-context``)."""
    chapters = {f"chapters/{path.stem}" for path in notebooks.chapter_paths()}
    if pagename not in chapters:
        return
    links = reader_links(pagename)
    for button in _buttons(context.get("header_buttons", [])):
        if button.get("type") != "link":
            continue
        if button.get("text") in links:
            button["url"] = links[button["text"]]
        elif button.get("label") in ("download-source-button", "download-notebook-button"):
            button["url"] = context["pathto"](f"{READER_DIR}/{pagename}.ipynb", 1)
            button["text"] = ".ipynb"
            button["tooltip"] = "Download the notebook"


def setup(app: Sphinx) -> dict[str, Any]:
    # After sphinx-book-theme adds its launch and source buttons (priority 501).
    app.connect("html-page-context", use_reader_notebooks, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
