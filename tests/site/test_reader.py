"""The reader notebooks the build writes into the site: no MyST left, the page's text, working links.

They come from tools/reader_notebooks.py, which `make book` and the strict build run after
`jupyter-book build`; see its docstring.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402
import reader_notebooks  # noqa: E402

CHAPTERS = [path.stem for path in notebooks.chapter_paths()]
# What MyST writes and Jupyter would show as raw text.
RAW_MYST = [
    (re.compile(r"\{glue"), "a glue role"),
    (re.compile(r"\{cite"), "a citation role"),
    (re.compile(r"\{ref\}"), "a ref role"),
    (re.compile(r"\{[\w:-]+\}`"), "a role"),
    (re.compile(r"^\s*:{3,}", re.M), "a colon fence"),
    (re.compile(r"^\s*`{3,}\{", re.M), "a directive"),
    (re.compile(r"^\([^()\s]+\)=\s*$", re.M), "a (label)= target"),
    (re.compile(r"^\s*:class:", re.M), "a directive option"),
    (re.compile(r"\{\{"), "a substitution"),
]
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)")
CITATION = re.compile(r"\\\[(.+?)\\\]")
# Markdown the reader notebooks add that the page does not show in these words (none so far).
TEXT_EXCEPTIONS: set[tuple[str, str]] = set()


@cache
def reader(name: str) -> nbformat.NotebookNode:
    path = reader_notebooks.READER / f"{name}.ipynb"
    assert path.is_file(), f"{path} was not written: the build runs tools/reader_notebooks.py"
    return nbformat.read(path, as_version=4)


def markdown_cells(nb: nbformat.NotebookNode, references: bool = False) -> list[str]:
    return [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "markdown"
        and (reader_notebooks.REFERENCES_TAG in cell.metadata.get("tags", [])) == references
    ]


def normalise(text: str) -> str:
    """Whitespace collapsed, and Sphinx's smart quotes and dashes undone."""
    for fancy, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("—", "---"), ("–", "--"), ("…", "...")):
        text = text.replace(fancy, plain)
    return " ".join(text.replace("\u00a0", " ").split())


def prose_pieces(markdown: str) -> list[str]:
    """The runs of plain text in a Markdown cell, with its markup removed.

    Math, code blocks, tables' rules and HTML tags separate runs, since the page renders them
    differently (MathJax source, highlighted code); a run of fewer than 20 characters says too
    little to check.
    """
    text = re.sub(r"^\s*```.*?^\s*```\s*$", "\0", markdown, flags=re.M | re.S)
    text = re.sub(r"\$\$.*?\$\$", "\0", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", "\0", text)
    text = re.sub(r"\\begin\{.*?\\end\{[^}]*\}", "\0", text, flags=re.S)
    text = LINK.sub(r"\1", text)
    text = re.sub(r"</?(details|summary)>", "\0", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    text = re.sub(r"^\s*#+\s*", "\0", text, flags=re.M)
    text = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "\0", text, flags=re.M)
    text = re.sub(r"^\s*\|?[-:| ]+\|[-:| ]*$", "\0", text, flags=re.M)
    text = text.replace("|", "\0").replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)\*", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!$|])", r"\1", text)
    return [piece for piece in (normalise(part) for part in text.split("\0")) if len(piece) >= 20]


@cache
def anchors(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(), "html.parser")
    return frozenset(element["id"] for element in soup.find_all(id=True))


@cache
def page_text(name: str) -> str:
    soup = BeautifulSoup(
        (reader_notebooks.ROOT / "_build" / "html" / "chapters" / f"{name}.html").read_text(), "html.parser"
    )
    article = soup.select_one("article") or soup
    for element in article.select("a.headerlink, .MathJax, script, style"):
        element.decompose()
    return normalise(article.get_text(" "))


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_has_a_reader_notebook_that_starts_with_the_bootstrap(site: Path, name: str) -> None:
    nb = reader(name)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "code" and "bootstrap" in first.metadata["tags"]
    assert first.source == nbformat.read(notebooks.CHAPTERS / f"{name}.ipynb", as_version=4).cells[0].source
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_outputs_and_no_hidden_cells(site: Path, name: str) -> None:
    nb = reader(name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs left in {cell.source[:60]!r}"
            assert "remove-cell" not in cell.metadata.get("tags", []), f"{name}: a hidden cell: {cell.source[:60]!r}"
    source = nbformat.read(notebooks.CHAPTERS / f"{name}.ipynb", as_version=4)
    shown = [cell for cell in source.cells if "remove-cell" not in cell.metadata.get("tags", [])]
    assert len(nb.cells) == len(shown) + 1 + bool(markdown_cells(nb, references=True)), "one cell per shown cell"


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_myst_syntax_survives(site: Path, name: str) -> None:
    for text in markdown_cells(reader(name)) + markdown_cells(reader(name), references=True):
        for pattern, what in RAW_MYST:
            found = pattern.search(text)
            assert not found, f"{name}: {what} survives: {text[max(found.start() - 60, 0) : found.end() + 60]!r}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_prose_is_the_pages_text(site: Path, name: str) -> None:
    page = page_text(name).replace(" ", "")
    checked = 0
    for text in markdown_cells(reader(name)):
        for piece in prose_pieces(text):
            if (name, piece) in TEXT_EXCEPTIONS:
                continue
            # Compared without spaces: the page puts spaces around inline elements as it likes.
            assert piece.replace(" ", "") in page, f"{name}: the reader notebook says what the page does not: {piece!r}"
            checked += 1
    assert checked >= 10, f"{name}: only {checked} pieces of prose compared"


@pytest.mark.parametrize("name", CHAPTERS)
def test_citations_resolve_to_the_reference_list(site: Path, name: str) -> None:
    nb = reader(name)
    references = "\n".join(markdown_cells(nb, references=True))
    entries = set(re.findall(r"^- \*\*(.+?)\.\*\* ", references, flags=re.M))
    entries = {entry.replace("*et al.*", "et al.") for entry in entries}
    labels = set(reader_notebooks.citation_labels().values())
    cited = set()
    for text in markdown_cells(nb):
        for match in CITATION.finditer(text):
            for label in re.findall(r"(.+?, (?:\d{4}[a-z]?|n\.d\.))(?:, |$)", match.group(1)):
                assert label in labels, f"{name}: {label!r} is no reference's label"
                cited.add(label)
    assert cited == entries, f"{name}: cited {sorted(cited)} but listed {sorted(entries)}"
    page = page_text(name).replace(" ", "")
    missing = [label for label in cited if label.replace(" ", "") not in page]
    assert not missing, f"{name}: the page does not cite {missing}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_links_to_the_book_point_at_existing_pages_and_anchors(site: Path, name: str) -> None:
    base = notebooks.base_url()
    links = [url for text in markdown_cells(reader(name)) for _, url in LINK.findall(text) if url.startswith(base)]
    for url in links:
        parsed = urlparse(url)
        path = site / parsed.path.removeprefix(urlparse(base).path)
        assert path.is_file(), f"{name}: {url} is no page of the book"
        if parsed.fragment:
            assert parsed.fragment in anchors(path), f"{name}: {url} has no anchor {parsed.fragment!r}"
    source = "\n".join(cell.source for cell in nbformat.read(notebooks.CHAPTERS / f"{name}.ipynb", as_version=4).cells)
    expected = source.count("{ref}`") + source.count("{numref}`") + len(reader_notebooks.CHAPTER_LINK.findall(source))
    assert len(links) >= expected, f"{name}: {expected} cross-references in the chapter, {len(links)} links"


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_page_offers_the_reader_notebook_for_download_colab_and_binder(site: Path, name: str) -> None:
    soup = BeautifulSoup((site / "chapters" / f"{name}.html").read_text(), "html.parser")
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    downloads = [href for href in hrefs if href.endswith(".ipynb") and not href.startswith("http")]
    assert downloads, f"{name}: no notebook download"
    for href in downloads:
        target = urlparse(urljoin(f"https://book.invalid/chapters/{name}.html", href)).path.lstrip("/")
        assert target == f"_reader/chapters/{name}.ipynb", f"{name}: the download offers {href}"
        assert (site / target).is_file()
    url, _ = notebooks.repository()
    repo = urlparse(url).path.strip("/")
    branch = notebooks.READER_BRANCH
    assert f"https://colab.research.google.com/github/{repo}/blob/{branch}/chapters/{name}.ipynb" in hrefs
    assert f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/chapters/{name}.ipynb" in hrefs
