"""What a reader sees first, checked on every chapter without running any.

- The set-up cell (environment, imports, the ``glue`` fallback, seeds) is folded away.
- A cell whose job is a figure (``plotting.show``, a ``*_static_figure``) or passing numbers to the
  prose (``glue``) is folded too, unless it is one of a PyTorch/TensorFlow pair, which readers
  compare in full, or a cell listed in ``IN_VIEW`` with the reason it stays in view.
- PyTorch and TensorFlow cells are never folded, and are removed from a page only as a pair.
- Explorers (one short call) stay in view.
- Chapters 1 and up state their prerequisites at the top, linking only earlier chapters.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

CHAPTERS = notebooks.chapter_paths()
FRAMEWORK_TAGS = {"pytorch", "tensorflow"}
# The tags with which the page shows a cell's code folded (hide-input) or not at all.
HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell"}
FIGURE = re.compile(r"\bplotting\.(?:show|figure)\(|\b\w+_static_figure\(")
GLUE_CALL = re.compile(r"(?<!def )\bglue\(")
EXPLORER = re.compile(r"\bwidgets\.\w+_explorer\(")
PREREQUISITES = "**Prerequisites.**"
CHAPTER_LINK = re.compile(r"\]\((?:\./)?(((?:\d\d[a-z]?|appendix))_[\w-]+\.(?:ipynb|md))(?:#[\w-]+)?\)")

# Cells that would be folded by the rules above but stay in view, each keyed by its chapter and a
# piece of its code found in no other cell. Glue calls otherwise sit in folded cells of their own;
# in these few, each pass of a loop that the section teaches computes, prints and glues a value
# that only that pass holds, so the glue calls (counted in the comment) stay inside the loop.
# Any other cell that draws or glues must be folded, or be listed here with its reason.
IN_VIEW: dict[str, tuple[str, ...]] = {
    "00_welcome": (
        # "A first taste" shows, as the example of every chapter, the set-up cell and the code of
        # a figure drawn with plotting.show(..., alt=...).
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"',
        '"ReLU and the activations it replaced"',
    ),
    "04_advantages": (
        'glue(f"ch4_{name}_mean_slope"',  # the slopes each activation passes back, per activation (3)
    ),
    "05_tips": (
        'glue(f"ch5_{init}_final_ratio"',  # He against Xavier through 30 layers, per scheme (6)
        'glue(f"ch5_tutorial_{key}_factor"',  # the tutorial's uniform ranges, per range (2)
        'glue(f"ch5_dead_{key}_init"',  # dead units with and without the bias, per bias (3)
        'glue(f"ch5_{label}_pre_std"',  # raw against standardised inputs, per input scale (2)
    ),
    "05b_regularisation": (
        'glue(f"ch5_rnn_{key}_radius"',  # a ReLU RNN through time, per initialisation (5)
        'glue(f"ch5_pen_{key}_error"',  # training with and without penalties, per penalty (7)
    ),
}


def tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.metadata.get("tags", []))


def hidden(cell: nbformat.NotebookNode) -> bool:
    return bool(tags(cell) & HIDDEN_TAGS)


def is_setup(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and "bootstrap" not in tags(cell) and "TF_CPP_MIN_LOG_LEVEL" in cell.source


def draws_or_glues(cell: nbformat.NotebookNode) -> bool:
    """A code cell whose job the page folds: a figure, or numbers handed to the prose."""
    if cell.cell_type != "code" or tags(cell) & FRAMEWORK_TAGS or is_setup(cell):
        return False
    return bool(FIGURE.search(cell.source) or GLUE_CALL.search(cell.source))


def in_view(stem: str, cell: nbformat.NotebookNode) -> bool:
    return any(key in cell.source for key in IN_VIEW.get(stem, ()))


def unfolded(stem: str, nb: nbformat.NotebookNode) -> list[str]:
    """The cells that draw or glue, shown with their code and not listed in ``IN_VIEW``."""
    return [
        f"{stem} cell {index}: {cell.source.splitlines()[0][:80]}"
        for index, cell in enumerate(nb.cells)
        if draws_or_glues(cell) and not hidden(cell) and not in_view(stem, cell)
    ]


def prerequisites(nb: nbformat.NotebookNode) -> str | None:
    """The paragraph that starts with **Prerequisites.** in the chapter's first three cells."""
    for cell in nb.cells[:3]:
        if cell.cell_type != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n", cell.source):
            if paragraph.startswith(PREREQUISITES):
                return paragraph
    return None


def link_problems(paragraph: str, number: float, folder: Path) -> list[str]:
    """Links in ``paragraph`` that point at no chapter file of ``folder`` or at a later chapter."""
    problems = []
    for target, linked in CHAPTER_LINK.findall(paragraph):
        if not (folder / target).is_file():
            problems.append(f"{target} does not exist")
        elif order(linked) >= number:
            problems.append(f"{target} is not an earlier chapter")
    return problems


def order(prefix: str) -> float:
    """Where a chapter's file prefix places it: ``05`` 5, ``05b`` 5.5 (it follows 05), ``appendix`` last."""
    if prefix == "appendix":
        return 100.0
    return int(prefix[:2]) + (0.5 if prefix[2:] else 0.0)


def number(path: Path) -> float:
    return order(path.name.split("_")[0])


@pytest.fixture(params=CHAPTERS, ids=[p.stem for p in CHAPTERS])
def chapter(request: pytest.FixtureRequest) -> tuple[Path, nbformat.NotebookNode]:
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_the_setup_cell_is_folded(chapter) -> None:
    path, nb = chapter
    setup = [cell for cell in nb.cells if is_setup(cell)]
    assert len(setup) == 1, f"{path.name}: one set-up cell sets TF_CPP_MIN_LOG_LEVEL, found {len(setup)}"
    assert hidden(setup[0]) or in_view(path.stem, setup[0]), f"{path.name}: tag the set-up cell hide-input"


def test_figure_and_glue_cells_are_folded(chapter) -> None:
    path, nb = chapter
    found = unfolded(path.stem, nb)
    assert not found, (
        "cells that draw a figure or glue numbers into the text, with their code in view: tag them "
        "hide-input, or list them in IN_VIEW with the reason they stay in view:\n" + "\n".join(found)
    )


@pytest.mark.parametrize("stem", sorted(IN_VIEW))
def test_every_cell_kept_in_view_is_still_there_and_still_needs_the_entry(stem: str) -> None:
    path = ROOT / "chapters" / f"{stem}.ipynb"
    assert path in CHAPTERS, f"IN_VIEW names {stem}, which is not a chapter"
    cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    for key in IN_VIEW[stem]:
        matches = [cell for cell in cells if key in cell.source]
        assert len(matches) == 1, f"{stem}: IN_VIEW key {key!r} matches {len(matches)} cells, not one"
        cell = matches[0]
        assert draws_or_glues(cell) or is_setup(cell), f"{stem}: {key!r} neither draws nor glues: drop the entry"
        assert not hidden(cell), f"{stem}: the cell of {key!r} is folded now: drop the entry"


def test_framework_cells_are_never_folded_and_removed_only_as_a_pair(chapter) -> None:
    path, nb = chapter
    for index, cell in enumerate(nb.cells):
        if not tags(cell) & FRAMEWORK_TAGS:
            continue
        assert not tags(cell) & {"hide-input", "remove-input"}, (
            f"{path.name} cell {index}: readers compare the PyTorch and TensorFlow code, keep it in view"
        )
        if "remove-cell" in tags(cell):
            twin = nb.cells[index + 1] if "pytorch" in tags(cell) else nb.cells[index - 1]
            assert "remove-cell" in tags(twin), f"{path.name} cell {index}: remove both cells of a pair or neither"


def test_explorers_stay_in_view(chapter) -> None:
    path, nb = chapter
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and EXPLORER.search(cell.source):
            assert not hidden(cell), f"{path.name} cell {index}: an explorer is one short call; keep it in view"


@pytest.mark.parametrize("path", [p for p in CHAPTERS if number(p) >= 1], ids=lambda p: p.stem)
def test_chapters_state_their_prerequisites_at_the_top(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    paragraph = prerequisites(nb)
    assert paragraph, f"{path.name}: start a paragraph with {PREREQUISITES} in the first three cells"
    assert len(paragraph) <= 600, f"{path.name}: keep the prerequisites to one or two sentences"
    problems = link_problems(paragraph, number(path), path.parent)
    assert not problems, f"{path.name}: prerequisites link {problems}"


def test_the_checks_catch_what_they_must() -> None:
    def code(source: str, *cell_tags: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_code_cell(source, metadata={"tags": list(cell_tags)} if cell_tags else {})

    cells = [
        code('os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"\ndef glue(name, value, display=True):\n    print(name)'),
        code("fig, ax = plotting.figure()\nplotting.show(fig, alt='a')"),
        code("fig = widgets.slope_static_figure()\nplotting.show(fig, alt='a')", "hide-input"),
        code("y = relu(x)\nglue('y', y, display=False)"),
        code("glue('t', t, display=False)", "pytorch"),
        code("widgets.slope_explorer(initial=0.2)"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    found = unfolded("99_test", nb)
    assert [line.split(":")[0] for line in found] == ["99_test cell 1", "99_test cell 3"]
    assert is_setup(cells[0]) and not draws_or_glues(cells[0]) and not hidden(cells[0])
    assert not draws_or_glues(cells[4]) and not draws_or_glues(cells[5])

    def top() -> nbformat.NotebookNode:
        return nbformat.v4.new_markdown_cell(
            "# Title\n\n**Prerequisites.** [Chapter 2](02_relu.ipynb), [chapter 9](09_none.ipynb) and "
            "[chapter 5](./05_tips.ipynb#ch5-init)."
        )

    paragraph = prerequisites(nbformat.v4.new_notebook(cells=[code("import sys"), top()]))
    assert paragraph and paragraph.startswith(PREREQUISITES)
    assert link_problems(paragraph, 3, ROOT / "chapters") == [
        "09_none.ipynb does not exist",
        "05_tips.ipynb is not an earlier chapter",
    ]
    late = [code("import sys"), nbformat.v4.new_markdown_cell("# Title"), code("x"), top()]
    assert prerequisites(nbformat.v4.new_notebook(cells=late)) is None, "only the first three cells count"


# Figures: every cell that draws one (``plotting.show``) or shows an explorer carries
# ``"mystnb": {"figure": {"name": "fig-<chapter>-<short-name>", "caption": ...}}``; myst-nb then
# wraps its output in a numbered figure that the prose can point at with {numref}`fig-...`.
SHOWS = re.compile(r"(?:^|[^\w.])(?:plotting\.)?show\(")
NUMREF = re.compile(r"\{numref\}`([^`]+)`")
FIGURE_NAME = re.compile(r"fig-(?P<slug>[a-z0-9]+)-[a-z0-9]+(?:-[a-z0-9]+)*")


def slug(stem: str) -> str:
    """The chapter's part of its figure names: ``05b_regularisation`` -> ``regularisation``."""
    return stem.split("_", 1)[1].replace("_", "")


def figure_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [
        (index, cell)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (SHOWS.search(cell.source) or EXPLORER.search(cell.source))
    ]


def figure_problems(stem: str, nb: nbformat.NotebookNode) -> tuple[list[str], list[str]]:
    """What is wrong with the chapter's figure cells, and the names they declare."""
    problems, names = [], []
    for index, cell in figure_cells(nb):
        where = f"{stem} cell {index}"
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        name, caption = figure.get("name", ""), figure.get("caption", "")
        if len(SHOWS.findall(cell.source)) + len(EXPLORER.findall(cell.source)) > 1:
            problems.append(f"{where}: one figure per cell (each output would get the same name)")
        match = FIGURE_NAME.fullmatch(name)
        if not match or match["slug"] != slug(stem):
            problems.append(f"{where}: name {name!r} is not fig-{slug(stem)}-<short-name>")
        if not 20 <= len(caption.strip()) <= 400:
            problems.append(f"{where}: a caption of one or two sentences, not {caption!r}")
        if name:
            names.append(name)
    return problems, names


def numrefs(nb: nbformat.NotebookNode) -> list[str]:
    """The targets of the chapter's {numref} roles (``text <target>`` or ``target``)."""
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    return [re.sub(r"^.*<([^>]+)>$", r"\1", target.strip()) for target in NUMREF.findall(markdown)]


def test_every_figure_has_a_name_and_a_caption(chapter) -> None:
    path, nb = chapter
    problems, _ = figure_problems(path.stem, nb)
    assert not problems, "\n".join(problems)


def test_figure_names_are_unique_and_every_numref_has_a_target() -> None:
    names: list[str] = []
    references: list[tuple[str, str]] = []
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        names += figure_problems(path.stem, nb)[1]
        references += [(path.stem, target) for target in numrefs(nb)]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"figure names used twice: {repeated}"
    dangling = [f"{stem}: {target}" for stem, target in references if target not in names]
    assert not dangling, "{numref} to no figure:\n" + "\n".join(dangling)
    assert len(names) >= 2 * sum(1 for path in CHAPTERS if number(path) >= 1)


def test_the_figure_checks_catch_what_they_must() -> None:
    def figure(source: str, name: str | None = None, caption: str = "A caption of a decent length.") -> dict:
        metadata = {} if name is None else {"mystnb": {"figure": {"name": name, "caption": caption}}}
        return nbformat.v4.new_code_cell(source, metadata=metadata)

    cells = [
        figure("plotting.show(fig, alt='a')", "fig-relu-good"),
        figure("show(fig, alt='a')"),
        figure("widgets.slope_explorer(initial=0.2)", "fig-stall-other-chapter"),
        figure("plotting.show(fig, alt='a')", "fig-relu-short", caption="Short."),
        figure("plotting.show(a, alt='a')\nplotting.show(b, alt='b')", "fig-relu-two"),
        figure("print_show(x)\nx.show()"),
    ]
    problems, names = figure_problems("02_relu", nbformat.v4.new_notebook(cells=cells))
    assert sorted({problem.split(":")[0] for problem in problems}) == [
        "02_relu cell 1",
        "02_relu cell 2",
        "02_relu cell 3",
        "02_relu cell 4",
    ]
    assert names == ["fig-relu-good", "fig-stall-other-chapter", "fig-relu-short", "fig-relu-two"]
    prose = nbformat.v4.new_markdown_cell("As {numref}`fig-relu-good` and {numref}`Figure %s <fig-relu-two>` show.")
    assert numrefs(nbformat.v4.new_notebook(cells=[prose])) == ["fig-relu-good", "fig-relu-two"]
    assert slug("05b_regularisation") == "regularisation" and slug("appendix_agreement") == "agreement"
    assert order("05") < order("05b") < order("06") < order("appendix")
    later = "**Prerequisites.** [Chapter 5b](05b_regularisation.ipynb) and [the appendix](appendix_agreement.ipynb)."
    assert link_problems(later, order("05"), ROOT / "chapters") == [
        "05b_regularisation.ipynb is not an earlier chapter",
        "appendix_agreement.ipynb is not an earlier chapter",
    ]


FOLDED_NOTE = re.compile(r"^:::\{admonition\}[^\n]*\n:class:[^\n]*\bdropdown\b[^\n]*\n(.*?)^:::$", re.M | re.S)


def folded_and_open(markdown: str) -> tuple[str, str]:
    """The text inside dropdown admonitions, and the text outside them."""
    inside = "\n".join(FOLDED_NOTE.findall(markdown))
    return inside, FOLDED_NOTE.sub("", markdown)


def test_chapter_3_folds_the_edge_cases_into_a_note() -> None:
    # The signed zeros, NaN and infinities are details for the readers who need them: the text
    # keeps the choice of np.maximum, the note holds the row-by-row reading of the table.
    nb = nbformat.read(ROOT / "chapters" / "03_implementing.ipynb", as_version=4)
    markdown = "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    inside, outside = folded_and_open(markdown)
    for detail in ("**Negative zero.**", "**NaN.**", "**Infinities.**"):
        assert detail in inside and detail not in outside, f"chapter 3: {detail} belongs in the folded note"
    assert "`np.maximum(x, 0)` is the safe numpy choice" in outside
    sample = ":::{admonition} Details\n:class: note dropdown\n\n- **NaN.** x\n:::\n\nAfter."
    assert folded_and_open(sample) == ("\n- **NaN.** x\n", "\n\nAfter.")
