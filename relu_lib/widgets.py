"""The interactive explorers behind the book's figures, each with a static twin.

An explorer is an ipywidgets box whose controls refit and redraw a figure.
Where a kernel runs (Jupyter, Colab, Binder) it is live; in the published HTML
the figure it drew first is saved with the widget state, and the static twin
(a plain matplotlib figure of small multiples) shows the same story with no
kernel and no JavaScript at all.

ipywidgets and matplotlib are imported inside the functions, so
``import relu_lib`` stays light; install them with ``pip install relu_lib[widgets]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .piecewise import TARGETS, ReluFit, count_linear_pieces, max_pieces, relu_units_fit
from .plotting import COLOURS, figure, render

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["relu_units_explorer", "relu_units_static_figure"]

Target = str | Callable[[np.ndarray], Any]


def _resolve_target(
    target: Target, x_range: tuple[float, float] | None
) -> tuple[Callable[[np.ndarray], Any], tuple[float, float], str]:
    """A target curve, its x range and its label, from a name in ``TARGETS`` or a callable."""
    if isinstance(target, str):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)} or pass a function")
        fn, default_range, label = TARGETS[target]
    elif callable(target):
        fn, default_range, label = target, (-3.0, 3.0), getattr(target, "__name__", "target")
    else:
        raise TypeError(f"target must be a name in TARGETS or a callable, got {type(target).__name__}")
    low, high = (float(v) for v in (default_range if x_range is None else x_range))
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"x_range must be two finite numbers, low < high, got {x_range!r}")
    return fn, (low, high), label


def _sample(
    fn: Callable[[np.ndarray], Any], x_range: tuple[float, float], points: int
) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(*x_range, points)
    y = np.asarray(fn(x), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"the target must map an array of shape {x.shape} to one of the same shape, got {y.shape}")
    return x, y


def _check_units(units: int, name: str) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise ValueError(f"{name} must be a positive integer, got {units!r}")
    return int(units)


def _draw_fit(ax: Axes, x: np.ndarray, y: np.ndarray, fit: ReluFit, label: str) -> int:
    """Draw the target, the k-unit fit and its kinks; return the pieces counted."""
    pieces = count_linear_pieces(fit, x)
    ax.plot(x, y, color=COLOURS["black"], linewidth=1.4, linestyle=(0, (4, 2)), label=f"target {label}")
    ax.plot(x, fit(x), color=COLOURS["blue"], linewidth=2.2, label="sum of k ReLU units")
    inside = fit.kinks[(fit.kinks > x[0]) & (fit.kinks < x[-1])]
    ax.plot(inside, fit(inside), "o", markersize=5, color=COLOURS["vermillion"], label="kinks")
    ax.set_title(f"k = {fit.units}: {pieces} pieces, max error {fit.max_error:.3f}", fontsize=10.5)
    return pieces


def _draw_errors(ax: Axes, ks: np.ndarray, fits: dict[int, ReluFit], current: int | None) -> None:
    """Max and RMS error against k on log axes, the current k ringed."""
    ax.plot(ks, [fits[k].max_error for k in ks], marker="o", markersize=4, color=COLOURS["vermillion"], label="max")
    ax.plot(ks, [fits[k].rms_error for k in ks], marker="s", markersize=4, color=COLOURS["blue"], label="RMS")
    if current is not None:
        ring = {"markersize": 11, "markerfacecolor": "none", "markeredgewidth": 1.6}
        ax.plot([current], [fits[current].max_error], "o", color=COLOURS["black"], label=f"k = {current}", **ring)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(ks if ks.size <= 6 else [k for k in ks if (k & (k - 1)) == 0])
    ax.get_xaxis().set_major_formatter("{x:.0f}")
    ax.set(xlabel="ReLU units k", ylabel="error of the fit", title="error against k")
    ax.legend(loc="lower left")


def relu_units_static_figure(
    target: Target = "bump",
    units: Sequence[int] = (1, 2, 4, 8, 16),
    *,
    x_range: tuple[float, float] | None = None,
    seed: int = 0,
    points: int = 1001,
) -> Figure:
    """Small multiples of a curve fitted with k ReLU units, one panel per k, and the error against k.

    The static twin of :func:`relu_units_explorer`, for pages where no kernel
    runs. Each panel shows the target (dashed), the least-squares fit with k
    units (:func:`relu_lib.piecewise.relu_units_fit`), its kinks, and in the
    title the linear pieces counted (at most k + 1) and the max error.

    Args:
        target: a name in :data:`relu_lib.piecewise.TARGETS` or a function of an array.
        units: the values of k, one panel each.
        x_range: the interval to fit on (default: the target's own).
        seed: seeds the kink placement.
        points: grid points the fit and the piece count use.

    Returns:
        A matplotlib figure in the house style; hand it to
        :func:`relu_lib.plotting.show` with alt text.

    Example:
        >>> fig = relu_units_static_figure("bump", units=(1, 4))
        >>> [ax.get_title() for ax in fig.axes][:2]
        ['k = 1: 2 pieces, max error 0.606', 'k = 4: 5 pieces, max error 0.313']
    """
    fn, span, label = _resolve_target(target, x_range)
    ks = [_check_units(k, "each entry of units") for k in units]
    if not ks:
        raise ValueError("units must name at least one k")
    x, y = _sample(fn, span, points)
    fits = {k: relu_units_fit(x, y, k, seed=seed) for k in ks}
    panels = len(ks) + 1
    # Two columns keep the panels legible in a book's text column (about 7 inches).
    ncols = min(2, panels)
    nrows = math.ceil(panels / ncols)
    fig, axes = figure(nrows, ncols, squeeze=False, figsize=(3.6 * ncols, 2.5 * nrows + 0.6))
    flat = list(axes.flat)
    for index, k in enumerate(ks):
        ax = flat[index]
        if index:
            ax.sharex(flat[0])
            ax.sharey(flat[0])
        _draw_fit(ax, x, y, fits[k], label)
        if index % ncols == 0:
            ax.set_ylabel("f(x)")
        if index + ncols >= len(ks):  # nothing below it in the grid of fits
            ax.set_xlabel("x")
    _draw_errors(flat[len(ks)], np.array(sorted(set(ks))), fits, None)
    for ax in flat[panels:]:
        ax.set_axis_off()
    fig.suptitle(f"Fitting {label} with k ReLU units: at most k + 1 linear pieces")
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig


def relu_units_explorer(
    target: Target = "bump",
    max_units: int = 16,
    *,
    x_range: tuple[float, float] | None = None,
    seed: int = 0,
    points: int = 1001,
    initial: int = 4,
) -> Any:
    """An explorer: a slider for the number of ReLU units k that refits and redraws.

    Moving the slider shows the least-squares fit of the target with k units
    (:func:`relu_lib.piecewise.relu_units_fit`), its kinks, the pieces counted
    against the bound k + 1, and where k sits on the curve of error against k.
    The figure lives in an ``ipywidgets.Output`` whose outputs are set directly,
    so the first drawing is part of the widget state that the book embeds.

    Args:
        target: a name in :data:`relu_lib.piecewise.TARGETS` or a function of an array.
        max_units: the slider's largest k.
        x_range: the interval to fit on (default: the target's own).
        seed: seeds the kink placement.
        points: grid points the fit and the piece count use.
        initial: the k shown first.

    Returns:
        An ``ipywidgets.VBox`` holding the ``IntSlider`` and the ``Output``.

    Example:
        >>> box = relu_units_explorer("bump", max_units=8, initial=2)
        >>> slider, output = box.children
        >>> slider.description, slider.value, len(output.outputs)
        ('ReLU units k', 2, 1)
    """
    import ipywidgets as widgets

    fn, span, label = _resolve_target(target, x_range)
    max_units = _check_units(max_units, "max_units")
    initial = _check_units(initial, "initial")
    if initial > max_units:
        raise ValueError(f"initial ({initial}) must not exceed max_units ({max_units})")
    x, y = _sample(fn, span, points)
    ks = np.arange(1, max_units + 1)
    fits = {int(k): relu_units_fit(x, y, int(k), seed=seed) for k in ks}

    slider = widgets.IntSlider(
        value=initial,
        min=1,
        max=max_units,
        step=1,
        description="ReLU units k",
        tooltip="Number of ReLU units in the sum",
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="26em"),
    )
    output = widgets.Output(layout=widgets.Layout(min_height="18em"))

    def draw(k: int) -> None:
        fig, (left, right) = figure(1, 2, figsize=(7.4, 3.4))
        pieces = _draw_fit(left, x, y, fits[k], label)
        handles, labels = left.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower left", ncols=len(labels))
        left.set(xlabel="x", ylabel="f(x)")
        left.set_title(
            f"k = {k} units: {pieces} pieces (at most {max_pieces(k)})\nmax error {fits[k].max_error:.3f}",
            fontsize=10.5,
        )
        _draw_errors(right, ks, fits, k)
        alt = (
            f"Left: {label} and its least-squares fit by {k} ReLU units, a piecewise-linear curve of "
            f"{pieces} pieces (at most {max_pieces(k)}) with maximum error {fits[k].max_error:.3f}. "
            f"Right: maximum and RMS error against the number of units k from 1 to {max_units}, "
            "on log axes, falling overall as k grows."
        )
        rendered = render(fig, alt=alt)
        output.outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": rendered._repr_html_(), "text/plain": repr(rendered)},
                "metadata": {},
            },
        )

    slider.observe(lambda change: draw(int(change["new"])), names="value")
    draw(initial)
    return widgets.VBox([slider, output])
