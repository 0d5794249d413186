"""What a reader of the published HTML sees: figures, framework pairs, citations, launch buttons."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

CHAPTERS = [path.stem for path in notebooks.chapter_paths()]


def page(site: Path, name: str) -> BeautifulSoup:
    path = site / "chapters" / f"{name}.html"
    assert path.is_file(), f"{path} was not built"
    return BeautifulSoup(path.read_text(), "html.parser")


@pytest.mark.parametrize("name", CHAPTERS)
def test_launch_buttons_open_the_reader_notebook_on_its_branch(site: Path, name: str) -> None:
    soup = page(site, name)
    url, _ = notebooks.repository()
    branch = notebooks.READER_BRANCH  # tools/reader_notebooks.py, published by the Pages workflow
    repo = urlparse(url).path.strip("/")
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/chapters/{name}.ipynb"
    assert colab in hrefs, f"no Colab button for {name}; links: {[h for h in hrefs if 'colab' in h]}"
    binder = [h for h in hrefs if h.startswith(f"https://mybinder.org/v2/gh/{repo}/{branch}")]
    assert binder, f"no Binder button for {name}"
    assert unquote(binder[0]).endswith(f"urlpath=tree/chapters/{name}.ipynb"), binder[0]


@pytest.mark.parametrize("name", CHAPTERS)
def test_outputs_are_clean(site: Path, name: str) -> None:
    soup = page(site, name)
    assert not soup.select(".output.stderr"), f"{name} shows stderr output"
    assert not soup.select(".output.traceback"), f"{name} shows a traceback"
    text = soup.get_text()
    assert "Warning:" not in text and "{glue" not in text, f"{name} shows a warning or an unresolved glue"


@pytest.mark.parametrize("name", CHAPTERS)
def test_pytorch_and_tensorflow_cells_come_in_pairs(site: Path, name: str) -> None:
    soup = page(site, name)
    cells = soup.select("div.cell")
    frameworks = [
        "pytorch" if "tag_pytorch" in cell["class"] else "tensorflow" if "tag_tensorflow" in cell["class"] else None
        for cell in cells
    ]
    assert frameworks.count("pytorch") >= 1
    assert frameworks.count("pytorch") == frameworks.count("tensorflow")
    for index, framework in enumerate(frameworks):
        if framework == "pytorch":
            assert frameworks[index + 1] == "tensorflow", f"{name}: pytorch cell {index} lacks its twin in the HTML"
            assert cells[index].select("div.cell_input"), "the PyTorch code is shown"
            assert cells[index + 1].select("div.cell_input"), "the TensorFlow code is shown"


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_are_inline_vector_images_with_alt_text(site: Path, name: str) -> None:
    soup = page(site, name)
    figures = [img for img in soup.select("div.cell_output img") if img.get("src", "").startswith("data:image/svg")]
    if name.split("_")[0] != "00":
        assert len(figures) >= 2, f"{name} shows {len(figures)} figures"
    for img in figures:
        assert len(img.get("alt", "").strip()) >= 20, f"{name}: a figure has no real alt text"


@pytest.mark.parametrize("name", CHAPTERS)
def test_citations_resolve_to_the_bibliography(site: Path, name: str) -> None:
    soup = page(site, name)
    references = BeautifulSoup((site / "chapters" / "references.html").read_text(), "html.parser")
    anchors = {element.get("id") for element in references.find_all(id=True)}
    links = [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("references.html#")]
    if name.split("_")[0] != "00":
        assert links, f"{name} cites nothing"
    for href in links:
        assert href.split("#", 1)[1] in anchors, f"{name}: citation link {href} has no target"
    assert not re.search(r"\[\?\]|citation not found", soup.get_text(), re.I)


# The chapters with an explorer, and a word the alt text of its static twin uses.
EXPLORERS = {"01_stall": "gradient", "02_relu": "unit", "05_tips": "deviation", "06_extensions": "slope"}


@pytest.mark.parametrize(("name", "word"), EXPLORERS.items())
def test_explorers_are_precomputed_frames_beside_a_static_figure(site: Path, name: str, word: str) -> None:
    soup = page(site, name)
    explorers = soup.select("div.cell_output div.relu-explorer[data-relu-explorer]")
    assert explorers, f"{name}: no explorer on the page"
    for explorer in explorers:
        controls = explorer.select("[data-control]")
        frames = explorer.select("[data-frame]")
        assert controls and len(frames) >= 2, f"{name}: an explorer needs controls and frames to move between"
        shown = [frame for frame in frames if not frame.has_attr("hidden")]
        assert len(shown) == 1, f"{name}: exactly one frame shows before the script runs"
        assert all(frame.select_one("figure.relu-figure img[alt]") for frame in frames)
        assert len({frame.select_one("img")["src"] for frame in frames}) == len(frames), "every frame differs"
    # The pages render the HTML version, so neither the widget view nor its state is embedded.
    for kind in ("view", "state"):
        assert not soup.find_all("script", type=f"application/vnd.jupyter.widget-{kind}+json"), f"widget {kind}"
    assert not soup.find_all("script", src=re.compile("require|html-manager|embed-amd"))
    static = [img for img in soup.select("div.cell_output img[alt]") if not img.find_parent(attrs={"data-frame": True})]
    assert any(word in img["alt"].lower() for img in static), f"{name}: the explorer's static figure is on the page"


def test_landing_page_is_the_book_root(site: Path) -> None:
    index = (site / "index.html").read_text()
    assert "chapters/00_welcome.html" in index
    soup = page(site, "00_welcome")
    text = soup.get_text()
    for phrase in ("Colab", "Binder", "pip install", "PyTorch", "TensorFlow"):
        assert phrase in text, f"the landing page does not mention {phrase}"


PAGE_BUDGET = 1.5e6  # bytes: a chapter page and every image it loads


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_page_with_its_images_stays_under_its_weight_budget(site: Path, name: str) -> None:
    path = site / "chapters" / f"{name}.html"
    soup = page(site, name)
    total = path.stat().st_size
    for img in soup.find_all("img", src=True):
        src = img["src"]
        if not src.startswith(("data:", "http")):
            total += (path.parent / src.split("?")[0]).resolve().stat().st_size
    assert total < PAGE_BUDGET, f"{name} weighs {total / 1e6:.2f} MB with its images"


def test_execution_statistics_page_lists_every_chapter(site: Path) -> None:
    soup = BeautifulSoup((site / "chapters" / "execution.html").read_text(), "html.parser")
    table = soup.find("table")
    assert table is not None, "the nb-exec-table directive rendered no table"
    text = table.get_text()
    for name in CHAPTERS:
        assert name in text, f"{name} is missing from the execution statistics"


def test_chapter_6_comparison_table_is_an_html_table_of_the_whole_registry(site: Path) -> None:
    from relu_lib import REGISTRY

    soup = page(site, "06_extensions")
    tables = [table for table in soup.find_all("table") if "year" in table.get_text()]
    assert len(tables) == 1, "the registry's Markdown output must render as one table (markdown_format: myst)"
    rows = tables[0].find_all("tr")[1:]
    assert [row.find("td").get_text(strip=True) for row in rows] == list(REGISTRY)
    years = [row.find_all("td")[-1].get_text(strip=True) for row in rows]
    assert years == [str(info.year) for info in REGISTRY.values()]


@pytest.mark.parametrize("name", [p.stem for p in notebooks.chapter_paths()])
def test_folded_code_is_named_by_the_text_it_shows(site: Path, name: str) -> None:
    # A chapter folds its set-up and figure code; the fold's accessible name is its visible text.
    folds = page(site, name).select("div.cell.tag_hide-input > details > summary")
    if name != "00_welcome":
        assert folds, f"{name} folds no code"
    for summary in folds:
        assert not summary.has_attr("aria-label"), f"{name}: {summary}"
        assert "Show code cell source" in summary.get_text()


def figure_names(name: str) -> list[str]:
    """The figure names a chapter's cells declare ("mystnb": {"figure": {"name": ...}})."""
    import nbformat

    nb = nbformat.read(ROOT / "chapters" / f"{name}.ipynb", as_version=4)
    return [
        cell.metadata["mystnb"]["figure"]["name"]
        for cell in nb.cells
        if cell.cell_type == "code" and "figure" in cell.metadata.get("mystnb", {})
    ]


CAPTION_NUMBER = re.compile(r"Fig\. (\d+)")


def test_figures_show_numbered_captions_counted_through_the_book(site: Path) -> None:
    numbers: list[int] = []
    for name in CHAPTERS:
        soup = page(site, name)
        names = figure_names(name)
        figures = soup.select("div.cell_output figure[id^='fig-']")
        assert [figure["id"] for figure in figures] == names, f"{name}: the page's numbered figures"
        for figure in figures:
            caption = figure.find("figcaption", recursive=False)
            assert caption is not None, f"{name}: {figure['id']} has no caption"
            number = CAPTION_NUMBER.match(caption.get_text(" ", strip=True))
            assert number, f"{name}: {figure['id']}'s caption starts {caption.get_text()[:30]!r}, not 'Fig. N'"
            numbers.append(int(number[1]))
            # One caption and the alt text kept: relu_lib's own <figure> inside adds none.
            assert not figure.select("figure.relu-figure figcaption"), f"{name}: {figure['id']} has two captions"
            assert figure.select("img[alt]"), f"{name}: {figure['id']} shows no image with alt text"
        for reference in soup.select("a.reference span.std-numref"):
            assert CAPTION_NUMBER.fullmatch(reference.get_text(strip=True)), f"{name}: {{numref}} shows {reference}"
    # The parts are not numbered, so the figures are counted once through the book in reading order.
    assert numbers == list(range(1, len(numbers) + 1)), numbers
