"""What the browser tests share: the pages, the browser settings, a recording visit and axe."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, Route

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402, F401  (the browser and flags tools/pdf.py prints with)


def toc_pages() -> list[str]:
    """The book's pages as paths in the built site, in the order of _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for part in toc.get("parts", []) for entry in part["chapters"]]
    return [f"{file}.html" for file in files]


# What the site holds: the pages of the ToC, plus the redirect, index and search pages Sphinx writes.
PAGES = [*toc_pages(), "index.html", "genindex.html", "search.html"]
# The chapters that are notebooks: they have launch buttons and framework pairs.
NOTEBOOKS = [f"chapters/{path.stem}.html" for path in notebooks.chapter_paths()]
# The chapter with every feature: framework pairs, figures, formulas, an explorer, exercises, citations.
CHAPTER = "chapters/02_relu.html"


@dataclass
class Visit:
    """A browser context on the book that records everything that went wrong."""

    context: BrowserContext
    base: str
    errors: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    allowed: dict[str, Callable[[Route], None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        elif url in self.allowed:
            self.third_party.append(url)
            self.allowed[url](route)
        else:
            self.third_party.append(url)
            route.abort("blockedbyclient")

    @property
    def page(self) -> Page:
        """The page opened last."""
        return self.context.pages[-1]

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return page

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location.get('url')})")

    def _failed(self, request: Request) -> None:
        # ERR_ABORTED is a request the page dropped (it navigated away while, say, the
        # icon was loading) or one whose error response is already recorded above.
        if urlparse(request.url).hostname == "127.0.0.1" and request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def open(self, path: str, page: Page | None = None, *, idle: bool = False) -> Page:
        """Load ``path`` (in a new page unless one is given) and wait until math and explorers are ready.

        With ``idle``, also wait until the network has been quiet for half a second, so
        that late requests (fonts, images a script adds) are seen too.
        """
        page = page or self.new_page()
        page.goto(self.base + path, wait_until="load")
        if idle:
            page.wait_for_load_state("networkidle")
        settle(page)
        return page


def settle(page: Page) -> None:
    """Wait for MathJax's first pass and for every explorer's controls to be shown by the page's script.

    A page with formulas (Sphinx wraps each in ``.math``) must have MathJax: Sphinx sets
    ``window.MathJax`` to its configuration before the script loads, so only
    ``MathJax.startup`` shows that MathJax itself arrived.
    """
    formulas = page.locator(".math").count()
    loaded = page.evaluate("() => Boolean(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)")
    if formulas and not loaded:
        pytest.fail(f"{page.url} has {formulas} formulas but MathJax did not load", pytrace=False)
    if loaded:
        page.evaluate("() => window.MathJax.startup.promise")
    if page.locator("[data-relu-explorer]").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-relu-explorer] .relu-explorer-controls')]"
            ".every(controls => !controls.hidden)"
        )


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: id, impact, help and the elements concerned."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)", pytrace=False)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")),
            }));
        }"""
    )


@dataclass(frozen=True)
class PageReport:
    """What loading one page showed: its title and URL, what went wrong, and axe-core's findings."""

    path: str
    mode: str
    title: str
    url: str
    theme: str
    errors: list[str]
    third_party: list[str]
    requested: list[str]
    formulas: int
    violations: list[dict[str, Any]]
    content: dict[str, Any] = field(default_factory=dict)


# The page_report fixture: page_report(path, mode='light') -> PageReport.
Reporter = Callable[..., PageReport]

# Every axe run of the session, page -> violations; conftest prints it at the end.
AXE_RESULTS: dict[str, list[dict[str, Any]]] = {}
