"""The framework selector: one PyTorch / TensorFlow / Both control for every pair of cells."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_kit import CHAPTER, PHONE, WIDE, Visit, toc_pages
from playwright.sync_api import Browser, Locator, Page

FIRST, NEXT = toc_pages()[:2]  # the landing page and the chapter its "next" link opens
# Set RELU_BOOK_SCREENSHOTS to a folder to keep screenshots of "Both" at each width.
SHOTS = os.environ.get("RELU_BOOK_SCREENSHOTS")


def cells(page: Page, framework: str) -> Locator:
    return page.locator(f"div.cell.tag_{framework}")


def assert_showing(page: Page, choice: str) -> None:
    """Every PyTorch and TensorFlow cell is shown or hidden as ``choice`` says, and every tab list agrees."""
    # One round trip for the whole page: which cells are visible, which tabs are selected.
    state = page.evaluate(
        """() => ({
            pytorch: [...document.querySelectorAll("div.cell.tag_pytorch")].map(c => c.checkVisibility()),
            tensorflow: [...document.querySelectorAll("div.cell.tag_tensorflow")].map(c => c.checkVisibility()),
            selected: [...document.querySelectorAll('.framework-tabs [role="tab"][aria-selected="true"]')]
                .map(t => t.textContent),
            lists: document.querySelectorAll(".framework-tabs").length,
        })"""
    )
    pairs = len(state["pytorch"])
    assert pairs and pairs == len(state["tensorflow"]) == state["lists"], state
    assert state["pytorch"] == [choice in ("PyTorch", "Both")] * pairs, f"PyTorch cells under {choice}: {state}"
    assert state["tensorflow"] == [choice in ("TensorFlow", "Both")] * pairs, f"TF cells under {choice}: {state}"
    assert state["selected"] == [choice] * pairs, f"every tab list shows {choice} as selected: {state}"


def test_every_pair_sits_under_one_tab_list_with_three_choices(chapter: Visit) -> None:
    page = chapter.page
    pairs = page.locator(".framework-pair")
    assert pairs.count() == cells(page, "pytorch").count() == cells(page, "tensorflow").count() >= 3
    for pair in pairs.all():
        tablist = pair.get_by_role("tablist", name="Framework")
        tabs = tablist.get_by_role("tab")
        assert tabs.all_inner_texts() == ["PyTorch", "TensorFlow", "Both"]
        panel = pair.get_by_role("tabpanel")
        panel_id = panel.get_attribute("id")
        assert all(tab.get_attribute("aria-controls") == panel_id for tab in tabs.all())
        assert panel.get_attribute("aria-labelledby") == tabs.nth(2).get_attribute("id"), "labelled by the choice"
        # The panel holds the PyTorch cell and then its TensorFlow twin, outputs included.
        inside = panel.locator(":scope > div.cell")
        assert inside.count() == 2
        assert "tag_pytorch" in inside.nth(0).get_attribute("class")
        assert "tag_tensorflow" in inside.nth(1).get_attribute("class")
        assert inside.nth(0).locator(".cell_output").count() == 1
    assert_showing(page, "Both")  # until a reader chooses
    assert not chapter.errors, chapter.errors


def test_choosing_tensorflow_hides_pytorch_and_carries_to_the_next_chapter_and_a_reload(visit: Visit) -> None:
    page = visit.open(FIRST)
    page.locator(".framework-pair").first.get_by_role("tab", name="TensorFlow").click()
    assert_showing(page, "TensorFlow")
    page.locator("a.right-next").click()  # the "next" link at the foot of the page
    page.wait_for_url(f"**/{NEXT}")
    assert_showing(page, "TensorFlow")
    page.reload()
    assert_showing(page, "TensorFlow")
    assert page.evaluate("localStorage.getItem('relu-book-framework')") == "tensorflow"
    assert not visit.errors, visit.errors


def test_a_link_sets_the_choice_and_it_is_kept(visit: Visit) -> None:
    page = visit.open(f"{CHAPTER}?framework=pytorch")
    assert_showing(page, "PyTorch")
    visit.open(FIRST, page)  # no parameter: the stored choice
    assert_showing(page, "PyTorch")
    visit.open(f"{FIRST}?framework=TensorFlow", page)
    assert_showing(page, "TensorFlow")
    visit.open(f"{FIRST}?framework=jax", page)  # not a choice: ignored
    assert_showing(page, "TensorFlow")
    visit.open(f"{FIRST}?framework=both", page)
    assert_showing(page, "Both")


def test_a_choice_reaches_the_book_open_in_another_tab(visit: Visit) -> None:
    first, second = visit.open(FIRST), visit.open(CHAPTER)
    first.locator(".framework-pair").first.get_by_role("tab", name="PyTorch").click()
    second.wait_for_function("document.documentElement.dataset.framework === 'pytorch'")
    assert_showing(second, "PyTorch")


def test_the_tabs_work_from_the_keyboard(visit: Visit) -> None:
    page = visit.open(CHAPTER)
    tabs = page.locator(".framework-pair").first.get_by_role("tab")
    # One tab stop per tab list: the selected tab ("Both").
    assert [tab.get_attribute("tabindex") for tab in tabs.all()] == ["-1", "-1", "0"]
    tabs.nth(2).focus()
    page.keyboard.press("ArrowRight")  # wraps round to the first tab
    assert_showing(page, "PyTorch")
    assert page.evaluate("document.activeElement.textContent") == "PyTorch"
    page.keyboard.press("ArrowRight")
    assert_showing(page, "TensorFlow")
    page.keyboard.press("End")
    assert_showing(page, "Both")
    page.keyboard.press("Home")
    assert_showing(page, "PyTorch")
    page.keyboard.press("ArrowLeft")
    assert_showing(page, "Both")
    assert [tab.get_attribute("tabindex") for tab in tabs.all()] == ["-1", "-1", "0"]
    page.keyboard.press("Shift+Tab")  # leaves the tab list in one step
    assert page.evaluate("document.activeElement.getAttribute('role')") != "tab"


@pytest.mark.parametrize(("viewport", "columns"), [(WIDE, 2), (PHONE, 1)], ids=["1280px", "390px"])
def test_both_is_two_columns_on_a_wide_screen_and_one_on_a_phone(
    browser: Browser, server: str, viewport: dict[str, int], columns: int
) -> None:
    context = browser.new_context(viewport=viewport)
    visit = Visit(context, server)
    try:
        page = visit.open(f"{CHAPTER}?framework=both")
        pairs = page.locator(".framework-pair").all()
        assert pairs, "the chapter shows its framework pairs"
        for pair in pairs:
            pair.scroll_into_view_if_needed()
            torch_box = pair.locator("div.cell.tag_pytorch").bounding_box()
            tf_box = pair.locator("div.cell.tag_tensorflow").bounding_box()
            assert torch_box and tf_box
            if columns == 2:
                assert abs(torch_box["y"] - tf_box["y"]) < 1, "side by side: the two cells start level"
                assert tf_box["x"] >= torch_box["x"] + torch_box["width"], "TensorFlow to the right of PyTorch"
            else:
                assert tf_box["y"] >= torch_box["y"] + torch_box["height"], "stacked: TensorFlow below PyTorch"
                assert abs(torch_box["x"] - tf_box["x"]) < 1 and abs(torch_box["width"] - tf_box["width"]) < 1
            # Nothing spills out of the page sideways.
            assert torch_box["x"] >= 0 and tf_box["x"] + tf_box["width"] <= viewport["width"]
        if SHOTS:
            pair = page.locator(".framework-pair").nth(1)
            pair.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 70)")
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/02_relu-both-{viewport['width']}px.png")
        assert not visit.errors, visit.errors
    finally:
        context.close()


def test_without_javascript_every_cell_stays_visible_in_order_and_labelled(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport=WIDE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + CHAPTER)
        assert page.locator(".framework-tabs").count() == 0, "no tabs without JavaScript"
        all_cells = page.locator("div.cell.tag_pytorch, div.cell.tag_tensorflow")
        classes = [cell.get_attribute("class") for cell in all_cells.all()]
        order = ["pytorch" if "tag_pytorch" in c else "tensorflow" for c in classes]
        assert order == ["pytorch", "tensorflow"] * (len(order) // 2) and order, order
        assert all(cell.is_visible() for cell in all_cells.all())
        # Playwright's own scripts still run: read the CSS label of each cell.
        labels = all_cells.evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
        assert labels == ['"PyTorch"', '"TensorFlow"'] * (len(order) // 2)
    finally:
        context.close()
