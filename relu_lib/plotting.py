"""The book's house style for figures, and the one way figures reach the page.

Every figure in the book is drawn on axes made by :func:`figure` and handed to
:func:`show`, which insists on alt text and labelled axes and embeds the figure
as a small, deterministic inline SVG inside an HTML ``<figure>``. That output
renders the same in Jupyter, Colab and the built book, on light and dark pages
alike (the image carries its own white background and a thin border).

matplotlib is imported inside the functions that need it, so
``import relu_lib`` stays light; install it with ``pip install relu_lib[plot]``.

Example:
    >>> import numpy as np
    >>> from relu_lib import relu
    >>> from relu_lib.plotting import figure, plot_function, render
    >>> fig, ax = figure()
    >>> lines = plot_function(ax, relu, np.linspace(-3, 3, 61), label="ReLU", derivative=True)
    >>> _ = ax.set(xlabel="x", ylabel="f(x)")
    >>> html = render(fig, alt="ReLU and its derivative on [-3, 3]")._repr_html_()
    >>> html.startswith("<figure") and 'alt="ReLU and its derivative on [-3, 3]"' in html
    True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from .timing import SpeedTable

__all__ = [
    "COLOURS",
    "PALETTE",
    "RC_PARAMS",
    "FigureHTML",
    "figure",
    "plot_function",
    "plot_speedups",
    "render",
    "show",
    "style",
    "use_style",
]

COLOURS: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "reddish_purple": "#CC79A7",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""The Okabe–Ito colours by name (Okabe & Ito, *Color Universal Design*, 2008)."""

PALETTE: tuple[str, ...] = tuple(COLOURS.values())
"""The Okabe–Ito palette in the order lines take it: strongest contrasts on white first, yellow late."""

_INK = "#222222"  # near-black text reads softer than pure black and still passes WCAG AAA on white
_GRID = "#E3E3E3"
_BORDER = "#BDBDBD"

RC_PARAMS: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "regular",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 13,
    "text.color": _INK,
    "axes.labelcolor": _INK,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": _GRID,
    "grid.linewidth": 0.8,
    "grid.linestyle": "-",
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "xtick.labelcolor": _INK,
    "ytick.labelcolor": _INK,
    "lines.linewidth": 2.0,
    "lines.markersize": 6,
    "legend.frameon": False,
    # A white figure with its own border stays legible on the book's dark theme.
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    # Text as paths looks identical everywhere; the fixed salt and the absent
    # date make the SVG byte-for-byte the same on every run.
    "svg.fonttype": "path",
    "svg.hashsalt": "relu-book",
    "path.simplify": True,
}
"""The rcParams of the house style, applied by :func:`style` and :func:`use_style`."""


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {**RC_PARAMS, "axes.prop_cycle": cycler(color=list(PALETTE))}


@contextmanager
def style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block only.

    Text sizes and colours are read when an artist is created, so create the
    figure *and* its labels inside the block.

    Example:
        >>> import matplotlib
        >>> with style():
        ...     matplotlib.rcParams["axes.spines.top"]
        False
    """
    import matplotlib

    with matplotlib.rc_context(_rc()):
        yield


def use_style() -> None:
    """Apply the house style to matplotlib globally, as ``seaborn.set_theme`` does.

    :func:`figure` calls this, so that labels, legends and annotations added
    after the axes exist are in the house style too.

    Example:
        >>> import matplotlib
        >>> use_style()
        >>> matplotlib.rcParams["svg.hashsalt"]
        'relu-book'
    """
    import matplotlib

    matplotlib.rcParams.update(_rc())


def figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure and its axes in the house style.

    The figure is a plain :class:`matplotlib.figure.Figure`, not registered with
    pyplot: it never shows up on its own, so :func:`show` decides where it goes.

    Args:
        nrows: rows of axes.
        ncols: columns of axes.
        **kwargs: passed to :meth:`~matplotlib.figure.Figure.subplots` (``sharex``,
            ``sharey``, ``squeeze``, ...), except ``figsize``, which goes to the
            figure; the default size suits the book's text column.

    Returns:
        ``(fig, axes)``: one :class:`~matplotlib.axes.Axes` for a 1x1 grid, else
        an array of them, as :func:`matplotlib.pyplot.subplots` returns.

    Example:
        >>> fig, axes = figure(1, 2, sharey=True)
        >>> axes.shape
        (2,)
    """
    from matplotlib.figure import Figure

    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"figure() {name} must be a positive integer, got {value!r}")
    use_style()
    # Sized for a book's text column, about 7 inches: wider figures get scaled
    # down in the page and their text with them.
    width = 6.4 if ncols == 1 else min(3.5 * ncols, 7.4)
    height = 3.6 if nrows == 1 else 2.8 * nrows
    figsize = kwargs.pop("figsize", (width, height))
    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def _break_at_jumps(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert NaN where ``y`` jumps, so a step is drawn as a step, not a steep line.

    A jump is a difference far larger than both neighbouring differences: a
    smooth curve's consecutive differences are alike, a step's stand alone.
    """
    if y.size < 3:
        return x, y
    dy = np.abs(np.diff(y))
    left = np.concatenate(([0.0], dy[:-1]))
    right = np.concatenate((dy[1:], [0.0]))
    scale = np.nanmax(np.abs(y)) if np.any(np.isfinite(y)) else 1.0
    jumps = np.flatnonzero((dy > 10 * np.maximum(left, right)) & (dy > 1e-9 * max(scale, 1e-300)))
    if jumps.size == 0:
        return x, y
    x_out = np.insert(x.astype(float), jumps + 1, np.nan)
    y_out = np.insert(y.astype(float), jumps + 1, np.nan)
    return x_out, y_out


def _next_colour(colour: Any) -> str:
    """The palette colour after ``colour`` (the first one for colours outside the palette)."""
    from matplotlib.colors import to_hex

    hexes = [c.lower() for c in PALETTE]
    current = to_hex(colour).lower()
    return PALETTE[(hexes.index(current) + 1) % len(PALETTE)] if current in hexes else PALETTE[0]


def plot_function(
    ax: Axes,
    fn: Callable[..., Any],
    x: Sequence[float] | np.ndarray,
    label: str | None = None,
    derivative: bool | Callable[..., Any] = False,
    **kwargs: Any,
) -> list[Line2D]:
    """Plot an activation on ``x``, and optionally its derivative, in the house style.

    The derivative is drawn dashed, in the palette colour after the function's
    (two cues, not colour alone). Where a curve jumps (ReLU' at 0) its line is
    broken instead of joined by a near-vertical segment.

    Args:
        ax: the axes to draw on.
        fn: an elementwise function of an array, such as :func:`relu_lib.relu`.
        x: the sample points.
        label: legend label for ``fn``; the derivative gets ``label + "'"``.
        derivative: ``True`` to add :func:`relu_lib.derivative` of ``fn``, or a
            callable to use as the derivative.
        **kwargs: passed to :meth:`~matplotlib.axes.Axes.plot` for both lines.

    Returns:
        The lines drawn: the function's, then the derivative's if asked for.

    Example:
        >>> import numpy as np
        >>> from relu_lib import relu
        >>> fig, ax = figure()
        >>> lines = plot_function(ax, relu, np.linspace(-1, 1, 5), label="ReLU", derivative=True)
        >>> [line.get_label() for line in lines]
        ['ReLU', "ReLU'"]
    """
    xs = np.asarray(x, dtype=float)
    if xs.ndim != 1 or xs.size < 2:
        raise ValueError(f"plot_function() needs a 1-D grid of at least two points, got shape {xs.shape}")
    fx, fy = _break_at_jumps(xs, np.asarray(fn(xs), dtype=float))
    kwargs.setdefault("label", label)
    (line,) = ax.plot(fx, fy, **kwargs)
    lines = [line]
    if derivative is not False:
        if derivative is True:
            from .derivatives import derivative as derivative_of

            slope = derivative_of(fn)
        elif callable(derivative):
            slope = derivative
        else:
            raise TypeError(f"plot_function() derivative must be a bool or a callable, got {derivative!r}")
        dx, dy = _break_at_jumps(xs, np.asarray(slope(xs), dtype=float))
        dkwargs = {**kwargs, "color": _next_colour(line.get_color()), "linestyle": "--"}
        dkwargs["label"] = None if label is None else f"{label}'"
        (dline,) = ax.plot(dx, dy, **dkwargs)
        lines.append(dline)
    return lines


def plot_speedups(ax: Axes, table: SpeedTable, *, highlight: Sequence[str] = ()) -> None:
    r"""Draw a :class:`~relu_lib.timing.SpeedTable` as horizontal bars of speed-up, on a log axis.

    .. math::
        \text{bar}_i = t_\text{reference} / t_i

    A dotted line marks the reference's 1x, each bar carries its value, and
    the bars named in ``highlight`` are drawn in vermillion with a hatch
    (colour and texture, so the emphasis survives colour-blindness and print).
    When the table records its machine, a small line under the x label names
    it: the ordering of the bars holds for that CPU, not for every CPU.

    Args:
        ax: the axes to draw on.
        table: the measurement, as :func:`relu_lib.timing.compare` returns it.
        highlight: candidates to emphasise.

    Example:
        >>> from relu_lib.timing import SpeedTable
        >>> fig, ax = figure()
        >>> plot_speedups(ax, SpeedTable(("loop", "numpy"), (1e-2, 1e-4), "loop"), highlight=["numpy"])
        >>> ax.get_xlabel()
        'speed-up against loop (log scale)'
        >>> from relu_lib.hardware import Machine
        >>> machine = Machine("AMD EPYC", "x86_64", 2, ("X86_V2",), ("X86_V3", "X86_V4", "AVX512_ICL"))
        >>> fig, ax = figure()
        >>> plot_speedups(ax, SpeedTable(("loop", "numpy"), (1e-2, 1e-4), "loop", machine))
        >>> [t.get_text() for t in ax.texts if t.get_text().startswith("measured on")]
        ['measured on AMD EPYC, x86_64, 2 cores; numpy SIMD AVX512_ICL; threads unknown']
    """
    unknown = set(highlight) - set(table.names)
    if unknown:
        raise ValueError(f"plot_speedups() highlight names {sorted(unknown)}, which the table lacks")
    speedups = [table.speedup(name) for name in table.names]
    rows = np.arange(len(speedups))[::-1]  # the first candidate on top
    for row, name, value in zip(rows, table.names, speedups, strict=True):
        emphasised = name in highlight
        ax.barh(
            row,
            value,
            color=COLOURS["vermillion"] if emphasised else COLOURS["blue"],
            hatch="//" if emphasised else None,
            edgecolor="white",
        )
        ax.annotate(f"{value:.3g}x", (value, row), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.axvline(1.0, color=COLOURS["black"], linestyle=":", linewidth=1.2)
    ax.set_xscale("log")
    ax.set_yticks(rows, table.names)
    ax.grid(axis="y", visible=False)
    low, high = min(*speedups, 1.0), max(*speedups, 1.0)
    ax.set_xlim(low / 2, high * 4)  # room for the labels right of the longest bar
    ax.set_xlabel(f"speed-up against {table.reference} (log scale)")
    ax.set_ylabel("implementation")
    machine = getattr(table, "machine", None)
    if machine is not None:
        name_machine(ax, machine)


def name_machine(ax: Axes, machine: object, *, width: int = 95) -> None:
    """Write which machine a timing figure was measured on, in small type under the x label.

    Orderings of activation costs change with the CPU's vector instructions, so
    a figure of timings names its machine as a table does.

    Args:
        ax: the axes whose x label the line goes under.
        machine: the machine, usually a :class:`relu_lib.hardware.Machine`; its ``str`` is written.
        width: the characters per line before the text wraps.

    Example:
        >>> fig, ax = figure()
        >>> _ = ax.set_xlabel("n")
        >>> name_machine(ax, "AMD EPYC, x86_64, 2 cores")
        >>> ax.texts[-1].get_text()
        'measured on AMD EPYC, x86_64, 2 cores'
    """
    import textwrap

    # Anchored to the x label, so constrained layout makes room for it below the axes.
    ax.annotate(
        textwrap.fill(f"measured on {machine}", width=width),
        xy=(0.5, 0.0),
        xycoords=ax.xaxis.label,
        xytext=(0, -4),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=8,
        color="#555555",
    )


def _unlabelled(fig: Figure) -> list[str]:
    """Describe the data-bearing axes that lack an x or a y label.

    A shared axis counts as labelled when one axes of its group carries the
    label (small multiples label the outer row and column only), and a figure
    ``supxlabel``/``supylabel`` labels every axes.
    """
    problems = []
    data_axes = [ax for ax in fig.axes if ax.axison and ax.has_data() and not hasattr(ax, "_colorbar")]
    sup_x = getattr(fig, "_supxlabel", None) is not None and fig._supxlabel.get_text()
    sup_y = getattr(fig, "_supylabel", None) is not None and fig._supylabel.get_text()
    for number, ax in enumerate(data_axes):
        missing = []
        for axis, sup, shared in (("x", sup_x, ax.get_shared_x_axes()), ("y", sup_y, ax.get_shared_y_axes())):
            group = shared.get_siblings(ax)
            labelled = any(getattr(other, f"get_{axis}label")().strip() for other in group)
            if not (labelled or sup):
                missing.append(axis)
        if missing:
            title = ax.get_title() or f"axes {number}"
            problems.append(f"{title!r} lacks a {' and a '.join(missing)} label")
    return problems


@dataclass(frozen=True)
class FigureHTML:
    """A rendered figure: an inline SVG in an HTML ``<figure>``, with alt text.

    Jupyter, Colab and the book display it through :meth:`_repr_html_`.

    Attributes:
        svg: the figure as SVG text.
        alt: the alt text, a description of what the figure shows.
        caption: an optional visible caption.
    """

    svg: str
    alt: str
    caption: str | None = None

    def data_uri(self) -> str:
        """The SVG as a base64 ``data:`` URI."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")

    def _repr_html_(self) -> str:
        img = (
            f'<img src="{self.data_uri()}" alt="{html.escape(self.alt, quote=True)}" '
            'style="max-width:100%;height:auto;background:#fff;border:1px solid '
            f'{_BORDER};border-radius:4px;padding:2px" />'
        )
        caption = "" if self.caption is None else f"<figcaption>{html.escape(self.caption)}</figcaption>"
        return f'<figure class="relu-figure" style="margin:0.5em 0">{img}{caption}</figure>'

    def __repr__(self) -> str:
        return f"<figure: {self.alt}>"


def render(fig: Figure, alt: str, caption: str | None = None, *, compact: bool = False) -> FigureHTML:
    """Check a figure, turn it into :class:`FigureHTML` and close it, without displaying it.

    Args:
        fig: the figure, from :func:`figure` or from pyplot.
        alt: what the figure shows, for readers who cannot see it (required).
        caption: optional visible caption.
        compact: write text as SVG text in the reader's sans-serif font rather than
            as outlines of the house font: half the bytes, for the many frames of
            an explorer (:mod:`relu_lib.explorer`).

    Returns:
        The rendered figure.

    Raises:
        TypeError: if ``alt`` is not a string.
        ValueError: if ``alt`` is empty or an axes with data lacks an axis label.
    """
    if not isinstance(alt, str):
        raise TypeError(f"alt text must be a string, got {type(alt).__name__}")
    if not alt.strip():
        raise ValueError("alt text is required: describe what the figure shows")
    if caption is not None and not isinstance(caption, str):
        raise TypeError(f"caption must be a string or None, got {type(caption).__name__}")
    problems = _unlabelled(fig)
    if problems:
        raise ValueError("every axes with data needs x and y labels: " + "; ".join(problems))
    import matplotlib

    buffer = io.StringIO()
    with style(), matplotlib.rc_context({"svg.fonttype": "none"} if compact else {}):
        # No date, no creator: the same figure gives the same bytes on every build.
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _close(fig)
    return FigureHTML(buffer.getvalue(), alt.strip(), caption)


def _close(fig: Figure) -> None:
    """Release a pyplot-managed figure; a plain Figure needs nothing."""
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)


def show(fig: Figure, alt: str, caption: str | None = None) -> None:
    """Display a figure as an inline SVG with alt text, and close it.

    Use it as the last step of every figure: ``show(fig, alt="...")``.

    Args:
        fig: the figure, from :func:`figure` or from pyplot.
        alt: what the figure shows, for readers who cannot see it (required).
        caption: optional visible caption.

    Raises:
        TypeError: if ``alt`` is not a string.
        ValueError: if ``alt`` is empty or an axes with data lacks an axis label.
    """
    rendered = render(fig, alt, caption)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: say what would have been shown
        print(repr(rendered))
        return
    display(rendered)
