"""The data the experiments train on: scikit-learn's handwritten digits, which ship with it.

scikit-learn is imported inside :func:`digits`, so ``import relu_lib`` stays light;
install it with ``pip install relu_lib[experiments]``. Nothing is downloaded: the
1,797 images are part of scikit-learn's own package.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["CLASSES", "FEATURES", "digits"]

CLASSES = 10
"""The number of classes in :func:`digits`: the digits 0 to 9."""

FEATURES = 64
"""The number of inputs of :func:`digits`: 8 x 8 pixels."""


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
