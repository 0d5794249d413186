"""relu_lib.widgets: the explorers and their static twins."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import require

from relu_lib import experiments
from relu_lib.piecewise import TARGETS, max_pieces
from relu_lib.plotting import render
from relu_lib.widgets import (
    gradient_norms_explorer,
    gradient_norms_static_figure,
    relu_units_explorer,
    relu_units_static_figure,
    slope_explorer,
    slope_static_figure,
    variance_explorer,
    variance_static_figure,
)

ipywidgets = require("ipywidgets")


def shown_html(box) -> str:
    (output,) = box.children[-1].outputs
    assert output["output_type"] == "display_data"
    return output["data"]["text/html"]


def alt_of(html: str) -> str:
    match = re.search(r'alt="([^"]*)"', html)
    assert match, "the explorer's figure has alt text"
    return match.group(1)


def test_explorer_is_a_labelled_slider_above_an_output_holding_the_first_figure() -> None:
    box = relu_units_explorer("bump", max_units=12, initial=3).widget
    assert isinstance(box, ipywidgets.VBox)
    slider, output = box.children
    assert isinstance(slider, ipywidgets.IntSlider) and isinstance(output, ipywidgets.Output)
    assert slider.description.strip(), "the slider needs a visible label"
    assert (slider.min, slider.max, slider.value) == (1, 12, 3)
    html = shown_html(box)
    assert html.startswith("<figure") and "data:image/svg+xml;base64," in html
    assert "3 ReLU units" in alt_of(html)
    # The figure is in the widget state, which a saved notebook keeps with its outputs.
    state = output.get_state()
    assert state["outputs"][0]["data"]["text/html"] == html


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_moving_the_slider_refits_and_redraws(seed: int) -> None:
    box = relu_units_explorer("sine", max_units=16, seed=seed, initial=1).widget
    slider = box.children[0]
    seen = {}
    for k in (2, 5, 16):
        slider.value = k
        alt = alt_of(shown_html(box))
        assert f"by {k} ReLU units" in alt
        pieces = int(re.search(r"curve of (\d+) pieces", alt).group(1))
        assert pieces <= max_pieces(k)
        seen[k] = float(re.search(r"maximum error (\d+\.\d+)", alt).group(1))
    assert seen[16] < seen[2], "more units fit better"


def test_explorer_accepts_a_function_and_a_range() -> None:
    box = relu_units_explorer(np.cos, max_units=4, x_range=(0.0, 3.0), initial=4).widget
    assert "cos" in alt_of(shown_html(box))


def test_explorer_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown target"):
        relu_units_explorer("square")
    with pytest.raises(TypeError, match="target"):
        relu_units_explorer(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_units"):
        relu_units_explorer(max_units=0)
    with pytest.raises(ValueError, match="initial"):
        relu_units_explorer(max_units=4, initial=5)
    with pytest.raises(ValueError, match="x_range"):
        relu_units_explorer(x_range=(1.0, 1.0))


def test_static_figure_has_one_panel_per_k_and_an_error_panel() -> None:
    units = (1, 2, 4, 8, 16)
    fig = relu_units_static_figure("bump", units=units)
    panels = [ax for ax in fig.axes if ax.has_data()]
    assert len(panels) == len(units) + 1
    for ax, k in zip(panels, units, strict=False):
        title = ax.get_title()
        assert title.startswith(f"k = {k}:")
        pieces = int(re.search(r"(\d+) pieces", title).group(1))
        assert pieces == max_pieces(k), "the bump fit attains the bound k + 1"
    errors = [float(re.search(r"max error ([0-9.]+)", ax.get_title()).group(1)) for ax in panels[:-1]]
    assert errors[-1] < errors[0] / 10
    assert panels[-1].get_xlabel() and panels[-1].get_yscale() == "log"
    html = render(fig, alt="Fits of a bump by 1 to 16 ReLU units")._repr_html_()  # passes the label check
    assert "<img" in html


def test_static_figure_layout_follows_the_number_of_panels() -> None:
    fig = relu_units_static_figure("wave", units=(3, 6))
    assert len([ax for ax in fig.axes if ax.has_data()]) == 3
    fig = relu_units_static_figure("sine", units=(1, 2, 3, 4, 5, 6))
    visible = [ax for ax in fig.axes if ax.axison]
    assert len(visible) == 7 and len(fig.axes) == 8, "two columns; the unused grid cell is switched off"
    with pytest.raises(ValueError, match="at least one"):
        relu_units_static_figure(units=())
    with pytest.raises(ValueError, match="positive integer"):
        relu_units_static_figure(units=(0, 2))


def test_targets_are_well_formed() -> None:
    for name, (fn, (low, high), label) in TARGETS.items():
        x = np.linspace(low, high, 11)
        assert np.all(np.isfinite(fn(x))) and low < high and label, name


def test_gradient_norms_explorer_redraws_for_depth_and_activation() -> None:
    box = gradient_norms_explorer(("sigmoid", "relu"), max_depth=12, initial_depth=8, width=16).widget
    depth, activation, _ = box.children
    assert isinstance(depth, ipywidgets.IntSlider) and isinstance(activation, ipywidgets.ToggleButtons)
    assert depth.description.strip() and activation.description.strip()
    assert "8 hidden sigmoid layers" in alt_of(shown_html(box))
    sigmoid_ratio = float(re.search(r"norm is (\S+) times", alt_of(shown_html(box))).group(1))
    activation.value = "relu"
    depth.value = 12
    alt = alt_of(shown_html(box))
    assert "12 hidden relu layers at he initialisation" in alt
    norms = experiments.gradient_norms("relu", 12, 16, "he", 0)
    assert f"{norms[0] / norms[-1]:.2g} times" in alt
    assert sigmoid_ratio < 1e-2


def test_gradient_norms_static_figure_has_a_log_panel_per_depth() -> None:
    fig = gradient_norms_static_figure(depths=(3, 6), activations=("tanh", "relu"), width=16)
    panels = [ax for ax in fig.axes if ax.has_data()]
    assert [ax.get_title() for ax in panels] == ["3 hidden layers", "6 hidden layers"]
    assert all(ax.get_yscale() == "log" for ax in panels)
    assert [len(line.get_xdata()) for line in panels[1].get_lines()] == [6, 6]
    render(fig, alt="gradient norms")  # labelled axes, or render refuses


def test_variance_explorer_slices_the_deepest_measurement() -> None:
    box = variance_explorer(("relu", "tanh"), ("he", "xavier"), max_depth=10, width=32).widget
    _, init, depth, _ = box.children
    init.value = "xavier"
    depth.value = 4
    alt = alt_of(shown_html(box))
    std = experiments.activation_stats("relu", 4, 32, "xavier", 0)["std"]
    assert "4 hidden relu layers" in alt and f"{std[-1] / std[0]:.2g} times" in alt


def test_variance_static_figure_draws_one_line_per_init() -> None:
    fig = variance_static_figure(("relu",), ("he", "xavier", "lecun"), depth=6, width=32)
    (panel,) = [ax for ax in fig.axes if ax.has_data()]
    assert [line.get_label() for line in panel.get_lines()] == ["he", "xavier", "lecun"]
    assert panel.get_lines()[0].get_ydata()[0] == 1.0
    render(fig, alt="variance")


def test_slope_explorer_and_figure() -> None:
    box = slope_explorer(initial=0.1).widget
    slider = box.children[0]
    slider.value = 0.5
    alt = alt_of(shown_html(box))
    assert "negative slope 0.5" in alt and "alpha 0.5" in alt
    fig = slope_static_figure((0.01, 1.0))
    left = fig.axes[0]
    x, y = left.get_lines()[1].get_data()
    assert np.allclose(y[x < 0], x[x < 0])  # slope 1 is the identity
    render(fig, alt="slopes")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradient_norms_explorer(("sigmoid", "softmax")), "activations"),
        (lambda: gradient_norms_explorer(max_depth=5, initial_depth=6), "initial_depth"),
        (lambda: gradient_norms_static_figure(depths=()), "depth"),
        (lambda: variance_explorer(inits=("he", "orthogonal")), "inits"),
        (lambda: variance_static_figure(activations="relu"), "activations"),
        (lambda: slope_explorer(initial=2.0, maximum=1.0), "initial"),
        (lambda: slope_static_figure((-1.0,)), "slope"),
    ],
)
def test_new_explorers_reject_bad_arguments(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
