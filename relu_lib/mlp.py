r"""A multilayer perceptron in numpy, with its backward pass written out to be read.

The network behind every experiment of the book. Hidden layer :math:`l` computes

.. math::
    z_l = h_{l-1} W_l + b_l, \qquad h_l = f(z_l), \qquad h_0 = x,

for a batch of inputs :math:`x` as rows; a linear read-out :math:`z_{L+1} = h_L W_{L+1} + b_{L+1}`
gives the logits, and the loss is the mean softmax cross-entropy. Weights have the
Keras shape ``(fan_in, fan_out)``; PyTorch's ``nn.Linear.weight`` is their transpose.

Example:
    >>> import numpy as np
    >>> net = MLP.create([4, 8, 8, 3], activation="relu", init="he", seed=0)
    >>> net.depth, [w.shape for w in net.weights]
    (2, [(4, 8), (8, 8), (8, 3)])
    >>> x, y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 1, 2, 0, 1])
    >>> grads = net.gradients(x, y)
    >>> [g.shape for g in grads.weights] == [w.shape for w in net.weights]
    True
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from . import activations
from ._arrays import check_count
from .derivatives import derivative
from .initialisers import Seed, initialiser
from .registry import REGISTRY

__all__ = ["ACTIVATIONS", "MLP", "Gradients", "Trace", "activation_function", "cross_entropy"]

# maxout is not elementwise, and PReLU's slope is a parameter to learn, which this MLP does not.
ACTIVATIONS: tuple[str, ...] = tuple(n for n, info in REGISTRY.items() if info.elementwise and n != "prelu")
"""The activations an :class:`MLP`'s hidden layers can use."""


def activation_function(name: str, keywords: dict[str, Any] | None = None) -> tuple[Callable, Callable]:
    """The activation called ``name`` and its derivative, with ``keywords`` bound.

    Example:
        >>> f, df = activation_function("leaky_relu", {"negative_slope": 0.1})
        >>> float(f(-2.0)), float(df(-2.0))
        (-0.2, 0.1)
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {name!r}")
    fn, slope = getattr(activations, name), derivative(name)
    bound = dict(keywords or {})
    try:
        fn(0.0, **bound)
    except TypeError as error:
        raise TypeError(f"{name}() does not take the keywords {sorted(bound)}: {error}") from None
    return (lambda z: fn(z, **bound)), (lambda z: slope(z, **bound))


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean softmax cross-entropy of ``logits`` against integer ``labels``, and the softmax.

    .. math::
        \ell = \frac{1}{n}\sum_{i=1}^{n}\Big(\log\sum_k e^{z_{ik}} - z_{i y_i}\Big)

    Example:
        >>> import numpy as np
        >>> loss, probs = cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
        >>> round(loss, 4) == round(float(np.log(4)), 4), probs.sum(axis=1).tolist()
        (True, [1.0, 1.0])
    """
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    loss = -float(log_probs[np.arange(len(labels)), labels].mean())
    return loss, np.exp(log_probs)


@dataclass
class Trace:
    """What a forward pass keeps for the backward pass.

    Attributes:
        inputs: the batch, :math:`h_0`.
        pre: each hidden layer's pre-activations :math:`z_l`, first layer first.
        post: each hidden layer's outputs :math:`h_l = f(z_l)`.
        logits: the read-out's output.
    """

    inputs: np.ndarray
    pre: list[np.ndarray]
    post: list[np.ndarray]
    logits: np.ndarray


@dataclass
class Gradients:
    """The loss and its gradient with respect to every weight matrix and bias vector, first layer first."""

    loss: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def _check_labels(labels: Any, rows: int, classes: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (rows,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be {rows} integers, one per input row, got {labels.dtype} of shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in 0..{classes - 1}, got {labels.min()}..{labels.max()}")
    return labels


def _check_batch(inputs: Any, features: int) -> np.ndarray:
    """``inputs`` as float64 rows of ``features`` columns, or a ValueError naming the shape it has."""
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 2 or inputs.shape[1] != features:
        raise ValueError(f"inputs must have shape (n, {features}), got {inputs.shape}")
    return inputs


def _sgd_update(
    weights: list[np.ndarray], biases: list[np.ndarray], grads: Gradients, lr: float, l2_weights: float
) -> None:
    """Gradient descent on the parameters in place, the L2 penalty's gradient on the weights only."""
    for w, b, gw, gb in zip(weights, biases, grads.weights, grads.biases, strict=True):
        if l2_weights:
            gw = gw + l2_weights * w
        w -= lr * gw
        b -= lr * gb


def _scores(logits: np.ndarray, hidden: list[np.ndarray], labels: Any) -> tuple[float, float, float]:
    """``(loss, error, zero_fraction)`` of a forward pass: mean cross-entropy, share misclassified and
    the share of hidden outputs that are exactly zero."""
    labels = _check_labels(labels, len(logits), logits.shape[1])
    loss, probs = cross_entropy(logits, labels)
    error = float(np.mean(probs.argmax(axis=1) != labels))
    zeros = sum(int(np.count_nonzero(h == 0)) for h in hidden)
    total = sum(h.size for h in hidden)
    return loss, error, zeros / total if total else 0.0


@dataclass
class MLP:
    """A numpy MLP: hidden layers of one elementwise activation, a linear read-out, cross-entropy.

    Attributes:
        weights: ``weights[l]`` of shape ``(fan_in, fan_out)``; the last one is the read-out's.
        biases: ``biases[l]`` of shape ``(fan_out,)``.
        activation: the hidden layers' activation, a name in :mod:`relu_lib.activations`.
        keywords: parameters of the activation, such as ``{"negative_slope": 0.2}``.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"
    keywords: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weights) < 1 or len(self.weights) != len(self.biases):
            raise ValueError(
                f"an MLP needs as many bias vectors as weight matrices, at least one; "
                f"got {len(self.weights)} and {len(self.biases)}"
            )
        for number, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise ValueError(f"layer {number + 1}: weights {w.shape} and bias {b.shape} do not fit together")
            if number and w.shape[0] != self.weights[number - 1].shape[1]:
                raise ValueError(f"layer {number + 1} takes {w.shape[0]} inputs but layer {number} gives {w.shape[0]}")
        self._f, self._df = activation_function(self.activation, self.keywords)

    @classmethod
    def create(
        cls,
        sizes: Sequence[int],
        activation: str = "relu",
        init: str = "he",
        seed: Seed = 0,
        *,
        bias: float = 0.0,
        distribution: str = "normal",
        **keywords: Any,
    ) -> MLP:
        r"""A freshly initialised network with layer widths ``sizes`` (inputs first, classes last).

        .. math::
            W_l \sim \text{init}(\text{fan\_in}_l, \text{fan\_out}_l), \qquad b_l = \text{bias}

        Args:
            sizes: ``[inputs, hidden_1, ..., hidden_L, classes]``.
            activation: the hidden layers' activation.
            init: ``"he"``, ``"xavier"`` or ``"lecun"``, for every layer including the read-out.
            seed: seeds one generator that draws the layers in order, first layer first.
            bias: the value every bias starts at (0 as in Keras; 0.1 is chapter 5's experiment).
            distribution: ``"normal"`` or ``"uniform"``.
            **keywords: parameters of the activation.

        Example:
            >>> MLP.create([64, 32, 10], "tanh", "xavier", seed=1).depth
            1
        """
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(f"sizes must list at least the inputs and the classes, got {sizes!r}")
        sizes = [check_count(n, "every layer size") for n in sizes]
        if not isinstance(bias, numbers.Real) or not np.isfinite(bias):
            raise ValueError(f"bias must be a finite number, got {bias!r}")
        draw = initialiser(init, distribution)
        rng = np.random.default_rng(seed)  # a Generator passes through unchanged
        weights = [draw((n_in, n_out), seed=rng) for n_in, n_out in pairwise(sizes)]
        biases = [np.full(n_out, float(bias)) for n_out in sizes[1:]]
        return cls(weights, biases, activation, dict(keywords))

    @property
    def depth(self) -> int:
        """The number of hidden layers."""
        return len(self.weights) - 1

    def forward(self, inputs: np.ndarray) -> Trace:
        """Run a batch (rows are examples) through the network, keeping what backward needs."""
        inputs = _check_batch(inputs, self.weights[0].shape[0])
        pre, post, h = [], [], inputs
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            z = h @ w + b
            h = self._f(z)
            pre.append(z)
            post.append(h)
        return Trace(inputs, pre, post, h @ self.weights[-1] + self.biases[-1])

    def backward(self, trace: Trace, labels: np.ndarray, *, l1_activity: float = 0.0) -> Gradients:
        r"""Backpropagation: the gradient of the loss for the batch in ``trace``.

        .. math::
            \delta_{L+1} = \frac{\operatorname{softmax}(z_{L+1}) - \operatorname{onehot}(y)}{n},\quad
            \frac{\partial \ell}{\partial W_l} = h_{l-1}^\top \delta_l,\quad
            \delta_{l} = \big(\delta_{l+1} W_{l+1}^\top + \tfrac{\lambda}{n}\operatorname{sign}(h_l)\big)
            \odot f'(z_l)

        With ``l1_activity`` :math:`\lambda > 0` the loss also includes
        :math:`\frac{\lambda}{n}\sum_{i,l,j} |h_{l,ij}|`, an L1 penalty on every hidden output.
        """
        labels = _check_labels(labels, len(trace.inputs), self.weights[-1].shape[1])
        loss, probs = cross_entropy(trace.logits, labels)
        n = len(labels)
        delta = probs
        delta[np.arange(n), labels] -= 1.0
        delta /= n
        grad_w: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        grad_b: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        below = [trace.inputs, *trace.post]  # the input of each layer
        for layer in range(len(self.weights) - 1, -1, -1):
            grad_w[layer] = below[layer].T @ delta
            grad_b[layer] = delta.sum(axis=0)
            if layer == 0:
                break
            upstream = delta @ self.weights[layer].T
            if l1_activity:
                upstream += (l1_activity / n) * np.sign(trace.post[layer - 1])
                loss += l1_activity * float(np.abs(trace.post[layer - 1]).sum()) / n
            delta = upstream * self._df(trace.pre[layer - 1])
        return Gradients(loss, grad_w, grad_b)

    def gradients(self, inputs: np.ndarray, labels: np.ndarray, *, l1_activity: float = 0.0) -> Gradients:
        """Forward and backward in one call."""
        return self.backward(self.forward(inputs), labels, l1_activity=l1_activity)

    def sgd_step(self, grads: Gradients, lr: float, *, l2_weights: float = 0.0) -> None:
        r"""One step of plain gradient descent, in place.

        .. math::
            W_l \leftarrow W_l - \eta\,\Big(\frac{\partial \ell}{\partial W_l} + \mu W_l\Big),\qquad
            b_l \leftarrow b_l - \eta\,\frac{\partial \ell}{\partial b_l}

        where :math:`\mu` is ``l2_weights``, the gradient of the penalty
        :math:`\frac{\mu}{2}\sum_l \lVert W_l\rVert^2` (biases are not penalised).
        """
        _sgd_update(self.weights, self.biases, grads, lr, l2_weights)

    def evaluate(self, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
        """``(loss, error, zero_fraction)`` on a dataset: mean cross-entropy, share misclassified,
        and the share of hidden outputs that are exactly zero."""
        trace = self.forward(inputs)
        return _scores(trace.logits, trace.post, labels)

    def dead(self, inputs: np.ndarray) -> list[np.ndarray]:
        """For each hidden layer, which units have a zero derivative on every row of ``inputs``.

        Such a unit passes no gradient to its weights or to the layers below:
        gradient descent on these inputs can no longer change it.
        """
        trace = self.forward(inputs)
        return [np.all(self._df(z) == 0, axis=0) for z in trace.pre]
