r"""Deep ReLU networks with residual connections and layer normalisation, in numpy.

What made networks of dozens of layers trainable, besides ReLU: a *residual*
(skip) connection adds each block's output to its input, so the identity map
is always one step away, and *normalisation* rescales each block's input to a
fixed size. :class:`ResidualMLP` builds the four combinations on one skeleton,

.. math::
    h_1 = x W_1 + b_1, \qquad
    a_l = f(N(h_{l-1})), \qquad
    h_l = \begin{cases} h_{l-1} + s\,(a_l W_l + b_l) & \text{residual} \\
                        a_l W_l + b_l & \text{plain} \end{cases}
    \quad (l = 2, \dots, L), \qquad
    \text{logits} = f(N(h_L))\, W_{L+1} + b_{L+1},

where :math:`N` is layer normalisation (or the identity), :math:`f` the activation
(ReLU) and :math:`s` the residual branch's scale. There are :math:`L` activation
layers either way; without residual connections and normalisation the network is
exactly the plain MLP of :mod:`relu_lib.mlp`, and with both it is a *pre-norm*,
*pre-activation* residual network (He et al. 2016, "Identity mappings"). Forward
and backward passes are written out, as in :mod:`relu_lib.mlp`.

Example:
    >>> from relu_lib.data import split
    >>> data = split()
    >>> net = ResidualMLP.create(depth=16, width=32, residual=True, norm=True, seed=0)
    >>> net.depth, len(net.weights)
    (16, 17)
    >>> loss, error, zeros = net.evaluate(data.held_out_inputs, data.held_out_labels)
    >>> bool(0.7 < error < 1.0), bool(0.4 < zeros < 0.6)
    (True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from ._arrays import check_count, check_real_parameter
from .data import CLASSES, FEATURES, split
from .initialisers import Seed, initialiser
from .mlp import Gradients, _check_batch, _check_labels, _scores, _sgd_update, activation_function, cross_entropy

__all__ = ["LAYER_NORM_EPS", "ResidualMLP", "ResidualTrace", "layer_norm", "train_deep"]

LAYER_NORM_EPS = 1e-5
"""The :math:`\\epsilon` of :func:`layer_norm`, PyTorch's default (Keras's is 1e-3: pass it)."""


def layer_norm(x: np.ndarray, eps: float = LAYER_NORM_EPS) -> tuple[np.ndarray, np.ndarray]:
    r"""Normalise each row of ``x`` to mean 0 and variance 1 over its features.

    .. math::
        N(x)_{ij} = \frac{x_{ij} - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}}, \qquad
        \mu_i = \frac{1}{d}\sum_j x_{ij}, \quad \sigma_i^2 = \frac{1}{d}\sum_j (x_{ij} - \mu_i)^2

    Ba, Kiros and Hinton's layer normalisation without its learned gain and bias,
    as ``torch.nn.functional.layer_norm(x, x.shape[-1:])`` and Keras's
    ``LayerNormalization(center=False, scale=False)`` compute it.

    Args:
        x: a 2-D array, one example per row.
        eps: added to the variance, so a constant row gives zeros, not a division by zero.

    Returns:
        ``(normalised, inverse_std)``: the normalised array, and each row's
        :math:`1/\sqrt{\sigma_i^2 + \epsilon}` as a column (the backward pass needs it).

    Example:
        >>> import numpy as np
        >>> out, _ = layer_norm(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
        >>> out.round(4).tolist()
        [[-1.2247, 0.0, 1.2247], [0.0, 0.0, 0.0]]

    References:
        Ba, Kiros & Hinton, *Layer normalization*, 2016.
    """
    centred = x - x.mean(axis=1, keepdims=True)
    inverse_std = 1.0 / np.sqrt((centred * centred).mean(axis=1, keepdims=True) + eps)
    return centred * inverse_std, inverse_std


def _layer_norm_backward(grad: np.ndarray, normalised: np.ndarray, inverse_std: np.ndarray) -> np.ndarray:
    """The gradient with respect to the input of :func:`layer_norm`, given the gradient of its output."""
    return inverse_std * (
        grad - grad.mean(axis=1, keepdims=True) - normalised * (grad * normalised).mean(axis=1, keepdims=True)
    )


@dataclass
class ResidualTrace:
    """What a forward pass keeps for the backward pass.

    Attributes:
        inputs: the batch.
        stream: :math:`h_1, \\dots, h_L`, the residual stream (the plain network's pre-activations).
        normalised: :math:`N(h_l)` and each row's inverse standard deviation (``None`` without ``norm``).
        hidden: :math:`a_2, \\dots, a_{L+1}`, the activation layers' outputs, first layer first.
        logits: the read-out's output.
    """

    inputs: np.ndarray
    stream: list[np.ndarray]
    normalised: list[tuple[np.ndarray, np.ndarray] | None]
    hidden: list[np.ndarray]
    logits: np.ndarray


@dataclass
class ResidualMLP:
    """A deep MLP with optional residual connections and layer normalisation (see the module).

    Attributes:
        weights: ``depth + 1`` matrices ``(fan_in, fan_out)``: the input layer, ``depth - 1``
            blocks, the read-out.
        biases: one vector per weight matrix.
        residual: add each block's output to its input (``False``: replace it).
        norm: layer-normalise each activation's input.
        branch_scale: :math:`s`, the factor on each residual branch.
        activation: the activation's name in :mod:`relu_lib.activations`.
        keywords: the activation's parameters.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    residual: bool = True
    norm: bool = True
    branch_scale: float = 1.0
    activation: str = "relu"
    keywords: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weights) < 2 or len(self.weights) != len(self.biases):
            raise ValueError(
                f"a ResidualMLP needs an input layer and a read-out, and one bias per weight matrix; "
                f"got {len(self.weights)} weight matrices and {len(self.biases)} biases"
            )
        width = self.weights[0].shape[1]
        for number, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inner = 0 < number < len(self.weights) - 1
            if w.ndim != 2 or b.shape != (w.shape[1],) or (number and w.shape[0] != width):
                raise ValueError(f"layer {number + 1}: weights {w.shape} and bias {b.shape} do not fit width {width}")
            if inner and w.shape[1] != width:
                raise ValueError(f"block {number + 1} must map width {width} to itself, got {w.shape}")
        self.branch_scale = check_real_parameter(self.branch_scale, "branch_scale", "ResidualMLP")
        self._f, self._df = activation_function(self.activation, self.keywords)

    @classmethod
    def create(
        cls,
        depth: int = 32,
        width: int = 64,
        *,
        residual: bool = True,
        norm: bool = True,
        seed: Seed = 0,
        branch_scale: float | None = None,
        inputs: int = FEATURES,
        classes: int = CLASSES,
        activation: str = "relu",
        **keywords: Any,
    ) -> ResidualMLP:
        r"""A freshly initialised network with ``depth`` activation layers of ``width`` units.

        .. math::
            W_l \sim \mathcal{N}\!\left(0, \tfrac{2}{\text{fan\_in}_l}\right), \qquad b_l = 0,
            \qquad s = \frac{1}{\sqrt{\text{depth}}}

        He-normal weights drawn in order from one generator, as
        :meth:`relu_lib.mlp.MLP.create` draws them, so the plain network without
        normalisation starts from the same weights as ``MLP.create([inputs, width, ...,
        classes], "relu", "he", seed)``. Scaling each residual branch by
        :math:`1/\sqrt{\text{depth}}` keeps the stream's variance from doubling at
        every block: it grows by at most about :math:`(1 + 1/L)^L \le e` in all.

        Args:
            depth: the number of activation layers :math:`L` (at least 1).
            width: units per layer.
            residual: residual connections around each block.
            norm: layer normalisation before each activation.
            seed: seeds the weights.
            branch_scale: :math:`s` (default :math:`1/\sqrt{\text{depth}}`).
            inputs: features per example.
            classes: outputs of the read-out.
            activation: the activation's name.
            **keywords: the activation's parameters.

        Example:
            >>> ResidualMLP.create(depth=4, width=8, seed=0).branch_scale
            0.5
        """
        depth, width = check_count(depth, "depth"), check_count(width, "width")
        for name, flag in (("residual", residual), ("norm", norm)):
            if not isinstance(flag, bool):
                raise TypeError(f"ResidualMLP.create() expects {name} to be True or False, got {flag!r}")
        sizes = [check_count(inputs, "inputs"), *[width] * depth, check_count(classes, "classes")]
        draw = initialiser("he", "normal")
        rng = np.random.default_rng(seed)
        weights = [draw((n_in, n_out), seed=rng) for n_in, n_out in pairwise(sizes)]
        biases = [np.zeros(n_out) for n_out in sizes[1:]]
        scale = 1.0 / math.sqrt(depth) if branch_scale is None else branch_scale
        return cls(weights, biases, residual, norm, scale, activation, dict(keywords))

    @property
    def depth(self) -> int:
        """The number of activation layers."""
        return len(self.weights) - 1

    def forward(self, inputs: np.ndarray) -> ResidualTrace:
        """Run a batch (rows are examples) through the network, keeping what backward needs."""
        inputs = _check_batch(inputs, self.weights[0].shape[0])
        h = inputs @ self.weights[0] + self.biases[0]
        stream, normalised, hidden = [h], [], []
        for number, (w, b) in enumerate(zip(self.weights[1:], self.biases[1:], strict=True), start=1):
            pair = layer_norm(h) if self.norm else None
            a = self._f(pair[0] if pair is not None else h)
            normalised.append(pair)
            hidden.append(a)
            out = a @ w + b
            if number == self.depth:
                return ResidualTrace(inputs, stream, normalised, hidden, out)
            h = h + self.branch_scale * out if self.residual else out
            stream.append(h)
        raise AssertionError("unreachable: a ResidualMLP has a read-out")  # pragma: no cover

    def backward(self, trace: ResidualTrace, labels: np.ndarray) -> Gradients:
        r"""Backpropagation through the blocks, the skips and the normalisations.

        .. math::
            \frac{\partial \ell}{\partial h_{l-1}} =
            \underbrace{\frac{\partial \ell}{\partial h_l}}_{\text{skip}} +
            s\, J_N^\top\Big(\big(\tfrac{\partial \ell}{\partial h_l} W_l^\top\big) \odot f'\Big)

        The skip passes the gradient down unchanged; without it, the only path is
        through :math:`W_l` and :math:`f'`, layer after layer.
        """
        labels = _check_labels(labels, len(trace.inputs), self.weights[-1].shape[1])
        loss, probs = cross_entropy(trace.logits, labels)
        n = len(labels)
        delta = probs
        delta[np.arange(n), labels] -= 1.0
        delta /= n  # the gradient with respect to the read-out's output
        grad_w: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        grad_b: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        for layer in range(self.depth, 0, -1):
            a, pair, below = trace.hidden[layer - 1], trace.normalised[layer - 1], trace.stream[layer - 1]
            branch = delta if layer == self.depth or not self.residual else self.branch_scale * delta
            grad_w[layer] = a.T @ branch
            grad_b[layer] = branch.sum(axis=0)
            upstream = (branch @ self.weights[layer].T) * self._df(pair[0] if pair is not None else below)
            if pair is not None:
                upstream = _layer_norm_backward(upstream, *pair)
            delta = delta + upstream if self.residual and layer != self.depth else upstream
        grad_w[0] = trace.inputs.T @ delta
        grad_b[0] = delta.sum(axis=0)
        return Gradients(loss, grad_w, grad_b)

    def gradients(self, inputs: np.ndarray, labels: np.ndarray, **penalties: float) -> Gradients:
        """Forward and backward in one call (no penalties: ``l1_activity`` must be 0)."""
        if any(penalties.values()):
            raise ValueError(f"ResidualMLP takes no activity penalty, got {penalties}")
        return self.backward(self.forward(inputs), labels)

    def sgd_step(self, grads: Gradients, lr: float, *, l2_weights: float = 0.0) -> None:
        r"""One step of plain gradient descent, in place: :math:`W \leftarrow W - \eta (\nabla_W \ell + \mu W)`."""
        _sgd_update(self.weights, self.biases, grads, lr, l2_weights)

    def evaluate(self, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
        """``(loss, error, zero_fraction)`` on a dataset, as :meth:`relu_lib.mlp.MLP.evaluate`."""
        trace = self.forward(inputs)
        return _scores(trace.logits, trace.hidden, labels)


def train_deep(
    depth: int = 32,
    width: int = 64,
    *,
    residual: bool = True,
    norm: bool = True,
    lr: float = 0.05,
    epochs: int = 10,
    seed: Seed = 0,
    batch_size: int = 32,
) -> dict[str, np.ndarray]:
    r"""Train a fresh :class:`ResidualMLP` on the training digits; measure it after every epoch.

    .. math::
        \text{error}_e = \frac{1}{n}\sum_{i=1}^{n} [\arg\max_k z_{ik} \ne y_i]
        \quad \text{on the training and on the held-out images, after epoch } e

    Plain mini-batch gradient descent on the 1,400 training images of
    :func:`relu_lib.data.split`, in the order of :func:`relu_lib.experiments.shuffles`.

    Args:
        depth: the number of ReLU layers.
        width: units per layer.
        residual: residual connections.
        norm: layer normalisation before each ReLU.
        lr: the learning rate.
        epochs: passes over the training images.
        seed: seeds the weights and the order of the examples.
        batch_size: examples per step.

    Returns:
        Per-epoch float64 arrays ``"loss"``, ``"error"``, ``"zero_fraction"`` on the training
        images and ``"held_out_loss"``, ``"held_out_error"``, ``"held_out_zero_fraction"`` on
        the 397 held-out ones.

    Raises:
        FloatingPointError: training diverged.

    Example:
        >>> plain = train_deep(24, 32, residual=False, norm=False, epochs=2, seed=0)
        >>> deep = train_deep(24, 32, residual=True, norm=True, epochs=2, seed=0)
        >>> bool(deep["held_out_error"][-1] < 0.2 < plain["held_out_error"][-1])
        True

    References:
        He, Zhang, Ren & Sun, *Deep residual learning for image recognition*, CVPR 2016;
        He, Zhang, Ren & Sun, *Identity mappings in deep residual networks*, ECCV 2016;
        Ba, Kiros & Hinton, *Layer normalization*, 2016.
    """
    from .experiments import train

    data = split()
    net = ResidualMLP.create(depth, width, residual=residual, norm=norm, seed=seed)
    return train(
        net,  # type: ignore[arg-type]
        data.train_inputs,
        data.train_labels,
        lr=lr,
        epochs=epochs,
        seed=seed,
        batch_size=batch_size,
        held_out=(data.held_out_inputs, data.held_out_labels),
    )
