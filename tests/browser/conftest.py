"""The built book in a real browser: Playwright drives Chromium against _build/html served on loopback.

`make test` runs these after the strict build (`make browser-check` reruns them on the
last build). They use Debian's Chromium at /usr/bin/chromium, or the browser named by
RELU_BOOK_CHROMIUM (CI points it at the runner's Google Chrome), never a browser that
Playwright downloads. axe-core comes from node_modules/ (`npm ci`, pinned in package-lock.json).

Every test opens the book in a fresh browser context (fresh storage) that lets only
127.0.0.1 through: a request to any other site is blocked and reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import AXE_RESULTS, CHAPTER, CHROMIUM, HTML, WIDE, PageReport, Reporter, Visit, run_axe
from chromium import MISSING, launch, serve
from page_checks import page_content
from playwright.sync_api import Browser, Playwright, sync_playwright


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "chapters").is_dir():
        pytest.fail(f"no built book in {HTML}: run `make book` (or `make test`, which builds it) first", pytrace=False)
    return HTML


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, at a free port; yields its base URL."""
    with serve(site) as base:
        yield base


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(MISSING.format(path=CHROMIUM), pytrace=False)
    # A fresh, temporary profile (user data dir) for this run; each test adds its own context.
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def visit(browser: Browser, server: str) -> Iterator[Visit]:
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(15_000)
    yield Visit(context, server)
    context.close()


@pytest.fixture(scope="session")
def page_report(browser: Browser, server: str) -> Reporter:
    """Load a page once per session (in a fresh context), check it and run axe; later calls reuse it."""
    reports: dict[tuple[str, str], PageReport] = {}

    def report(path: str, mode: str = "light") -> PageReport:
        if (path, mode) not in reports:
            context = browser.new_context(viewport=WIDE)
            context.set_default_timeout(15_000)
            # pydata-sphinx-theme reads the colour mode from localStorage before drawing the page.
            context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
            visit = Visit(context, server)
            page = visit.new_page()
            requested: list[str] = []
            page.on("requestfinished", lambda request: requested.append(request.url.removeprefix(server)))
            visit.open(path, page, idle=True)
            if path == "index.html":  # the root redirects to the landing page
                page.wait_for_url("**/chapters/00_welcome.html")
            content = page_content(page)  # before axe adds its script
            violations = run_axe(page)
            AXE_RESULTS[path if mode == "light" else f"{path} ({mode})"] = violations
            reports[path, mode] = PageReport(
                path=path,
                mode=mode,
                title=page.title(),
                url=page.url,
                theme=page.evaluate("document.documentElement.dataset.theme"),
                errors=list(visit.errors),
                third_party=list(visit.third_party),
                requested=[url.split("?")[0] for url in requested],
                formulas=page.locator("mjx-container").count(),
                violations=violations,
                content=content,
            )
            context.close()
        return reports[path, mode]

    return report


@pytest.fixture(scope="module")
def chapter(browser: Browser, server: str) -> Iterator[Visit]:
    """Chapter 2, loaded once for a module's read-only checks (they must not change the framework).

    Loading the chapter takes a second here (MathJax to compile and a few hundred
    kilobytes of figures), so checks that only look share one load. The context may
    read the clipboard, for the copy button.
    """
    context = browser.new_context(viewport=WIDE)
    context.set_default_timeout(15_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    visit = Visit(context, server)
    visit.open(CHAPTER)
    yield visit
    context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List what axe-core found on each page (any impact), so the run's log shows the result."""
    if not AXE_RESULTS:
        return
    terminalreporter.section("axe-core")
    for page, violations in sorted(AXE_RESULTS.items()):
        found = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations) or "no violations"
        terminalreporter.write_line(f"{page}: {found}")
