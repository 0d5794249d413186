"""Every internal link of the built site resolves, offline (in place of Sphinx's linkcheck, which needs the web).

Each page's links and assets (href, src) that point inside the site must name a
file that exists, and a #fragment must name an element of the page it points to.
Links to other sites are not fetched; the browser tests block them at page load anyway.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browser_kit import PAGES
from bs4 import BeautifulSoup

EXTERNAL = ("http", "https", "mailto", "data", "javascript", "tel")


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(), "html.parser")
    return frozenset(
        [element["id"] for element in soup.find_all(id=True)]
        + [a["name"] for a in soup.find_all("a", attrs={"name": True})]
    )


def broken_links(site: Path, page: str) -> tuple[list[str], int]:
    """The links of ``page`` that lead nowhere, and how many links were checked."""
    path = site / page
    soup = BeautifulSoup(path.read_text(), "html.parser")
    links = [(tag.name, tag.get(attr)) for attr in ("href", "src") for tag in soup.find_all(attrs={attr: True})]
    # The root page is a meta-refresh redirect.
    for meta in soup.find_all("meta", attrs={"http-equiv": re.compile("refresh", re.I)}):
        links.append(("meta", meta["content"].split("url=", 1)[-1].strip()))
    broken = []
    for tag, link in links:
        parts = urlsplit(link)
        if parts.scheme in EXTERNAL or parts.netloc:
            continue
        target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or site.resolve() not in target.parents:
            broken.append(f"<{tag}> {link}: no file {target}")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
            broken.append(f"<{tag}> {link}: no #{parts.fragment} in {target.relative_to(site.resolve())}")
    return broken, len(links)


def test_every_internal_link_and_asset_resolves(site: Path) -> None:
    problems = []
    for page in PAGES:
        broken, count = broken_links(site, page)
        assert count >= 1, f"{page} has no links at all"
        problems += [f"{page}: {problem}" for problem in broken]
    assert not problems, "\n".join(problems)


def test_the_link_check_catches_a_broken_link_and_fragment(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="b.html#there">b</a> <a href="#here">ok</a> <img src="x.png">'
    )
    (tmp_path / "b.html").write_text('<p id="elsewhere">b</p>')
    broken, count = broken_links(tmp_path, "a.html")
    assert count == 3
    assert len(broken) == 2 and "no #there" in broken[0] and "x.png" in broken[1], broken
