"""The reader-notebook converter (tools/reader_notebooks.py) on small pieces of MyST; no build needed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import reader_notebooks as rn  # noqa: E402

BASE = "https://example.org/book/"
GLUE = {
    "share": {"text/plain": "0.49876"},
    "count": {"text/plain": "2097152"},
    "tiny": {"text/plain": "np.float64(3.2e-07)"},
    "name": {"text/plain": "'glorot_uniform'"},
}
TARGETS = {"ch5-init": rn.Target("05_tips", "ch5-init", "He initialisation, not Xavier/Glorot")}
# In the bibliography's order, which orders the works of one citation.
CITATIONS = {"glorot2011deep": "Glorot et al., 2011", "nair2010rectified": "Nair and Hinton, 2010"}
CONTEXT = rn.Context(GLUE, CITATIONS, TARGETS, BASE)


@pytest.mark.parametrize(
    ("text_plain", "fmt", "shown"),
    [
        ("0.49876", ".3f", "0.499"),
        ("2097152", ",d", "2,097,152"),
        ("0.049", ".1%", "4.9%"),
        ("1234.5", ".1e", "1.2e+03"),
        ("'glorot_uniform'", "s", "glorot_uniform"),
        ("'glorot_uniform'", "", "glorot_uniform"),
        # Not a Python literal (a numpy repr): myst-nb formats the text itself.
        ("np.float64(3.2e-07)", "s", "np.float64(3.2e-07)"),
    ],
)
def test_glue_values_are_formatted_as_myst_nb_formats_them(text_plain: str, fmt: str, shown: str) -> None:
    assert rn.format_glue(text_plain, fmt) == shown


def test_glue_roles_with_and_without_a_format_are_replaced() -> None:
    text = "Of {glue:text}`count:,d` units a share of {glue:text}`share:.3f` were off; Keras uses {glue:text}`name`."
    assert rn.replace_glue(text, GLUE) == "Of 2,097,152 units a share of 0.499 were off; Keras uses glorot_uniform."


def test_an_unknown_glue_name_is_an_error_not_a_hole() -> None:
    with pytest.raises(KeyError, match="missing"):
        rn.replace_glue("{glue:text}`missing:.2f`", GLUE)


def test_citations_read_as_the_html_shows_them() -> None:
    text = "networks {cite}`nair2010rectified,glorot2011deep`, again {cite}`glorot2011deep`."
    converted = rn.replace_cites(text, CITATIONS)
    assert converted == r"networks \[Glorot et al., 2011, Nair and Hinton, 2010\], again \[Glorot et al., 2011\]."
    assert rn.cited_keys(text) == ["nair2010rectified", "glorot2011deep"]


def test_author_year_labels_come_from_the_bibliography() -> None:
    labels = rn.citation_labels()
    assert labels["glorot2011deep"] == "Glorot et al., 2011"
    assert labels["nair2010rectified"] == "Nair and Hinton, 2010"
    assert labels["codecademy_relu"] == "Codecademy Team, n.d."  # an undated web page
    # Every label ends in a year (or "n.d."), as the HTML's author-year labels do.
    assert all(re.search(r"(\d{4}[a-z]?|n\.d\.)$", label) for label in labels.values()), labels
    order = list(labels)
    assert order.index("glorot2010understanding") < order.index("he2015delving"), "the bibliography's order"


def test_the_reference_list_holds_each_cited_entry_once() -> None:
    text = rn.reference_list(["nair2010rectified", "glorot2011deep"])
    lines = text.splitlines()
    assert lines[0] == "## References"
    items = [line for line in lines if line.startswith("- ")]
    assert len(items) == 2 and items[0].startswith("- **Glorot *et al.*, 2011.**")
    assert "Rectified linear units improve restricted Boltzmann machines" in text


def test_refs_become_links_to_the_published_section() -> None:
    text = "see {ref}`ch5-init` and {ref}`the same <ch5-init>`."
    url = f"{BASE}chapters/05_tips.html#ch5-init"
    assert (
        rn.replace_refs(text, TARGETS, BASE)
        == f"see [He initialisation, not Xavier/Glorot]({url}) and [the same]({url})."
    )
    with pytest.raises(KeyError):
        rn.replace_refs("{ref}`nowhere`", TARGETS, BASE)


def test_links_to_other_chapters_point_at_their_pages() -> None:
    text = "[chapter 2](02_relu.ipynb) and [a section](./04_advantages.ipynb#ch4-cnn), not [x](https://a.org/0.ipynb)"
    assert rn.replace_chapter_links(text, BASE) == (
        f"[chapter 2]({BASE}chapters/02_relu.html) and [a section]({BASE}chapters/04_advantages.html#ch4-cnn),"
        " not [x](https://a.org/0.ipynb)"
    )


def test_chapter_links_include_the_split_chapter_and_the_appendix() -> None:
    text = "[chapter 5b](05b_regularisation.ipynb#ch5b-dropout) and [the appendix](appendix_agreement.ipynb)"
    assert rn.replace_chapter_links(text, BASE) == (
        f"[chapter 5b]({BASE}chapters/05b_regularisation.html#ch5b-dropout) and "
        f"[the appendix]({BASE}chapters/appendix_agreement.html)"
    )


def test_figures_are_numbered_through_the_book_and_numrefs_link_to_them() -> None:
    def figure(name: str | None) -> nbformat.NotebookNode:
        metadata = {"mystnb": {"figure": {"name": name, "caption": "A caption."}}} if name else {}
        return nbformat.v4.new_code_cell("plotting.show(fig, alt='a')", metadata=metadata)

    chapters = {
        "01_stall": nbformat.v4.new_notebook(cells=[figure("fig-stall-a"), figure(None), figure("fig-stall-b")]),
        "02_relu": nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x"), figure("fig-relu-a")]),
    }
    figures = rn.collect_figures(chapters)
    assert {name: target.title for name, target in figures.items()} == {
        "fig-stall-a": "Fig. 1",
        "fig-stall-b": "Fig. 2",
        "fig-relu-a": "Fig. 3",
    }
    text = "As {numref}`fig-relu-a` and {numref}`Figure %s <fig-stall-b>` show."
    assert rn.replace_numrefs(text, figures, BASE) == (
        f"As [Fig. 3]({BASE}chapters/02_relu.html#fig-relu-a) and "
        f"[Figure 2]({BASE}chapters/01_stall.html#fig-stall-b) show."
    )
    context = rn.Context(GLUE, CITATIONS, TARGETS, BASE, figures)
    assert (
        rn.convert_markdown("See {numref}`fig-stall-a`.", context)
        == f"See [Fig. 1]({BASE}chapters/01_stall.html#fig-stall-a)."
    )
    with pytest.raises(KeyError, match="fig-none"):
        rn.replace_numrefs("{numref}`fig-none`", figures, BASE)


def test_labels_are_collected_with_the_heading_that_follows() -> None:
    sources = {"03_implementing": "Intro.\n\n(ch3-gradients)=\n## Gradients: autograd against `relu_lib`\n\nText."}
    assert rn.collect_targets(sources) == {
        "ch3-gradients": rn.Target("03_implementing", "ch3-gradients", "Gradients: autograd against `relu_lib`")
    }


def test_a_dropdown_becomes_details_with_blank_lines_around_its_markdown() -> None:
    text = (
        "Question?\n\n:::{admonition} Solution\n:class: dropdown\n\nIt is $x^2$, {glue:text}`share:.2f`.\n:::\n\nNext."
    )
    converted = rn.convert_markdown(text, CONTEXT)
    assert converted == (
        "Question?\n\n<details>\n<summary>Solution</summary>\n\nIt is $x^2$, 0.50.\n\n</details>\n\nNext."
    )


def test_other_admonitions_become_blockquotes_with_a_bold_title() -> None:
    converted = rn.convert_markdown(":::{note}\nFirst line.\n\nSecond {cite}`glorot2011deep`.\n:::", CONTEXT)
    assert converted == "> **Note**\n>\n> First line.\n>\n> Second \\[Glorot et al., 2011\\]."


def test_nested_directives_and_code_inside_them_are_kept_apart() -> None:
    text = (
        "::::{admonition} Outer\n:class: dropdown\n\n```python\nprint('{glue:text}`x`')\n```\n\n"
        ":::{tip}\nInner.\n:::\n::::"
    )
    converted = rn.convert_markdown(text, CONTEXT)
    assert converted.startswith("<details>\n<summary>Outer</summary>")
    assert "print('{glue:text}`x`')" in converted, "code is shown as written"
    assert "> **Tip**\n>\n> Inner." in converted
    assert ":::" not in converted


def test_label_lines_are_dropped() -> None:
    assert rn.convert_markdown("(ch5-init)=\n## He initialisation", CONTEXT) == "## He initialisation"


def test_the_reader_notebook_keeps_code_drops_hidden_cells_and_outputs() -> None:
    bootstrap = nbformat.v4.new_code_cell("import sys", metadata={"tags": ["bootstrap", "remove-cell"]})
    code = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["hide-input"]})
    code.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    code.execution_count = 3
    hidden = nbformat.v4.new_code_cell("check()", metadata={"tags": ["remove-cell"]})
    prose = nbformat.v4.new_markdown_cell("# Title\n\nSee {cite}`glorot2011deep`.")
    source = nbformat.v4.new_notebook(cells=[bootstrap, prose, code, hidden])
    nb = rn.reader_notebook(source, CONTEXT, ["glorot2011deep"])
    nbformat.validate(nb)
    assert [cell.cell_type for cell in nb.cells] == ["code", "markdown", "code", "markdown"]
    assert nb.cells[0].source == "import sys" and nb.cells[0].metadata["tags"] == ["bootstrap"]
    assert nb.cells[1].source == "# Title\n\nSee \\[Glorot et al., 2011\\]."
    assert nb.cells[2].source == "x = 1" and nb.cells[2].outputs == [] and nb.cells[2].execution_count is None
    assert nb.cells[3].metadata["tags"] == [rn.REFERENCES_TAG]
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_glue_values_are_read_from_scrapbook_outputs_without_a_sidecar(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("glue('share', 0.5)")
    prefix = "application/papermill.record/"
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={prefix + "text/plain": "0.5"},
            metadata={"scrapbook": {"name": "share", "mime_prefix": prefix}},
        )
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert rn.glue_values(path) == {"share": {"text/plain": "0.5"}}


def test_code_the_page_folds_is_kept_but_collapsed() -> None:
    folded = nbformat.v4.new_code_cell("fig = draw()", metadata={"tags": ["hide-input"]})
    left_out = nbformat.v4.new_code_cell("glue('x', 1)", metadata={"tags": ["remove-input"]})
    shown = nbformat.v4.new_code_cell("y = relu(x)")
    pair = nbformat.v4.new_code_cell("torch.relu(t)", metadata={"tags": ["pytorch"]})
    source = nbformat.v4.new_notebook(cells=[folded, left_out, shown, pair])
    nb = rn.reader_notebook(source, CONTEXT, [])
    nbformat.validate(nb)
    assert [cell.source for cell in nb.cells] == ["fig = draw()", "glue('x', 1)", "y = relu(x)", "torch.relu(t)"]
    for cell in nb.cells[:2]:
        assert cell.metadata["jupyter"] == {"source_hidden": True}, "Jupyter opens it collapsed"
    assert nb.cells[0].metadata["tags"] == ["hide-input"]
    assert "jupyter" not in nb.cells[2].metadata and nb.cells[3].metadata == {"tags": ["pytorch"]}
