"""Reading comfort: solutions, copy buttons, citations, dark mode, print."""

from __future__ import annotations

import nbformat
from browser_kit import CHAPTER, ROOT, Visit
from page_checks import visibility

NOTEBOOK = ROOT / "chapters" / "02_relu.ipynb"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def test_exercise_solutions_are_folded_until_opened(chapter: Visit) -> None:
    page = chapter.page
    solutions = page.locator(".admonition.dropdown")
    assert solutions.count() >= 3
    first = solutions.first
    body = first.locator(":scope > :not(.admonition-title)").first
    assert not body.is_visible(), "folded at first"
    button = first.locator("button.toggle-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert body.is_visible() and button.get_attribute("aria-expanded") == "true"


def test_code_cells_have_a_copy_button_that_copies_the_code(chapter: Visit) -> None:
    page = chapter.page
    inputs = page.locator("div.cell_input div.highlight")
    assert inputs.count() > 5
    assert page.locator("div.cell_input div.highlight button.copybtn").count() == inputs.count()
    # The first TensorFlow cell, laid out line by line beside its PyTorch twin: the copy is its source.
    source = next(cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells if "tensorflow" in tags(cell))
    cell = page.locator("div.cell.tag_tensorflow div.cell_input div.highlight").first
    cell.hover()
    cell.locator("button.copybtn").click()
    assert page.evaluate("navigator.clipboard.readText()").rstrip("\n") == source


def test_citations_link_to_the_bibliography(visit: Visit) -> None:
    page = visit.open(CHAPTER)
    citation = page.locator("a[href^='references.html#']").first
    target = (citation.get_attribute("href") or "").split("#", 1)[1]
    citation.click()
    page.wait_for_url(f"**/chapters/references.html#{target}")
    entry = page.locator(f"[id='{target}']")
    assert entry.is_visible() and entry.get_attribute("role") == "listitem"
    assert entry.evaluate("e => e.getBoundingClientRect().top < window.innerHeight"), "scrolled to the entry"


def test_dark_mode_keeps_figures_on_white_and_undimmed(visit: Visit) -> None:
    visit.context.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    page = visit.open(CHAPTER)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    figures = page.locator("figure.relu-figure img")
    assert figures.count() >= 3
    for style in figures.evaluate_all(
        "imgs => imgs.map(i => ({filter: getComputedStyle(i).filter, background: getComputedStyle(i).backgroundColor}))"
    ):
        assert style == {"filter": "none", "background": "rgb(255, 255, 255)"}, style
    assert body != "rgb(255, 255, 255)", "the page itself is dark"


def test_print_keeps_both_frameworks_shown_code_outputs_and_figures_and_drops_navigation(visit: Visit) -> None:
    page = visit.open(f"{CHAPTER}?framework=tensorflow")
    assert not page.locator("div.cell.tag_pytorch").first.is_visible(), "on screen: TensorFlow only"
    page.emulate_media(media="print")
    shown = "div.cell:not(.tag_hide-input) div.cell_input pre"
    # An explorer prints the frame its controls select, not the ones they hide.
    figures = "figure.relu-figure:not(.relu-explorer-frame[hidden] *) img"
    printed = ("div.cell.tag_pytorch", "div.cell.tag_tensorflow", shown, "div.cell_output", figures)
    for selector in printed:
        assert all(visibility(page, selector)), f"{selector} is printed"
    # Set-up and figure code stays folded on paper as on the screen: the page prints what it shows.
    assert not any(visibility(page, "div.cell.tag_hide-input div.cell_input pre"))
    # visibility() fails when nothing matches: a renamed theme class cannot pass as "hidden".
    for selector in (".framework-tabs", ".bd-sidebar-primary", ".bd-header-article", ".prev-next-area"):
        assert not any(visibility(page, selector)), f"{selector} is not printed"
    # Long lines wrap on paper instead of being cut off at the margin.
    assert page.locator("div.cell_input pre").first.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"


def test_the_code_in_every_pair_is_the_notebook_code_unchanged(chapter: Visit) -> None:
    # relu-book.js lays each line of a pair's code out in its own span; the text must not change,
    # since the copy button and Thebe read it.
    sources = [
        cell.source
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells
        if {"pytorch", "tensorflow"} & set(tags(cell))
    ]
    assert sources, "the chapter's notebook has framework cells to compare"
    shown = chapter.page.locator(".framework-panel div.cell_input pre").evaluate_all(
        "pres => pres.map(p => p.textContent)"
    )
    assert [text.rstrip("\n") for text in shown] == sources
    assert chapter.page.locator(".framework-panel div.cell_input pre .code-line").count() >= sum(
        source.count("\n") + 1 for source in sources
    )
