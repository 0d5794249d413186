"""Screenshots of every chapter at 1280 and 390 px, full page, into _build/screenshots/.

    make browser-check            # or: .venv/bin/python -m pytest tests/browser/test_screenshots.py

They are for people: to see a change across the whole book at a glance, and to
review the page a phone shows. The test checks that each is a real, full-page
picture of its chapter (a PNG as wide as the viewport and taller than the screen).
"""

from __future__ import annotations

import struct

import pytest
from browser_kit import HTML, NOTEBOOKS, PHONE, WIDE, Visit
from playwright.sync_api import Browser

SHOTS = HTML.parent / "screenshots"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("viewport", "name"), [(WIDE, "1280px"), (PHONE, "390px")])
def test_screenshot_of_every_chapter(browser: Browser, server: str, viewport: dict[str, int], name: str) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(15_000)
    visit = Visit(context, server)
    try:
        for path in NOTEBOOKS:
            page = visit.open(path, idle=True)
            target = SHOTS / name / path.replace("chapters/", "").replace(".html", ".png")
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
            width, height = png_size(target.read_bytes())
            assert width == viewport["width"], f"{target.name}: {width} px wide, the page scrolls sideways"
            assert height > viewport["height"], f"{target.name}: {height} px, not the full chapter"
            page.close()
        assert not visit.errors, visit.errors
    finally:
        context.close()
