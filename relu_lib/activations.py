"""The activation functions, named and defaulted as in ``torch.nn.functional``.

Every function takes a real scalar, a (nested) list or an array; keeps float16,
float32 and float64; turns integers and booleans into float64; propagates NaN;
returns the mathematical limit at +-inf (where PyTorch's formulas give NaN, as
for ``gelu(-inf)`` or ``silu(-inf)``); never overflows or warns; and writes into
``out=`` when given one. Array in, array out; scalar in, numpy scalar out.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import _kernels as k
from ._arrays import ArrayLike, as_real_array, check_out, check_real_parameter, elementwise, finish

__all__ = [
    "SELU_ALPHA",
    "SELU_SCALE",
    "elu",
    "gelu",
    "leaky_relu",
    "maxout",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "tanh",
]

SELU_ALPHA = 1.6732632423543772848170429916717
"""SELU's :math:`\\alpha`, the fixed point that keeps unit variance (Klambauer et al., 2017)."""
SELU_SCALE = 1.0507009873554804934193349852946
"""SELU's :math:`\\lambda` (Klambauer et al., 2017)."""

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715
_GELU_APPROXIMATIONS = ("none", "tanh")


@elementwise
def relu(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Rectified linear unit.

    .. math::
        \mathrm{relu}(x) = \max(0, x) = \begin{cases} x & x \ge 0 \\ 0 & x < 0 \end{cases}

    Like PyTorch, ``relu(-0.0)`` is ``-0.0`` and ``relu(nan)`` is ``nan``.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into;
            ``out=x`` rectifies in place.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> relu([7.2, -5.5, 1000.0, -1000.0, 0.0])
        array([   7.2,    0. , 1000. ,    0. ,    0. ])

    References:
        Nair & Hinton, *Rectified linear units improve restricted Boltzmann
        machines*, ICML 2010; Glorot, Bordes & Bengio, *Deep sparse rectifier
        neural networks*, AISTATS 2011.
    """
    return k.evaluate(k.max0, x, out, exact=True)


@elementwise
def relu6(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""ReLU capped at 6.

    .. math::
        \mathrm{relu6}(x) = \min(\max(0, x), 6)

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> relu6([-3.0, 0.5, 6.0, 7.5])
        array([0. , 0.5, 6. , 6. ])

    References:
        Krizhevsky, *Convolutional deep belief networks on CIFAR-10*, 2010.
    """
    return k.evaluate(k.relu6_into, x, out, exact=True)


def _negative_part_kernel(slope: np.ndarray | float) -> k.Kernel:
    """``x if x > 0 else slope * x``, for Leaky ReLU and PReLU."""

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        s = v.dtype.type(slope) if isinstance(slope, float) else np.asarray(slope, dtype=v.dtype)
        if s.size == 1 and 0 < s:
            # For 0 < s <= 1, s * x is above x exactly when x < 0, so the branch is a
            # maximum (a minimum for s > 1): no mask, signed zeros kept (or one compiled loop).
            k.against_scaled(np.maximum if s <= 1 else np.minimum, v, s, res)
            return
        if (s > 0).all() and ((s <= 1).all() or (s > 1).all()):
            scaled = np.multiply(v, s)
            (np.maximum if (s <= 1).all() else np.minimum)(v, scaled, out=res)
            return
        # Zero, negative or mixed slopes: the definition itself, a masked multiply (x <= 0
        # and NaN are scaled), with 0 * -inf read as its limit, -0.0. Copying x onto res
        # is harmless when res is x.
        scale_here = v > 0
        np.logical_not(scale_here, out=scale_here)
        zero_times_inf = np.isneginf(v) & (s == 0) if (s == 0).any() else None
        np.copyto(res, v)
        np.multiply(res, s, out=res, where=scale_here)
        if zero_times_inf is not None:
            res[zero_times_inf] = -0.0

    return kernel


@elementwise
def leaky_relu(x: ArrayLike, negative_slope: float = 0.01, *, out: np.ndarray | None = None) -> Any:
    r"""Leaky ReLU: a small slope instead of zero for negative input.

    .. math::
        \mathrm{leaky\_relu}(x) = \begin{cases} x & x > 0 \\ \text{negative\_slope} \cdot x & x \le 0 \end{cases}

    The default slope, 0.01, is PyTorch's and JAX's. Keras has two defaults (read from
    Keras 3.15's signatures): 0.2 for the function ``keras.activations.leaky_relu`` (and
    ``activation="leaky_relu"``; ``tf.nn.leaky_relu``'s ``alpha`` is 0.2 too) and 0.3
    for the layer ``keras.layers.LeakyReLU``. Pass the slope explicitly when porting.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        negative_slope: slope for negative input, a finite real number.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> leaky_relu([-100.0, -1.0, 0.0, 2.0])
        array([-1.  , -0.01,  0.  ,  2.  ])

    References:
        Maas, Hannun & Ng, *Rectifier nonlinearities improve neural network
        acoustic models*, ICML 2013.
    """
    slope = check_real_parameter(negative_slope, "negative_slope", "leaky_relu")
    if x.dtype != np.float16:
        s = x.dtype.type(slope)
        if 0 < s <= 1 and np.geterr()["under"] == "ignore":
            # max(x, s x) in the input's own dtype: |s x| <= |x| cannot overflow, max
            # raises nothing, and an underflow to a subnormal is ignored by numpy's
            # default, so evaluate()'s switch of the error state (a microsecond and a
            # half, a tenth of a call on 1e5 values) is needed only when the caller
            # has asked numpy to report underflow.
            return k.against_scaled(np.maximum, x, s, np.empty_like(x) if out is None else out)
    # float16 runs in float32 and is rounded once, as PyTorch's kernel does: the product
    # slope * x rounds to the same half as PyTorch's only when formed in float32.
    return k.evaluate(_negative_part_kernel(slope), x, out)


def prelu_weight(weight: ArrayLike, arr: np.ndarray, name: str) -> np.ndarray:
    """Check PReLU's ``weight`` and shape it to broadcast along x's channel axis (axis 1)."""
    w = as_real_array(weight, name, "weight")
    if w.ndim > 1:
        raise ValueError(f"{name}() weight must be a scalar or 1-D, got shape {w.shape}")
    if w.size == 0:
        raise ValueError(f"{name}() weight is empty; give one slope, or one per channel")
    if w.size > 1 and arr.ndim < 2:
        # The elementwise wrapper hands scalars over as shape (1,): both are one channel, as in PyTorch.
        raise ValueError(
            f"{name}() weight has {w.size} slopes, one per channel, but x of {arr.ndim} dimension(s) has "
            "one channel (as in PyTorch, the channel axis is axis 1); give one slope"
        )
    if w.size > 1 and arr.shape[1] != w.size:
        raise ValueError(
            f"{name}() weight has {w.size} slopes, one per channel, but x has {arr.shape[1]} "
            "along its channel axis (axis 1)"
        )
    shape = () if w.size == 1 else (w.size,) + (1,) * (arr.ndim - 2)
    # A slope beyond x's dtype becomes infinite, as PyTorch's cast makes it.
    with np.errstate(over="ignore"):
        return w.reshape(shape).astype(arr.dtype)


@elementwise
def prelu(x: ArrayLike, weight: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Parametric ReLU: Leaky ReLU whose slope is a learned parameter.

    .. math::
        \mathrm{prelu}(x) = \begin{cases} x & x > 0 \\ a_c \, x & x \le 0 \end{cases}

    As in PyTorch, ``weight`` holds one slope shared by all channels or one
    slope per channel, the channel axis being axis 1; a scalar or 1-D input is
    one channel and takes one slope.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        weight: the slope(s) :math:`a`, a scalar or a 1-D array of length 1 or
            the number of channels.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> prelu([[-2.0, 3.0], [-2.0, 3.0]], 0.25)
        array([[-0.5,  3. ],
               [-0.5,  3. ]])

    References:
        He, Zhang, Ren & Sun, *Delving deep into rectifiers: surpassing
        human-level performance on ImageNet classification*, ICCV 2015.
    """
    w = prelu_weight(weight, x, "prelu")
    return k.evaluate(_negative_part_kernel(w), x, out, native=True)


def _elu_kernel(alpha: float, scale: float) -> k.Kernel:
    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # scale * max(x, -0.0) + scale * alpha * expm1(min(x, 0)): the branch as
        # arithmetic, exact on both sides (expm1(0) = 0), with no overflow for large x.
        # max(x, -0.0) is -0.0 for every x <= 0, so adding it leaves the left branch,
        # signed zero included, exactly as PyTorch computes it.
        negative = k.min0(v, np.empty_like(v))
        np.expm1(negative, out=negative)
        negative *= alpha * scale
        np.maximum(v, v.dtype.type(-0.0), out=res)
        if scale != 1.0:
            res *= scale
        res += negative

    return kernel


@elementwise
def elu(x: ArrayLike, alpha: float = 1.0, *, out: np.ndarray | None = None) -> Any:
    r"""Exponential linear unit.

    .. math::
        \mathrm{elu}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        alpha: the value ELU saturates to, negated, as :math:`x \to -\infty`.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> elu([-float("inf"), -1.0, 0.0, 2.0]).round(4)
        array([-1.    , -0.6321,  0.    ,  2.    ])

    References:
        Clevert, Unterthiner & Hochreiter, *Fast and accurate deep network
        learning by exponential linear units (ELUs)*, ICLR 2016.
    """
    a = check_real_parameter(alpha, "alpha", "elu")
    return k.evaluate(_elu_kernel(a, 1.0), x, out)


@elementwise
def selu(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Scaled exponential linear unit, the self-normalising activation.

    .. math::
        \mathrm{selu}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}
        \qquad \alpha \approx 1.6733,\; \lambda \approx 1.0507

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> selu([-float("inf"), 0.0, 1.0]).round(4)
        array([-1.7581,  0.    ,  1.0507])

    References:
        Klambauer, Unterthiner, Mayr & Hochreiter, *Self-normalizing neural
        networks*, NeurIPS 2017.
    """
    return k.evaluate(_elu_kernel(SELU_ALPHA, SELU_SCALE), x, out)


def check_approximate(approximate: Any, name: str) -> str:
    """Validate GELU's ``approximate`` keyword."""
    if approximate not in _GELU_APPROXIMATIONS:
        raise ValueError(f"{name}() approximate must be 'none' or 'tanh', got {approximate!r}")
    return approximate


def gelu_tanh_argument(v: np.ndarray) -> np.ndarray:
    """:math:`2\\sqrt{2/\\pi}(x + 0.044715 x^3)`, so that ``1 + tanh(u) = 2 sigmoid(2u)``."""
    inner = v * v
    inner *= GELU_CUBIC
    inner += 1
    inner *= v
    inner *= 2 * SQRT_2_OVER_PI
    return inner


@elementwise
def gelu(x: ArrayLike, approximate: str = "none", *, out: np.ndarray | None = None) -> Any:
    r"""Gaussian error linear unit: x weighted by the probability that a standard normal is below it.

    .. math::
        \mathrm{gelu}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}\frac{x}{\sqrt 2}\right)
        \approx \frac{x}{2}\left(1 + \tanh\!\left[\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right]\right)

    The exact form uses the normal CDF, accurate far into the lower tail; the
    tanh form is evaluated as :math:`x\,\sigma(2u)`, the same function without
    the cancellation in :math:`1 + \tanh u`.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        approximate: ``"none"`` for the exact form, ``"tanh"`` for the
            approximation.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> gelu([-float("inf"), -1.0, 0.0, 1.0, float("inf")]).round(4)
        array([-0.    , -0.1587,  0.    ,  0.8413,     inf])
        >>> gelu([-1.0, 1.0], approximate="tanh").round(4)
        array([-0.1588,  0.8412])

    References:
        Hendrycks & Gimpel, *Gaussian error linear units (GELUs)*, arXiv:1606.08415, 2016.
    """
    mode = check_approximate(approximate, "gelu")

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        if mode == "tanh":
            weight = gelu_tanh_argument(v)
            k.sigmoid_into(weight, weight)
        else:
            weight = k.ndtr(v, np.empty_like(v))
        # Below -SATURATED the weight is exactly 0; clipping x there turns -inf * 0 into -0.0.
        np.maximum(v, -k.SATURATED, out=res)
        res *= weight

    return k.evaluate(kernel, x, out)


@elementwise
def silu(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Sigmoid-weighted linear unit, also called Swish.

    .. math::
        \mathrm{silu}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> silu([-float("inf"), -1.0, 0.0, 1.0]).round(4)
        array([-0.    , -0.2689,  0.    ,  0.7311])

    References:
        Elfwing, Uchibe & Doya, *Sigmoid-weighted linear units for neural
        network function approximation in reinforcement learning*, Neural
        Networks 2018; Ramachandran, Zoph & Le, *Searching for activation
        functions*, 2017.
    """

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # x / (1 + exp(-x)), PyTorch's formula; the clipped numerator reads -inf / inf as -0.0.
        denominator = np.negative(v)
        np.exp(denominator, out=denominator)
        denominator += 1
        np.maximum(v, -k.SATURATED, out=res)
        res /= denominator

    return k.evaluate(kernel, x, out)


def check_softplus(beta: Any, threshold: Any, name: str) -> tuple[float, float]:
    """Validate Softplus's ``beta`` (positive) and ``threshold`` (finite)."""
    return (
        check_real_parameter(beta, "beta", name, positive=True),
        check_real_parameter(threshold, "threshold", name),
    )


@elementwise
def softplus(x: ArrayLike, beta: float = 1.0, threshold: float = 20.0, *, out: np.ndarray | None = None) -> Any:
    r"""Softplus, a smooth ReLU; linear above ``threshold`` as in PyTorch.

    .. math::
        \mathrm{softplus}(x) = \begin{cases}
            \frac{1}{\beta}\log\left(1 + e^{\beta x}\right) & \beta x \le \text{threshold} \\
            x & \beta x > \text{threshold}
        \end{cases}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        beta: sharpness, a positive real number; larger is closer to ReLU.
        threshold: above this value of :math:`\beta x` the function is the
            identity, exactly as PyTorch switches.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (a numpy scalar for scalar input).

    Example:
        >>> softplus([-float("inf"), 0.0, 1.0, 30.0]).round(4)
        array([ 0.    ,  0.6931,  1.3133, 30.    ])

    References:
        Dugas, Bengio, Belisle, Nadeau & Garcia, *Incorporating second-order
        functional knowledge for better option pricing*, NeurIPS 2000.
    """
    b, t = check_softplus(beta, threshold, "softplus")

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # log(1 + e^z) / beta = max(x, 0) + log1p(e^-|z|) / beta with z = beta x: no
        # overflow. Above the threshold the tail is dropped (exp(-inf) = 0), which
        # leaves exactly x when the threshold is not negative.
        tail = np.multiply(v, b) if b != 1.0 else v.copy()
        above = tail > t
        np.abs(tail, out=tail)
        np.negative(tail, out=tail)
        if above.any():
            tail[above] = -np.inf
        np.exp(tail, out=tail)
        np.log1p(tail, out=tail)
        if b != 1.0:
            tail /= b
        if t >= 0:
            k.max0(v, res)
        else:
            # A negative threshold puts some x < 0 above it, where the result is x
            # itself, not max(x, 0): clamp only below the threshold.
            np.copyto(res, v)
            np.logical_not(above, out=above)
            np.maximum(res, 0, out=res, where=above)
        res += tail

    return k.evaluate(kernel, x, out)


@elementwise
def sigmoid(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Logistic sigmoid.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype in :math:`[0, 1]` (a numpy scalar for scalar input).

    Example:
        >>> sigmoid([-float("inf"), 0.0, 2.0]).round(4)
        array([0.    , 0.5   , 0.8808])

    References:
        Rumelhart, Hinton & Williams, *Learning representations by
        back-propagating errors*, Nature 1986.
    """
    return k.evaluate(k.sigmoid_into, x, out)


@elementwise
def tanh(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Hyperbolic tangent.

    .. math::
        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype in :math:`[-1, 1]` (a numpy scalar for scalar input).

    Example:
        >>> tanh([-float("inf"), 0.0, 1.0]).round(4)
        array([-1.    ,  0.    ,  0.7616])

    References:
        LeCun, Bottou, Orr & Müller, *Efficient BackProp*, in Neural Networks:
        Tricks of the Trade, 1998.
    """
    return k.evaluate(_tanh_kernel, x, out)


def _tanh_kernel(v: np.ndarray, res: np.ndarray) -> None:
    np.tanh(v, out=res)


def maxout(x: ArrayLike, pieces: int, axis: int = -1, *, out: np.ndarray | None = None) -> Any:
    r"""Maxout: the maximum over consecutive groups of ``pieces`` values along ``axis``.

    .. math::
        \mathrm{maxout}(x)_i = \max_{j \in \{0, \dots, k-1\}} x_{ik + j}, \qquad k = \text{pieces}

    Maxout is not elementwise: it shrinks ``axis`` from ``n`` to ``n / pieces``.
    With the pair :math:`(z, 0)` it is ReLU; with :math:`(z, a z)` it is
    Leaky ReLU. NaN in a group makes that group's output NaN.

    Args:
        x: input, a real array with at least one axis.
        pieces: group size :math:`k`, a positive integer dividing ``x.shape[axis]``.
        axis: the axis holding the groups.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype with ``axis`` divided by ``pieces``.

    Example:
        >>> maxout([[1.0, -2.0, 3.0, 0.5]], pieces=2)
        array([[1., 3.]])

    References:
        Goodfellow, Warde-Farley, Mirza, Courville & Bengio, *Maxout
        networks*, ICML 2013.
    """
    arr = as_real_array(x, "maxout")
    if isinstance(pieces, (bool, np.bool_)) or not isinstance(pieces, (numbers.Integral, np.integer)):
        raise TypeError(f"maxout() pieces must be a positive integer, got {type(pieces).__name__} {pieces!r}")
    if pieces < 1:
        raise ValueError(f"maxout() pieces must be a positive integer, got {pieces}")
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"maxout() axis must be an integer, got {type(axis).__name__} {axis!r}")
    if arr.ndim == 0:
        raise ValueError("maxout() needs an array with at least one axis, got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"maxout() axis {axis} is out of range for an array with {arr.ndim} axes")
    axis = int(axis) % arr.ndim
    size = arr.shape[axis]
    if size % pieces:
        raise ValueError(f"maxout() needs x.shape[{axis}] = {size} to be divisible by pieces = {pieces}")
    grouped = arr.reshape((*arr.shape[:axis], size // pieces, pieces, *arr.shape[axis + 1 :]))
    check_out(out, grouped.shape[: axis + 1] + grouped.shape[axis + 2 :], arr.dtype, "maxout")
    return finish(np.max(grouped, axis=axis + 1, out=out), x, out)
