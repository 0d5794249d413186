"""Words follow the numbers: relu_lib.verdicts, and the chapters' prose checked against it.

A verdict (faster, slower, cheaper, close to, no later than, all held, ...) that sits in
a chapter must either be chosen by the measurement (a glued phrase from
:func:`relu_lib.verdicts.compare` or :func:`~relu_lib.verdicts.count`, so the word is not
in the source at all) or be checked when the chapter runs (:func:`relu_lib.verdicts.check`
with the sentence's own words). The only other verdicts allowed are the ones listed in
``NOT_MEASURED`` below, each a statement of mathematics, of a cited source or of how the
book works, which no measurement on any machine can contradict.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from relu_lib import verdicts

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

VERDICT = re.compile(
    r"\b(faster|slower|quicker|cheaper|costlier|(?:more|less) expensive|close to|closer to|"
    r"about as (?:fast|long|costly|cheap|slow)|as (?:fast|slow|long|cheap|costly) as|"
    r"no (?:later|sooner) than|sooner|outperform\w*|all held|rows? holds?|always holds?|claims? held)\b",
    re.IGNORECASE,
)

# "{glue:text}`x` times as fast as y" states a measured ratio in words whatever its value; it is
# the number, not the phrase, that says which was faster. Formatted values in alt text count too.
RATIO = re.compile(r"(\{glue:text\}`[^`]*`|\{\}) times as (?:fast|long) as")


def verdict(text: str) -> re.Match | None:
    """The first verdict word in ``text``, measured ratios set aside."""
    return VERDICT.search(RATIO.sub("", text))


# Sentences with a verdict word that state no measurement: mathematics, how the book's
# pages behave, or reasoning that holds whatever the numbers. Each entry is a part of one
# sentence of that chapter.
NOT_MEASURED: dict[str, tuple[str, ...]] = {
    "01_stall": (
        # Mathematics: sigma' <= 1/4 needs |w| >= 4 to give a factor of 1.
        "and then only for summed activations close to 0",
    ),
    "04_advantages": (
        # Defines the words "about as fast" (the band of relu_lib.verdicts.TOLERANCE).
        'counts as "about as fast" (`relu_lib.verdicts.TOLERANCE`)',
        # The words define the count glued beside them.
        "tanh reached 10% no later than ReLU for {glue:text}`ch4_mlp_tanh_first:d`",
        # Quotes a claim in order to qualify it.
        'It does mean that "ReLU trains faster than tanh" is a statement about particular conditions',
    ),
    "06_extensions": (
        # Reasoning from the sum over units, not a timing.
        "so it moves much faster than any single weight at the same learning rate",
        # What the GELU paper offers; not a timing of ours.
        "The second form is a faster approximation offered in the same paper",
        # Counting operations in the formulas.
        "are as cheap as a comparison and a multiplication",
    ),
    "07_summary": (
        # The shapes of the functions drawn, for x in [-4, 4]: mathematics.
        "All are close to the line y = x for positive x",
    ),
}


# relu_lib.verdicts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "words"),
    [(0.5, "less"), (1 / 1.21, "less"), (1 / 1.2, "similar"), (1.0, "similar"), (1.2, "similar"), (1.21, "more")],
)
def test_compare_chooses_by_the_ratio_with_a_band_of_no_difference(ratio: float, words: str) -> None:
    assert verdicts.compare(ratio, less="less", similar="similar", more="more") == words


def test_compare_tolerance_widens_the_band() -> None:
    assert verdicts.compare(1.5, less="l", similar="s", more="m", tolerance=2.0) == "s"
    assert verdicts.compare(1.5, less="l", similar="s", more="m", tolerance=1.0) == "m"
    assert verdicts.compare(1.0, less="l", similar="s", more="m", tolerance=1.0) == "s"


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), True, "2", None])
def test_compare_rejects_what_is_not_a_positive_ratio(bad: object) -> None:
    with pytest.raises(ValueError, match="ratio"):
        verdicts.compare(bad, less="l", similar="s", more="m")  # type: ignore[arg-type]


def test_compare_rejects_a_tolerance_below_one() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        verdicts.compare(1.0, less="l", similar="s", more="m", tolerance=0.9)


def test_compare_each_groups_the_names_that_share_a_verdict() -> None:
    words = {"less": "faster", "similar": "as fast", "more": "slower"}
    ratios = {"a": 3.0, "b": 0.5, "c": 1.0, "d": 0.2}
    assert verdicts.compare_each(ratios, **words) == "faster in b and d, as fast in c and slower in a"
    assert verdicts.compare_each({"a": 2.0, "b": 9.0}, **words, every="everywhere") == "slower everywhere"
    assert verdicts.compare_each({"x": 2.0, "y": 1.0}, **words, place="for {}") == "as fast for y and slower for x"
    with pytest.raises(ValueError, match="at least one"):
        verdicts.compare_each({}, **words)
    with pytest.raises(ValueError, match="ratio"):
        verdicts.compare_each({"a": float("nan")}, **words)


def test_count_says_every_none_or_how_many() -> None:
    words = {"every": "all", "none": "no", "some": "{k}/{n}"}
    assert verdicts.count([True, np.True_], **words) == "all"
    assert verdicts.count([False, False], **words) == "no"
    assert verdicts.count([True, False, False], **words) == "1/3"
    with pytest.raises(ValueError, match="at least one"):
        verdicts.count([], **words)


def test_check_passes_silently_and_fails_naming_the_sentence_and_the_numbers() -> None:
    assert verdicts.check("tanh came close to ReLU", np.bool_(True), ratio=1.1) is None
    with pytest.raises(verdicts.Contradicted) as caught:
        verdicts.check("tanh came close to ReLU", np.float64(2.5) < 1.2, tanh_over_relu=np.float64(2.5))
    message = str(caught.value)
    assert '"tanh came close to ReLU"' in message and "tanh_over_relu=2.5" in message
    with pytest.raises(verdicts.Contradicted, match=r"range=\(0\.45, 0\.55\), runs=\{0: 3, 1: 'x'\}"):
        verdicts.check("words", False, range=(np.float64(0.45), 0.55), runs={0: np.int64(3), 1: "x"})
    assert isinstance(caught.value, AssertionError)


@pytest.mark.parametrize(("sentence", "holds"), [("", True), (3, True), ("words", 1), ("words", None)])
def test_check_rejects_a_missing_sentence_or_a_condition_that_is_not_a_truth_value(sentence, holds) -> None:
    with pytest.raises(TypeError, match="check"):
        verdicts.check(sentence, holds)


# The chapters ----------------------------------------------------------------------------


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def prose_sentences(nb: nbformat.NotebookNode) -> list[str]:
    """Every sentence of the chapter's Markdown, and every table cell; code blocks left out."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = re.sub(r"```.*?```", " ", cell.source, flags=re.DOTALL).splitlines()
        rows = [line.strip().strip("|") for line in lines if line.lstrip().startswith("|")]
        text = _flat(" ".join(line for line in lines if not line.lstrip().startswith("|")))
        found += re.split(r"(?<=[.!?;:])\s+", text)
        found += [_flat(part).strip() for row in rows for part in row.split(" | ")]
    return found


def checked_sentences(nb: nbformat.NotebookNode) -> list[str]:
    """The first argument of every ``verdicts.check(...)`` call in the chapter's code."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "check":
                assert node.args and isinstance(node.args[0], ast.Constant), ast.unparse(node)
                found.append(_flat(node.args[0].value))
    return found


def alt_texts(nb: nbformat.NotebookNode) -> list[str]:
    """The fixed words of every figure's alt text (the literal parts of ``alt=...``)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.keyword) and node.arg in ("alt", "caption"):
                found.append("".join(_literal(node.value)))
    return found


def _literal(node: ast.expr) -> list[str]:
    """The text of a string expression, each formatted value written as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.FormattedValue):
        return ["{}"]
    return [part for child in ast.iter_child_nodes(node) for part in _literal(child)]


def attributed(sentence: str) -> bool:
    """A sentence that reports a cited source's result and none of ours."""
    return "{cite" in sentence and "{glue" not in sentence


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request) -> tuple[str, nbformat.NotebookNode]:
    return request.param.stem, nbformat.read(request.param, as_version=4)


def test_every_verdict_in_the_prose_is_chosen_or_checked_by_its_measurement(chapter) -> None:
    stem, nb = chapter
    checked = checked_sentences(nb)
    allowed = [*checked, *NOT_MEASURED.get(stem, ())]
    unchecked = [
        sentence
        for sentence in prose_sentences(nb)
        if verdict(sentence) and not attributed(sentence) and not any(part in sentence for part in allowed)
    ]
    assert not unchecked, (
        f"chapters/{stem}.ipynb states verdicts in fixed words that no measurement checks. Let the "
        "measurement choose the words (relu_lib.verdicts.compare or count, glued), or call "
        "relu_lib.verdicts.check with the sentence where it is measured:\n- " + "\n- ".join(unchecked)
    )


def test_every_checked_sentence_is_in_the_prose(chapter) -> None:
    """A check whose words were edited out of the prose (or the alt text) would guard nothing."""
    stem, nb = chapter
    prose = " ".join([*prose_sentences(nb), *alt_texts(nb)])
    missing = [sentence for sentence in checked_sentences(nb) if sentence not in prose]
    assert not missing, f"chapters/{stem}.ipynb checks words its prose no longer has: {missing}"


def test_every_allowed_sentence_is_still_in_the_prose(chapter) -> None:
    stem, nb = chapter
    prose = " ".join(prose_sentences(nb))
    stale = [
        part for part in NOT_MEASURED.get(stem, ()) if part not in prose and not any(part in t for t in alt_texts(nb))
    ]
    assert not stale, f"NOT_MEASURED lists words chapters/{stem}.ipynb no longer has: {stale}"


def test_alt_text_and_captions_take_their_verdicts_from_the_measurement(chapter) -> None:
    stem, nb = chapter
    allowed = [*checked_sentences(nb), *NOT_MEASURED.get(stem, ())]
    fixed = [text for text in alt_texts(nb) if verdict(text) and not any(part in text for part in allowed)]
    assert not fixed, (
        f"chapters/{stem}.ipynb has alt text or captions with fixed verdict words "
        f"({[verdict(text).group(0) for text in fixed]}): build those words with relu_lib.verdicts:\n"
        + "\n".join(fixed)
    )


def test_the_verdict_scan_sees_the_words_it_must_catch() -> None:
    """The scan itself: a verdict beside a glued number is caught, a chosen one is not."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "tanh came close to ReLU, at {glue:text}`r:.2f` times. It ran {glue:text}`w`."
            ),
            nbformat.v4.new_code_cell('plotting.show(fig, alt=f"tanh {words} ReLU, sigmoid slower than ReLU")'),
        ]
    )
    flagged = [s for s in prose_sentences(nb) if verdict(s)]
    assert flagged == ["tanh came close to ReLU, at {glue:text}`r:.2f` times."]
    assert [verdict(t).group(0) for t in alt_texts(nb)] == ["slower"]
    assert alt_texts(nb) == ["tanh {} ReLU, sigmoid slower than ReLU"]
    assert not verdict("it ran {glue:text}`x:.1f` times as fast as numpy, and {} times as long as ReLU")
    assert verdict("it ran 3 times as fast as numpy").group(0) == "as fast as"
    assert checked_sentences(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('verdicts.check("close to ReLU", True)')])
    ) == ["close to ReLU"]
