"""The explorers on the published page: every control moves the figure, by keyboard and by mouse.

Each explorer (relu_lib.explorer) holds one precomputed frame per point of its
controls' grid; relu-book.js shows the frame the controls select. After every
move the test reads the controls' positions and checks that exactly the frame
with those positions is visible, that it differs from the one before, that its
image was decoded, and that its alt text names the values the controls show.
"""

from __future__ import annotations

import json

import pytest
from browser_kit import PHONE, Visit
from playwright.sync_api import Locator, Page

# The chapters with explorers, and how many each has.
EXPLORER_PAGES = {
    "chapters/01_stall.html": 1,
    "chapters/02_relu.html": 1,
    "chapters/05_tips.html": 1,
    "chapters/06_extensions.html": 1,
}


def state(explorer: Locator) -> dict[str, object]:
    """The controls' positions and value texts, and every frame that is visible."""
    return explorer.evaluate(
        """root => {
            const controls = [...root.querySelectorAll('[data-control]')].map(control => {
                if (control.matches('input')) {
                    const values = JSON.parse(control.dataset.values);
                    return {position: control.value, text: values[Number(control.value)]};
                }
                const checked = control.querySelector('input:checked');
                return {position: checked.value, text: checked.parentElement.textContent.trim()};
            });
            const visible = [...root.querySelectorAll('[data-frame]')].filter(f => f.checkVisibility());
            return {
                key: controls.map(c => c.position).join(','),
                texts: controls.map(c => c.text),
                visible: visible.map(f => f.dataset.frame),
                src: visible.map(f => f.querySelector('img').getAttribute('src')),
                alt: visible.map(f => f.querySelector('img').alt),
                decoded: visible.every(f => f.querySelector('img').complete && f.querySelector('img').naturalWidth > 0),
            };
        }"""
    )


def assert_shows_its_frame(explorer: Locator, before: dict[str, object] | None = None) -> dict[str, object]:
    """Exactly the frame the controls select is visible, decoded, described by the values shown."""
    now = state(explorer)
    assert now["visible"] == [now["key"]], f"controls at {now['key']} but visible frames {now['visible']}"
    assert now["decoded"], "the visible frame's image was decoded"
    alt = str(now["alt"][0])  # type: ignore[index]
    for text in now["texts"]:  # type: ignore[union-attr]
        assert str(text) in alt, f"the frame's alt text does not mention {text!r}: {alt}"
    if before is not None:
        assert now["key"] != before["key"], "the control did not move"
        assert now["src"] != before["src"], "the control moved but the figure did not change"
    return now


def explorers(page: Page, path: str) -> list[Locator]:
    found = page.locator("[data-relu-explorer]")
    assert found.count() == EXPLORER_PAGES[path], f"{path}: expected {EXPLORER_PAGES[path]} explorer(s)"
    return [found.nth(i) for i in range(found.count())]


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_every_control_moves_the_figure_by_keyboard(visit: Visit, path: str) -> None:
    page = visit.open(path)
    for explorer in explorers(page, path):
        assert explorer.locator(".relu-explorer-controls").is_visible(), "the script showed the controls"
        before = assert_shows_its_frame(explorer)
        ranges = explorer.locator('input[type="range"]')
        groups = explorer.locator("fieldset[data-control]")
        assert ranges.count() + groups.count() >= 1, "an explorer has at least one control"
        for i in range(ranges.count()):
            slider = ranges.nth(i)
            slider.focus()
            # From the end of the grid, Home moves; otherwise ArrowRight does.
            key = "Home" if slider.input_value() == slider.get_attribute("max") else "ArrowRight"
            page.keyboard.press(key)
            before = assert_shows_its_frame(explorer, before)
            index = slider.evaluate(
                "e => [...e.closest('[data-relu-explorer]').querySelectorAll('[data-control]')].indexOf(e)"
            )
            assert slider.get_attribute("aria-valuetext") == before["texts"][index]  # type: ignore[index]
            assert explorer.locator(f'output[for="{slider.get_attribute("id")}"]').inner_text() == slider.get_attribute(
                "aria-valuetext"
            )
        for i in range(groups.count()):
            group = groups.nth(i)
            group.locator("input:checked").focus()
            page.keyboard.press("ArrowRight")  # the browser moves the choice to the next radio button
            before = assert_shows_its_frame(explorer, before)
    assert not visit.errors, visit.errors


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_every_control_moves_the_figure_by_mouse(visit: Visit, path: str) -> None:
    page = visit.open(path)
    for explorer in explorers(page, path):
        before = assert_shows_its_frame(explorer)
        ranges = explorer.locator('input[type="range"]')
        for i in range(ranges.count()):
            slider = ranges.nth(i)
            box = slider.bounding_box()
            assert box, "the slider is laid out"
            # Click the far end of the track unless the slider is there already, then the near end.
            at_end = slider.input_value() == slider.get_attribute("max")
            slider.click(position={"x": 2 if at_end else box["width"] - 2, "y": box["height"] / 2})
            expected = "0" if at_end else slider.get_attribute("max")
            assert slider.input_value() == expected, "a click on the track moves the slider there"
            before = assert_shows_its_frame(explorer, before)
        groups = explorer.locator("fieldset[data-control]")
        for i in range(groups.count()):
            labels = groups.nth(i).locator("label")
            assert labels.count() >= 2
            for j in range(labels.count()):
                if not labels.nth(j).locator("input").is_checked():
                    labels.nth(j).click()
                    before = assert_shows_its_frame(explorer, before)
    assert not visit.errors, visit.errors


def test_every_frame_can_be_reached_and_is_the_precomputed_one(visit: Visit) -> None:
    # Chapter 1's explorer has two controls: step through the whole grid of one of them for each of the other.
    page = visit.open("chapters/01_stall.html")
    (explorer,) = explorers(page, "chapters/01_stall.html")
    slider = explorer.locator('input[type="range"]')
    texts = json.loads(slider.get_attribute("data-values") or "[]")
    radios = explorer.locator('fieldset[data-control] input[type="radio"]')
    seen = set()
    for r in range(radios.count()):
        radios.nth(r).check()
        slider.focus()
        page.keyboard.press("Home")
        for step in range(len(texts)):
            if step:
                page.keyboard.press("ArrowRight")
            seen.add(assert_shows_its_frame(explorer)["key"])
    assert len(seen) == explorer.locator("[data-frame]").count(), "every precomputed frame was shown once"


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_explorers_fit_a_phone_and_work_by_touch(visit: Visit, path: str) -> None:
    page = visit.open(path)
    page.set_viewport_size(PHONE)
    for explorer in explorers(page, path):
        explorer.scroll_into_view_if_needed()
        width = page.evaluate("() => document.documentElement.clientWidth")
        box = explorer.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{path}: the explorer overflows"
        image = explorer.locator("[data-frame]:not([hidden]) img")
        image_box = image.bounding_box()
        assert image_box and image_box["width"] <= width, "the figure scales down to the screen"
        before = assert_shows_its_frame(explorer)
        control = explorer.locator("[data-control]").first
        if control.evaluate("c => c.matches('input')"):
            control.fill(control.get_attribute("max") if control.input_value() == "0" else "0")
        else:
            control.locator("input:not(:checked)").first.check()
        assert_shows_its_frame(explorer, before)
    assert not visit.errors, visit.errors
