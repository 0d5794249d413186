"""The conventions every chapter notebook keeps, checked on every chapter."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

import relu_lib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

CHAPTERS = notebooks.chapter_paths()
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
FRAMEWORK_TAGS = ("pytorch", "tensorflow")


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def numbered(path: Path) -> bool:
    """Chapters 1 and up, 05b and the appendix (chapter 0 is the landing page)."""
    return not path.name.startswith("00_")


@pytest.fixture(params=CHAPTERS, ids=[p.stem for p in CHAPTERS])
def chapter(request: pytest.FixtureRequest) -> tuple[Path, nbformat.NotebookNode]:
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_there_are_chapters_and_the_toc_lists_each_one() -> None:
    assert len(CHAPTERS) >= 2, "expected the landing page and chapter 2 at least"
    listed = set(toc_files())
    for path in CHAPTERS:
        assert f"chapters/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md")), f"_toc.yml names missing {entry}"


def test_notebook_is_valid_and_stored_without_outputs(chapter) -> None:
    path, nb = chapter
    nbformat.validate(nb)
    for index, cell in enumerate(code_cells(nb)):
        assert cell.outputs == [], f"{path.name} cell {index} has stored outputs: run `make sync`"
        assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == "python3", "launch buttons appear only with a kernelspec"


def test_first_cell_is_the_generated_colab_bootstrap(chapter) -> None:
    path, nb = chapter
    first = nb.cells[0]
    assert first.cell_type == "code" and "bootstrap" in tags(first), f"{path.name}: cell 0 must be the bootstrap"
    assert "remove-cell" in tags(first)
    assert first.source == notebooks.bootstrap_source(), f"{path.name}: bootstrap is stale, run `make sync`"


def run_bootstrap(
    source: str, monkeypatch: pytest.MonkeyPatch, in_colab: bool, missing: tuple[str, ...] = ()
) -> list[list[str]]:
    """The commands the bootstrap cell runs, in Colab or not, with the modules ``missing`` absent."""
    import importlib.util
    import subprocess

    calls: list[list[str]] = []

    def fake_run(args: list[str], check: bool = False, **kwargs: object) -> subprocess.CompletedProcess:
        assert check, "the install must fail loudly"
        calls.append(list(args))
        return subprocess.CompletedProcess(args, 0)

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in missing else find_spec(name, *a))
    if in_colab:
        google = types.ModuleType("google")
        colab = types.ModuleType("google.colab")
        google.colab = colab  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<bootstrap>", "exec"), {})
    return calls


PIP = [sys.executable, "-m", "pip", "install", "--quiet"]


def test_bootstrap_installs_this_version_of_relu_lib_alone_in_colab(chapter, monkeypatch) -> None:
    _, nb = chapter
    calls = run_bootstrap(nb.cells[0].source, monkeypatch, in_colab=True)
    # The PyPI release of the version the book was built with, never a branch, and without
    # dependencies: Colab's numpy, torch and TensorFlow stay as they are.
    assert calls == [[*PIP, "--no-deps", f"relu-lib=={relu_lib.__version__}"]]
    assert notebooks.release_tag() == f"v{relu_lib.__version__}" == f"v{notebooks.relu_lib_version()}"


def test_bootstrap_adds_only_the_missing_light_dependencies(chapter, monkeypatch) -> None:
    _, nb = chapter
    calls = run_bootstrap(nb.cells[0].source, monkeypatch, in_colab=True, missing=("sklearn", "ipywidgets", "torch"))
    assert calls[0] == [*PIP, "scikit-learn", "ipywidgets"], "torch is never the bootstrap's to install"
    assert calls[1][-2] == "--no-deps" and len(calls) == 2


def test_bootstrap_does_nothing_outside_colab(chapter, monkeypatch) -> None:
    _, nb = chapter
    assert run_bootstrap(nb.cells[0].source, monkeypatch, in_colab=False) == []


def test_title_comes_first(chapter) -> None:
    path, nb = chapter
    markdown = [cell for cell in nb.cells if cell.cell_type == "markdown"]
    assert markdown and markdown[0].source.startswith("# "), f"{path.name}: first markdown cell must be the title"
    assert nb.cells.index(markdown[0]) == 1, f"{path.name}: the title follows the bootstrap cell"


def test_tensorflow_is_silenced_before_it_is_imported_and_seeds_are_set(chapter) -> None:
    path, nb = chapter
    source = "\n".join(cell.source for cell in code_cells(nb))
    first_import = re.search(r"^\s*(import tensorflow|from tensorflow|import keras|from keras)", source, re.M)
    assert first_import, f"{path.name} never imports TensorFlow"
    before = source[: first_import.start()]
    for variable, value in (("TF_CPP_MIN_LOG_LEVEL", "3"), ("TF_ENABLE_ONEDNN_OPTS", "0")):
        assert f'os.environ["{variable}"] = "{value}"' in before, f"{path.name}: set {variable} before importing TF"
    assert re.search(r"torch\.manual_seed\(\d+\)", source), f"{path.name}: seed PyTorch"
    assert re.search(r"(tf\.random\.set_seed|keras\.utils\.set_random_seed)\(\d+\)", source), f"{path.name}: seed TF"
    assert re.search(r"np\.random\.default_rng\(\d+\)", source), f"{path.name}: seed numpy with a Generator"
    assert re.search(r"^\s*(import relu_lib|from relu_lib)", source, re.M), f"{path.name}: import relu_lib"


def test_every_pytorch_cell_is_directly_followed_by_its_tensorflow_twin(chapter) -> None:
    path, nb = chapter
    cells = nb.cells
    pairs = 0
    for index, cell in enumerate(cells):
        cell_tags = tags(cell)
        assert not all(tag in cell_tags for tag in FRAMEWORK_TAGS), f"{path.name} cell {index} has both tags"
        if "pytorch" in cell_tags:
            following = cells[index + 1] if index + 1 < len(cells) else None
            assert following is not None and "tensorflow" in tags(following), (
                f"{path.name} cell {index}: a pytorch cell must be followed directly by a tensorflow cell"
            )
            assert cell.cell_type == following.cell_type == "code"
            pairs += 1
        if "tensorflow" in cell_tags:
            assert index > 0 and "pytorch" in tags(cells[index - 1]), (
                f"{path.name} cell {index}: a tensorflow cell must directly follow a pytorch cell"
            )
    assert pairs >= 1, f"{path.name} has no PyTorch/TensorFlow pair"


def test_framework_code_lives_in_framework_cells(chapter) -> None:
    path, nb = chapter
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or any(tag in tags(cell) for tag in FRAMEWORK_TAGS) or "bootstrap" in tags(cell):
            continue
        if "TF_CPP_MIN_LOG_LEVEL" in cell.source:
            continue  # the setup cell imports and seeds both frameworks
        used = re.findall(r"\b(torch|tf|keras)\.\w+", cell.source)
        assert not used, f"{path.name} cell {index} uses {sorted(set(used))} outside a pytorch/tensorflow cell"


def test_figures_have_alt_text_and_chapters_have_exercises_and_citations(chapter) -> None:
    path, nb = chapter
    code = "\n".join(cell.source for cell in code_cells(nb))
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "plt.show(" not in code, f"{path.name}: show figures with relu_lib.plotting.show(fig, alt=...)"
    for call in re.finditer(r"\bshow\((?P<args>[^)]*)", code):
        assert "alt=" in call.group("args") or "alt" in code[call.start() : call.start() + 400], (
            f"{path.name}: every figure needs alt text"
        )
    if numbered(path):
        assert len(re.findall(r"\bshow\(", code)) >= 2, f"{path.name}: a chapter has at least two figures"
        solutions = re.findall(r":::\{admonition\}[^\n]*\n:class: dropdown", markdown)
        assert len(solutions) >= 3, f"{path.name}: three or more exercises with dropdown solutions"
        assert "{cite" in markdown, f"{path.name}: cite the sources"


def bib_keys() -> set[str]:
    return set(re.findall(r"@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text()))


def test_every_citation_is_in_the_bibliography(chapter) -> None:
    path, nb = chapter
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    keys = bib_keys()
    for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", markdown):
        for key in group.split(","):
            assert key.strip() in keys, f"{path.name} cites {key.strip()!r}, which references.bib lacks"


def test_registry_citations_are_in_the_bibliography() -> None:
    from relu_lib import REGISTRY

    keys = bib_keys()
    missing = {info.name: info.citation for info in REGISTRY.values() if info.citation not in keys}
    assert not missing, f"registry entries cite keys missing from references.bib: {missing}"


# Words about how the book was made, which mean nothing to a reader ("seed" also collides with
# random seeds); the tutorials the book grew from are cited by name instead.
PROCESS_WORDS = re.compile(r"seed article|the seed's|\bseed (?:tutorial|text|CNN)\b|curriculum|claim ids?\b", re.I)


@pytest.mark.parametrize("where", ["chapters", "relu_lib", "benchmarks", "tools"])
def test_no_process_words_in_chapters_library_or_tools(where: str) -> None:
    found = []
    for path in sorted((ROOT / where).rglob("*")):
        if path.suffix not in {".ipynb", ".py", ".md"} or "__pycache__" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PROCESS_WORDS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "process words a reader cannot place:\n" + "\n".join(found)


def test_the_process_word_check_catches_what_it_names() -> None:
    for phrase in ("as the seed article shows", "the seed's CNN", "the curriculum's reference", "claim ids"):
        assert PROCESS_WORDS.search(phrase), phrase
    assert not PROCESS_WORDS.search("each seed's share, over five random seeds")


# The labels under which the book's claims were tracked while it was written (a capital C and a
# number). A reader meets the claims by what they say, as in chapter 7's table of measurements.
# Case-sensitive, and read from the cells' text: nbformat's own cell ids ("c10") are not prose.
CLAIM_LABEL = re.compile(r"\bC\d{1,2}\b")


def test_no_claim_labels_in_a_chapter(chapter) -> None:
    path, nb = chapter
    found = [
        f"{path.name} cell {cell.get('id')}: ...{cell.source[max(0, m.start() - 40) : m.end() + 40]}..."
        for cell in nb.cells
        for m in CLAIM_LABEL.finditer(cell.source)
    ]
    assert not found, "claim labels a reader cannot place; name the claim instead:\n" + "\n".join(found)


def test_the_claim_label_check_catches_what_it_names() -> None:
    for phrase in ("claim C5", "For C7, ELU", "| C1: $\\sigma'$", '("C9", "time")', "claims C1 to C8"):
        assert CLAIM_LABEL.search(phrase), phrase
    for phrase in ('"id": "c10"', "CIFAR-10", "C++", "float16", "ch7_c1", "SC1"):
        assert not CLAIM_LABEL.search(phrase), phrase


def test_the_chapter_files_sort_in_reading_order() -> None:
    # Figures are numbered through the book in the table of contents' order, and the reader
    # notebooks (tools/reader_notebooks.py) count them in file order: the two must agree.
    in_toc = [entry.removeprefix("chapters/") for entry in toc_files() if (ROOT / f"{entry}.ipynb").is_file()]
    assert [path.stem for path in CHAPTERS] == in_toc
