"""The page checks fail on broken pages: each is shown a deliberately broken page, served from a tmp folder.

A check that passes on a blank page checks nothing. These pages are written here,
not built, so they run without the book: a blank page with only a title, formulas
without MathJax, formulas MathJax left as TeX, a page whose framework pairs were
never made, and, to show the checks are not simply always failing, a sound page.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser_kit import WIDE, settle
from page_checks import MIN_TEXT, Expected, content_problems, page_content, visibility
from playwright.sync_api import Browser, Page

CHAPTER_LIKE = Expected("chapters/broken.html", pairs=True, maths=True)
PROSE = "<p>" + "A rectified linear unit passes positive input and blocks the rest. " * 10 + "</p>"
# What Sphinx puts on a page with maths: the configuration, before MathJax's own script.
MATHJAX_CONFIG = "<script>window.MathJax = {options: {processHtmlClass: 'math'}};</script>"
# A MathJax that has started and rendered nothing.
MATHJAX_IDLE = "<script>window.MathJax = {startup: {promise: Promise.resolve()}};</script>"
PAIR = (
    '<div class="framework-pair"><div class="cell tag_pytorch">torch</div>'
    '<div class="cell tag_tensorflow">tf</div></div>'
)

PAGES = {
    "blank.html": "<title>Chapter 2</title>",
    "no-mathjax.html": f"<title>Maths</title>{MATHJAX_CONFIG}<article><h1>Maths</h1>{PROSE}"
    + r'<span class="math">\(x\)</span></article>',
    "unrendered.html": f"<title>Maths</title>{MATHJAX_IDLE}<article><h1>Maths</h1>{PROSE}{PAIR}"
    + r'<span class="math">\(x\)</span></article>',
    "unpaired.html": f"<title>Pairs</title>{MATHJAX_IDLE}<article><h1>Pairs</h1>{PROSE}"
    + '<div class="cell tag_pytorch">torch</div><div class="cell tag_tensorflow">tf</div>'
    + '<span class="math"><mjx-container>x</mjx-container></span></article>',
    "sound.html": f"<title>Sound</title>{MATHJAX_IDLE}<article><h1>Sound</h1>{PROSE}{PAIR}"
    + '<span class="math"><mjx-container>x</mjx-container></span></article>',
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pages above over HTTP on 127.0.0.1; yields the base URL."""
    folder: Path = tmp_path_factory.mktemp("broken-site")
    for name, html in PAGES.items():
        page = f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{html}</body></html>"
        (folder / name).write_text(page)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, name="broken-site", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def open_page(browser: Browser, broken_site: str) -> Iterator[Any]:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(10_000)

    def load(name: str) -> Page:
        page = context.new_page()
        page.goto(broken_site + name, wait_until="load")
        return page

    yield load
    context.close()


def test_a_blank_page_with_a_title_fails_every_content_check(open_page: Any) -> None:
    page = open_page("blank.html")
    settle(page)  # no formulas: nothing to wait for
    problems = content_problems(page_content(page), CHAPTER_LIKE)
    assert page.title() == "Chapter 2", "the title alone passed the old check"
    joined = "; ".join(problems)
    assert "no heading" in joined and f"at least {MIN_TEXT}" in joined, problems
    assert "no .framework-pair" in joined and "no formula" in joined, problems


def test_settle_fails_where_the_page_has_maths_but_mathjax_did_not_load(open_page: Any) -> None:
    page = open_page("no-mathjax.html")
    with pytest.raises(pytest.fail.Exception, match="1 formulas but MathJax did not load"):
        settle(page)


def test_formulas_left_as_tex_are_reported(open_page: Any) -> None:
    page = open_page("unrendered.html")
    settle(page)
    assert content_problems(page_content(page), CHAPTER_LIKE) == ["1 of 1 formulas not rendered by MathJax"]


def test_cells_that_were_never_paired_are_reported(open_page: Any) -> None:
    page = open_page("unpaired.html")
    settle(page)
    problems = content_problems(page_content(page), CHAPTER_LIKE)
    assert problems == ["its source has PyTorch/TensorFlow cells but the page shows no .framework-pair"]


def test_a_sound_page_passes(open_page: Any) -> None:
    page = open_page("sound.html")
    settle(page)
    assert content_problems(page_content(page), CHAPTER_LIKE) == []


def test_visibility_fails_when_no_element_matches(open_page: Any) -> None:
    # The print check's `not any(...)` passed on a page without the theme's navigation at all.
    page = open_page("sound.html")
    assert visibility(page, ".framework-pair") == [True]
    with pytest.raises(AssertionError, match="no element matches"):
        visibility(page, ".bd-sidebar-primary")
