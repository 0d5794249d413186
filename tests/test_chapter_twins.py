"""The chapters' PyTorch and TensorFlow experiments agree with relu_lib's numpy ones.

Each chapter defines its framework versions of an experiment as functions in a
pytorch/tensorflow cell pair (``torch_gradient_norms``, ``tf_gradient_norms``,
...). These tests run exactly those cells, after the chapter's own setup cell,
and compare their results with :mod:`relu_lib.experiments` for the same weights
on several seeds, the book's and others.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from conftest import require

from relu_lib import data, experiments
from relu_lib.mlp import MLP

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [0, 3, 11]


@cache
def chapter_functions(stem: str) -> dict[str, Any]:
    """The namespace of a chapter after its setup cell and every cell defining a ``torch_``/``tf_`` function."""
    require("torch")
    require("tensorflow")
    nb = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
    namespace: dict[str, Any] = {"__name__": f"chapter_{stem}"}
    setup = [cell for cell in nb.cells if cell.cell_type == "code" and "TF_CPP_MIN_LOG_LEVEL" in cell.source]
    assert len(setup) == 1, f"{stem}: expected one setup cell"
    definitions = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code"
        and set(cell.metadata.get("tags", [])) & {"pytorch", "tensorflow"}
        and re.search(r"^def (torch|tf)_\w+\(", cell.source, re.M)
    ]
    # TensorFlow fixes its thread pools when it first runs an op, so a second chapter's
    # request for one thread would raise here; thread counts change speed, not results.
    sources = [re.sub(r"^tf\.config\.threading\.set_\w+\(.*\)$", "pass", cell.source, flags=re.M) for cell in setup]
    # Only the definitions (and the imports they need) of those cells: a cell may also run a
    # measurement at its top level (chapter 6 times its torch_step), which the twins do not need.
    for cell in definitions:
        tree = ast.parse(cell.source)
        tree.body = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
        sources.append(ast.unparse(tree))
    with contextlib.redirect_stdout(io.StringIO()):
        for source in sources:
            exec(compile(source, f"<{stem}>", "exec"), namespace)
    return namespace


def function(stem: str, name: str) -> Any:
    namespace = chapter_functions(stem)
    assert name in namespace, f"chapters/{stem}.ipynb no longer defines {name}() in a framework cell"
    return namespace[name]


def digits_net(activation: str, depth: int, width: int, init: str, seed: int) -> MLP:
    return MLP.create([data.FEATURES, *[width] * depth, data.CLASSES], activation, init, seed)


@pytest.mark.parametrize("framework", ["torch", "tf"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("activation", "init"), [("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")])
def test_chapter_1_gradient_norms_match_relu_lib(framework: str, seed: int, activation: str, init: str) -> None:
    expected = experiments.gradient_norms(activation=activation, depth=10, width=64, init=init, seed=seed)
    net = digits_net(activation, 10, 64, init, seed)
    measured = function("01_stall", f"{framework}_gradient_norms")(net, *data.digits())
    np.testing.assert_allclose(np.asarray(measured), expected, rtol=1e-9)


# The activation-statistics twins live once, in the appendix that proves the agreement.
STATS_CASES = [
    ("appendix_agreement", activation, init)
    for activation, init in (
        ("tanh", "xavier"),
        ("selu", "lecun"),
        ("relu", "he"),
        ("relu", "xavier"),
        ("elu", "he"),
        ("sigmoid", "xavier"),
        ("leaky_relu", "he"),
    )
]


@pytest.mark.parametrize("framework", ["torch", "tf"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("stem", "activation", "init"), STATS_CASES)
def test_activation_statistics_match_relu_lib(stem: str, framework: str, seed: int, activation: str, init: str) -> None:
    expected = experiments.activation_stats(activation=activation, depth=12, width=64, init=init, seed=seed)
    net = digits_net(activation, 12, 64, init, seed)
    measured = function(stem, f"{framework}_activation_stats")(net, data.digits()[0])
    assert sorted(measured) == ["mean", "std", "zero_fraction"]
    for key in ("mean", "std"):
        np.testing.assert_allclose(np.asarray(measured[key]), expected[key], rtol=1e-9, err_msg=key)
    # Zeros are counted exactly, but a pre-activation within an ulp of 0 can land on either
    # side in another library's summation order: allow one output in a thousand to differ.
    np.testing.assert_allclose(np.asarray(measured["zero_fraction"]), expected["zero_fraction"], atol=1e-3)


@pytest.mark.parametrize("framework", ["torch", "tf"])
@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize(("activation", "init"), [("relu", "he"), ("tanh", "xavier"), ("sigmoid", "xavier")])
def test_the_appendix_training_curves_match_relu_lib(framework: str, seed: int, activation: str, init: str) -> None:
    """Same initial weights, same batches, plain SGD: the curves agree to rounding for a few epochs."""
    expected = experiments.train_mlp(activation=activation, depth=6, width=32, init=init, lr=0.05, epochs=3, seed=seed)
    net = digits_net(activation, 6, 32, init, seed)
    measured = function("appendix_agreement", f"{framework}_train")(net, *data.digits(), lr=0.05, epochs=3, seed=seed)
    np.testing.assert_allclose(np.asarray(measured["loss"]), expected["loss"], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(measured["error"]), expected["error"], atol=2 / 1797)


@pytest.mark.parametrize("framework", ["torch", "tf"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("activation", "depth", "width"), [("relu", 8, 16), ("relu", 12, 3), ("leaky_relu", 8, 16)])
def test_chapter_6_dead_units_match_relu_lib(
    framework: str, seed: int, activation: str, depth: int, width: int
) -> None:
    net = digits_net(activation, depth, width, "he", seed)
    inputs = data.digits()[0]
    measured = function("06_extensions", f"{framework}_dead_units")(net, inputs)
    expected = net.dead(inputs)
    assert len(measured) == len(expected)
    # A unit is dead when no input switches it on; one input within an ulp of its threshold can
    # decide that differently in another library's summation order, so one unit may differ.
    differing = sum(
        int((np.asarray(theirs, dtype=bool) != ours).sum()) for ours, theirs in zip(expected, measured, strict=True)
    )
    assert differing <= 1, f"{differing} units judged dead differently: {expected} against {measured}"
