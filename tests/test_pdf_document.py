"""tools/pdf.py's combined document: the book's pages as chapters of one printable page.

The printing itself needs the built book and Chromium: tests/site/test_pdf.py checks the PDF.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import pdf  # noqa: E402

PAGES = {"chapters/01_stall.html": "01_stall", "chapters/02_relu.html": "02_relu"}
BASEURL = "https://example.org/book/"
ARTICLE = """<article class="bd-article">
<section id="summary"><h2>Summary<a class="headerlink" href="#summary">#</a></h2>
<p><a href="01_stall.html">chapter 1</a>, <a href="01_stall.html#saturation">saturation</a>,
<a href="../_reader/chapters/02_relu.ipynb">notebook</a>, <a href="https://pytorch.org/">PyTorch</a>,
<a href="../genindex.html#R">index</a></p>
<label for="slope">slope</label><input id="slope"><output for="slope"></output>
<div class="relu-explorer" data-relu-explorer>
<div data-frame="0"><img alt="first"></div><div data-frame="1" hidden><img alt="second"></div>
</div></section></article>"""


def rewritten() -> BeautifulSoup:
    soup = BeautifulSoup(ARTICLE, "html.parser")
    pdf._rewrite(soup.article, pdf.Entry("chapters/02_relu.html", None), PAGES, BASEURL)
    return soup


def test_ids_take_the_chapter_as_prefix_with_what_names_them() -> None:
    soup = rewritten()
    assert soup.find(id="02_relu--summary") is not None and soup.find(id="summary") is None
    assert soup.find("label")["for"] == "02_relu--slope"
    assert soup.find("output")["for"] == "02_relu--slope"
    assert soup.select_one(".headerlink")["href"] == "#02_relu--summary"


def test_links_between_pages_stay_in_the_pdf_and_others_go_to_the_site() -> None:
    hrefs = [a["href"] for a in rewritten().find_all("a") if "headerlink" not in a.get("class", [])]
    assert hrefs == [
        "#01_stall",
        "#01_stall--saturation",
        "https://example.org/book/_reader/chapters/02_relu.ipynb",
        "https://pytorch.org/",
        "https://example.org/book/genindex.html#R",
    ]


def test_an_explorer_keeps_only_the_frame_it_starts_on() -> None:
    assert [img["alt"] for img in rewritten().find_all("img")] == ["first"]


def test_the_toc_gives_every_page_in_order() -> None:
    entries = pdf.toc_entries()
    assert entries[0].path == "chapters/00_welcome.html" and entries[0].part is None
    assert [entry.anchor for entry in entries][1:3] == ["01_stall", "02_relu"]
    assert len({entry.anchor for entry in entries}) == len(entries)
