"""Every page of the built book loads cleanly, from the site alone, and passes axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_kit import CHAPTER, NOTEBOOKS, PAGES, Reporter
from page_checks import content_problems, expected, source_of

SERIOUS = ("serious", "critical")


def test_the_pages_checked_are_every_page_of_the_site(site: Path) -> None:
    built = {
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if path.relative_to(site).parts[0] not in ("_static", "_sources", "_images")
    }
    assert built == set(PAGES), f"pages built but not checked: {built - set(PAGES)}; missing: {set(PAGES) - built}"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_no_console_error_no_failed_and_no_third_party_request(
    page_report: Reporter, path: str
) -> None:
    report = page_report(path)
    assert report.title, f"{path} has no title"
    assert not report.errors, f"{path}: " + "\n".join(report.errors)
    assert not report.third_party, f"{path} asked other sites for: {report.third_party}"


# The pages built from the book's own notebooks and Markdown files (not Sphinx's index and search).
BOOK_PAGES = [path for path in PAGES if source_of(path) is not None]


def test_every_chapter_is_checked_for_content() -> None:
    assert set(NOTEBOOKS) <= set(BOOK_PAGES), "every notebook chapter has its content checked"


@pytest.mark.parametrize("path", BOOK_PAGES)
def test_page_shows_its_title_text_code_pairs_and_rendered_maths(page_report: Reporter, path: str) -> None:
    # A page that loads without errors can still be blank, unpaired or unrendered.
    problems = content_problems(page_report(path).content, expected(path))
    assert not problems, f"{path}: " + "; ".join(problems)


def test_the_root_redirects_to_the_landing_page(page_report: Reporter) -> None:
    assert page_report("index.html").url.endswith("/chapters/00_welcome.html")


def test_math_comes_from_the_site_and_no_widget_renderer_loads(page_report: Reporter) -> None:
    report = page_report(CHAPTER)
    served = "_static/npm/mathjax/es5/tex-mml-chtml.js"
    assert served in report.requested, f"{served} was not loaded from the site; loaded: {report.requested}"
    assert not [url for url in report.requested if "html-manager" in url or "require.js" in url]
    assert report.formulas > 10, "MathJax typeset the chapter's formulas"


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(page_report: Reporter, path: str) -> None:
    serious = [v for v in page_report(path).violations if v["impact"] in SERIOUS]
    assert not serious, f"{path}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['nodes']}" for v in serious)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_axe_finds_no_serious_or_critical_violation_in_dark_mode(page_report: Reporter, path: str) -> None:
    report = page_report(path, "dark")
    assert report.theme == "dark", "the page was drawn in dark mode"
    assert not report.errors and not report.third_party, report.errors + report.third_party
    serious = [v for v in report.violations if v["impact"] in SERIOUS]
    assert not serious, f"{path}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['nodes']}" for v in serious)
