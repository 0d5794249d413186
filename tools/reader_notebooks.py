"""Reader notebooks: every chapter as a notebook that reads like its HTML page, for Colab, Binder
and download.

    python tools/reader_notebooks.py     # after `jupyter-book build .`

The chapters are written in MyST: numbers come from myst-nb's glue, citations from
sphinxcontrib-bibtex, and admonitions, dropdowns and labels are Sphinx syntax. Jupyter,
JupyterLab and Colab show all of that as raw text. This step reads the notebooks the build just
executed (``_build/jupyter_execute/chapters``, glue values included) and writes, for each chapter,
``_build/html/_reader/chapters/<chapter>.ipynb``: the same cells with the values of that build in
the prose, author-year citations and the chapter's reference list, links to the published HTML in
place of cross-references, and plain Markdown or HTML in place of MyST. Code cells keep their code
and lose their outputs (readers run them), and the cells the HTML hides (``remove-cell``) are
dropped, except the bootstrap cell, which Colab needs first. The code the HTML folds away
(``hide-input``, ``remove-input``: set-up and figure code) is kept but stored collapsed, as
nbformat's ``"jupyter": {"source_hidden": true}``, so that the notebook opens with the same cells
in view as the page (JupyterLab and Notebook 7 open such a cell collapsed; a click shows the code).

Being produced by every build from that build's notebooks, the reader notebooks always match the
chapters and relu_lib they were built with; they are never committed to the main branch.
"""

from __future__ import annotations

import json
import re
import sys
from ast import literal_eval
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    from pybtex.database import Entry

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks

ROOT = notebooks.ROOT
EXECUTED = ROOT / "_build" / "jupyter_execute" / "chapters"
READER = ROOT / "_build" / "html" / "_reader" / "chapters"
BIBLIOGRAPHY = ROOT / "references.bib"
# Marks the cell the converter adds, so that checks can tell it from the chapter's own cells.
REFERENCES_TAG = "reader-references"
HIDDEN_TAGS = {"remove-cell"}
# Cells whose code the HTML folds or leaves out: the reader notebook keeps it, collapsed.
COLLAPSED_TAGS = {"hide-input", "remove-input"}

GLUE = re.compile(r"\{glue(?::(?:text|any|md))?\}`([^`]+)`")
CITE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")
REF = re.compile(r"\{ref\}`([^`]+)`")
NUMREF = re.compile(r"\{numref\}`([^`]+)`")
LABEL_LINE = re.compile(r"^\(([^()\s]+)\)=\s*$")
# Chapter files: 02_relu, 05b_regularisation (a chapter added after 05), appendix_agreement.
CHAPTER_LINK = re.compile(r"\]\(((?:\./)?((?:\d\d[a-z]?|appendix)_[\w-]+)\.(?:ipynb|md))(#[\w-]+)?\)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
DIRECTIVE_OPEN = re.compile(r"^(\s*)(:{3,})\{([\w:-]+)\}\s*(.*?)\s*$")
DIRECTIVE_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*?)\s*$")
# Any MyST role left after conversion: the checks look for this.
ROLE = re.compile(r"\{[\w:-]+\}`")


@dataclass(frozen=True)
class Target:
    """Where a MyST label points in the published HTML, and the title Sphinx gives its links."""

    chapter: str
    anchor: str
    title: str


@dataclass(frozen=True)
class Context:
    """What converting one chapter's Markdown needs from the rest of the book."""

    glue: dict[str, dict[str, str]]
    citations: dict[str, str]
    targets: dict[str, Target]
    base_url: str
    # Named figures, with the "Fig. N" the page numbers them by (see collect_figures).
    figures: dict[str, Target] = field(default_factory=dict)


# --- glue -------------------------------------------------------------------------------------


def glue_values(executed: Path) -> dict[str, dict[str, str]]:
    """The glued values of one executed chapter, by name, as MIME bundles without the prefix.

    myst-nb keeps them in ``<chapter>.glue.json`` beside the executed notebook when it has one,
    and otherwise in the outputs' ``scrapbook`` metadata.
    """
    sidecar = executed.with_suffix(".glue.json")
    if sidecar.is_file():
        return {name: output["data"] for name, output in json.loads(sidecar.read_text()).items()}
    values: dict[str, dict[str, str]] = {}
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                prefix = scrap.get("mime_prefix", "")
                data = output.get("data", {})
                values[scrap["name"]] = {mime[len(prefix) :]: data[mime] for mime in data if mime.startswith(prefix)}
    return values


def format_glue(text_plain: str, fmt_spec: str) -> str:
    """The text myst-nb's ``{glue:text}`` role shows for a value's ``text/plain`` and a format.

    The same steps as ``myst_nb.core.variables.format_plain_text``, so that the reader notebook
    shows the HTML page's number digit for digit.
    """
    try:
        value = literal_eval(text_plain)
    except (SyntaxError, ValueError):
        value = text_plain
    if fmt_spec == "":
        return str(value)
    type_char = fmt_spec[-1]
    if type_char == "s":
        value = str(value)
    elif type_char in "bcdoxX":
        value = int(value)
    elif type_char in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


def replace_glue(text: str, values: dict[str, dict[str, str]]) -> str:
    """Every glue role replaced by its value; a missing name is an error, as in the strict build."""

    def paste(match: re.Match[str]) -> str:
        name, _, fmt_spec = match.group(1).partition(":")
        if name not in values:
            raise KeyError(f"glue name {name!r} was not glued by the chapter")
        bundle = values[name]
        if match.group(0).startswith("{glue:md}") and "text/markdown" in bundle:
            return bundle["text/markdown"]
        # Without a format myst-nb's text role formats with "s".
        return format_glue(bundle["text/plain"], fmt_spec if ":" in match.group(1) else "s")

    return GLUE.sub(paste, text)


# --- citations --------------------------------------------------------------------------------


def _plain(latex: str) -> str:
    """BibTeX text without braces and accents' markup, as the HTML shows it."""
    from pybtex.richtext import Text

    return str(Text.from_latex(latex))


def author_year(entry: Entry) -> str:
    """``Glorot et al., 2011``: sphinxcontrib-bibtex's author_year label for an entry.

    Last names (with their "von" part); two persons joined by "and", three or more shortened to
    the first and "et al."; editors when there are no authors.
    """
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(person.prelast_names + person.last_names)) for person in persons]
    if len(names) >= 3:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    elif names:
        who = names[0]
    else:
        who = _plain(entry.fields.get("title", entry.key))
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


def citation_labels(bib_path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every bibliography key's author-year label, in the bibliography's order.

    That order (pybtex's author, year, title) is the one sphinxcontrib-bibtex lists the works of
    one citation in, whatever order the role names them.
    """
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    entries = parse_file(str(bib_path)).entries.values()
    ordered = find_plugin("pybtex.style.sorting", "author_year_title")().sort(list(entries))
    return {entry.key: author_year(entry) for entry in ordered}


def cited_keys(text: str) -> list[str]:
    """The bibliography keys ``text`` cites, in order of first citation."""
    keys: list[str] = []
    for match in CITE.finditer(text):
        for key in match.group(1).split(","):
            if key.strip() not in keys:
                keys.append(key.strip())
    return keys


def replace_cites(text: str, citations: dict[str, str]) -> str:
    """Each citation as the HTML shows it, ``[Bengio et al., 1994, Pascanu et al., 2013]``.

    ``citations`` maps keys to labels in the bibliography's order, the order the works are cited in.

    The brackets are escaped: unescaped, a citation followed by a parenthesis would read as a
    Markdown link.
    """

    def cite(match: re.Match[str]) -> str:
        keys = [key.strip() for key in match.group(1).split(",")]
        unknown = [key for key in keys if key not in citations]
        if unknown:
            raise KeyError(f"citation keys not in references.bib: {unknown}")
        order = list(citations)
        keys.sort(key=order.index)
        return r"\[" + ", ".join(citations[key] for key in keys) + r"\]"

    return CITE.sub(cite, text)


def reference_list(keys: Iterable[str], bib_path: Path = BIBLIOGRAPHY) -> str:
    """The Markdown of a chapter's "References" cell: one entry per cited key, by label."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    data = parse_file(str(bib_path))
    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "markdown")()
    entries = [data.entries[key] for key in keys]
    # pybtex puts each block of an entry on its own line; one line keeps it one list item.
    formatted = {entry.key: " ".join(entry.text.render(backend).split("\n")) for entry in style.format_entries(entries)}
    items = sorted((author_year(entry), formatted[entry.key]) for entry in entries)
    lines = ["## References", ""]
    lines += [f"- **{label.replace('et al.', '*et al.*')}.** {text}" for label, text in items]
    return "\n".join(lines)


# --- cross-references -------------------------------------------------------------------------


def heading_title(line: str) -> str:
    """A Markdown heading's text, as Sphinx uses it for a link to its section."""
    return line.lstrip("#").strip()


def collect_targets(sources: dict[str, str]) -> dict[str, Target]:
    """Every ``(label)=`` of the chapters (name -> Markdown), with the heading that follows it.

    Sphinx writes a label's id into the page as given (an ``<span id="label">`` before the
    section), so the label itself is the anchor.
    """
    targets: dict[str, Target] = {}
    for chapter, markdown in sources.items():
        lines = markdown.splitlines()
        for index, line in enumerate(lines):
            match = LABEL_LINE.match(line)
            if not match:
                continue
            following = [rest for rest in lines[index + 1 :] if rest.strip()]
            title = heading_title(following[0]) if following and following[0].startswith("#") else match.group(1)
            targets[match.group(1)] = Target(chapter, match.group(1), title)
    return targets


def chapter_url(base_url: str, chapter: str, anchor: str = "") -> str:
    """The published page of a chapter, optionally at an anchor."""
    return f"{base_url}chapters/{chapter}.html" + (f"#{anchor}" if anchor else "")


def role_target(content: str, targets: dict[str, Target], unknown: str) -> tuple[str | None, Target]:
    """A cross-reference role's content, ``label`` or ``text <label>``: its explicit text (or None)
    and the target it names; a KeyError starting with ``unknown`` for a label not in ``targets``."""
    explicit = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content, flags=re.DOTALL)
    label = explicit.group(2) if explicit else content.strip()
    if label not in targets:
        raise KeyError(f"{unknown} {label!r}")
    return (explicit.group(1) if explicit else None), targets[label]


def replace_refs(text: str, targets: dict[str, Target], base_url: str) -> str:
    """``{ref}`label``` and ``{ref}`text <label>``` as Markdown links to the published section."""

    def ref(match: re.Match[str]) -> str:
        title, target = role_target(match.group(1), targets, "{ref} to unknown label")
        return f"[{title or target.title}]({chapter_url(base_url, target.chapter, target.anchor)})"

    return REF.sub(ref, text)


def collect_figures(chapters: dict[str, nbformat.NotebookNode]) -> dict[str, Target]:
    """Every named figure (a cell's ``"mystnb": {"figure": {"name": ...}}``) with its number.

    ``chapters`` in reading order. The book's parts are not numbered, so Sphinx (``numfig``)
    counts the figures once through the book: the n-th figure cell is "Fig. n" on its page.
    """
    figures: dict[str, Target] = {}
    for chapter, nb in chapters.items():
        for cell in nb.cells:
            name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
            if cell.cell_type == "code" and name:
                figures[name] = Target(chapter, name, f"Fig. {len(figures) + 1}")
    return figures


def replace_numrefs(text: str, figures: dict[str, Target], base_url: str) -> str:
    """``{numref}`fig-x``` and ``{numref}`Figure %s <fig-x>``` as links to the figure on its page."""

    def numref(match: re.Match[str]) -> str:
        title, target = role_target(match.group(1), figures, "{numref} to unknown figure")
        number = target.title.removeprefix("Fig. ")
        title = title.replace("%s", number) if title is not None else target.title
        return f"[{title}]({chapter_url(base_url, target.chapter, target.anchor)})"

    return NUMREF.sub(numref, text)


def replace_chapter_links(text: str, base_url: str) -> str:
    """Links to another chapter's notebook (``02_relu.ipynb``) as links to its published page.

    A relative link would open a file that the reader's copy of one notebook does not have.
    """
    return CHAPTER_LINK.sub(
        lambda m: f"]({chapter_url(base_url, m.group(2), (m.group(3) or '').lstrip('#'))})",
        text,
    )


# --- admonitions and other MyST blocks --------------------------------------------------------


def _directive_end(lines: list[str], start: int, colons: str) -> int:
    """The index of the line that closes the directive opened at ``start`` (nesting counted)."""
    depth = 0
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if DIRECTIVE_OPEN.match(lines[index]) and DIRECTIVE_OPEN.match(lines[index]).group(2) == colons:
            depth += 1
        elif stripped == colons:
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unclosed {colons} directive: {lines[start]!r}")


def render_admonition(name: str, title: str, classes: list[str], body: str) -> str:
    """A dropdown as ``<details>``; any other admonition as a blockquote with a bold title.

    The blank lines around the body make Jupyter, JupyterLab and Colab render the Markdown
    (and math) inside the HTML block.
    """
    title = title or name.replace("-", " ").capitalize()
    if "dropdown" in classes or name == "dropdown":
        return f"<details>\n<summary>{title}</summary>\n\n{body.strip()}\n\n</details>"
    quoted = [f"> {line}" if line.strip() else ">" for line in body.strip().splitlines()]
    return "\n".join([f"> **{title}**", ">", *quoted])


def convert_directives(text: str, convert_body: Callable[[str], str]) -> str:
    """Every colon-fenced directive (``:::{admonition} Title``) as plain Markdown or HTML."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    in_fence = False
    while index < len(lines):
        line = lines[index]
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else DIRECTIVE_OPEN.match(line)
        if not match:
            out.append(line)
            index += 1
            continue
        end = _directive_end(lines, index, match.group(2))
        body_lines = lines[index + 1 : end]
        options: dict[str, str] = {}
        while body_lines and DIRECTIVE_OPTION.match(body_lines[0]):
            key, value = DIRECTIVE_OPTION.match(body_lines[0]).groups()
            options[key] = value
            body_lines = body_lines[1:]
        body = convert_body("\n".join(body_lines))
        out.append(render_admonition(match.group(3), match.group(4), options.get("class", "").split(), body))
        index = end + 1
    return "\n".join(out)


def drop_labels(text: str) -> str:
    """``(label)=`` lines removed: they are Sphinx targets, and the links point at the HTML."""
    return "\n".join(line for line in text.splitlines() if not LABEL_LINE.match(line))


def _outside_code(text: str, convert: Callable[[str], str]) -> str:
    """``convert`` applied to the text between fenced code blocks only: code is shown as written."""
    parts = re.split(r"(^\s*(?:`{3,}|~{3,})[^\n]*\n.*?^\s*(?:`{3,}|~{3,})\s*$)", text, flags=re.M | re.S)
    return "".join(part if index % 2 else convert(part) for index, part in enumerate(parts))


def convert_markdown(text: str, context: Context) -> str:
    """One Markdown cell of a chapter as a reader notebook shows it."""

    def inline(part: str) -> str:
        part = replace_glue(part, context.glue)
        part = replace_cites(part, context.citations)
        part = replace_refs(part, context.targets, context.base_url)
        part = replace_numrefs(part, context.figures, context.base_url)
        return replace_chapter_links(part, context.base_url)

    def block(part: str) -> str:
        return _outside_code(drop_labels(convert_directives(part, block)), inline)

    return block(text).strip("\n")


# --- notebooks --------------------------------------------------------------------------------


def reader_notebook(
    source: nbformat.NotebookNode, context: Context, citations_used: list[str]
) -> nbformat.NotebookNode:
    """The reader notebook of one chapter (``source`` is the chapter as executed)."""
    cells = []
    for cell in source.cells:
        tags = list(cell.metadata.get("tags", []))
        if "bootstrap" in tags:
            # First, as in the chapter: Colab needs relu_lib before anything else runs.
            cell = nbformat.v4.new_code_cell(cell.source, metadata={"tags": ["bootstrap"]})
            cells.insert(0, cell)
            continue
        if HIDDEN_TAGS & set(tags):
            continue
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(convert_markdown(cell.source, context)))
        elif cell.cell_type == "code":
            # remove-input and hide-input keep the code (the reader is here to run it), collapsed as
            # the page folds it, so that set-up and figure code stay out of the teaching's way.
            metadata = {"tags": tags} if tags else {}
            if COLLAPSED_TAGS & set(tags):
                metadata["jupyter"] = {"source_hidden": True}
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata=metadata))
    if citations_used:
        references = nbformat.v4.new_markdown_cell(reference_list(citations_used), metadata={"tags": [REFERENCES_TAG]})
        cells.append(references)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb


def chapter_markdown(path: Path) -> str:
    """All Markdown of a chapter source, for collecting its labels."""
    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def build(executed_dir: Path = EXECUTED, out_dir: Path = READER) -> list[Path]:
    """Write every chapter's reader notebook; return their paths."""
    chapters = notebooks.chapter_paths()
    targets = collect_targets({path.stem: chapter_markdown(path) for path in chapters})
    figures = collect_figures({path.stem: nbformat.read(path, as_version=4) for path in chapters})
    citations = citation_labels()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        executed = executed_dir / path.name
        if not executed.is_file():
            raise FileNotFoundError(f"{executed} is missing: run `jupyter-book build .` first")
        source = nbformat.read(executed, as_version=4)
        context = Context(glue_values(executed), citations, targets, notebooks.base_url(), figures)
        used = cited_keys("\n".join(cell.source for cell in source.cells if cell.cell_type == "markdown"))
        nb = reader_notebook(source, context, used)
        nbformat.validate(nb)
        target = out_dir / path.name
        nbformat.write(nb, target)
        written.append(target)
    return written


def main() -> int:
    for path in build():
        print(f"reader notebook {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
