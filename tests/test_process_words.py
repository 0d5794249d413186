"""The docstrings and comments of the library, the tests, the tools and the benchmarks speak to a reader.

How the book was made stays out of them: the labels under which its claims were tracked while it
was written (a capital C and a number), and the words for the texts it grew from. A claim is named
by what it says, as in chapter 7's table of measurements; a source is cited by name. The chapters
are checked for the same words in test_chapters.py. Docstrings are read with :mod:`ast` and
comments with :mod:`tokenize`, so the code's own strings (such as the patterns below and the
phrases that test them) are not scanned.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WHERE = ("relu_lib", "tests", "tools", "benchmarks")

CLAIM_LABEL = re.compile(r"\bC\d{1,2}\b")  # case-sensitive: "c10" is a cell id, not a label
PROCESS_WORDS = re.compile(r"seed article|the seed's|curriculum", re.IGNORECASE)
# A test named after a claim's label rather than after what it checks.
LABELLED_TEST = re.compile(r"^test_c\d{1,2}(?:_|$)", re.IGNORECASE)


def python_files() -> list[Path]:
    return sorted(path for where in WHERE for path in (ROOT / where).rglob("*.py") if "__pycache__" not in path.parts)


def docstrings(source: str) -> list[tuple[int, str]]:
    """Each docstring of the module, its classes and its functions, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            text = ast.get_docstring(node, clean=False)
            if text is not None:
                found.append((node.body[0].lineno, text))
    return found


def comments(source: str) -> list[tuple[int, str]]:
    """Each comment, with its line."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def defined_names(source: str) -> list[tuple[int, str]]:
    """The name of each function or class, with its line."""
    return [
        (node.lineno, node.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def offences(source: str) -> list[tuple[int, str]]:
    """What in ``source``'s docstrings, comments and names tells how the book was made."""
    found = []
    for line, text in [*docstrings(source), *comments(source)]:
        for pattern in (CLAIM_LABEL, PROCESS_WORDS):
            found += [(line, match.group(0)) for match in pattern.finditer(text)]
    found += [(line, name) for line, name in defined_names(source) if LABELLED_TEST.search(name)]
    return sorted(found)


@pytest.mark.parametrize("path", python_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_process_words_in_docstrings_comments_or_test_names(path: Path) -> None:
    found = offences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} tells how the book was made; say what is meant instead: " + ", ".join(
        f"line {line}: {text!r}" for line, text in found
    )


def test_the_scan_finds_labels_and_words_in_docstrings_comments_and_names_only() -> None:
    source = '''"""Module: the logic behind claim C10."""


def test_c9_cost() -> None:
    """From the seed article."""
    x = "C4 in a string is code, not prose"  # C4 ------
    # the curriculum's order


class Thing:
    """As The Seed's CNN does."""

    def method(self) -> str:
        return "curriculum"  # case-sensitive: c10 is not a label, nor CIFAR-10, C++ or ch7_c1
'''
    assert offences(source) == [
        (1, "C10"),
        (4, "test_c9_cost"),
        (5, "seed article"),
        (6, "C4"),
        (7, "curriculum"),
        (11, "The Seed's"),
    ]


def test_the_scan_covers_the_library_the_tests_and_the_tools() -> None:
    scanned = {path.relative_to(ROOT).parts[0] for path in python_files()}
    assert scanned == set(WHERE)
    assert Path(__file__) in python_files()
