"""The interactive explorers behind the book's figures, each with a static twin.

Each explorer is a :class:`relu_lib.explorer.Explorer`: one drawing function and
its controls. Where a kernel runs (Jupyter, Colab, Binder) the ipywidgets
controls redraw for any value; on the published page the same function's frames,
drawn over each control's grid when the book is built, follow the controls. The
static twin (a plain matplotlib figure of small multiples) shows the same story
in one picture, for print and for a first read.

ipywidgets and matplotlib are imported inside the functions, so
``import relu_lib`` stays light; install them with ``pip install relu_lib[widgets]``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._arrays import check_count
from .explorer import Control, Explorer, Value
from .piecewise import TARGETS, ReluFit, count_linear_pieces, max_pieces, relu_units_fit
from .plotting import COLOURS, figure

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "gradient_norms_explorer",
    "gradient_norms_static_figure",
    "relu_units_explorer",
    "relu_units_static_figure",
    "slope_explorer",
    "slope_static_figure",
    "variance_explorer",
    "variance_static_figure",
]

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
    ks = [check_count(k, "each entry of units") for k in units]
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
) -> Explorer:
    """An explorer: a slider for the number of ReLU units k that refits and redraws.

    Moving the slider shows the least-squares fit of the target with k units
    (:func:`relu_lib.piecewise.relu_units_fit`), its kinks, the pieces counted
    against the bound k + 1, and where k sits on the curve of error against k.
    In a kernel the slider takes every k up to ``max_units``; the published page
    steps through the powers of two and ``initial``.

    Args:
        target: a name in :data:`relu_lib.piecewise.TARGETS` or a function of an array.
        max_units: the slider's largest k.
        x_range: the interval to fit on (default: the target's own).
        seed: seeds the kink placement.
        points: grid points the fit and the piece count use.
        initial: the k shown first.

    Returns:
        An :class:`~relu_lib.explorer.Explorer` with one control, ``units``.

    Example:
        >>> ex = relu_units_explorer("bump", max_units=8, initial=3)
        >>> ex.controls[0].grid, ex.frame(units=3).alt[:36]
        ((1, 2, 3, 4, 8), 'Left: exp(−x²) and its least-squares')
    """
    fn, span, label = _resolve_target(target, x_range)
    max_units = check_count(max_units, "max_units")
    initial = check_count(initial, "initial")
    if initial > max_units:
        raise ValueError(f"initial ({initial}) must not exceed max_units ({max_units})")
    x, y = _sample(fn, span, points)
    ks = np.arange(1, max_units + 1)
    fits = {int(k): relu_units_fit(x, y, int(k), seed=seed) for k in ks}

    def draw(units: int) -> tuple[Figure, str]:
        fig, (left, right) = figure(1, 2, figsize=(7.4, 3.4))
        pieces = _draw_fit(left, x, y, fits[units], label)
        handles, labels = left.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower left", ncols=len(labels))
        left.set(xlabel="x", ylabel="f(x)")
        left.set_title(
            f"k = {units} units: {pieces} pieces (at most {max_pieces(units)})\nmax error {fits[units].max_error:.3f}",
            fontsize=10.5,
        )
        _draw_errors(right, ks, fits, units)
        alt = (
            f"Left: {label} and its least-squares fit by {units} ReLU units, a piecewise-linear curve of "
            f"{pieces} pieces (at most {max_pieces(units)}) with maximum error {fits[units].max_error:.3f}. "
            f"Right: maximum and RMS error against the number of units k from 1 to {max_units}, "
            "on log axes, falling overall as k grows."
        )
        return fig, alt

    grid = _page_grid((1, 2, 4, 8, 16, 32, 64), initial, max_units, low=1)
    control = Control("units", "ReLU units k", grid, live=(1, max_units, 1), hint="Number of ReLU units in the sum")
    return Explorer("relu-units", draw, [control], {"units": initial})


def _check_names(names: Sequence[str], allowed: Sequence[str], name: str) -> tuple[str, ...]:
    if isinstance(names, str) or not names or any(n not in allowed for n in names):
        raise ValueError(f"{name} must be a non-empty sequence of names from {', '.join(allowed)}; got {names!r}")
    return tuple(names)


def _page_grid(candidates: Sequence[Value], initial: Value, maximum: Value, low: Value = 2) -> tuple[Value, ...]:
    """The values the published page precomputes: the candidates within [low, maximum], the start and the end."""
    return tuple(sorted({v for v in candidates if low <= v <= maximum} | {initial, maximum}))


_MARKERS = ("o", "s", "^", "D", "v", "P")
_DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))


def _draw_gradient_norms(ax: Axes, norms: np.ndarray, label: str, index: int) -> None:
    layers = np.arange(1, norms.size + 1)
    ax.plot(layers, norms, marker=_MARKERS[index % 6], markersize=4, linestyle=_DASHES[index % 6], label=label)


def gradient_norms_static_figure(
    depths: Sequence[int] = (5, 10, 20),
    activations: Sequence[str] = ("sigmoid", "tanh", "relu"),
    *,
    width: int = 64,
    seed: int = 0,
) -> Figure:
    """Per-layer gradient norms at initialisation, one panel per depth, one line per activation.

    The static twin of :func:`gradient_norms_explorer`: the measurement of
    :func:`relu_lib.experiments.gradient_norms`, each activation with its
    :func:`~relu_lib.experiments.recommended_init`, on a log scale.

    Example:
        >>> fig = gradient_norms_static_figure(depths=(4,), activations=("sigmoid", "relu"))
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['sigmoid (xavier)', 'relu (he)']
    """
    from .experiments import gradient_norms, recommended_init
    from .mlp import ACTIVATIONS

    names = _check_names(activations, ACTIVATIONS, "activations")
    depths = [check_count(d, "each depth") for d in depths]
    if not depths:
        raise ValueError("depths must name at least one depth")
    fig, axes = figure(1, len(depths), squeeze=False, sharey=True, figsize=(min(3.2 * len(depths), 7.4), 3.4))
    for column, (ax, depth) in enumerate(zip(axes[0], depths, strict=True)):
        for index, name in enumerate(names):
            init = recommended_init(name)
            norms = gradient_norms(name, depth, width, init, seed)
            _draw_gradient_norms(ax, norms, f"{name} ({init})", index)
        ax.set_yscale("log")
        ax.set(title=f"{depth} hidden layers", xlabel="layer (1 = input side)")
        if column == 0:
            ax.set_ylabel("gradient norm of the layer's weights")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig


def gradient_norms_explorer(
    activations: Sequence[str] = ("sigmoid", "tanh", "relu"),
    max_depth: int = 30,
    initial_depth: int = 10,
    *,
    width: int = 64,
    seed: int = 0,
) -> Explorer:
    """An explorer: a depth slider and an activation selector that redraw per-layer gradient norms.

    Each setting runs :func:`relu_lib.experiments.gradient_norms` for the
    chosen activation with its :func:`~relu_lib.experiments.recommended_init`
    and plots the norms layer by layer on a log scale, the ratio of the first
    layer's norm to the last's in the title. In a kernel the slider takes every
    depth from 2 to ``max_depth``; the published page offers 2, 5, 10, 20 and 30
    (up to ``max_depth``), ``initial_depth`` and ``max_depth``.

    Returns:
        An :class:`~relu_lib.explorer.Explorer` with the controls ``depth`` and ``activation``.

    Example:
        >>> ex = gradient_norms_explorer(max_depth=12, initial_depth=6)
        >>> [(c.name, c.grid) for c in ex.controls]
        [('depth', (2, 5, 6, 10, 12)), ('activation', ('sigmoid', 'tanh', 'relu'))]
    """
    from .experiments import gradient_norms, recommended_init
    from .mlp import ACTIVATIONS

    names = _check_names(activations, ACTIVATIONS, "activations")
    max_depth = check_count(max_depth, "max_depth")
    initial_depth = check_count(initial_depth, "initial_depth")
    if not 2 <= initial_depth <= max_depth:
        raise ValueError(f"need 2 <= initial_depth <= max_depth, got {initial_depth} and {max_depth}")

    def draw(depth: int, activation: str) -> tuple[Figure, str]:
        init = recommended_init(activation)
        norms = gradient_norms(activation, depth, width, init, seed)
        fig, ax = figure(figsize=(6.4, 3.4))
        _draw_gradient_norms(ax, norms, f"{activation} ({init})", names.index(activation))
        ax.set_yscale("log")
        ratio = norms[0] / norms[-1]
        ax.set(xlabel="layer (1 = input side)", ylabel="gradient norm of the layer's weights")
        ax.set_title(f"{activation}, {init} init, {depth} layers: first / last = {ratio:.2g}", fontsize=10.5)
        alt = (
            f"Gradient norms of the weights of each of {depth} hidden {activation} layers at {init} "
            f"initialisation, on a log scale: the first layer's norm is {ratio:.2g} times the last layer's."
        )
        return fig, alt

    controls = [
        Control(
            "depth",
            "hidden layers",
            _page_grid((2, 5, 10, 20, 30), initial_depth, max_depth),
            (2, max_depth, 1),
            hint="Number of hidden layers of the network",
        ),
        Control("activation", "activation", names, hint="The activation of every hidden layer"),
    ]
    return Explorer("gradient-norms", draw, controls, {"depth": initial_depth, "activation": names[0]})


def _relative_std(activation: str, init: str, depth: int, width: int, seed: int) -> np.ndarray:
    from .experiments import activation_stats

    std = activation_stats(activation, depth, width, init, seed)["std"]
    return std / std[0]


def _draw_scale(ax: Axes, ratios: np.ndarray, label: str, index: int) -> None:
    layers = np.arange(1, ratios.size + 1)
    ax.plot(layers, ratios, marker=_MARKERS[index % 6], markersize=3, linestyle=_DASHES[index % 6], label=label)
    ax.axhspan(0.5, 2.0, color=COLOURS["sky_blue"], alpha=0.15, linewidth=0)
    ax.set_yscale("log")


def variance_static_figure(
    activations: Sequence[str] = ("relu", "tanh"),
    inits: Sequence[str] = ("he", "xavier", "lecun"),
    *,
    depth: int = 30,
    width: int = 256,
    seed: int = 0,
) -> Figure:
    """How the scale of the activations changes with depth, one panel per activation, one line per init.

    The static twin of :func:`variance_explorer`: each layer's standard
    deviation (:func:`relu_lib.experiments.activation_stats`) relative to the
    first layer's, on a log scale, with the band 0.5x to 2x shaded.

    Example:
        >>> fig = variance_static_figure(("relu",), ("he", "xavier"), depth=5, width=32)
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['he', 'xavier']
    """
    from .mlp import ACTIVATIONS

    names = _check_names(activations, ACTIVATIONS, "activations")
    schemes = _check_names(inits, ("he", "xavier", "lecun"), "inits")
    depth = check_count(depth, "depth")
    fig, axes = figure(1, len(names), squeeze=False, sharey=True, figsize=(min(3.6 * len(names), 7.4), 3.4))
    for column, (ax, name) in enumerate(zip(axes[0], names, strict=True)):
        for index, init in enumerate(schemes):
            _draw_scale(ax, _relative_std(name, init, depth, width, seed), init, index)
        ax.set(title=f"{name}, {depth} layers of {width}", xlabel="layer")
        if column == 0:
            ax.set_ylabel("std relative to layer 1")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), title="initialisation")
    return fig


def variance_explorer(
    activations: Sequence[str] = ("relu", "tanh", "selu"),
    inits: Sequence[str] = ("he", "xavier", "lecun"),
    max_depth: int = 50,
    *,
    width: int = 256,
    seed: int = 0,
) -> Explorer:
    """An explorer: pick an activation, an initialisation and a depth; see the activations' scale per layer.

    In a kernel the depth slider takes every depth from 2 to ``max_depth``; the
    published page offers 10 and 50 (up to ``max_depth``) and ``max_depth``.

    Returns:
        An :class:`~relu_lib.explorer.Explorer` with the controls ``activation``, ``init`` and ``depth``.

    Example:
        >>> ex = variance_explorer(max_depth=8, width=32)
        >>> [(c.name, c.grid) for c in ex.controls]
        [('activation', ('relu', 'tanh', 'selu')), ('init', ('he', 'xavier', 'lecun')), ('depth', (8,))]
    """
    from .mlp import ACTIVATIONS

    names = _check_names(activations, ACTIVATIONS, "activations")
    schemes = _check_names(inits, ("he", "xavier", "lecun"), "inits")
    max_depth = check_count(max_depth, "max_depth")
    if max_depth < 2:
        raise ValueError(f"max_depth must be at least 2, got {max_depth}")
    # The hidden layers are drawn first and in order, so a shallower net is a prefix of the deepest one.
    measure = functools.cache(lambda activation, init: _relative_std(activation, init, max_depth, width, seed))

    def draw(activation: str, init: str, depth: int) -> tuple[Figure, str]:
        ratios = measure(activation, init)[:depth]
        fig, ax = figure(figsize=(6.4, 3.4))
        _draw_scale(ax, ratios, init, schemes.index(init))
        ax.set(xlabel="layer", ylabel="std relative to layer 1")
        ax.set_title(f"{activation}, {init} init: layer {ratios.size} at {ratios[-1]:.2g}x", fontsize=10.5)
        alt = (
            f"The standard deviation of each of {ratios.size} hidden {activation} layers' outputs at "
            f"{init} initialisation, relative to the first layer's, on a log scale; the last layer is at "
            f"{ratios[-1]:.2g} times the first. A shaded band marks 0.5 to 2 times."
        )
        return fig, alt

    controls = [
        Control("activation", "activation", names, hint="The activation of every hidden layer"),
        Control("init", "initialisation", schemes, hint="How the weights are drawn before training"),
        Control(
            "depth",
            "hidden layers",
            _page_grid((10, 50), max_depth, max_depth),
            (2, max_depth, 1),
            hint="Number of hidden layers the signal passes through",
        ),
    ]
    return Explorer("variance", draw, controls, {"activation": names[0], "init": schemes[0], "depth": max_depth})


def _draw_slopes(left: Axes, right: Axes, value: float, index: int) -> None:
    from .activations import elu, leaky_relu
    from .plotting import plot_function

    x = np.linspace(-4.0, 3.0, 701)
    style = {"linestyle": _DASHES[index % 6], "label": f"{value:g}"}
    plot_function(left, lambda v: leaky_relu(v, negative_slope=value), x, **style)
    plot_function(right, lambda v: elu(v, alpha=value), x, **style)


def slope_static_figure(values: Sequence[float] = (0.01, 0.1, 0.3, 1.0)) -> Figure:
    """Leaky ReLU for several negative slopes beside ELU for the same values of alpha.

    The static twin of :func:`slope_explorer`.

    Example:
        >>> fig = slope_static_figure((0.1, 1.0))
        >>> [ax.get_title() for ax in fig.axes]
        ['Leaky ReLU, slope a', 'ELU, alpha a']
    """
    values = [_check_slope(v) for v in values]
    if not values:
        raise ValueError("values must name at least one slope")
    fig, (left, right) = figure(1, 2, sharey=True)
    for index, value in enumerate(values):
        _draw_slopes(left, right, value, index)
    left.set(title="Leaky ReLU, slope a", xlabel="x", ylabel="f(x)")
    right.set(title="ELU, alpha a", xlabel="x")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), title="a")
    return fig


def _check_slope(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 10:
        raise ValueError(f"a slope or alpha must be a number in [0, 10], got {value!r}")
    return float(value)


def slope_explorer(initial: float = 0.2, maximum: float = 1.0) -> Explorer:
    """An explorer: one slider sets Leaky ReLU's negative slope and ELU's alpha; both are redrawn.

    In a kernel the slider moves in steps of 0.01 up to ``maximum``; the published
    page offers 0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5 and 1 (up to ``maximum``),
    ``initial`` and ``maximum``.

    Returns:
        An :class:`~relu_lib.explorer.Explorer` with one control, ``a``.

    Example:
        >>> ex = slope_explorer(initial=0.3, maximum=0.5)
        >>> ex.controls[0].grid, ex.frame(a=0.3).alt[:36]
        ((0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5), 'Left: Leaky ReLU with negative slope')
    """
    initial, maximum = _check_slope(initial), _check_slope(maximum)
    if not 0 < maximum or initial > maximum:
        raise ValueError(f"need 0 <= initial <= maximum and maximum > 0, got initial={initial}, maximum={maximum}")

    def draw(a: float) -> tuple[Figure, str]:
        fig, (left, right) = figure(1, 2, sharey=True)
        _draw_slopes(left, right, a, 0)
        left.set(title=f"Leaky ReLU, slope {a:g}", xlabel="x", ylabel="f(x)")
        right.set(title=f"ELU, alpha {a:g}", xlabel="x")
        alt = (
            f"Left: Leaky ReLU with negative slope {a:g}, the line y = x for positive x and y = {a:g} x for "
            f"negative x. Right: ELU with alpha {a:g}, y = x for positive x, curving down to the floor "
            f"-{a:g} for very negative x."
        )
        return fig, alt

    grid = _page_grid((0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0), initial, maximum, low=0.0)
    control = Control(
        "a", "slope / alpha a", grid, live=(0.0, maximum, 0.01), hint="Leaky ReLU's slope for x < 0 and ELU's alpha"
    )
    return Explorer("slope", draw, [control], {"a": initial})
