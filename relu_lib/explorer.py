"""One definition per explorer: live controls in a kernel, precomputed frames on the published page.

An :class:`Explorer` is a drawing function and the controls that feed it. Where a
kernel runs (Jupyter, Colab, Binder), its ipywidgets controls call the function for
any value in their range. For the published book, which has no kernel, the same
function is drawn once per point of each control's grid when the book is built,
and the page's script shows the frame that matches the controls: the figure moves
with the controls on the page too, within the grid.

Displaying an explorer offers both: the ipywidgets view, which a live front end
prefers, and an HTML version holding the frames, which the book's HTML build
renders (it gives the widget view no priority). Without JavaScript the HTML shows
the initial frame and no controls.

ipywidgets is imported only when the live view is made; install it with
``pip install relu_lib[widgets]``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .plotting import FigureHTML, render

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.figure import Figure

__all__ = ["Control", "Explorer"]

Value = int | float | str
Draw = Callable[..., "tuple[Figure, str]"]

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Control:
    """One control of an :class:`Explorer`: a slider over numbers or a set of buttons over names.

    Attributes:
        name: the keyword argument of the drawing function it sets.
        label: the visible label.
        grid: the values the published page offers, in order; each is drawn when the book is built.
        live: for a slider, ``(minimum, maximum, step)`` of the live control in a kernel, which
            covers the grid and may reach values between and beyond it. ``None`` for buttons,
            whose choices are the grid.
        hint: a sentence saying what the control changes, shown on hover (and read by screen
            readers) on the page and in a kernel. Empty for none.

    Example:
        >>> Control("depth", "hidden layers", grid=(2, 10, 30), live=(2, 30, 1)).kind
        'slider'
        >>> Control("activation", "activation", grid=("relu", "tanh")).kind
        'buttons'
    """

    name: str
    label: str
    grid: tuple[Value, ...]
    live: tuple[float, float, float] | None = None
    hint: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"a control's name must be a Python identifier, got {self.name!r}")
        grid = tuple(self.grid)
        object.__setattr__(self, "grid", grid)
        if not grid or len(set(grid)) != len(grid):
            raise ValueError(f"control {self.name!r} needs a grid of distinct values, got {grid!r}")
        if self.live is None:
            if not all(isinstance(v, str) for v in grid):
                raise ValueError(f"control {self.name!r}: buttons choose among names; give numbers a live range")
            return
        if len(self.live) != 3 or not all(_is_number(v) for v in (*self.live, *grid)):
            raise ValueError(f"control {self.name!r}: a slider needs numbers and live=(minimum, maximum, step)")
        low, high, step = self.live
        if not (low < high and step > 0):
            raise ValueError(f"control {self.name!r}: live range needs minimum < maximum and step > 0, got {self.live}")
        outside = [v for v in grid if not low <= v <= high]
        if outside:
            raise ValueError(f"control {self.name!r}: grid values {outside} lie outside the live range {low}..{high}")
        if list(grid) != sorted(grid):
            raise ValueError(f"control {self.name!r}: a slider's grid must increase, got {grid!r}")

    @property
    def kind(self) -> str:
        """``"slider"`` or ``"buttons"``."""
        return "buttons" if self.live is None else "slider"

    def text(self, value: Value) -> str:
        """How a value is written beside the control and read out by a screen reader."""
        return f"{value:g}" if isinstance(value, float) else str(value)


class Explorer:
    """A figure and the controls that redraw it, live in a kernel and precomputed on the page.

    The drawing function takes one keyword argument per control and returns the
    figure and its alt text. Frames are drawn once per set of values and kept.

    Args:
        name: a short lower-case name, unique on its page (``"gradient-norms"``); the
            page's element ids derive from it.
        draw: ``draw(**values) -> (figure, alt text)``.
        controls: the controls, in the order they are shown.
        initial: the value each control starts at; on the page it must be a grid value.

    Example:
        >>> import numpy as np
        >>> from relu_lib.plotting import figure
        >>> def draw(slope):
        ...     fig, ax = figure()
        ...     x = np.linspace(-1, 1, 5)
        ...     ax.plot(x, np.where(x > 0, x, slope * x))
        ...     ax.set(xlabel="x", ylabel="f(x)")
        ...     return fig, f"Leaky ReLU with slope {slope:g}"
        >>> ex = Explorer("leaky", draw, [Control("slope", "slope", (0.0, 0.5), live=(0, 1, 0.1))], {"slope": 0.5})
        >>> len(ex.frames()), ex.frame(slope=0.5).alt
        (2, 'Leaky ReLU with slope 0.5')
    """

    def __init__(self, name: str, draw: Draw, controls: Sequence[Control], initial: Mapping[str, Value]) -> None:
        if not _NAME.match(name):
            raise ValueError(f"an explorer's name is lower-case letters, digits and hyphens, got {name!r}")
        if not callable(draw):
            raise TypeError(f"draw must be callable, got {type(draw).__name__}")
        controls = tuple(controls)
        if not controls or not all(isinstance(c, Control) for c in controls):
            raise TypeError("controls must be one or more Control objects")
        names = [c.name for c in controls]
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be distinct, got {names}")
        if set(initial) != set(names):
            raise ValueError(f"initial must give a value for exactly the controls {names}, got {sorted(initial)}")
        for control in controls:
            if initial[control.name] not in control.grid:
                raise ValueError(
                    f"initial {control.name}={initial[control.name]!r} is not in its grid {control.grid!r}: "
                    "the page starts on a precomputed frame"
                )
        self.name = name
        self.controls = controls
        self.initial = {c.name: initial[c.name] for c in controls}
        self._draw = draw
        self._frames: dict[tuple[Value, ...], FigureHTML] = {}
        self._widget: Any = None

    def __repr__(self) -> str:
        grids = ", ".join(f"{c.name} in {list(c.grid)}" for c in self.controls)
        return f"<explorer {self.name}: {grids}>"

    def frame(self, **values: Value) -> FigureHTML:
        """The figure for one value of each control, drawn once and kept."""
        if set(values) != {c.name for c in self.controls}:
            raise TypeError(f"frame() takes exactly the controls {[c.name for c in self.controls]}")
        key = tuple(values[c.name] for c in self.controls)
        if key not in self._frames:
            fig, alt = self._draw(**values)
            self._frames[key] = render(fig, alt, compact=True)
        return self._frames[key]

    def frames(self) -> dict[tuple[Value, ...], FigureHTML]:
        """Every frame of the grid, keyed by the controls' values in order."""
        grid = itertools.product(*(c.grid for c in self.controls))
        return {key: self.frame(**dict(zip((c.name for c in self.controls), key, strict=True))) for key in grid}

    @property
    def widget(self) -> Any:
        """The live view: an ``ipywidgets.VBox`` of the controls and an ``Output`` holding the figure."""
        if self._widget is None:
            self._widget = self._make_widget()
        return self._widget

    def _make_widget(self) -> Any:
        import ipywidgets as widgets

        inputs = {c.name: _live_control(c, self.initial[c.name]) for c in self.controls}
        output = widgets.Output(layout=widgets.Layout(min_height="18em"))

        def redraw(*_: Any) -> None:
            shown = self.frame(**{name: control.value for name, control in inputs.items()})
            output.outputs = (
                {
                    "output_type": "display_data",
                    "data": {"text/html": shown._repr_html_(), "text/plain": repr(shown)},
                    "metadata": {},
                },
            )

        for control in inputs.values():
            control.observe(redraw, names="value")
        redraw()
        return widgets.VBox([*inputs.values(), output])

    def html(self) -> str:
        """The published page's version: the controls over the grid and one ``<figure>`` per frame.

        The controls start hidden; the book's script (``relu-book.js``) shows them and,
        on every change, the frame whose ``data-frame`` matches the controls' positions.
        """
        base = f"relu-explorer-{self.name}"
        start = tuple(c.grid.index(self.initial[c.name]) for c in self.controls)
        parts = [f'<div class="relu-explorer" id="{base}" data-relu-explorer>']
        parts.append('<div class="relu-explorer-controls" hidden>')
        for position, control in zip(start, self.controls, strict=True):
            parts.append(_control_html(f"{base}-{control.name}", control, position))
        parts.append("</div>")
        parts.append('<div class="relu-explorer-frames">')
        for key, shown in self.frames().items():
            index = tuple(c.grid.index(v) for c, v in zip(self.controls, key, strict=True))
            hidden = "" if index == start else " hidden"
            frame = ",".join(map(str, index))
            parts.append(f'<div class="relu-explorer-frame" data-frame="{frame}"{hidden}>{shown._repr_html_()}</div>')
        parts.append("</div></div>")
        return "".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.html()
        bundle["text/plain"] = repr(self)
        return bundle


def _live_control(control: Control, value: Value) -> Any:
    """The ipywidgets control for a kernel: a slider over the live range, or toggle buttons."""
    import ipywidgets as widgets

    settings: dict[str, Any] = {"description": control.label, "value": value, "style": {"description_width": "initial"}}
    if control.hint:
        # ipywidgets 8 renamed description_tooltip to tooltip; Colab still runs 7.
        new = int(widgets.__version__.split(".")[0]) >= 8
        settings["tooltip" if new else "description_tooltip"] = control.hint
    if control.live is None:
        return widgets.ToggleButtons(options=list(control.grid), **settings)
    low, high, step = control.live
    integral = all(isinstance(v, int) for v in (low, high, step, *control.grid))
    kind = widgets.IntSlider if integral else widgets.FloatSlider
    # Each redraw may run a measurement: wait for the slider's release.
    return kind(min=low, max=high, step=step, continuous_update=False, layout=widgets.Layout(width="26em"), **settings)


def _control_html(ident: str, control: Control, position: int) -> str:
    """A range input over the grid's positions (its value written beside it), or a radio group."""
    label = html.escape(control.label)
    hint = f' title="{html.escape(control.hint, quote=True)}"' if control.hint else ""
    if control.kind == "buttons":
        options = "".join(
            f'<label><input type="radio" name="{ident}" value="{i}"{" checked" if i == position else ""}> '
            f"{html.escape(control.text(v))}</label>"
            for i, v in enumerate(control.grid)
        )
        return (
            f'<fieldset class="relu-explorer-control" data-control{hint}><legend>{label}</legend>{options}</fieldset>'
        )
    texts = [control.text(v) for v in control.grid]
    current = html.escape(texts[position], quote=True)
    values = html.escape(json.dumps(texts), quote=True)
    return (
        f'<div class="relu-explorer-control"><label for="{ident}">{label}</label>'
        f'<input type="range" id="{ident}"{hint} data-control data-values="{values}" min="0" max="{len(texts) - 1}" '
        f'step="1" value="{position}" aria-valuetext="{current}">'
        f'<output for="{ident}">{current}</output></div>'
    )
