"""The one train/held-out split of the digits that every experiment and framework uses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from relu_lib import data, experiments, residual
from relu_lib.mlp import MLP


def test_the_split_has_1400_training_and_397_held_out_digits() -> None:
    split = data.split()
    assert split.train_inputs.shape == (1400, data.FEATURES)
    assert split.held_out_inputs.shape == (data.HELD_OUT, data.FEATURES) == (397, 64)
    assert split.train_labels.shape == (1400,) and split.held_out_labels.shape == (397,)
    assert split.train_inputs.dtype == split.held_out_inputs.dtype == np.float64


def test_the_two_sets_are_disjoint_and_together_are_all_the_digits() -> None:
    images, labels = data.digits(standardise=False)
    raw = data.split(standardise=False)
    # Each raw image is found once: as rows, the two sets together are exactly the 1,797 digits.
    together = np.concatenate([raw.train_inputs, raw.held_out_inputs])
    together_labels = np.concatenate([raw.train_labels, raw.held_out_labels])
    order = np.lexsort(np.column_stack([together, together_labels]).T)
    expected = np.lexsort(np.column_stack([images, labels]).T)
    np.testing.assert_array_equal(together[order], images[expected])
    np.testing.assert_array_equal(together_labels[order], labels[expected])
    # And by index: the mask picks each digit for exactly one of the two sets.
    mask = data._held_out_mask()
    assert mask.sum() == 397 and (~mask).sum() == 1400
    np.testing.assert_array_equal(raw.held_out_inputs, images[mask])
    np.testing.assert_array_equal(raw.train_inputs, images[~mask])


def test_every_class_is_held_out_in_proportion() -> None:
    split = data.split()
    held = np.bincount(split.held_out_labels, minlength=data.CLASSES)
    total = held + np.bincount(split.train_labels, minlength=data.CLASSES)
    # Stratified: each class holds out its share of 397/1797 of its images, rounded (within 1).
    assert (held > 0).all() and (total - held > 0).all()
    assert np.abs(held - total * 397 / 1797).max() < 1


def test_the_split_is_the_same_on_every_call_and_ignores_global_random_state() -> None:
    first = data.split()
    np.random.seed(123)  # noqa: NPY002 - the legacy global state must not matter
    data._held_out_mask.cache_clear()
    second = data.split()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    # The arrays are new on every call: changing one cannot change the split for anyone else.
    second.train_inputs[0, 0] = 1e9
    assert data.split().train_inputs[0, 0] != 1e9


def test_the_split_is_pinned() -> None:
    """The same digits are held out on every machine and numpy version: the first ones are fixed here.

    A change of numpy's generator stream would move them, and every held-out number in the book with them.
    """
    held = np.flatnonzero(data._held_out_mask())
    assert held[:8].tolist() == [0, 1, 8, 19, 23, 40, 43, 44]
    assert held[-5:].tolist() == [1786, 1790, 1791, 1793, 1796]
    assert int(held.sum()) == 354809  # all 397 indices, in one number


def test_standardisation_uses_the_training_images_only() -> None:
    split = data.split()
    raw = data.split(standardise=False)
    assert np.abs(split.train_inputs.mean(axis=0)).max() < 1e-12
    spread = raw.train_inputs.std(axis=0)
    kept = spread > 0
    np.testing.assert_allclose(split.train_inputs[:, kept].std(axis=0), 1.0, rtol=1e-12)
    # The held-out images are scaled with the training mean and spread, not their own.
    expected = (raw.held_out_inputs[:, kept] - raw.train_inputs[:, kept].mean(axis=0)) / spread[kept]
    np.testing.assert_allclose(split.held_out_inputs[:, kept], expected, rtol=1e-12, atol=1e-12)
    assert (split.held_out_inputs[:, ~kept] == 0).all() and (split.train_inputs[:, ~kept] == 0).all()
    assert not np.allclose(split.held_out_inputs.mean(axis=0), 0, atol=1e-3)


def test_split_rejects_a_standardise_that_is_not_a_bool() -> None:
    with pytest.raises(TypeError, match="standardise"):
        data.split(standardise=1)  # type: ignore[arg-type]


def test_train_mlp_with_held_out_trains_on_the_training_digits_only() -> None:
    curves = experiments.train_mlp("relu", depth=2, width=16, epochs=2, seed=5, held_out=True)
    split = data.split()
    net = MLP.create([64, 16, 16, 10], "relu", "he", seed=5)
    expected = experiments.train(
        net,
        split.train_inputs,
        split.train_labels,
        lr=0.05,
        epochs=2,
        seed=5,
        held_out=(split.held_out_inputs, split.held_out_labels),
    )
    assert (
        sorted(curves)
        == sorted(expected)
        == [
            "error",
            "held_out_error",
            "held_out_loss",
            "held_out_zero_fraction",
            "loss",
            "zero_fraction",
        ]
    )
    for key in curves:
        np.testing.assert_array_equal(curves[key], expected[key])
    # The held-out numbers are the trained network's on the 397 digits it never saw.
    loss, error, zeros = net.evaluate(split.held_out_inputs, split.held_out_labels)
    assert (curves["held_out_loss"][-1], curves["held_out_error"][-1]) == (loss, error)
    assert curves["held_out_zero_fraction"][-1] == zeros


def test_train_mlp_without_held_out_is_unchanged() -> None:
    """The chapters written before the split keep their numbers: all 1,797 digits, three curves."""
    curves = experiments.train_mlp("relu", depth=2, width=16, epochs=2, seed=5)
    net = MLP.create([64, 16, 16, 10], "relu", "he", seed=5)
    inputs, labels = data.digits()
    expected = experiments.train(net, inputs, labels, lr=0.05, epochs=2, seed=5)
    assert sorted(curves) == ["error", "loss", "zero_fraction"]
    for key in curves:
        np.testing.assert_array_equal(curves[key], expected[key])


def test_train_mlp_rejects_a_held_out_that_is_not_a_bool() -> None:
    with pytest.raises(TypeError, match="held_out"):
        experiments.train_mlp(epochs=1, held_out="yes")  # type: ignore[arg-type]


# The chapters ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# The chapters whose training experiments train on the split and report held-out error.
SPLIT_CHAPTERS = ("04_advantages", "05_tips", "05b_regularisation", "06_extensions", "06b_today")
# Training that reports no error and so needs no held-out digits, by chapter: chapters 5 and 6
# count the units left dead on the images they were trained on, as experiments.dead_units does.
NO_ERROR_REPORTED = {
    "05_tips": ("experiments.train(net, digit_inputs, digit_labels, lr=0.5, epochs=5, seed=seed)",),
    "06_extensions": ("experiments.train(net, inputs, labels, lr=0.5, epochs=5, seed=seed)",),
}
# relu_lib's training functions that always train on the split and measure the held-out digits.
ALWAYS_SPLIT = ("train_deep",)


def chapter_code(stem: str) -> list[ast.Module]:
    """Every code cell of a chapter, and every Python block of its Markdown (exercise solutions)."""
    nb = nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            sources += re.findall(r"```python\n(.*?)```", cell.source, flags=re.DOTALL)
    return [ast.parse(source) for source in sources]


def training_calls(trees: list[ast.Module]) -> list[ast.Call]:
    """Calls of relu_lib's training functions, and of the chapter's own ``*train*`` functions."""
    found = []
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in ("train_mlp", "train") or "train_" in name:
                    found.append(node)
    return found


def uses_the_split(call: ast.Call) -> bool:
    """``held_out=True`` (train_mlp), ``held_out=(inputs, labels)`` (train), or held-out arrays passed on."""
    name = getattr(call.func, "attr", getattr(call.func, "id", ""))
    held = {k.arg: k.value for k in call.keywords}.get("held_out")
    if name in ALWAYS_SPLIT:
        return True
    if name == "train_mlp":
        return isinstance(held, ast.Constant) and held.value is True
    if name == "train":
        return held is not None and not (isinstance(held, ast.Constant) and held.value is None)
    return "held" in ast.unparse(call)


@pytest.mark.parametrize("stem", SPLIT_CHAPTERS)
def test_the_chapters_training_experiments_train_on_the_split(stem: str) -> None:
    trees = chapter_code(stem)
    calls = training_calls(trees)
    assert calls, f"chapters/{stem}.ipynb trains nothing that this test can see"
    exempt = NO_ERROR_REPORTED.get(stem, ())
    plain = [ast.unparse(call)[:100] for call in calls if not uses_the_split(call) and ast.unparse(call) not in exempt]
    assert all(any(ast.unparse(call) == e for call in calls) for e in exempt), f"{stem}: stale exemption"
    assert not plain, f"chapters/{stem}.ipynb trains without the held-out split: {plain}"
    # Anything that trains on arrays (not train_mlp, which splits by itself) takes them from split().
    on_arrays = [c for c in calls if ast.unparse(c) not in exempt and getattr(c.func, "attr", "") != "train_mlp"]
    if on_arrays:
        assert any("split()" in ast.unparse(tree) for tree in trees), f"chapters/{stem}.ipynb never calls split()"
    # The frameworks' own training functions take the held-out digits and measure them.
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and "train" in node.name:
                arguments = [a.arg for a in node.args.args + node.args.kwonlyargs]
                assert any("held" in a for a in arguments), f"{stem}: {node.name}({', '.join(arguments)})"
                assert "held_out_error" in ast.unparse(node), f"{stem}: {node.name} reports no held-out error"


def test_the_split_check_catches_training_on_all_digits() -> None:
    tree = ast.parse(
        'experiments.train_mlp("relu", epochs=3)\n'
        'experiments.train_mlp("relu", held_out=False)\n'
        "experiments.train(net, x, y, lr=0.1, epochs=1)\n"
        "torch_train_cnn(images, labels, 'relu', lr=0.05)\n"
        'experiments.train_mlp("relu", held_out=True)\n'
        "experiments.train(net, x, y, lr=0.1, epochs=1, held_out=(x_held, y_held))\n"
        "tf_train_cnn(images, labels, held_images, held_labels, 'relu')\n"
        "residual.train_deep(8, 64, epochs=5)\n"
    )
    assert [uses_the_split(call) for call in training_calls([tree])] == [False] * 4 + [True] * 4
    assert "held_out_error" in experiments.train_mlp("relu", depth=1, width=4, epochs=1, held_out=True)
    assert "held_out_error" in residual.train_deep(2, 8, residual=False, norm=False, epochs=1, seed=0)
