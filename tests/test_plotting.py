"""relu_lib.plotting: the house style, alt text, labelled axes and deterministic inline SVG."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import relu_lib
from relu_lib import plotting
from relu_lib.plotting import PALETTE, FigureHTML, figure, plot_function, render, show, style, use_style

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def labelled_figure() -> object:
    fig, ax = figure()
    ax.plot([0, 1, 2], [0, 1, 0], label="tent")
    ax.set(xlabel="x", ylabel="y")
    return fig


def svg_of(html: str) -> str:
    match = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert match, "the figure must be an inline base64 SVG data URI"
    return base64.b64decode(match.group(1)).decode("utf-8")


def test_import_relu_lib_loads_neither_matplotlib_nor_ipywidgets() -> None:
    code = (
        "import sys, relu_lib, relu_lib.piecewise, relu_lib.plotting, relu_lib.widgets\n"
        "optional = ('matplotlib', 'ipywidgets', 'torch', 'tensorflow', 'IPython')\n"
        "heavy = sorted(m for m in optional if m in sys.modules)\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "", f"importing relu_lib loaded {result.stdout.strip()}"


def test_palette_is_okabe_ito_in_a_fixed_order() -> None:
    assert len(PALETTE) == 8 and len(set(PALETTE)) == 8
    assert {colour.upper() for colour in PALETTE} == OKABE_ITO
    assert PALETTE[0].upper() == "#0072B2", "the first line is blue"
    assert PALETTE.index("#F0E442") >= 5, "yellow, weak on white, comes late"
    assert plotting.COLOURS["vermillion"] == "#D55E00"


def test_style_is_scoped_and_use_style_is_global() -> None:
    matplotlib.rcdefaults()
    assert matplotlib.rcParams["axes.spines.top"] is True
    with style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["svg.hashsalt"] == "relu-book"
        cycle = [entry["color"] for entry in matplotlib.rcParams["axes.prop_cycle"]]
        assert cycle == list(PALETTE)
    assert matplotlib.rcParams["axes.spines.top"] is True, "style() must restore the previous rcParams"
    use_style()
    assert matplotlib.rcParams["axes.spines.right"] is False
    assert matplotlib.rcParams["axes.grid"] is True
    matplotlib.rcdefaults()


def test_figure_returns_styled_axes_in_the_requested_grid() -> None:
    fig, ax = figure()
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.xaxis.label.get_fontsize() >= 10, "labels must be readable"
    assert matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"
    fig, axes = figure(2, 3, sharex=True)
    assert axes.shape == (2, 3)
    with pytest.raises(ValueError, match="nrows"):
        figure(0, 1)
    with pytest.raises(ValueError, match="ncols"):
        figure(1, 1.5)


def test_plot_function_draws_the_derivative_dashed_in_another_colour_and_breaks_it_at_the_jump() -> None:
    _, ax = figure()
    x = np.linspace(-2, 2, 401)
    function_line, derivative_line = plot_function(ax, relu_lib.relu, x, label="ReLU", derivative=True)
    np.testing.assert_array_equal(function_line.get_ydata(), np.maximum(x, 0))
    assert derivative_line.get_label() == "ReLU'"
    assert derivative_line.get_linestyle() == "--"
    assert derivative_line.get_color() != function_line.get_color()
    slope = np.asarray(derivative_line.get_ydata(), dtype=float)
    assert np.isnan(slope).sum() == 1, "the step at 0 is drawn as a break, not a vertical segment"
    assert set(slope[~np.isnan(slope)]) == {0.0, 1.0}


def test_plot_function_leaves_smooth_derivatives_unbroken_and_accepts_a_callable() -> None:
    _, ax = figure()
    x = np.linspace(-6, 6, 601)
    lines = plot_function(ax, np.tanh, x, label="tanh", derivative=lambda t: 1 - np.tanh(t) ** 2)
    assert not np.isnan(np.asarray(lines[1].get_ydata(), dtype=float)).any()
    assert len(plot_function(ax, relu_lib.sigmoid, x)) == 1
    (step,) = plot_function(ax, relu_lib.derivative(relu_lib.relu), x)
    assert np.isnan(np.asarray(step.get_ydata(), dtype=float)).sum() == 1, "a step drawn as the function breaks too"
    with pytest.raises(TypeError, match="derivative"):
        plot_function(ax, np.tanh, x, derivative="yes")
    with pytest.raises(ValueError, match="1-D grid"):
        plot_function(ax, np.tanh, [0.0])


@pytest.mark.parametrize("alt", ["", "   ", "\n"])
def test_show_requires_alt_text(alt: str) -> None:
    with pytest.raises(ValueError, match="alt text"):
        show(labelled_figure(), alt=alt)


def test_show_rejects_alt_that_is_not_a_string() -> None:
    with pytest.raises(TypeError, match="alt"):
        render(labelled_figure(), alt=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", ["x", "y"])
def test_show_rejects_axes_with_data_but_no_label(missing: str) -> None:
    fig, ax = figure()
    ax.plot([0, 1], [1, 0])
    ax.set(**{f"{'y' if missing == 'x' else 'x'}label": "labelled"})
    with pytest.raises(ValueError, match=f"lacks a {missing} label"):
        render(fig, alt="a line")


def test_label_check_accepts_shared_axes_labelled_once_and_ignores_empty_axes() -> None:
    fig, axes = figure(1, 3, sharey=True)
    for ax in axes[:2]:
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("x")
    axes[0].set_ylabel("y")  # the shared y axis of the second panel is labelled once, at the left
    axes[2].set_axis_off()
    render(fig, alt="two panels sharing a y axis")

    fig, axes = figure(1, 2)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
    fig.supxlabel("x")
    fig.supylabel("y")
    render(fig, alt="two panels labelled by the figure")

    fig, axes = figure(1, 2)  # not shared: the second panel's missing label is an error
    for ax in axes:
        ax.plot([0, 1], [0, 1])
    axes[0].set(xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="axes 1"):
        render(fig, alt="two panels")


def test_render_makes_a_figure_element_with_escaped_alt_and_caption() -> None:
    alt = 'ReLU "rectifies" x < 0 & keeps x > 0'
    out = render(labelled_figure(), alt=alt, caption="A <tent> & more")
    assert isinstance(out, FigureHTML)
    html = out._repr_html_()
    assert html.startswith("<figure") and html.endswith("</figure>")
    assert 'alt="ReLU &quot;rectifies&quot; x &lt; 0 &amp; keeps x &gt; 0"' in html
    assert "<figcaption>A &lt;tent&gt; &amp; more</figcaption>" in html
    svg = svg_of(html)
    assert "<svg" in svg and "</svg>" in svg
    assert "dc:date" not in svg and "Matplotlib v" not in svg, "no date and no version in the SVG"
    assert len(svg) < 60_000, "a simple figure stays small"
    assert repr(out) == f"<figure: {alt}>"


def test_svg_is_identical_between_runs() -> None:
    first = render(labelled_figure(), alt="tent").svg
    second = render(labelled_figure(), alt="tent").svg
    assert first == second
    code = (
        "import numpy as np\n"
        "from relu_lib.plotting import figure, render\n"
        "fig, ax = figure(); ax.plot([0, 1, 2], [0, 1, 0], label='tent'); ax.set(xlabel='x', ylabel='y')\n"
        "import sys; sys.stdout.write(render(fig, alt='tent').svg)"
    )
    other_process = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
    ).stdout
    assert other_process == first, "a fresh interpreter draws the same bytes"


def test_show_displays_html_and_closes_a_pyplot_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display
    import matplotlib.pyplot as plt

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    plt.close("all")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set(xlabel="x", ylabel="y")
    assert plt.get_fignums()
    assert show(fig, alt="a diagonal line") is None
    assert plt.get_fignums() == [], "show() closes the figure"
    assert len(shown) == 1 and 'alt="a diagonal line"' in shown[0]._repr_html_()
