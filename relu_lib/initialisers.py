"""Weight initialisers: He (Kaiming), Xavier (Glorot) and LeCun, normal and uniform, seedable.

Shapes follow the Keras convention: a dense kernel is ``(fan_in, fan_out)`` and
a convolution kernel ``(*receptive_field, in_channels, out_channels)``, so
``x @ w`` maps a batch of ``fan_in`` features to ``fan_out``. PyTorch stores a
Linear weight transposed, ``(fan_out, fan_in)``; the variances are the same.

The normal variants draw from an untruncated normal, as the papers and
``torch.nn.init`` do; Keras's ``HeNormal``, ``GlorotNormal`` and ``LecunNormal``
draw from a normal truncated at two standard deviations, rescaled to the same
variance.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

__all__ = [
    "fans",
    "he_normal",
    "he_uniform",
    "initialiser",
    "lecun_normal",
    "lecun_uniform",
    "xavier_normal",
    "xavier_uniform",
]

Seed = int | np.random.Generator | None


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a kernel of the given shape (Keras convention).

    Example:
        >>> fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = _check_shape(shape, "fans")
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _check_shape(shape: Sequence[int], name: str) -> tuple[int, ...]:
    if isinstance(shape, (numbers.Integral, np.integer)) or not hasattr(shape, "__len__"):
        raise TypeError(f"{name}() shape must be a sequence of at least two integers, got {shape!r}")
    if len(shape) < 2 or not all(
        isinstance(n, (numbers.Integral, np.integer)) and not isinstance(n, bool) for n in shape
    ):
        raise ValueError(
            f"{name}() shape must be at least two positive integers (fan_in, fan_out), got {tuple(shape)!r}"
        )
    if any(n < 1 for n in shape):
        raise ValueError(f"{name}() shape must hold positive integers, got {tuple(shape)!r}")
    return tuple(int(n) for n in shape)


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be a non-negative int, a numpy Generator or None, got {seed!r}")


def _draw(
    shape: Sequence[int], std: Callable[[int, int], float], distribution: str, seed: Seed, dtype: type, name: str
) -> np.ndarray:
    fan_in, fan_out = fans(_check_shape(shape, name))
    sigma = std(fan_in, fan_out)
    rng = _rng(seed)
    if distribution == "normal":
        w = rng.normal(0.0, sigma, size=tuple(shape))
    else:
        # Uniform on [-l, l] has variance l^2 / 3.
        limit = math.sqrt(3.0) * sigma
        w = rng.uniform(-limit, limit, size=tuple(shape))
    return w.astype(dtype)


def _he(fan_in: int, fan_out: int) -> float:
    return math.sqrt(2.0 / fan_in)


def _xavier(fan_in: int, fan_out: int) -> float:
    return math.sqrt(2.0 / (fan_in + fan_out))


def _lecun(fan_in: int, fan_out: int) -> float:
    return math.sqrt(1.0 / fan_in)


def he_normal(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""He (Kaiming) normal initialisation, for ReLU layers.

    .. math::
        W_{ij} \sim \mathcal N\!\left(0, \frac{2}{\text{fan\_in}}\right)

    The factor 2 compensates for ReLU zeroing half of its inputs, so the
    activation variance neither shrinks nor grows with depth.

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None (fresh entropy).
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> w = he_normal((1000, 500), seed=0)
        >>> round(float(w.std() ** 2 * 1000), 1)
        2.0

    References:
        He, Zhang, Ren & Sun, *Delving deep into rectifiers*, ICCV 2015.
    """
    return _draw(shape, _he, "normal", seed, dtype, "he_normal")


def he_uniform(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""He (Kaiming) uniform initialisation.

    .. math::
        W_{ij} \sim \mathcal U\!\left(-\sqrt{6/\text{fan\_in}},\ \sqrt{6/\text{fan\_in}}\right)

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None.
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> bool(abs(he_uniform((6, 4), seed=1)).max() <= 1.0)
        True

    References:
        He, Zhang, Ren & Sun, *Delving deep into rectifiers*, ICCV 2015.
    """
    return _draw(shape, _he, "uniform", seed, dtype, "he_uniform")


def xavier_normal(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""Xavier (Glorot) normal initialisation, for tanh and sigmoid layers.

    .. math::
        W_{ij} \sim \mathcal N\!\left(0, \frac{2}{\text{fan\_in} + \text{fan\_out}}\right)

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None.
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> w = xavier_normal((1000, 1000), seed=0)
        >>> round(float(w.var() * 1000), 2)
        1.0

    References:
        Glorot & Bengio, *Understanding the difficulty of training deep
        feedforward neural networks*, AISTATS 2010.
    """
    return _draw(shape, _xavier, "normal", seed, dtype, "xavier_normal")


def xavier_uniform(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""Xavier (Glorot) uniform initialisation.

    .. math::
        W_{ij} \sim \mathcal U(-l, l), \qquad l = \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None.
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> bool(abs(xavier_uniform((3, 3), seed=2)).max() <= 1.0)
        True

    References:
        Glorot & Bengio, *Understanding the difficulty of training deep
        feedforward neural networks*, AISTATS 2010.
    """
    return _draw(shape, _xavier, "uniform", seed, dtype, "xavier_uniform")


def lecun_normal(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""LeCun normal initialisation, the one SELU's self-normalisation assumes.

    .. math::
        W_{ij} \sim \mathcal N\!\left(0, \frac{1}{\text{fan\_in}}\right)

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None.
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> w = lecun_normal((1000, 500), seed=0)
        >>> round(float(w.var() * 1000), 1)
        1.0

    References:
        LeCun, Bottou, Orr & Müller, *Efficient BackProp*, 1998; Klambauer
        et al., *Self-normalizing neural networks*, NeurIPS 2017.
    """
    return _draw(shape, _lecun, "normal", seed, dtype, "lecun_normal")


def lecun_uniform(shape: Sequence[int], *, seed: Seed = None, dtype: type = np.float64) -> np.ndarray:
    r"""LeCun uniform initialisation.

    .. math::
        W_{ij} \sim \mathcal U\!\left(-\sqrt{3/\text{fan\_in}},\ \sqrt{3/\text{fan\_in}}\right)

    Args:
        shape: kernel shape, ``(fan_in, fan_out)`` or ``(*receptive_field, in, out)``.
        seed: an int, a ``numpy.random.Generator`` or None.
        dtype: floating dtype of the result.

    Returns:
        An array of ``shape``.

    Example:
        >>> bool(abs(lecun_uniform((3, 2), seed=3)).max() <= 1.0)
        True

    References:
        LeCun, Bottou, Orr & Müller, *Efficient BackProp*, 1998.
    """
    return _draw(shape, _lecun, "uniform", seed, dtype, "lecun_uniform")


_SCHEMES = {
    ("he", "normal"): he_normal,
    ("he", "uniform"): he_uniform,
    ("xavier", "normal"): xavier_normal,
    ("xavier", "uniform"): xavier_uniform,
    ("lecun", "normal"): lecun_normal,
    ("lecun", "uniform"): lecun_uniform,
}


def initialiser(
    init: Literal["he", "xavier", "lecun"], distribution: Literal["normal", "uniform"] = "normal"
) -> Callable[..., np.ndarray]:
    """The initialiser named by the experiments' ``init`` keyword.

    Example:
        >>> initialiser("he").__name__
        'he_normal'
    """
    if (init, distribution) not in _SCHEMES:
        raise ValueError(
            f"initialiser() takes init in ('he', 'xavier', 'lecun') and distribution in ('normal', 'uniform'), "
            f"got init={init!r}, distribution={distribution!r}"
        )
    return _SCHEMES[(init, distribution)]
