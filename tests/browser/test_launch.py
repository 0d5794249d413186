"""The launch menu of every chapter page: Colab and Binder open the reader notebook, Live Code (Thebe) the page."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

import pytest
from browser_kit import NOTEBOOKS, Visit, notebooks
from playwright.sync_api import Page, Route

# sphinx-thebe 0.3.1 loads this file only when a reader clicks Live Code.
THEBE = "https://unpkg.com/thebe@0.8.2/lib/index.js"
# Stands in for Thebe, which cannot be fetched here: it records the calls sphinx-thebe makes.
THEBE_STUB = """
window.thebeCalls = [];
window.thebelab = {
  on: (event) => window.thebeCalls.push("on " + event),
  bootstrap: () => window.thebeCalls.push("bootstrap"),
};
"""


def open_launch_menu(visit: Visit, path: str) -> Page:
    page = visit.open(path)
    page.get_by_role("button", name="Launch interactive content").click()
    return page


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_colab_and_binder_open_the_reader_notebook_on_its_branch_of_the_configured_repository(
    visit: Visit, path: str
) -> None:
    page = open_launch_menu(visit, path)
    name = path.removeprefix("chapters/").removesuffix(".html")
    url, _ = notebooks.repository()
    # The reader notebooks (tools/reader_notebooks.py), which the Pages workflow commits there.
    branch = notebooks.READER_BRANCH
    repo = urlparse(url).path.strip("/")
    colab = page.get_by_role("link", name="Colab")
    binder = page.get_by_role("link", name="Binder")
    assert colab.is_visible() and binder.is_visible(), "the menu shows both launch links"
    assert (
        colab.get_attribute("href")
        == f"https://colab.research.google.com/github/{repo}/blob/{branch}/chapters/{name}.ipynb"
    )
    href = binder.get_attribute("href") or ""
    assert href.startswith(f"https://mybinder.org/v2/gh/{repo}/{branch}?"), href
    assert unquote(href).endswith(f"urlpath=tree/chapters/{name}.ipynb"), href
    assert branch == "notebooks"
    assert not visit.errors and not visit.third_party, visit.errors + visit.third_party


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_live_code_loads_thebe_only_when_clicked_and_asks_binder_for_the_book(visit: Visit, path: str) -> None:
    def thebe(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=THEBE_STUB)

    visit.allowed[THEBE] = thebe
    page = open_launch_menu(visit, path)
    assert not visit.third_party, "nothing from another site before the click"
    code_cells = page.locator("div.cell:has(div.cell_input)").count()
    assert code_cells > 0
    page.get_by_role("button", name="Live Code").click()
    page.wait_for_function("window.thebeCalls && window.thebeCalls.includes('bootstrap')")
    assert visit.third_party == [THEBE], "the click loads Thebe, and only Thebe"
    # Thebe reads its Binder settings from the page: the book's repository and branch, whose
    # binder/ folder is the environment the Binder button builds; kernels start in chapters/.
    url, branch = notebooks.repository()
    config = page.locator('script[type="text/x-thebe-config"]').text_content() or ""
    assert f'repo: "{urlparse(url).path.strip("/")}"' in config and f'ref: "{branch}"' in config, config
    assert 'path: "./chapters"' in config, config
    # Every code cell on the page, framework pairs included, became executable.
    assert page.locator('div.cell pre[data-executable="true"]').count() == code_cells
    assert not visit.errors, visit.errors


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_the_download_menu_offers_the_reader_notebook_and_the_site_serves_it(visit: Visit, path: str) -> None:
    page = visit.open(path)
    name = path.removeprefix("chapters/").removesuffix(".html")
    page.get_by_role("button", name="Download this page").click()
    link = page.locator('.dropdown-download-buttons a[href$=".ipynb"]')
    assert link.count() == 1 and link.is_visible(), "one notebook download in the menu"
    assert link.get_attribute("href") == f"../_reader/chapters/{name}.ipynb"
    response = page.request.get(visit.base + f"_reader/chapters/{name}.ipynb")
    assert response.ok and response.json()["metadata"]["kernelspec"]["name"] == "python3"
    assert not visit.errors and not visit.third_party, visit.errors + visit.third_party
