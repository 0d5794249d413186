"""What a sound chapter page shows, read from its source, and what a loaded page actually shows.

A page can load without an error and still be broken: blank, its code cells never
paired, its formulas left as TeX. ``expected(path)`` reads the page's source (the
notebook or Markdown file) for what must be there; ``page_content(page)`` reads the
page in the browser; ``content_problems`` says, in words, where the two disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from browser_kit import ROOT
from playwright.sync_api import Page

# A chapter's readable text, navigation and code excluded, is at least this long: a page
# holding only its title, or an error message, is far shorter; the shortest page is longer.
MIN_TEXT = 400

# Maths in MyST source (dollarmath, amsmath, the math directive and role).
MATH_SOURCE = re.compile(r"\$\$|\$[^$\s][^$\n]*\$|\\begin\{(equation|align|gather)|\{math\}")


@dataclass(frozen=True)
class Expected:
    """What a page must show, from its source: framework pairs (it has PyTorch cells) and maths."""

    path: str
    pairs: bool
    maths: bool


def source_of(path: str) -> Path | None:
    """The notebook or Markdown file a built page comes from, if it is one of the book's pages."""
    stem = ROOT / path.removesuffix(".html")
    for suffix in (".ipynb", ".md"):
        if stem.with_suffix(suffix).is_file():
            return stem.with_suffix(suffix)
    return None


def expected(path: str) -> Expected:
    source = source_of(path)
    if source is None:
        raise ValueError(f"{path} is not built from a page of the book")
    if source.suffix == ".ipynb":
        cells = nbformat.read(source, as_version=4).cells
        prose = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
        pairs = any("pytorch" in cell.metadata.get("tags", []) for cell in cells)
    else:
        prose, pairs = source.read_text(), False
    return Expected(path, pairs=pairs, maths=bool(MATH_SOURCE.search(prose)))


# One round trip: the title, the article's first heading and text, the pairs and cells,
# the formulas (Sphinx wraps each in .math) and how many of them MathJax rendered.
_CONTENT = """() => {
    const article = document.querySelector("article") || document.querySelector("main");
    const heading = article && article.querySelector("h1");
    let text = "";
    if (article) {
        const copy = article.cloneNode(true);
        copy.querySelectorAll("div.cell_input, pre, script, style, nav").forEach(e => e.remove());
        text = copy.textContent.replace(/\\s+/g, " ").trim();
    }
    const maths = [...document.querySelectorAll(".math")];
    return {
        title: document.title.trim(),
        heading: heading ? heading.textContent.replace(/\\s+/g, " ").trim() : "",
        text: text.length,
        pairs: document.querySelectorAll(".framework-pair").length,
        pytorch_cells: document.querySelectorAll("div.cell.tag_pytorch").length,
        maths: maths.length,
        unrendered: maths.filter(m => !m.querySelector("mjx-container")).length,
    };
}"""


def page_content(page: Page) -> dict[str, Any]:
    """What the loaded page shows (see ``_CONTENT``), after :func:`browser_kit.settle`."""
    return page.evaluate(_CONTENT)


def content_problems(content: dict[str, Any], expect: Expected) -> list[str]:
    """Every way the page falls short of what its source promises; empty for a sound page."""
    problems = []
    if not content["title"]:
        problems.append("no <title>")
    if not content["heading"]:
        problems.append("no heading (h1) in the article")
    if content["text"] < MIN_TEXT:
        problems.append(f"only {content['text']} characters of text (at least {MIN_TEXT})")
    if expect.pairs:
        if content["pairs"] < 1:
            problems.append("its source has PyTorch/TensorFlow cells but the page shows no .framework-pair")
        elif content["pairs"] != content["pytorch_cells"]:
            problems.append(f"{content['pytorch_cells']} PyTorch cells but {content['pairs']} framework pairs")
    if expect.maths:
        if content["maths"] < 1:
            problems.append("its source has maths but the page has no formula (.math)")
        elif content["unrendered"]:
            problems.append(f"{content['unrendered']} of {content['maths']} formulas not rendered by MathJax")
    return problems


def visibility(page: Page, selector: str) -> list[bool]:
    """Whether each element matching ``selector`` is visible; fails if there is none.

    ``not any(...)`` and ``all(...)`` over no elements are true, so a renamed class
    would let a check pass without looking at anything.
    """
    shown = page.locator(selector).evaluate_all("els => els.map(e => e.checkVisibility())")
    assert shown, f"no element matches {selector!r}: the check would look at nothing"
    return shown
