"""The book's experiments, in numpy: seedable, deterministic, and small enough for a test.

Each builds :class:`relu_lib.mlp.MLP` networks on scikit-learn's handwritten
digits (:func:`relu_lib.data.digits`, standardised, all 1,797 images) and
measures one thing the book claims. :func:`train_mlp` with ``held_out=True``
trains on the 1,400 training images of :func:`relu_lib.data.split` instead and
also measures the 397 images it holds out. The defaults reproduce the book's own
demonstration; the chapters run the same measurements in PyTorch and
TensorFlow beside them, and the tests show the three agree.

Every network has ``depth`` hidden layers of ``width`` units, all with the same
activation, and a linear read-out to the 10 classes; biases start at zero
unless ``bias`` says otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ._arrays import check_count, check_real_parameter
from .data import CLASSES, FEATURES, digits, split
from .initialisers import Seed
from .mlp import MLP

__all__ = [
    "activation_stats",
    "born_dead",
    "dead_units",
    "epochs_to",
    "gradient_norms",
    "recommended_init",
    "shuffles",
    "train",
    "train_mlp",
]


Experiment = TypeVar("Experiment", bound=Callable[..., Any])


def _one_blas_thread(experiment: Experiment) -> Experiment:
    """Run an experiment with a single BLAS thread.

    Its matrices are small (64 to 256 wide), so a second thread saves little on
    an idle machine and, on a busy one, waits for a core far longer than that:
    measured on the book's 2-core machine under load, ``train_mlp`` ran 3 times
    faster with one thread. threadpoolctl comes with scikit-learn.
    """

    @functools.wraps(experiment)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            raise ImportError(
                f"relu_lib.experiments.{experiment.__name__} runs with one BLAS thread through threadpoolctl; "
                "install it with: pip install 'relu_lib[experiments]' (or pip install threadpoolctl)"
            ) from None

        with threadpool_limits(limits=1, user_api="blas"):
            return experiment(*args, **kwargs)

    return run  # type: ignore[return-value]


_HE = ("relu", "leaky_relu", "prelu", "relu6", "elu", "gelu", "silu", "softplus")


def recommended_init(activation: str) -> str:
    """The initialisation the book pairs with an activation.

    He for ReLU and the units that behave like it for large inputs (He et al. derive
    it for ReLU and its leaky form), LeCun for SELU (Klambauer et al.'s condition
    for self-normalisation), Xavier for the symmetric, saturating sigmoid and tanh.

    Example:
        >>> [recommended_init(a) for a in ("relu", "selu", "tanh")]
        ['he', 'lecun', 'xavier']
    """
    if activation == "selu":
        return "lecun"
    return "he" if activation in _HE else "xavier"


def _network(
    activation: str, depth: int, width: int, init: str, seed: Seed, bias: float, keywords: dict[str, Any]
) -> MLP:
    depth, width = check_count(depth, "depth"), check_count(width, "width")
    return MLP.create([FEATURES, *[width] * depth, CLASSES], activation, init, seed, bias=bias, **keywords)


@_one_blas_thread
def gradient_norms(
    activation: str = "sigmoid",
    depth: int = 10,
    width: int = 64,
    init: str = "xavier",
    seed: Seed = 0,
    *,
    bias: float = 0.0,
    **keywords: Any,
) -> np.ndarray:
    r"""Per-layer norms of the loss gradient at initialisation, first hidden layer first.

    .. math::
        g_l = \left\lVert \frac{\partial \ell}{\partial W_l} \right\rVert_F, \qquad l = 1, \dots, \text{depth}

    for the mean cross-entropy :math:`\ell` of a freshly initialised network on
    all 1,797 digits. Backpropagation multiplies the error signal by
    :math:`f'(z)` at every layer it crosses; where :math:`|f'| \le 1/4`
    (sigmoid), the first layers receive almost nothing.

    Args:
        activation: the hidden layers' activation (default: sigmoid, as in the 1990s networks).
        depth: the number of hidden layers.
        width: units per hidden layer.
        init: ``"he"``, ``"xavier"`` or ``"lecun"`` (normal).
        seed: seeds the weights.
        bias: the biases' starting value.
        **keywords: the activation's parameters.

    Returns:
        A float64 array of ``depth`` norms (the read-out's is left out).

    Example:
        >>> norms = gradient_norms("sigmoid", depth=10, init="xavier", seed=0)
        >>> norms.shape, bool(norms[0] < norms[-1] / 100)
        ((10,), True)
        >>> relu = gradient_norms("relu", depth=10, init="he", seed=0)
        >>> bool(relu[-1] / 10 <= relu[0] <= 10 * relu[-1])
        True

    References:
        Glorot & Bengio, *Understanding the difficulty of training deep feedforward
        neural networks*, AISTATS 2010.
    """
    net = _network(activation, depth, width, init, seed, bias, keywords)
    inputs, labels = digits()
    grads = net.gradients(inputs, labels)
    return np.array([np.linalg.norm(g) for g in grads.weights[:-1]])


@_one_blas_thread
def activation_stats(
    activation: str = "relu",
    depth: int = 30,
    width: int = 256,
    init: str = "he",
    seed: Seed = 0,
    *,
    bias: float = 0.0,
    **keywords: Any,
) -> dict[str, np.ndarray]:
    r"""Mean, standard deviation and share of exact zeros of each hidden layer's outputs at initialisation.

    .. math::
        \text{mean}_l = \overline{h_l}, \qquad \text{std}_l = \sqrt{\overline{(h_l - \overline{h_l})^2}},
        \qquad \text{zero\_fraction}_l = \overline{[h_l = 0]}

    where the bar averages over all 1,797 digits and all units of layer :math:`l`.

    Args:
        activation: the hidden layers' activation.
        depth: the number of hidden layers.
        width: units per hidden layer.
        init: ``"he"``, ``"xavier"`` or ``"lecun"`` (normal).
        seed: seeds the weights.
        bias: the biases' starting value.
        **keywords: the activation's parameters.

    Returns:
        ``{"mean": ..., "std": ..., "zero_fraction": ...}``, each a float64 array of ``depth`` values.

    Example:
        >>> stats = activation_stats("relu", depth=30, init="he", seed=0)
        >>> bool(abs(stats["zero_fraction"][0] - 0.5) < 0.05)
        True
        >>> xavier = activation_stats("relu", depth=30, init="xavier", seed=0)
        >>> bool(xavier["std"][-1] < 1e-3 * xavier["std"][0])
        True

    References:
        Glorot, Bordes & Bengio, *Deep sparse rectifier neural networks*, AISTATS 2011;
        He, Zhang, Ren & Sun, *Delving deep into rectifiers*, ICCV 2015.
    """
    net = _network(activation, depth, width, init, seed, bias, keywords)
    trace = net.forward(digits()[0])
    return {
        "mean": np.array([h.mean() for h in trace.post]),
        "std": np.array([h.std() for h in trace.post]),
        "zero_fraction": np.array([np.count_nonzero(h == 0) / h.size for h in trace.post]),
    }


def shuffles(samples: int, epochs: int, seed: Seed = 0) -> np.ndarray:
    """The order training visits the examples in: one permutation of ``range(samples)`` per epoch.

    Batch ``k`` of epoch ``e`` is ``shuffles(...)[e, k * batch_size : (k + 1) * batch_size]``.
    The chapters feed PyTorch and Keras the same batches, so all three train on
    the same sequence.

    Example:
        >>> order = shuffles(5, 2, seed=0)
        >>> order.shape, sorted(order[1].tolist())
        ((2, 5), [0, 1, 2, 3, 4])
    """
    # A stream of its own, so that the batches do not depend on how many weights were drawn.
    rng = np.random.default_rng([1, seed]) if not isinstance(seed, np.random.Generator) else seed
    return np.array(
        [rng.permutation(samples) for _ in range(check_count(epochs, "epochs", low=0))], dtype=np.int64
    ).reshape(-1, samples)


@_one_blas_thread
def train(
    net: MLP,
    inputs: np.ndarray,
    labels: np.ndarray,
    *,
    lr: float,
    epochs: int,
    seed: Seed = 0,
    batch_size: int = 32,
    l1_activity: float = 0.0,
    l2_weights: float = 0.0,
    held_out: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    r"""Train ``net`` in place with mini-batch gradient descent; measure it after every epoch.

    .. math::
        W \leftarrow W - \eta \nabla_W \ell_\text{batch}

    Args:
        net: the network to train.
        inputs, labels: the training set.
        lr: the learning rate :math:`\eta`.
        epochs: passes over the training set.
        seed: seeds the order of the examples (:func:`shuffles`).
        batch_size: examples per step (the last batch of an epoch may be smaller).
        l1_activity: weight of an L1 penalty on the hidden outputs.
        l2_weights: weight of an L2 penalty on the weight matrices.
        held_out: ``(inputs, labels)`` never trained on, measured after every epoch too.

    Returns:
        ``{"loss", "error", "zero_fraction"}``: per-epoch float64 arrays measured on the
        whole training set after each epoch (the loss without penalties); with
        ``held_out``, also ``"held_out_loss"``, ``"held_out_error"`` and
        ``"held_out_zero_fraction"``, the same measured on the held-out set.

    Raises:
        FloatingPointError: training diverged (a weight or activation overflowed).

    Example:
        >>> inputs, labels = digits()
        >>> net = MLP.create([64, 16, 10], "relu", "he", seed=0)
        >>> curves = train(net, inputs, labels, lr=0.1, epochs=2, seed=0)
        >>> bool(curves["loss"][1] < curves["loss"][0])
        True

    References:
        Rumelhart, Hinton & Williams, *Learning representations by back-propagating
        errors*, Nature 1986.
    """
    lr = check_real_parameter(lr, "lr", "train")
    if lr < 0:
        raise ValueError(f"train() lr must be >= 0, got {lr}")
    epochs = check_count(epochs, "epochs", low=0)
    batch_size = check_count(batch_size, "batch_size")
    keys = ("loss", "error", "zero_fraction")
    history: dict[str, list[float]] = {key: [] for key in keys}
    if held_out is not None:
        history.update({f"held_out_{key}": [] for key in keys})
    for epoch, order in enumerate(shuffles(len(inputs), epochs, seed), start=1):
        # A step too large makes the weights overflow; say so rather than return curves of NaN.
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                for start in range(0, len(order), batch_size):
                    batch = order[start : start + batch_size]
                    grads = net.gradients(inputs[batch], labels[batch], l1_activity=l1_activity)
                    net.sgd_step(grads, lr, l2_weights=l2_weights)
                measured = net.evaluate(inputs, labels)
                if held_out is not None:
                    measured += net.evaluate(*held_out)
        except FloatingPointError as error:
            raise FloatingPointError(
                f"train() diverged in epoch {epoch} of {epochs} ({error}): the learning rate {lr} is too large "
                "for this network and data; try a smaller lr, or standardised inputs"
            ) from None
        for key, value in zip(history, measured, strict=True):
            history[key].append(value)
    return {key: np.array(values) for key, values in history.items()}


def train_mlp(
    activation: str = "relu",
    depth: int = 6,
    width: int = 64,
    init: str = "he",
    lr: float = 0.05,
    epochs: int = 20,
    seed: Seed = 0,
    *,
    batch_size: int = 32,
    bias: float = 0.0,
    l1_activity: float = 0.0,
    l2_weights: float = 0.0,
    standardise: bool = True,
    held_out: bool = False,
    **keywords: Any,
) -> dict[str, np.ndarray]:
    r"""Train a fresh MLP on the digits and return its training curves.

    .. math::
        \text{error}_e = \frac{1}{n} \sum_{i=1}^{n} [\arg\max_k z_{ik} \ne y_i]
        \quad \text{after epoch } e

    Args:
        activation: the hidden layers' activation.
        depth: the number of hidden layers.
        width: units per hidden layer.
        init: ``"he"``, ``"xavier"`` or ``"lecun"`` (normal).
        lr: the learning rate of plain mini-batch gradient descent.
        epochs: passes over the 1,797 training images.
        seed: seeds the weights and the order of the examples.
        batch_size: examples per step.
        bias: the biases' starting value.
        l1_activity: weight of an L1 penalty on the hidden outputs (sparsity).
        l2_weights: weight of an L2 penalty on the weights (weight decay).
        standardise: standardise the pixels (``False``: raw intensities 0 to 16).
        held_out: train on the 1,400 training images of :func:`relu_lib.data.split`
            and measure the 397 held-out images too (``False``: train on all 1,797).
        **keywords: the activation's parameters.

    Returns:
        ``{"loss": ..., "error": ..., "zero_fraction": ...}``: float64 arrays of ``epochs``
        values, the training loss, the training error in [0, 1] and the share of hidden
        outputs that are exactly zero, each after every epoch. With ``held_out=True``, also
        ``"held_out_loss"``, ``"held_out_error"`` and ``"held_out_zero_fraction"``, the same
        three measured on the held-out images.

    Example:
        >>> curves = train_mlp("relu", depth=2, width=32, epochs=3, seed=0)
        >>> sorted(curves), curves["error"].shape, bool(curves["error"][-1] < 0.1)
        (['error', 'loss', 'zero_fraction'], (3,), True)
        >>> split_curves = train_mlp("relu", depth=2, width=32, epochs=3, seed=0, held_out=True)
        >>> [key for key in split_curves if key.startswith("held_out")]
        ['held_out_loss', 'held_out_error', 'held_out_zero_fraction']
        >>> bool(split_curves["error"][-1] <= split_curves["held_out_error"][-1] < 0.2)
        True

    References:
        Glorot, Bordes & Bengio, *Deep sparse rectifier neural networks*, AISTATS 2011;
        Krizhevsky, Sutskever & Hinton, *ImageNet classification with deep convolutional
        neural networks*, NeurIPS 2012.
    """
    if not isinstance(held_out, bool):
        raise TypeError(f"train_mlp() expects held_out to be True or False, got {held_out!r}")
    net = _network(activation, depth, width, init, seed, bias, keywords)
    if held_out:
        data = split(standardise=standardise)
        inputs, labels = data.train_inputs, data.train_labels
        kept: tuple[np.ndarray, np.ndarray] | None = (data.held_out_inputs, data.held_out_labels)
    else:
        inputs, labels = digits(standardise=standardise)
        kept = None
    return train(
        net,
        inputs,
        labels,
        lr=lr,
        epochs=epochs,
        seed=seed,
        batch_size=batch_size,
        l1_activity=l1_activity,
        l2_weights=l2_weights,
        held_out=kept,
    )


def epochs_to(error: np.ndarray, target: float) -> int | None:
    """The first epoch (counting from 1) after which ``error`` is at most ``target``; None if never.

    Example:
        >>> import numpy as np
        >>> epochs_to(np.array([0.9, 0.4, 0.08, 0.05]), 0.1), epochs_to(np.array([0.9, 0.8]), 0.1)
        (3, None)
    """
    below = np.flatnonzero(np.asarray(error) <= target)
    return int(below[0]) + 1 if below.size else None


@_one_blas_thread
def dead_units(
    activation: str = "relu",
    depth: int = 8,
    width: int = 16,
    lr: float = 0.5,
    epochs: int = 5,
    seed: Seed = 0,
    *,
    init: str = "he",
    batch_size: int = 32,
    bias: float = 0.0,
    **keywords: Any,
) -> float:
    r"""The share of hidden units that are dead after training: zero derivative on every training input.

    .. math::
        \text{dead} = \frac{1}{\text{depth} \cdot \text{width}} \sum_{l, j}
        \Big[\, f'(z_{l,ij}) = 0 \text{ for every image } i \,\Big]

    A dead unit's weights get no gradient, and nothing below it does through
    it: on this data it can never recover. ReLU units die when every
    pre-activation is negative; Leaky ReLU's derivative is never zero.

    Args:
        activation: the hidden layers' activation.
        depth: the number of hidden layers.
        width: units per hidden layer.
        lr: the learning rate (a large one kills units).
        epochs: passes over the digits before counting (0: at initialisation).
        seed: seeds the weights and the order of the examples.
        init: ``"he"``, ``"xavier"`` or ``"lecun"`` (normal).
        batch_size: examples per step.
        bias: the biases' starting value.
        **keywords: the activation's parameters.

    Returns:
        The dead share, in [0, 1].

    Example:
        >>> bool(dead_units("relu", seed=0) >= 0.1), dead_units("leaky_relu", seed=0)
        (True, 0.0)

    References:
        Lu, Shin, Su & Karniadakis, *Dying ReLU and initialization*, 2019;
        Maas, Hannun & Ng, *Rectifier nonlinearities improve neural network acoustic models*, 2013.
    """
    net = _network(activation, depth, width, init, seed, bias, keywords)
    inputs, labels = digits()
    train(net, inputs, labels, lr=lr, epochs=epochs, seed=seed, batch_size=batch_size)
    dead = net.dead(inputs)
    return sum(int(layer.sum()) for layer in dead) / sum(layer.size for layer in dead)


@_one_blas_thread
def born_dead(
    depth: int = 10,
    width: int = 3,
    trials: int = 100,
    seed: Seed = 0,
    *,
    activation: str = "relu",
    init: str = "he",
    bias: float = 0.0,
    **keywords: Any,
) -> float:
    r"""The share of random initialisations in which some hidden layer is entirely dead.

    .. math::
        \frac{1}{T}\sum_{t=1}^{T}\Big[\exists\, l : \text{every unit of layer } l
        \text{ has } f' = 0 \text{ on every image}\Big]

    Such a network is *born dead*: its output does not depend on its input,
    and no gradient reaches the layers below the dead one, so training cannot
    start. Narrow deep ReLU networks are born dead more often the deeper they are.

    Args:
        depth: the number of hidden layers.
        width: units per hidden layer.
        trials: the number of independent initialisations.
        seed: seeds the sequence of initialisations.
        activation: the hidden layers' activation.
        init: ``"he"``, ``"xavier"`` or ``"lecun"`` (normal).
        bias: the biases' starting value.
        **keywords: the activation's parameters.

    Returns:
        The born-dead share, in [0, 1].

    Example:
        >>> born_dead(depth=10, width=3, trials=50, seed=0) > born_dead(depth=2, width=3, trials=50, seed=0)
        True

    References:
        Lu, Shin, Su & Karniadakis, *Dying ReLU and initialization: theory and numerical examples*, 2019.
    """
    trials = check_count(trials, "trials")
    inputs = digits()[0]
    rng = np.random.default_rng(seed)
    dead_networks = 0
    for _ in range(trials):
        net = _network(activation, depth, width, init, rng, bias, keywords)
        dead_networks += any(layer.all() for layer in net.dead(inputs))
    return dead_networks / trials
