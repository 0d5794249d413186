"""The PDF edition (`make pdf`, tools/pdf.py) against the HTML site it was printed from.

Chromium prints a tagged PDF: every image of the page is a /Figure structure element that
carries the image's alt text and marks the drawing operators that paint it, and the outline
(bookmarks) follows the headings. So each figure of the site can be found in the PDF by its
alt text, in its chapter, and shown to be drawn there: as vector paths (the figures are SVG)
or as an image of at least 200 dpi.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import pdf as edition  # noqa: E402

try:
    import pypdf
    from pypdf.generic import ArrayObject, ContentStream, DictionaryObject
except ImportError:  # pragma: no cover - the failing tests below say how to install it
    pypdf = None

ENTRIES = edition.toc_entries()
# The book printed at 10 pt on A4 came to 186 pages (December 2026): about 20 per chapter.
# Far fewer means that content was lost (a page whose article did not print, a scroll box cut
# off at one sheet); far more, that the type or the figures were blown up or the layout broke.
PAGES = range(130, 301)
# A figure drawn as vectors paints far more path segments than its border box (a rectangle
# with four rounded corners): one curve of the figure is dozens of segments.
VECTOR_SEGMENTS = 40
MIN_DPI = 200
PATH_OPERATORS = {b"m", b"l", b"c", b"v", b"y", b"re"}


@pytest.fixture(scope="session")
def reader(site: Path) -> Any:
    if pypdf is None:
        pytest.fail("pypdf is missing: pip install -r requirements/test.txt (make test installs it)", pytrace=False)
    path = edition.PDF
    if not path.is_file():
        pytest.fail(f"no PDF edition at {path}: run `make pdf` (make test builds it after the book)", pytrace=False)
    return pypdf.PdfReader(path)


@dataclass(frozen=True)
class Chapter:
    """A page of the site and the pages of the PDF that print it."""

    path: str
    title: str
    first: int  # 0-based index of its first page in the PDF
    end: int  # one past its last page


@pytest.fixture(scope="session")
def chapters(reader: Any) -> list[Chapter]:
    """The chapters by the PDF's top-level bookmarks, which must be the ToC's pages in order."""
    top = [item for item in reader.outline if not isinstance(item, list)]
    starts = [reader.get_destination_page_number(item) for item in top]
    titles = [item.title for item in top]
    expected = [article_title(entry.path) for entry in ENTRIES]
    assert titles == expected, "one top-level bookmark per page of _toc.yml, titled by its heading, in order"
    assert starts == sorted(starts) and len(set(starts)) == len(starts), f"chapters start on pages {starts}"
    ends = [*starts[1:], len(reader.pages)]
    return [
        Chapter(entry.path, title, first, end)
        for entry, title, first, end in zip(ENTRIES, titles, starts, ends, strict=True)
    ]


@cache
def site_page(path: str) -> BeautifulSoup:
    return BeautifulSoup((edition.HTML / path).read_text(encoding="utf-8"), "html.parser")


def heading_text(heading: Any) -> str:
    """A heading's text as printed, without its "#" permalink."""
    return " ".join("".join(heading.find_all(string=True)).removesuffix("#").split())


def article_title(path: str) -> str:
    return heading_text(site_page(path).select_one("article.bd-article h1"))


def site_figures(path: str) -> list[str]:
    """The alt texts of the images a reader of the page sees, in order: an explorer shows one frame."""
    article = site_page(path).select_one("article.bd-article")
    return [
        " ".join(img["alt"].split())
        for img in article.select("img[alt]")
        if img["alt"].strip() and not img.find_parent(attrs={"data-frame": True, "hidden": True})
    ]


def site_pairs(path: str) -> list[tuple[str, str]]:
    """Each PyTorch/TensorFlow pair of the page: the first line of each cell's code."""

    def first_line(cell: Any) -> str:
        return next(line for line in cell.select_one("div.cell_input pre").get_text().splitlines() if line.strip())

    pairs = []
    for cell in site_page(path).select("div.cell.tag_pytorch"):
        twin = cell.find_next_sibling("div")
        assert twin is not None and "tag_tensorflow" in twin["class"], f"{path}: a PyTorch cell without its twin"
        pairs.append((first_line(cell), first_line(twin)))
    return pairs


# -- reading the PDF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    alt: str
    page: int
    segments: int  # path segments drawn inside the figure's marked content
    dpi: float  # the lowest resolution of an image it paints (inf when it paints none)


def _marked_contents(node: Any, page: Any) -> list[tuple[Any, int]]:
    """(page, MCID) of every marked-content sequence a structure element owns, however nested."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, int):
        return [(page, node)]
    if isinstance(node, ArrayObject):
        return [pair for kid in node for pair in _marked_contents(kid, page)]
    if isinstance(node, DictionaryObject):
        page = node.get("/Pg", page)
        if "/MCID" in node:
            return [(node["/Pg"].get_object() if "/Pg" in node else page, int(node["/MCID"]))]
        if "/K" in node:
            return _marked_contents(node["/K"], page)
    return []


def _struct_elements(node: Any) -> Any:
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _struct_elements(kid)
    elif isinstance(node, DictionaryObject) and "/MCID" not in node:
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from _struct_elements(node["/K"])


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _drawing_by_mcid(reader: Any, page: Any) -> dict[int, tuple[int, float]]:
    """Per MCID on a page: path segments drawn inside it and the lowest dpi of an image it paints."""
    resources = page.get("/Resources", {})
    properties = resources.get("/Properties", {})
    xobjects = resources.get("/XObject", {})
    segments: Counter[int] = Counter()
    dpi: dict[int, float] = defaultdict(lambda: math.inf)
    open_ids: list[int | None] = []
    ctm, saved = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator in (b"BDC", b"BMC"):
            props = operands[1] if operator == b"BDC" else None
            if props is not None and not isinstance(props, DictionaryObject):
                props = properties.get(props, {})
            props = props.get_object() if props is not None else None
            open_ids.append(int(props["/MCID"]) if props and "/MCID" in props else None)
        elif operator == b"EMC" and open_ids:
            open_ids.pop()
        elif operator == b"q":
            saved.append(ctm)
        elif operator == b"Q" and saved:
            ctm = saved.pop()
        elif operator == b"cm":
            ctm = _multiply([float(x) for x in operands], ctm)
        elif operator in PATH_OPERATORS or operator == b"Do":
            for ident in {i for i in open_ids if i is not None}:
                if operator == b"Do":
                    image = xobjects[operands[0]].get_object()
                    if image.get("/Subtype") == "/Image":
                        inches = math.hypot(ctm[0], ctm[1]) / 72
                        dpi[ident] = min(dpi[ident], int(image["/Width"]) / inches)
                else:
                    segments[ident] += 1
    return {ident: (segments[ident], dpi[ident]) for ident in set(segments) | set(dpi)}


def _is_image(element: Any) -> bool:
    return element.get("/S") == "/Figure" and bool(str(element.get("/Alt", "")).strip())


@pytest.fixture(scope="session")
def figures(reader: Any) -> list[Figure]:
    """Every /Figure of the tag tree that has alt text (an <img>), with what it draws."""
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF is not tagged: tools/pdf.py prints with tagged=True"
    page_index = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    drawing: dict[int, dict[int, tuple[int, float]]] = {}
    found = []
    for element in _struct_elements(root["/StructTreeRoot"]):
        if not _is_image(element):
            continue
        # A <figure> around the image (with a caption, it has a name too) is not a second figure.
        if any(_is_image(inner) for inner in _struct_elements(element.get("/K", ArrayObject()))):
            continue
        owned = _marked_contents(element.get("/K"), element.get("/Pg"))
        assert owned, f"figure {element['/Alt'][:60]!r} marks no content"
        number = page_index[owned[0][0].indirect_reference.idnum]
        segments, dpi = 0, math.inf
        for page, mcid in owned:
            index = page_index[page.indirect_reference.idnum]
            if index not in drawing:
                drawing[index] = _drawing_by_mcid(reader, reader.pages[index])
            drawn, resolution = drawing[index].get(mcid, (0, math.inf))
            segments, dpi = segments + drawn, min(dpi, resolution)
        found.append(Figure(" ".join(str(element["/Alt"]).split()), number, segments, dpi))
    return found


@dataclass(frozen=True)
class Line:
    page: int
    text: str


@pytest.fixture(scope="session")
def lines(reader: Any) -> list[Line]:
    """The PDF's text as lines in reading order: top to bottom on each page, left to right."""
    result = []
    for number, page in enumerate(reader.pages):
        pieces = _placed_text(page)
        rows: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for y, x, text in pieces:
            # Fragments within 2 points of height are one line (a formula's parts sit a little apart).
            key = next((row for row in rows if abs(row - y) <= 2), y)
            rows[key].append((x, text))
        for y in sorted(rows, reverse=True):
            text = " ".join(piece for _, piece in sorted(rows[y]))
            # NFKC: the ligatures of the printed text ("ﬁ") read as their letters.
            result.append(Line(number, " ".join(unicodedata.normalize("NFKC", text).split())))
    return result


def _placed_text(page: Any) -> list[tuple[int, float, str]]:
    """The page's text fragments with their positions: (height, left edge, text)."""
    pieces: list[tuple[int, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x, y = _multiply(list(tm), list(cm))[4:6]
            pieces.append((round(y), x, text))

    page.extract_text(visitor_text=visit)
    return pieces


# -- the checks ------------------------------------------------------------------------------------


def test_page_count_is_that_of_the_whole_book(reader: Any, chapters: list[Chapter]) -> None:
    assert len(reader.pages) in PAGES, f"{len(reader.pages)} pages, expected {PAGES.start}-{PAGES.stop - 1}"
    for chapter in chapters[:-2]:  # the back matter (references, execution statistics) may be short
        assert chapter.end - chapter.first >= 3, f"{chapter.title} prints on {chapter.end - chapter.first} pages"


def test_bookmarks_are_the_chapters_with_their_sections(reader: Any, chapters: list[Chapter]) -> None:
    # `chapters` checked the top level; beneath each chapter's bookmark are its sections'.
    beneath: list[list[str]] = []
    for item in reader.outline:
        if isinstance(item, list):
            beneath[-1] = [child.title for child in item if not isinstance(child, list)]
        else:
            beneath.append([])
    for chapter, titles in zip(chapters, beneath, strict=True):
        sections = [heading_text(h) for h in site_page(chapter.path).select("article.bd-article h2")]
        assert titles == sections, f"{chapter.title}: bookmarks {titles}, sections {sections}"


def test_the_contents_page_gives_each_chapter_its_first_page(lines: list[Line], chapters: list[Chapter]) -> None:
    contents = [line.text for line in lines if line.page == 1]
    assert contents[0] == "Contents", f"page 2 is not the contents: {contents[:3]}"
    for chapter in chapters:
        assert f"{chapter.title} {chapter.first + 1}" in contents, f"the contents lack {chapter.title!r} on its page"


def test_every_figure_of_the_site_is_drawn_in_its_chapter(chapters: list[Chapter], figures: list[Figure]) -> None:
    total = 0
    for chapter in chapters:
        expected = site_figures(chapter.path)
        printed = [figure for figure in figures if chapter.first <= figure.page < chapter.end]
        assert Counter(f.alt for f in printed) == Counter(expected), (
            f"{chapter.title}: the site shows {len(expected)} figures, the PDF has {len(printed)} in that chapter"
        )
        total += len(expected)
        for figure in printed:
            vector = figure.segments >= VECTOR_SEGMENTS
            raster = figure.dpi != math.inf and figure.dpi >= MIN_DPI
            assert vector or raster, (
                f"{chapter.title}, page {figure.page + 1}: figure {figure.alt[:60]!r} draws "
                f"{figure.segments} path segments and images at {figure.dpi:.0f} dpi"
            )
    assert total >= 20, f"the site shows only {total} figures"
    assert len(figures) == total, "every figure of the PDF is one of the site's"


def test_no_figure_is_left_as_its_text_description(lines: list[Line]) -> None:
    leftovers = [line for line in lines if "<figure:" in line.text or "<explorer " in line.text]
    assert not leftovers, f"figures printed as text: {leftovers[:3]}"


def test_the_maths_is_typeset(lines: list[Line], chapters: list[Chapter]) -> None:
    # MathJax replaces each formula's TeX (\( \) inline, \[ \] or $$ displayed) with glyphs;
    # a formula it did not typeset prints as its source.
    raw = [line for line in lines if re.search(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\frac|\\operatorname", line.text)]
    assert not raw, f"formulas printed as TeX: {raw[:3]}"
    # And the formulas are there: ReLU's definition, typeset, in the chapter that defines it.
    relu = next(chapter for chapter in chapters if chapter.path.endswith("02_relu.html"))
    text = squeeze(" ".join(line.text for line in lines if relu.first <= line.page < relu.end))
    assert "ReLU(x)=max(0,x)" in text, "the definition ReLU(x) = max(0, x) is not in the text"


def squeeze(text: str) -> str:
    """Text without white space: a formula's glyphs, or wrapped code, come out spaced differently."""
    return re.sub(r"\s+", "", text)


def test_each_framework_pair_prints_both_under_their_headings(lines: list[Line], chapters: list[Chapter]) -> None:
    # Each pair, in order: a line "PyTorch" with the PyTorch cell's code under it, then a line
    # "TensorFlow" with the TensorFlow cell's (a table or a legend may say "TensorFlow" too).
    def heading_with_code(mine: list[Line], start: int, label: str, code: str) -> int | None:
        for index in range(start, len(mine)):
            following = squeeze(" ".join(line.text for line in mine[index + 1 : index + 4]))
            if mine[index].text == label and squeeze(code)[:16] in following:
                return index
        return None

    total = 0
    for chapter in chapters:
        mine = [line for line in lines if chapter.first <= line.page < chapter.end]
        cursor = 0
        for number, (torch_code, tf_code) in enumerate(site_pairs(chapter.path), 1):
            torch = heading_with_code(mine, cursor, "PyTorch", torch_code)
            assert torch is not None, f"{chapter.title}, pair {number}: no PyTorch heading over {torch_code!r}"
            tf = heading_with_code(mine, torch + 1, "TensorFlow", tf_code)
            assert tf is not None, f"{chapter.title}, pair {number}: no TensorFlow heading over {tf_code!r}"
            cursor = tf + 1
            total += 1
    assert total >= 10, f"only {total} framework pairs in the book"


# Text that only the site's navigation, buttons and folds show.
CHROME = ["Show code cell source", "Skip to main content", "Back to top", "PDF edition"]


def test_navigation_and_folded_code_do_not_print(lines: list[Line], site: Path) -> None:
    html = (site / ENTRIES[2].path).read_text(encoding="utf-8")
    text = "\n".join(line.text for line in lines)
    for phrase in CHROME:
        assert phrase in html, f"the site no longer shows {phrase!r}: update this test"
        assert phrase not in text, f"the PDF prints {phrase!r}"


def test_the_site_links_the_pdf_edition(site: Path) -> None:
    digest = hashlib.sha256(edition.PDF.read_bytes()).hexdigest() if edition.PDF.is_file() else None
    assert digest, f"no PDF at {edition.PDF}: run `make pdf`"
    for entry in ENTRIES:
        links = site_page(entry.path).select(".relu-pdf-edition a[href]")
        assert len(links) == 1, f"{entry.path} has {len(links)} links to the PDF edition"
        target = (site / entry.path).parent / links[0]["href"]
        assert target.resolve() == (site / edition.NAME).resolve(), f"{entry.path} links {links[0]['href']}"
        assert target.is_file(), f"{entry.path}: the PDF edition's link {links[0]['href']} leads nowhere"
        assert hashlib.sha256(target.read_bytes()).hexdigest() == digest, "the site's PDF is not this build's"
