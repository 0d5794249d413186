"""The data the experiments train on: scikit-learn's handwritten digits, which ship with it.

scikit-learn is imported inside :func:`digits`, so ``import relu_lib`` stays light;
install it with ``pip install relu_lib[experiments]``. Nothing is downloaded: the
1,797 images are part of scikit-learn's own package.

:func:`split` divides them, once and for all, into 1,400 training images and 397
held-out images that training never sees, with every digit in the same proportion
in both; the numpy experiments, PyTorch and TensorFlow all use that one split.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

__all__ = ["CLASSES", "FEATURES", "HELD_OUT", "SPLIT_SEED", "Split", "digits", "split"]

CLASSES = 10
"""The number of classes in :func:`digits`: the digits 0 to 9."""

FEATURES = 64
"""The number of inputs of :func:`digits`: 8 x 8 pixels."""

HELD_OUT = 397
"""The number of images :func:`split` holds out: 22% of the 1,797, leaving 1,400 to train on."""

SPLIT_SEED = 20_100_311
"""The seed of the one permutation behind :func:`split`; fixed, so the split is the same everywhere."""


@cache
def _load() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - exercised only without scikit-learn
        raise ImportError(
            "relu_lib's experiments train on scikit-learn's bundled digits; "
            "install it with: pip install 'relu_lib[experiments]' (or pip install scikit-learn)"
        ) from None
    images, labels = load_digits(return_X_y=True)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def digits(*, standardise: bool = True) -> tuple[np.ndarray, np.ndarray]:
    r"""The 8x8 handwritten digits as float64 rows of 64 pixels, and their labels 0 to 9.

    .. math::
        x_{ij} \leftarrow \frac{x_{ij} - \mu_j}{\sigma_j}
        \quad (\text{pixels with } \sigma_j = 0 \text{ become } 0)

    Args:
        standardise: scale each pixel to mean 0 and standard deviation 1 over
            the 1,797 images (``False``: the raw intensities 0 to 16).

    Returns:
        ``(inputs, labels)``: a new ``(1797, 64)`` float64 array and a new
        ``(1797,)`` int64 array.

    Example:
        >>> inputs, labels = digits()
        >>> inputs.shape, labels.shape, sorted(set(labels.tolist())) == list(range(10))
        ((1797, 64), (1797,), True)
        >>> bool(abs(inputs.mean(axis=0)).max() < 1e-12)
        True

    References:
        Alpaydin & Kaynak, *Optical Recognition of Handwritten Digits*, UCI Machine
        Learning Repository, 1998; shipped by scikit-learn (Pedregosa et al., 2011).
    """
    if not isinstance(standardise, bool):
        raise TypeError(f"digits() expects standardise to be True or False, got {standardise!r}")
    images, labels = _load()
    inputs = images.astype(np.float64)
    if standardise:
        spread = inputs.std(axis=0)
        inputs -= inputs.mean(axis=0)
        # Three pixels are blank in every image: leave them at zero rather than divide by zero.
        np.divide(inputs, spread, out=inputs, where=spread > 0)
    return inputs, labels.copy()


class Split(NamedTuple):
    """The digits divided into a training set and a held-out set (see :func:`split`)."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    held_out_inputs: np.ndarray
    held_out_labels: np.ndarray


@cache
def _held_out_mask() -> np.ndarray:
    labels = _load()[1]
    counts = np.bincount(labels, minlength=CLASSES)
    # Each class gives its share of the held-out images, rounded by largest remainder so that
    # the shares add up to exactly HELD_OUT.
    exact = counts * HELD_OUT / len(labels)
    quota = np.floor(exact).astype(np.int64)
    quota[np.argsort(quota - exact, kind="stable")[: HELD_OUT - int(quota.sum())]] += 1
    rng = np.random.default_rng(SPLIT_SEED)
    mask = np.zeros(len(labels), dtype=bool)
    for digit in range(CLASSES):
        members = np.flatnonzero(labels == digit)
        mask[rng.permutation(members)[: quota[digit]]] = True
    mask.setflags(write=False)
    return mask


def split(*, standardise: bool = True) -> Split:
    r"""The digits split into 1,400 training and 397 held-out images, the same split on every call.

    .. math::
        x_{ij} \leftarrow \frac{x_{ij} - \mu_j}{\sigma_j},
        \qquad \mu_j, \sigma_j \text{ taken over the training images only}

    Every digit is held out in the same proportion (about 22% of each class), chosen
    by one fixed permutation (:data:`SPLIT_SEED`). The pixels are scaled with the
    training images' statistics alone, so nothing about the held-out images leaks
    into training; pixels that are blank in every training image become 0.

    Args:
        standardise: scale each pixel as above (``False``: the raw intensities 0 to 16).

    Returns:
        A :class:`Split` of new arrays: ``train_inputs`` ``(1400, 64)`` and
        ``held_out_inputs`` ``(397, 64)`` float64, ``train_labels`` and
        ``held_out_labels`` int64, each set in the order of :func:`digits`.

    Example:
        >>> data = split()
        >>> data.train_inputs.shape, data.held_out_inputs.shape
        ((1400, 64), (397, 64))
        >>> sorted(set(data.held_out_labels.tolist())) == list(range(10))
        True
        >>> bool(abs(data.train_inputs.mean(axis=0)).max() < 1e-12)
        True

    References:
        Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed.,
        2009, section 7.2 (why error on the training data underestimates error on new data).
    """
    if not isinstance(standardise, bool):
        raise TypeError(f"split() expects standardise to be True or False, got {standardise!r}")
    images, labels = _load()
    held = _held_out_mask()
    train_inputs = images[~held].astype(np.float64)
    held_out_inputs = images[held].astype(np.float64)
    if standardise:
        mean, spread = train_inputs.mean(axis=0), train_inputs.std(axis=0)
        for inputs in (train_inputs, held_out_inputs):
            inputs -= mean
            # Pixels blank in every training image: leave them at zero rather than divide by zero.
            np.divide(inputs, spread, out=inputs, where=spread > 0)
            inputs[:, spread == 0] = 0.0
    return Split(train_inputs, labels[~held].copy(), held_out_inputs, labels[held].copy())
