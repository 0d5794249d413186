"""relu_lib.explorer: one drawing function behind a live widget and the page's precomputed frames."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import require

from relu_lib import widgets
from relu_lib.explorer import Control, Explorer
from relu_lib.plotting import figure, render

ipywidgets = require("ipywidgets")


def line_explorer(calls: list[tuple[float, str]] | None = None) -> Explorer:
    """A small explorer: a line of a given slope, in a given colour name; records each drawing."""

    def draw(slope: float, colour: str) -> tuple[object, str]:
        if calls is not None:
            calls.append((slope, colour))
        fig, ax = figure()
        x = np.linspace(-1.0, 1.0, 5)
        ax.plot(x, slope * x, color="black" if colour == "ink" else "grey")
        ax.set(xlabel="x", ylabel="y")
        return fig, f"a {colour} line of slope {slope:g}"

    controls = [
        Control("slope", "slope", (0.0, 0.5, 1.0), live=(0.0, 2.0, 0.25)),
        Control("colour", "colour", ("ink", "ash")),
    ]
    return Explorer("line", draw, controls, {"slope": 0.5, "colour": "ink"})


def test_frames_cover_the_grid_and_each_is_drawn_once() -> None:
    calls: list[tuple[float, str]] = []
    ex = line_explorer(calls)
    frames = ex.frames()
    assert list(frames) == [(s, c) for s in (0.0, 0.5, 1.0) for c in ("ink", "ash")]
    assert frames[(1.0, "ash")].alt == "a ash line of slope 1"
    ex.frames()
    ex.frame(slope=1.0, colour="ash")
    assert len(calls) == 6, "every frame is drawn once and kept"


def test_the_page_version_holds_hidden_controls_and_one_visible_frame_per_grid_point() -> None:
    ex = line_explorer()
    soup = BeautifulSoup(ex.html(), "html.parser")
    root = soup.select_one("div.relu-explorer[data-relu-explorer]")
    assert root is not None and root["id"] == "relu-explorer-line"
    assert root.select_one(".relu-explorer-controls").has_attr("hidden"), "no dead controls without the script"
    slider = root.select_one('input[type="range"][data-control]')
    assert (slider["min"], slider["max"], slider["value"]) == ("0", "2", "1")
    assert json.loads(slider["data-values"]) == ["0", "0.5", "1"] and slider["aria-valuetext"] == "0.5"
    assert root.select_one(f'label[for="{slider["id"]}"]').get_text() == "slope"
    assert root.select_one(f'output[for="{slider["id"]}"]').get_text() == "0.5"
    radios = root.select('fieldset[data-control] input[type="radio"]')
    assert [r["value"] for r in radios] == ["0", "1"] and radios[0].has_attr("checked")
    assert root.select_one("fieldset legend").get_text() == "colour"
    frames = root.select("[data-frame]")
    assert [f["data-frame"] for f in frames] == [f"{i},{j}" for i in range(3) for j in range(2)]
    visible = [f for f in frames if not f.has_attr("hidden")]
    assert [f["data-frame"] for f in visible] == ["1,0"], "the initial values' frame shows first"
    assert visible[0].img["alt"] == "a ink line of slope 0.5"
    assert len({f.img["src"] for f in frames}) == 6


def test_display_offers_the_live_view_and_the_page_version() -> None:
    ex = line_explorer()
    bundle = ex._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    assert bundle["text/html"] == ex.html()
    assert bundle["text/plain"] == "<explorer line: slope in [0.0, 0.5, 1.0], colour in ['ink', 'ash']>"


def test_the_live_view_computes_values_between_and_beyond_the_grid() -> None:
    calls: list[tuple[float, str]] = []
    ex = line_explorer(calls)
    slope, colour, output = ex.widget.children
    assert isinstance(slope, ipywidgets.FloatSlider) and isinstance(colour, ipywidgets.ToggleButtons)
    assert (slope.min, slope.max, slope.step, slope.value) == (0.0, 2.0, 0.25, 0.5)
    assert slope.description == "slope" and colour.options == ("ink", "ash")
    for value in (1.75, 0.25):
        slope.value = value
        (shown,) = output.outputs
        assert re.search(rf'alt="a ink line of slope {value:g}"', shown["data"]["text/html"])
    colour.value = "ash"
    assert 'alt="a ash line of slope 0.25"' in output.outputs[0]["data"]["text/html"]
    assert (1.75, "ink") in calls and (1.75, "ink") not in ex.frames()


def test_integer_sliders_stay_integer() -> None:
    ex = widgets.relu_units_explorer("bump", max_units=6, initial=3)
    (slider, _) = ex.widget.children
    assert isinstance(slider, ipywidgets.IntSlider) and (slider.min, slider.max, slider.step) == (1, 6, 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Control("not a name", "x", (1,), live=(0, 1, 1)), "identifier"),
        (lambda: Control("x", "x", ()), "distinct"),
        (lambda: Control("x", "x", (1, 1), live=(0, 2, 1)), "distinct"),
        (lambda: Control("x", "x", (1, 2)), "names"),
        (lambda: Control("x", "x", ("a", "b"), live=(0, 1, 1)), "numbers"),
        (lambda: Control("x", "x", (1, 2), live=(0, 1)), "numbers"),
        (lambda: Control("x", "x", (1, 2), live=(2, 1, 1)), "minimum < maximum"),
        (lambda: Control("x", "x", (1, 2), live=(0, 2, 0)), "step > 0"),
        (lambda: Control("x", "x", (1, 3), live=(0, 2, 1)), "outside"),
        (lambda: Control("x", "x", (2, 1), live=(0, 2, 1)), "increase"),
        (lambda: Control("x", "x", (True, 2), live=(0, 2, 1)), "numbers"),
    ],
)
def test_controls_reject_what_they_cannot_show(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_explorers_reject_bad_definitions() -> None:
    good = Control("k", "k", (1, 2), live=(1, 4, 1))
    draw = line_explorer()._draw
    with pytest.raises(ValueError, match="lower-case"):
        Explorer("Line Plot", draw, [good], {"k": 1})
    with pytest.raises(TypeError, match="callable"):
        Explorer("line", "draw", [good], {"k": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Control"):
        Explorer("line", draw, [], {})
    with pytest.raises(ValueError, match="distinct"):
        Explorer("line", draw, [good, good], {"k": 1})
    with pytest.raises(ValueError, match="exactly the controls"):
        Explorer("line", draw, [good], {"k": 1, "j": 2})
    with pytest.raises(ValueError, match="not in its grid"):
        Explorer("line", draw, [good], {"k": 3})
    with pytest.raises(TypeError, match="exactly the controls"):
        line_explorer().frame(slope=0.5)


def test_frames_are_compact_svg_with_text_as_text() -> None:
    fig, ax = figure()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="x", ylabel="y", title="a title")
    compact = render(fig, "a line", compact=True).svg
    fig, ax = figure()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="x", ylabel="y", title="a title")
    outlined = render(fig, "a line").svg
    assert ("<text" in compact and ">a title<" in compact.replace("</tspan>", "<")) or "a title" in compact
    assert "<text" not in outlined, "the house style draws text as outlines"
    assert len(compact) < 0.8 * len(outlined)


@pytest.mark.parametrize(
    ("make", "grids"),
    [
        (lambda: widgets.relu_units_explorer("bump", max_units=16, initial=4), {"units": (1, 2, 4, 8, 16)}),
        (lambda: widgets.relu_units_explorer("bump", max_units=6, initial=3), {"units": (1, 2, 3, 4, 6)}),
        (
            lambda: widgets.slope_explorer(initial=0.25, maximum=0.6),
            {"a": (0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.6)},
        ),
        (lambda: widgets.variance_explorer(max_depth=40, width=8), {"depth": (10, 40)}),
        (lambda: widgets.gradient_norms_explorer(max_depth=7, initial_depth=3), {"depth": (2, 3, 5, 7)}),
    ],
)
def test_each_page_grid_holds_the_start_and_the_end(make, grids: dict[str, tuple]) -> None:
    ex = make()
    for control in ex.controls:
        if control.name in grids:
            assert control.grid == grids[control.name]
            assert ex.initial[control.name] in control.grid and control.grid[-1] == control.live[1]


def test_a_hint_is_the_tooltip_in_a_kernel_and_the_title_on_the_page() -> None:
    controls = [
        Control("slope", "slope", (0.0, 1.0), live=(0.0, 1.0, 0.5), hint="Slope of the line"),
        Control("colour", "colour", ("ink", "ash"), hint="Colour of the line"),
    ]
    ex = Explorer("hinted", line_explorer()._draw, controls, {"slope": 0.0, "colour": "ink"})
    slope, colour, _ = ex.widget.children
    assert (slope.tooltip, colour.tooltip) == ("Slope of the line", "Colour of the line")
    soup = BeautifulSoup(ex.html(), "html.parser")
    assert soup.select_one('input[type="range"]')["title"] == "Slope of the line"
    assert soup.select_one("fieldset[data-control]")["title"] == "Colour of the line"
    plain = BeautifulSoup(line_explorer().html(), "html.parser")
    assert not plain.select("[title]"), "no empty tooltip where a control has no hint"


@pytest.mark.parametrize(
    "make",
    [
        lambda: widgets.relu_units_explorer("bump", max_units=4, initial=2),
        lambda: widgets.slope_explorer(initial=0.1, maximum=0.5),
        lambda: widgets.variance_explorer(max_depth=12, width=8),
        lambda: widgets.gradient_norms_explorer(max_depth=5, initial_depth=3),
    ],
)
def test_every_control_of_the_books_explorers_says_what_it_changes(make) -> None:
    ex = make()
    assert ex.controls and all(len(c.hint.split()) >= 3 for c in ex.controls), [c.hint for c in ex.controls]
