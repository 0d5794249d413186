"""The PDF edition: the built HTML book printed by headless Chromium as one document.

``make pdf`` runs this after ``make book``. It prints the pages of ``_build/html``, the
very pages the site publishes and the tests check, rather than a second build:

1. Every page of ``_toc.yml`` is read in order and its article (the page without the
   header, sidebars and footer) goes into one document, chapter after chapter, behind a
   title page and a table of contents. Element ids get the chapter's name as prefix, so
   that two chapters' "summary" sections stay apart, and every link between pages
   becomes a link inside the PDF. Links to anything that is not a page (notebooks, the
   index) point at the published site. Explorers keep only the frame they start on.
2. That document is served with the site on 127.0.0.1 (it sits beside the chapters, so
   their relative addresses hold) and opened in the browser of the browser tests
   (tools/chromium.py). Before printing, MathJax has typeset every formula, the fonts
   and images have loaded and the book's script has run; a formula left as TeX or an
   image that did not load stops the build.
3. Chromium prints it once under the print stylesheets (``_static/print.css`` and the
   print block of ``_static/relu-book.css``): A4, page numbers in the footer, a tagged
   PDF (each figure a /Figure with its alt text, drawn as vectors from its SVG) and an
   outline built from the headings: one bookmark per chapter, its sections beneath.

One print job, not one per page joined afterwards: a join (pypdf) drops the tag tree,
which carries the figures' alt text, and restarts the page numbers in every chapter.

The PDF is written to ``_build/pdf/relu-book.pdf`` and copied into ``_build/html/`` so
that the site's "PDF edition" link (``_templates/pdf-edition.html``) works once published.
"""

from __future__ import annotations

import argparse
import datetime
import html
import posixpath
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from chromium import launch, serve  # noqa: E402

HTML = ROOT / "_build" / "html"
PDF = ROOT / "_build" / "pdf" / "relu-book.pdf"
NAME = "relu-book.pdf"
# The combined document's address: beside the chapters, so that their relative links hold.
PRINT_PAGE = "chapters/relu-book-print.html"
# Attributes that name another element by its id.
ID_REFERENCES = ("for", "aria-controls", "aria-labelledby", "aria-describedby", "aria-owns", "headers")
# The footer Chromium draws in the bottom margin of every page; pageNumber is filled in by it.
FOOTER = (
    '<div style="width:100%;font-size:8pt;text-align:center;color:#444;'
    'font-family:system-ui,sans-serif"><span class="pageNumber"></span></div>'
)
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
# How long one step of loading the document may take before the build gives up (ms).
LOAD_TIMEOUT = 180_000


@dataclass(frozen=True)
class Entry:
    """One page of the table of contents: its file in the site, its part and its title."""

    path: str
    part: str | None
    title: str = ""

    @property
    def anchor(self) -> str:
        """The id of the chapter's section in the combined document."""
        return Path(self.path).stem


def toc_entries() -> list[Entry]:
    """The book's pages, as paths in the built site, in the order of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [Entry(f"{toc['root']}.html", None)]
    for part in toc.get("parts", []):
        entries += [Entry(f"{chapter['file']}.html", part.get("caption")) for chapter in part["chapters"]]
    return entries


def book_config() -> dict:
    """The book's _config.yml."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def _local_id(anchor: str, fragment: str) -> str:
    return f"{anchor}--{fragment}" if fragment else anchor


def _rewrite(article: Tag, entry: Entry, pages: dict[str, str], baseurl: str) -> None:
    """Make one page's article a chapter of the combined document (ids, links, explorers)."""
    anchor = entry.anchor
    for element in article.find_all(id=True):
        element["id"] = _local_id(anchor, element["id"])
    for attribute in ID_REFERENCES:
        for element in article.find_all(attrs={attribute: True}):
            value = element[attribute]
            ids = value if isinstance(value, list) else value.split()
            element[attribute] = " ".join(_local_id(anchor, ident) for ident in ids)
    for link in article.find_all("a", href=True):
        href = link["href"]
        if href.startswith("#"):
            link["href"] = "#" + _local_id(anchor, href[1:])
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # another site, or mailto:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), parts.path))
        if target in pages:
            link["href"] = "#" + _local_id(pages[target], parts.fragment)
        else:
            # Not a page of the PDF (a notebook, the index): the published site has it.
            link["href"] = urljoin(baseurl, target) + (f"#{parts.fragment}" if parts.fragment else "")
    # An explorer prints the frame it starts on; the others are hidden on the page anyway.
    for frame in article.select("[data-relu-explorer] [data-frame][hidden]"):
        frame.decompose()


def _title_page(config: dict, entries: list[Entry]) -> str:
    """The title page and the table of contents, as HTML."""
    from relu_lib import __version__

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""  # a source archive without git: the date alone says which build it is
    built = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y")
    baseurl = config["html"]["baseurl"]
    source = f", from commit {html.escape(commit)}" if commit else ""
    lines = [
        '<section class="relu-print-title">',
        f'<p class="relu-print-book-title">{html.escape(config["title"])}</p>',
        f'<p class="relu-print-author">{html.escape(config["author"])}</p>',
        f'<p class="relu-print-edition">Printed {built}{source}, with relu_lib {html.escape(__version__)}.'
        f'<br>The web edition, with live code: <a href="{html.escape(baseurl)}">{html.escape(baseurl)}</a></p>',
        f'<p class="relu-print-copyright">© {html.escape(str(config.get("copyright", "")))} '
        f"{html.escape(config['author'])}</p>",
        "</section>",
        '<nav class="relu-print-contents" aria-label="Contents">',
        '<p class="relu-print-contents-title">Contents</p>',
    ]
    part = None
    for entry in entries:
        if entry.part != part and entry.part:
            lines.append(f'<p class="relu-print-part">{html.escape(entry.part)}</p>')
        part = entry.part
        lines.append(
            f'<p class="relu-print-chapter-link"><a href="#{entry.anchor}">{html.escape(entry.title)}</a>'
            '<span class="relu-print-page"></span></p>'
        )
    lines.append("</nav>")
    return "\n".join(lines)


def combined_document(site: Path) -> tuple[str, list[Entry]]:
    """The whole book as one HTML document, and the ToC entries with their titles."""
    config = book_config()
    baseurl = config["html"]["baseurl"]
    entries = toc_entries()
    missing = [entry.path for entry in entries if not (site / entry.path).is_file()]
    if missing:
        raise FileNotFoundError(f"{site} lacks {missing}: build the book first (make book)")
    pages = {entry.path: entry.anchor for entry in entries}
    shell = BeautifulSoup((site / entries[0].path).read_text(encoding="utf-8"), "html.parser")
    target = shell.select_one("article.bd-article")
    chapters, titled = [], []
    for entry in entries:
        soup = BeautifulSoup((site / entry.path).read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.bd-article")
        if article is None or article.find("h1") is None:
            raise ValueError(f"{entry.path} has no article with a title: is it a page of the book?")
        title = article.find("h1").get_text(" ", strip=True).removesuffix("#").strip()
        titled.append(Entry(entry.path, entry.part, title))
        for script in article.find_all("script"):
            script.decompose()  # the page's Thebe settings; the printed book runs no code
        _rewrite(article, entry, pages, baseurl)
        section = shell.new_tag("section", attrs={"class": "relu-print-chapter", "id": entry.anchor})
        section.extend(list(article.contents))
        chapters.append(section)
    target.clear()
    target.append(BeautifulSoup(_title_page(config, titled), "html.parser"))
    for section in chapters:
        target.append(section)
    shell.html["class"] = [*shell.html.get("class", []), "relu-print-book"]
    if shell.title is not None:
        shell.title.string = config["title"]
    return str(shell), titled


# Run in the page before printing: what is not ready, as a list of problems.
READY = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    await document.fonts.ready;
    const problems = [];
    for (const math of document.querySelectorAll(".math")) {
        if (!math.querySelector("mjx-container")) problems.push("formula left as TeX: " + math.textContent);
    }
    for (const img of document.querySelectorAll("article img")) {
        if (!img.complete || img.naturalWidth === 0) problems.push("image did not load: " + img.src.slice(0, 80));
    }
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && document.querySelector(".math")) {
        problems.push("MathJax did not load");
    }
    return problems;
}"""


# Run in the page, laid out for print at the page's width, before printing. Chromium shrinks every
# page of a document when one element is wider than the paper (here, a wide table of timings would
# take the whole book down to 60 %): each wide table or display formula is scaled to fit instead.
FIT = """() => {
    const width = document.documentElement.clientWidth;
    let fitted = 0;
    for (const element of document.querySelectorAll("article table, article mjx-container[display='true']")) {
        const left = element.getBoundingClientRect().left;
        const needed = element.scrollWidth;
        const room = width - left - 2;
        if (needed > room && room > 0) {
            element.style.zoom = String(Math.floor((room / needed) * 1000) / 1000);
            fitted += 1;
        }
    }
    // MathJax's copy of each formula for screen readers is clipped to nothing: it takes no room.
    const wide = [...document.querySelectorAll("article *")].filter(
        (element) => element.getBoundingClientRect().right > width + 1 && element.getClientRects().length
            && !element.closest("mjx-assistive-mml")
    );
    return {fitted, wide: wide.slice(0, 5).map((element) => element.tagName + " " + element.textContent.slice(0, 60))};
}"""
# The headings of the book in document order, as printed: Chromium builds the PDF outline from them.
HEADINGS = """() => [...document.querySelectorAll("article :is(h1, h2, h3, h4, h5, h6)")]
    .filter((heading) => heading.getClientRects().length)
    .map((heading) => {
        const copy = heading.cloneNode(true);
        copy.querySelectorAll(".headerlink").forEach((link) => link.remove());
        return copy.textContent.replace(/\\s+/g, " ").trim();
    })"""
# Writes each chapter's first page into the contents, in order.
NUMBER_CONTENTS = """(numbers) => document.querySelectorAll(".relu-print-page").forEach((span, index) => {
    span.textContent = numbers[index];
})"""
# Printable width of an A4 page between the margins, in CSS pixels (96 per inch).
PRINT_WIDTH = round((210 - 16 - 16) / 25.4 * 96)


def _outline_items(outline: object) -> list[object]:
    """The outline's items (pypdf dictionaries) in document order, depth first."""
    items = []
    node = outline.get("/First") if outline is not None else None
    while node is not None:
        item = node.get_object()
        items.append(item)
        items += _outline_items(item)
        node = item.get("/Next")
    return items


def retitle_outline(path: Path, headings: list[str]) -> None:
    """Give the PDF's bookmarks the headings' own text.

    Chromium names a bookmark by the heading's text as laid out: it drops the space where a
    heading wraps ("PyTorchequivalents") and repeats a heading that starts a page. The
    bookmarks are the headings in document order, so each takes its heading's text.
    """
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=str(path))
    items = _outline_items(writer.root_object.get("/Outlines"))
    if len(items) != len(headings):
        raise RuntimeError(f"the PDF has {len(items)} bookmarks for {len(headings)} headings")
    for item, heading in zip(items, headings, strict=True):
        item[NameObject("/Title")] = TextStringObject(heading)
    writer.write(str(path))


def print_pdf(page: Any, out: Path) -> None:
    """Print the page as it stands: A4, numbered, tagged, with bookmarks from its headings."""
    page.pdf(
        path=str(out),
        format="A4",
        margin=MARGIN,
        print_background=True,
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=FOOTER,
        tagged=True,
        outline=True,
    )


def chapter_pages(path: Path) -> list[int]:
    """The page (from 1) on which each top-level bookmark, a chapter, starts."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [reader.get_destination_page_number(item) + 1 for item in reader.outline if not isinstance(item, list)]


def print_book(site: Path = HTML, out: Path = PDF) -> dict[str, object]:
    """Print the built book in ``site`` to ``out``; returns what was printed, for the log."""
    try:
        import pypdf  # noqa: F401  (retitle_outline needs it, after the long print)
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise RuntimeError(f"{error.name} is missing: pip install -r requirements/test.txt (make pdf does)") from error

    document, entries = combined_document(site)
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            # Laid out as on paper from the start: the print stylesheet, at the page's width.
            # Light mode, whatever the machine prefers: paper is white.
            page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 900}, color_scheme="light")
            page.emulate_media(media="print")
            page.set_default_timeout(LOAD_TIMEOUT)
            page.route(
                base + PRINT_PAGE,
                lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=document),
            )
            page.goto(base + PRINT_PAGE, wait_until="load")
            problems = page.evaluate(READY)
            if problems:
                raise RuntimeError("the book is not ready to print:\n  " + "\n  ".join(problems))
            fit = page.evaluate(FIT)
            if fit["wide"]:
                raise RuntimeError(f"wider than the page after fitting: {fit['wide']}")
            headings = page.evaluate(HEADINGS)
            # Twice: the first print says on which page each chapter starts, and the contents
            # page, given those numbers, prints again (its lines do not grow: the pages stay).
            print_pdf(page, out)
            numbers = [str(number) for number in chapter_pages(out)]
            page.evaluate(NUMBER_CONTENTS, numbers)
            print_pdf(page, out)
            if [str(number) for number in chapter_pages(out)] != numbers:
                raise RuntimeError("the chapters moved when the contents got their page numbers")
        finally:
            browser.close()
    retitle_outline(out, headings)
    shutil.copyfile(out, site / NAME)
    return {"chapters": [entry.title for entry in entries], "bytes": out.stat().st_size, "fitted": fit["fitted"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=HTML, help="the built site (default: _build/html)")
    parser.add_argument("--out", type=Path, default=PDF, help="the PDF to write (default: _build/pdf/relu-book.pdf)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        printed = print_book(args.html, args.out)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(
        f"The PDF edition is in {args.out} ({printed['bytes'] / 1e6:.1f} MB, "
        f"{len(printed['chapters'])} chapters, {printed['fitted']} wide tables or formulas scaled to fit, "
        f"{seconds:.0f} s) and in {args.html / NAME}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
