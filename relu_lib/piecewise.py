r"""Linear maps collapse; ReLU units bend: why depth needs a nonlinearity, and what k ReLU units can build.

A stack of affine layers without an activation between them is one affine map,

.. math::
    W_2 (W_1 x + b_1) + b_2 = (W_2 W_1)\, x + (W_2 b_1 + b_2),

so depth adds nothing a single layer could not do (Goodfellow, Bengio &
Courville, *Deep Learning*, 2016, ch. 6). A ReLU between the layers breaks the
collapse. In one dimension a sum of :math:`k` ReLU units

.. math::
    f(x) = d + \sum_{i=1}^{k} c_i \max(0, w_i x + b_i)

is continuous and piecewise linear with a kink at each :math:`-b_i / w_i`, hence
at most :math:`k + 1` linear pieces; deeper networks can have many more pieces
per unit (Montúfar, Pascanu, Cho & Bengio, *On the number of linear regions of
deep neural networks*, NeurIPS 2014).

Everything here is numpy, deterministic and fast enough for a test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "TARGETS",
    "ReluFit",
    "compose_linear",
    "count_linear_pieces",
    "forward",
    "max_pieces",
    "relu_units_fit",
]


def _as_matrices(weights: Sequence[Any], biases: Sequence[Any] | None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Validate a stack of affine layers ``x -> W x + b`` and return float arrays."""
    if isinstance(weights, np.ndarray) and weights.ndim == 2:
        raise TypeError("pass the layers' weights as a sequence of matrices, e.g. [W1, W2], not one matrix")
    ws = [np.asarray(w) for w in weights]
    if not ws:
        raise ValueError("a stack of linear layers needs at least one layer")
    bs = [None] * len(ws) if biases is None else [None if b is None else np.asarray(b) for b in biases]
    if len(bs) != len(ws):
        raise ValueError(f"got {len(ws)} weight matrices but {len(bs)} biases")
    out_w, out_b = [], []
    previous_out = None
    for index, (w, b) in enumerate(zip(ws, bs, strict=True)):
        if w.ndim != 2:
            raise ValueError(f"layer {index}: weight must be a matrix of shape (out, in), got shape {w.shape}")
        if not (np.issubdtype(w.dtype, np.floating) or np.issubdtype(w.dtype, np.integer)):
            raise TypeError(f"layer {index}: weight must hold real numbers, got dtype {w.dtype}")
        if previous_out is not None and w.shape[1] != previous_out:
            raise ValueError(
                f"layer {index} takes {w.shape[1]} inputs but layer {index - 1} gives {previous_out} outputs"
            )
        b = np.zeros(w.shape[0], dtype=w.dtype) if b is None else b
        if b.shape != (w.shape[0],):
            raise ValueError(f"layer {index}: bias must have shape ({w.shape[0]},), got {b.shape}")
        dtype = np.result_type(w.dtype, b.dtype, np.float32)
        out_w.append(w.astype(dtype, copy=False))
        out_b.append(b.astype(dtype, copy=False))
        previous_out = w.shape[0]
    return out_w, out_b


def compose_linear(weights: Sequence[Any], biases: Sequence[Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""The single affine map equal to a stack of affine layers.

    Layer :math:`\ell` maps :math:`h \mapsto W_\ell h + b_\ell`, with
    :math:`W_\ell` of shape ``(out, in)`` as in ``torch.nn.Linear`` (a Keras
    ``Dense`` kernel is the transpose). By induction on the depth :math:`L`,

    .. math::
        W = W_L W_{L-1} \cdots W_1, \qquad
        b = W_L(\cdots(W_2 b_1 + b_2)\cdots) + b_L,

    because :math:`W_{\ell}(W h + b) + b_\ell = (W_\ell W) h + (W_\ell b + b_\ell)`
    is again affine. So :math:`L` linear layers compute nothing one layer could
    not (Goodfellow et al., 2016, §6.1).

    Args:
        weights: the layers' matrices, first layer first, each ``(out, in)``.
        biases: the layers' bias vectors (``None``, or ``None`` entries, for no bias).

    Returns:
        ``(W, b)`` with ``W`` of shape ``(out_L, in_1)`` and ``b`` of shape ``(out_L,)``.

    Raises:
        ValueError: if the shapes do not chain.

    Example:
        >>> W, b = compose_linear([[[2.0]], [[3.0]]], [[1.0], [-1.0]])
        >>> W, b                      # 3 * (2x + 1) - 1 = 6x + 2
        (array([[6.]]), array([2.]))
    """
    ws, bs = _as_matrices(weights, biases)
    w_total, b_total = ws[0], bs[0]
    for w, b in zip(ws[1:], bs[1:], strict=True):
        w_total = w @ w_total
        b_total = w @ b_total + b
    return w_total, b_total


def forward(
    weights: Sequence[Any],
    biases: Sequence[Any] | None,
    x: Any,
    activation: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Run a batch through a stack of affine layers, with an optional activation between them.

    The activation is applied after every layer but the last, as in an MLP
    with a linear output layer.

    Args:
        weights: the layers' matrices, first layer first, each ``(out, in)``.
        biases: the layers' bias vectors, or ``None``.
        x: inputs of shape ``(batch, in)`` (or ``(in,)`` for one input).
        activation: elementwise function between layers, e.g. :func:`relu_lib.relu`;
            ``None`` for a purely linear stack.

    Returns:
        The outputs, of shape ``(batch, out)`` (or ``(out,)``).

    Example:
        >>> from relu_lib import relu
        >>> forward([[[1.0], [-1.0]], [[1.0, 1.0]]], None, [[-2.0], [3.0]], relu)  # relu(x) + relu(-x) = |x|
        array([[2.],
               [3.]])
    """
    ws, bs = _as_matrices(weights, biases)
    h = np.asarray(x, dtype=np.result_type(ws[0].dtype, np.float32))
    for index, (w, b) in enumerate(zip(ws, bs, strict=True)):
        h = h @ w.T + b
        if activation is not None and index < len(ws) - 1:
            h = np.asarray(activation(h))
    return h


def max_pieces(units: int) -> int:
    """The most linear pieces a sum of ``units`` ReLU units of one input can have: ``units + 1``.

    Each unit :math:`c \\max(0, wx + b)` changes the slope at one point,
    :math:`x = -b/w`, and :math:`k` points cut the line into at most
    :math:`k + 1` intervals (Montúfar et al., 2014, for the general count).

    Args:
        units: the number of ReLU units, a non-negative integer.

    Returns:
        ``units + 1``.

    Example:
        >>> [max_pieces(k) for k in (0, 1, 2, 16)]
        [1, 2, 3, 17]
    """
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 0:
        raise ValueError(f"max_pieces() takes a non-negative integer number of units, got {units!r}")
    return int(units) + 1


def count_linear_pieces(
    fn: Callable[[np.ndarray], Any] | Sequence[float] | np.ndarray,
    x: Sequence[float] | np.ndarray,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> int:
    r"""Count the linear pieces of a 1-D function sampled on a grid.

    The discrete slopes :math:`s_j = (y_{j+1} - y_j) / (x_{j+1} - x_j)` are
    grouped into runs of equal slope, a slope joining the run while it stays
    within ``atol + rtol * max|s|`` of the run's first slope. Each run is a
    piece, except a lone segment between two lines (runs of two segments or
    more, or runs at the ends of the grid): that is a kink falling *between*
    two grid points, whose two slope changes, at both ends of one segment, are
    merged into one kink.

    The count is exact for a continuous piecewise-linear function whose kinks
    lie at least three grid spacings apart, wherever they fall relative to
    the grid and its ends; closer kinks are unresolved at that resolution. A
    smooth curve has no linear pieces: it is counted as the polyline through
    its samples, about one piece per segment.

    Args:
        fn: the function (called on ``x``) or its values on ``x``.
        x: the grid, strictly increasing, at least two points.
        rtol: slope change, relative to the largest slope, that counts as a kink.
        atol: absolute slope change that counts as a kink.

    Returns:
        The number of linear pieces, at least 1.

    Example:
        >>> import numpy as np
        >>> x = np.linspace(-2, 2, 401)
        >>> count_linear_pieces(np.abs, x)                               # kink on a grid point
        2
        >>> count_linear_pieces(lambda t: np.maximum(0, t - 0.0049), x)  # kink between grid points
        2
        >>> count_linear_pieces(lambda t: np.clip(t, -1, 1) + 0.5 * np.maximum(0, t - 1.5), x)
        4
    """
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 1 or xs.size < 2:
        raise ValueError(f"count_linear_pieces() needs a 1-D grid of at least two points, got shape {xs.shape}")
    dx = np.diff(xs)
    if not np.all(dx > 0):
        raise ValueError("count_linear_pieces() needs a strictly increasing grid")
    ys = np.asarray(fn(xs) if callable(fn) else fn, dtype=np.float64).reshape(-1)
    if ys.shape != xs.shape:
        raise ValueError(f"function values have shape {ys.shape}, the grid has {xs.shape}")
    if not np.all(np.isfinite(ys)):
        raise ValueError("count_linear_pieces() needs finite function values")
    slopes = np.diff(ys) / dx
    tolerance = atol + rtol * float(np.max(np.abs(slopes)))

    # Runs of (nearly) equal slope: lengths in segments.
    runs = [1]
    reference = slopes[0]
    for slope in slopes[1:]:
        if abs(slope - reference) <= tolerance:
            runs[-1] += 1
        else:
            runs.append(1)
            reference = slope
    # A run is a line we trust if it spans two segments or more, or ends the grid
    # (a piece cut short by the end of the grid is still a piece).
    last = len(runs) - 1
    anchored = [length >= 2 or index in (0, last) for index, length in enumerate(runs)]
    pieces = len(runs)
    for index in range(1, last):
        if runs[index] == 1 and anchored[index - 1] and anchored[index + 1]:
            pieces -= 1  # one segment bridging two lines: a kink inside it, not a piece
    return pieces


@dataclass(frozen=True)
class ReluFit:
    r"""A least-squares fit :math:`f(x) = d + \sum_i c_i \max(0, w_i x + b_i)`.

    Call it (or its :meth:`predict`) on new inputs.

    Attributes:
        weights: :math:`w_i`, shape ``(units,)``.
        biases: :math:`b_i`, shape ``(units,)``.
        coefficients: :math:`c_i`, shape ``(units,)``.
        intercept: :math:`d`.
        kinks: the kink locations :math:`-b_i / w_i`, sorted.
        max_error: the largest absolute error on the fitting data.
        rms_error: the root-mean-square error on the fitting data.
    """

    weights: np.ndarray
    biases: np.ndarray
    coefficients: np.ndarray
    intercept: float
    kinks: np.ndarray
    max_error: float
    rms_error: float

    @property
    def units(self) -> int:
        """The number of ReLU units :math:`k`."""
        return int(self.weights.size)

    def features(self, x: Any) -> np.ndarray:
        """The units' outputs :math:`\\max(0, w_i x + b_i)`, shape ``(len(x), units)``."""
        xs = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        return np.maximum(xs * self.weights + self.biases, 0.0)

    def predict(self, x: Any) -> np.ndarray:
        """The fitted function on ``x`` (any shape)."""
        xs = np.asarray(x, dtype=np.float64)
        return (self.features(xs) @ self.coefficients + self.intercept).reshape(xs.shape)

    def __call__(self, x: Any) -> np.ndarray:
        return self.predict(x)


def _van_der_corput(count: int) -> np.ndarray:
    """The first ``count`` points of the base-2 van der Corput sequence: 0, 1/2, 1/4, 3/4, 1/8, ..."""
    points = np.zeros(count)
    for index in range(count):
        n, denominator, value = index, 1.0, 0.0
        while n:
            denominator *= 2.0
            n, bit = divmod(n, 2)
            value += bit / denominator
        points[index] = value
    return points


def relu_units_fit(x: Any, y: Any, units: int, seed: int = 0) -> ReluFit:
    r"""Fit :math:`y \approx d + \sum_{i=1}^{k} c_i \max(0, w_i x + b_i)` with ``units`` ReLU units.

    The kinks are placed first, spread over the range of ``x``: at the points
    of a base-2 van der Corput sequence shifted by a random offset drawn from
    ``seed`` (for :math:`k = 2^m` that is an evenly spaced grid of kinks at a
    random phase). Every unit faces right, :math:`\max(0, x - t_i)` with
    :math:`w_i = 1` and :math:`b_i = -t_i`. The output weights :math:`c_i` and
    :math:`d` are then the least-squares solution (:func:`numpy.linalg.lstsq`):
    linear in the unknowns, so deterministic and fast, with no gradient descent.

    The kinks of the fit with :math:`k` units are among those with :math:`2k`
    units (the sequence is nested), so for a fixed seed the RMS error never
    grows with :math:`k`. The result has at most :math:`k + 1` linear pieces
    (:func:`max_pieces`). Left of the first kink every unit is off and the fit
    is the constant :math:`d`: a continuous piecewise-linear function with
    :math:`k` kinks has :math:`k + 2` degrees of freedom, :math:`k` units and a
    bias only :math:`k + 1`. Targets that are flat at the left end, such as
    ``TARGETS["bump"]``, do not feel it.

    Args:
        x: 1-D inputs.
        y: targets, one per input.
        units: the number of ReLU units :math:`k \ge 1`.
        seed: seeds the random offset of the kinks.

    Returns:
        A :class:`ReluFit`.

    Example:
        >>> import numpy as np
        >>> x = np.linspace(-np.pi, np.pi, 2001)
        >>> fits = [relu_units_fit(x, np.sin(x), k) for k in (2, 8)]
        >>> [fit.units for fit in fits], fits[1].rms_error < fits[0].rms_error
        ([2, 8], True)
        >>> count_linear_pieces(fits[1], x) <= max_pieces(8)
        True

    References:
        Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press, 2016, ch. 6;
        Montúfar et al., *On the number of linear regions of deep neural
        networks*, NeurIPS 2014.
    """
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise ValueError(f"relu_units_fit() needs a positive integer number of units, got {units!r}")
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.ndim != 1 or ys.shape != xs.shape:
        raise ValueError(f"relu_units_fit() needs 1-D x and y of one length, got shapes {xs.shape} and {ys.shape}")
    if xs.size < units + 1:
        raise ValueError(f"{units} units and an intercept need at least {units + 1} points, got {xs.size}")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("relu_units_fit() needs finite x and y")
    low, high = float(xs.min()), float(xs.max())
    if high == low:
        raise ValueError("relu_units_fit() needs x to span an interval")

    offset = np.random.default_rng(seed).random()
    kinks = low + (high - low) * np.mod(_van_der_corput(int(units)) + offset, 1.0)
    weights = np.ones(int(units))
    biases = -kinks  # x - kink changes sign at the kink

    design = np.column_stack([np.maximum(np.outer(xs, weights) + biases, 0.0), np.ones_like(xs)])
    solution, *_ = np.linalg.lstsq(design, ys, rcond=None)
    residual = design @ solution - ys
    return ReluFit(
        weights=weights,
        biases=biases,
        coefficients=solution[:-1],
        intercept=float(solution[-1]),
        kinks=np.sort(kinks),
        max_error=float(np.max(np.abs(residual))),
        rms_error=float(np.sqrt(np.mean(residual**2))),
    )


TARGETS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[float, float], str]] = {
    "sine": (np.sin, (-np.pi, np.pi), "sin(x)"),
    "bump": (lambda x: np.exp(-(x**2)), (-3.0, 3.0), "exp(−x²)"),
    "wave": (lambda x: np.sin(2 * x) * np.exp(-0.1 * x**2), (-4.0, 4.0), "sin(2x)·exp(−x²/10)"),
}
"""Curves the book fits with ReLU units: name -> (function, x range, label)."""
