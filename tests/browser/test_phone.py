"""At 390 px, a phone's width: no page scrolls sideways, wide maths scrolls in its own box, one search entry."""

from __future__ import annotations

import pytest
from browser_kit import NOTEBOOKS, PHONE, WIDE, Visit
from playwright.sync_api import Browser

SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('.bd-content *')].filter(element => {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) return false;
        // Closed drawers (the table of contents) wait off-screen, hidden.
        if (!element.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
        // Inside a box that scrolls or clips sideways and fits the screen, overflowing content is
        // that box's business (a wide table or equation scrolls in place).
        for (let up = element.parentElement; up; up = up.parentElement) {
            const scrolls = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX);
            if (scrolls && up.getBoundingClientRect().right <= width + 1) return false;
        }
        return true;
    });
    return {
        scroll: document.documentElement.scrollWidth - width,
        wide: wide.slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')),
    };
}"""


@pytest.fixture
def phone(browser: Browser, server: str):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield Visit(context, server)
    context.close()


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_page_scrolls_sideways_on_a_phone(phone: Visit, path: str) -> None:
    page = phone.open(path)
    found = page.evaluate(SIDEWAYS)
    assert found["scroll"] <= 0 and not found["wide"], f"{path} is wider than the screen: {found}"
    assert not phone.errors, phone.errors


def test_the_sideways_check_sees_a_wide_element(phone: Visit) -> None:
    page = phone.open("chapters/02_relu.html")
    page.evaluate("""() => {
        const wide = document.createElement('div');
        wide.className = 'too-wide';
        wide.style.width = '800px';
        wide.textContent = 'wide';
        document.querySelector('.bd-article p').append(wide);
    }""")
    assert "div.too-wide" in page.evaluate(SIDEWAYS)["wide"]


def test_long_display_maths_scrolls_inside_its_own_box(phone: Visit) -> None:
    page = phone.open("chapters/02_relu.html")
    displays = page.locator('mjx-container[display="true"]')
    assert displays.count() > 0, "chapter 2 has display maths"
    wider = [i for i in range(displays.count()) if displays.nth(i).evaluate("e => e.scrollWidth > e.clientWidth + 1")]
    assert wider, "at 390 px some equation is wider than the screen (the piecewise definition)"
    for i in wider:
        assert displays.nth(i).evaluate("e => getComputedStyle(e).overflowX") == "auto"


@pytest.mark.parametrize(("viewport", "name"), [(WIDE, "1280px"), (PHONE, "390px")])
def test_one_search_entry(browser: Browser, server: str, viewport: dict[str, int], name: str) -> None:
    context = browser.new_context(viewport=viewport)
    try:
        page = Visit(context, server).open("chapters/02_relu.html")
        entries = page.locator(".search-button__button, .search-button-field, form.bd-search")
        visible = [entries.nth(i) for i in range(entries.count()) if entries.nth(i).is_visible()]
        assert len(visible) == 1, f"{name}: {len(visible)} visible search entries"
    finally:
        context.close()
