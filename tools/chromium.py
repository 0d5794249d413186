"""The one headless Chromium of the project: which browser, its flags, and the built site on loopback.

The browser tests (tests/browser/) and the PDF edition (tools/pdf.py) both use it, so
that the pages are checked in the browser that prints them. The browser is Debian's
/usr/bin/chromium (``apt-get install chromium``), or the executable RELU_BOOK_CHROMIUM
names (CI points it at the runner's Google Chrome); never one that Playwright downloads.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("RELU_BOOK_CHROMIUM", "/usr/bin/chromium"))
# No GPU, no QUIC, and none of Chromium's own background traffic (updates, sync,
# field trials), so that every request a test sees comes from the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = (
    "no Chromium at {path}: install it: apt-get install chromium "
    "(or set RELU_BOOK_CHROMIUM to a Chromium or Google Chrome executable)"
)


def launch(playwright: Playwright) -> Browser:
    """Start the headless Chromium with a fresh, temporary profile.

    Raises:
        FileNotFoundError: if the browser is not installed, saying how to get it.
    """
    if not CHROMIUM.is_file():
        raise FileNotFoundError(MISSING.format(path=CHROMIUM))
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 at a free port; yields its base URL.

    Over HTTP rather than file:// so that the pages load their fonts and scripts as
    they do on the published site.
    """
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
