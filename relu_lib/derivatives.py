"""Elementwise derivatives of the activations, with PyTorch autograd's conventions at the kinks.

``derivative(fn)`` returns the derivative of an elementwise activation; it takes
the same arguments and keywords as ``fn``. At a kink the value is the one
autograd returns: ReLU'(0) = 0, ReLU6'(0) = ReLU6'(6) = 0, Leaky ReLU'(0) = the
slope, ELU'(0) = alpha. Softplus' switches to exactly 1 above ``threshold``,
as PyTorch's does.

Two places differ from autograd, on purpose: NaN in gives NaN out (autograd's
piecewise kernels return a branch value, ReLU'(nan) = 1), and the infinities
get the limit of the derivative where autograd's formula evaluates
``inf * 0`` (GELU'(inf) = 1 rather than NaN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _kernels as k
from . import activations as act
from ._arrays import ArrayLike, check_real_parameter, elementwise

__all__ = [
    "derivative",
    "elu_derivative",
    "gelu_derivative",
    "leaky_relu_derivative",
    "prelu_derivative",
    "relu6_derivative",
    "relu_derivative",
    "selu_derivative",
    "sigmoid_derivative",
    "silu_derivative",
    "softplus_derivative",
    "tanh_derivative",
]

_INV_SQRT_2PI = 0.3989422804014327


def _piecewise(build: k.Kernel) -> k.Kernel:
    """A piecewise-constant derivative that returns NaN where x is NaN."""

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # The NaNs are located before res, which may be x itself, is written.
        nan_at = np.isnan(v) if k.has_nan(v) else None
        build(v, res)
        if nan_at is not None:
            res[nan_at] = np.nan

    return kernel


def _relu_slope(v: np.ndarray, res: np.ndarray) -> None:
    k.indicator(v, res)


def _relu6_slope(v: np.ndarray, res: np.ndarray) -> None:
    # [0 < x < 6]: 1 on (0, 6), 0 elsewhere, both kinks included.
    k.indicator(v, res, below=6.0)


def _two_level(v: np.ndarray, res: np.ndarray, above: np.ndarray | float, below: np.ndarray | float) -> None:
    """``res = above if x > 0 else below`` (x <= 0 and NaN take ``below``)."""
    high, low = np.asarray(above, v.dtype), np.asarray(below, v.dtype)
    step = high - low  # in x's dtype: the sum checked below must round as the kernel's will
    np.greater(v, 0, out=res)
    if np.array_equal(step + low, np.broadcast_to(high, np.broadcast(step, low).shape)):
        # below + [x > 0] * (above - below), exact for these constants: no mask pass.
        res *= step
        res += low
    else:
        chosen = np.where(res > 0, high, low)
        np.copyto(res, chosen)


@elementwise
def relu_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.relu`.

    .. math::
        \mathrm{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    At the kink autograd's convention ReLU'(0) = 0 is used: 0 is a valid
    subgradient, and it keeps units with zero input from updating.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype of zeros and ones (NaN where x is NaN).

    Example:
        >>> relu_derivative([-1.0, 0.0, 2.0])
        array([0., 0., 1.])

    References:
        Glorot, Bordes & Bengio, *Deep sparse rectifier neural networks*, AISTATS 2011.
    """
    return k.evaluate(_relu_slope, x, out, exact=True)


@elementwise
def relu6_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.relu6`.

    .. math::
        \mathrm{relu6}'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}

    Both kinks, 0 and 6, get 0, as in autograd.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype of zeros and ones (NaN where x is NaN).

    Example:
        >>> relu6_derivative([0.0, 3.0, 6.0])
        array([0., 1., 0.])

    References:
        Krizhevsky, *Convolutional deep belief networks on CIFAR-10*, 2010.
    """
    return k.evaluate(_relu6_slope, x, out, exact=True)


@elementwise
def leaky_relu_derivative(x: ArrayLike, negative_slope: float = 0.01, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.leaky_relu`.

    .. math::
        \mathrm{leaky\_relu}'(x) = \begin{cases} 1 & x > 0 \\ \text{negative\_slope} & x \le 0 \end{cases}

    Never zero for a non-zero slope, so a Leaky ReLU unit cannot die.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        negative_slope: slope for negative input, a finite real number.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (NaN where x is NaN).

    Example:
        >>> leaky_relu_derivative([-1.0, 0.0, 2.0])
        array([0.01, 0.01, 1.  ])

    References:
        Maas, Hannun & Ng, *Rectifier nonlinearities improve neural network
        acoustic models*, ICML 2013.
    """
    slope = check_real_parameter(negative_slope, "negative_slope", "leaky_relu_derivative")

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        k.indicator(v, res, low=slope)

    # A slope beyond float16's range overflows when cast to it: only then are warnings to be silenced.
    return k.evaluate(kernel, x, out, native=True, exact=abs(slope) < 65504)


@elementwise
def prelu_derivative(x: ArrayLike, weight: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.prelu` with respect to x.

    .. math::
        \mathrm{prelu}'(x) = \begin{cases} 1 & x > 0 \\ a_c & x \le 0 \end{cases}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        weight: the slope(s), as for :func:`~relu_lib.activations.prelu`.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (NaN where x is NaN).

    Example:
        >>> prelu_derivative([[-2.0, 3.0]], [0.25, 0.5])
        array([[0.25, 1.  ]])

    References:
        He, Zhang, Ren & Sun, *Delving deep into rectifiers*, ICCV 2015.
    """
    w = act.prelu_weight(weight, x, "prelu_derivative")
    kernel = _piecewise(lambda v, res: _two_level(v, res, 1.0, w))
    return k.evaluate(kernel, x, out, native=True)


def _elu_derivative_kernel(alpha: float, scale: float) -> k.Kernel:
    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # scale * alpha * exp(min(x, 0)) + [x > 0] * (scale - scale * alpha): the left
        # branch at and below the kink, and exactly scale above it (exp(0) = 1). NaN
        # stays NaN through exp, and exp(min(x, 0)) cannot overflow.
        left = v.dtype.type(alpha * scale)
        right = v.dtype.type(scale)
        negative = k.min0(v, np.empty_like(v))
        np.exp(negative, out=negative)
        negative *= left
        step = right - left
        np.greater(v, 0, out=res)
        if step + left == right:
            res *= step
            res += negative
        else:
            positive = res > 0
            np.copyto(res, negative)
            res[positive] = right

    return kernel


@elementwise
def elu_derivative(x: ArrayLike, alpha: float = 1.0, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.elu`.

    .. math::
        \mathrm{elu}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}

    At 0 the left branch is taken, as in autograd: ELU'(0) = alpha.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        alpha: as for :func:`~relu_lib.activations.elu`.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (NaN where x is NaN).

    Example:
        >>> elu_derivative([-1.0, 0.0, 2.0]).round(4)
        array([0.3679, 1.    , 1.    ])

    References:
        Clevert, Unterthiner & Hochreiter, *Fast and accurate deep network
        learning by exponential linear units (ELUs)*, ICLR 2016.
    """
    a = check_real_parameter(alpha, "alpha", "elu_derivative")
    return k.evaluate(_elu_derivative_kernel(a, 1.0), x, out)


@elementwise
def selu_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.selu`.

    .. math::
        \mathrm{selu}'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype (NaN where x is NaN).

    Example:
        >>> selu_derivative([-1.0, 0.0, 2.0]).round(4)
        array([0.6468, 1.7581, 1.0507])

    References:
        Klambauer, Unterthiner, Mayr & Hochreiter, *Self-normalizing neural
        networks*, NeurIPS 2017.
    """
    return k.evaluate(_elu_derivative_kernel(act.SELU_ALPHA, act.SELU_SCALE), x, out)


@elementwise
def gelu_derivative(x: ArrayLike, approximate: str = "none", *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.gelu`.

    .. math::
        \mathrm{gelu}'(x) = \Phi(x) + x\,\varphi(x)
        \quad\text{or, for the tanh form,}\quad
        \sigma(2u) + 2x\,\sigma(2u)\,\sigma(-2u)\,u'(x)

    with :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`. Its limits are 1 at
    :math:`+\infty` and 0 at :math:`-\infty`, returned there (autograd gives NaN).

    Args:
        x: input, a real scalar, a (nested) list or an array.
        approximate: ``"none"`` or ``"tanh"``, as for :func:`~relu_lib.activations.gelu`.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype.

    Example:
        >>> gelu_derivative([-float("inf"), 0.0, 1.0, float("inf")]).round(4)
        array([0.    , 0.5   , 1.0833, 1.    ])

    References:
        Hendrycks & Gimpel, *Gaussian error linear units (GELUs)*, arXiv:1606.08415, 2016.
    """
    mode = act.check_approximate(approximate, "gelu_derivative")

    def exact(v: np.ndarray, res: np.ndarray) -> None:
        # Clipped at +-SATURATED, where Phi is exactly 0 or 1 and x phi(x) exactly 0:
        # no inf * 0 at the infinities, no overflow in x**2.
        xc = np.clip(v, -k.SATURATED, k.SATURATED)
        np.square(xc, out=res)
        res *= -0.5
        np.exp(res, out=res)
        res *= xc
        res *= _INV_SQRT_2PI
        res += k.ndtr(xc, xc)

    def tanh_form(v: np.ndarray, res: np.ndarray) -> None:
        # With A = 2u: sigmoid(A) + x A'(x) sigmoid(A) sigmoid(-A), where
        # sigmoid(A) sigmoid(-A) = e / (1 + e)**2 for e = exp(-|A|) in (0, 1].
        # The one kernel with two temporaries: sigmoid(A), x and A are all needed at once.
        xc = np.clip(v, -k.SATURATED, k.SATURATED)
        a = act.gelu_tanh_argument(xc)
        np.square(xc, out=res)
        res *= 3 * act.GELU_CUBIC
        res += 1
        res *= 2 * act.SQRT_2_OVER_PI
        res *= xc  # x A'(x)
        np.abs(a, out=xc)
        np.negative(xc, out=xc)
        np.exp(xc, out=xc)  # e
        res *= xc
        xc += 1
        res /= xc
        res /= xc
        res += k.sigmoid_into(a, a)

    return k.evaluate(exact if mode == "none" else tanh_form, x, out)


@elementwise
def silu_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.silu`.

    .. math::
        \mathrm{silu}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)

    Its limits, 1 at :math:`+\infty` and 0 at :math:`-\infty`, are returned there.
    Its minimum, about -0.0998 at x = -2.3994, makes SiLU non-monotonic.

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype.

    Example:
        >>> silu_derivative([-float("inf"), 0.0, 1.0, float("inf")]).round(4)
        array([0.    , 0.5   , 0.9277, 1.    ])

    References:
        Elfwing, Uchibe & Doya, *Sigmoid-weighted linear units for neural
        network function approximation in reinforcement learning*, Neural
        Networks 2018.
    """

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        # With e = exp(-x): (1 + x e / (1 + e)) / (1 + e). x is clipped where exp(-x)
        # stays finite in the dtype; the derivative has saturated long before.
        # Below -bound the true value, about (1 + x) e^x, is under 1e-33 (float32) or
        # 1e-301 (float64); there the limit, 0, is returned.
        bound = 80.0 if v.dtype == np.float32 else 700.0
        far_left = v < -bound
        xe = np.clip(v, -bound, bound)
        np.negative(xe, out=res)
        np.exp(res, out=res)
        xe *= res
        res += 1
        xe /= res
        xe += 1
        np.divide(xe, res, out=res)
        if far_left.any():
            res[far_left] = 0.0

    return k.evaluate(kernel, x, out)


@elementwise
def softplus_derivative(
    x: ArrayLike, beta: float = 1.0, threshold: float = 20.0, *, out: np.ndarray | None = None
) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.softplus`.

    .. math::
        \mathrm{softplus}'(x) = \begin{cases}
            \sigma(\beta x) & \beta x \le \text{threshold} \\
            1 & \beta x > \text{threshold}
        \end{cases}

    Args:
        x: input, a real scalar, a (nested) list or an array.
        beta: as for :func:`~relu_lib.activations.softplus`.
        threshold: as for :func:`~relu_lib.activations.softplus`.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype in :math:`[0, 1]`.

    Example:
        >>> softplus_derivative([-float("inf"), 0.0, 2.0, 30.0]).round(4)
        array([0.    , 0.5   , 0.8808, 1.    ])

    References:
        Dugas, Bengio, Belisle, Nadeau & Garcia, *Incorporating second-order
        functional knowledge for better option pricing*, NeurIPS 2000.
    """
    b, t = act.check_softplus(beta, threshold, "softplus_derivative")

    def kernel(v: np.ndarray, res: np.ndarray) -> None:
        scaled = np.multiply(v, b) if b != 1.0 else v.copy()
        above = scaled > t
        k.sigmoid_into(scaled, res)
        if above.any():
            res[above] = 1

    return k.evaluate(kernel, x, out)


@elementwise
def sigmoid_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.sigmoid`; at most 1/4, reached at 0.

    .. math::
        \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype in :math:`[0, 1/4]`.

    Example:
        >>> sigmoid_derivative([-10.0, 0.0, 10.0]).round(6)
        array([4.5e-05, 2.5e-01, 4.5e-05])

    References:
        Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press 2016, ch. 6.
    """
    return k.evaluate(k.sigmoid_slope_into, x, out)


@elementwise
def tanh_derivative(x: ArrayLike, *, out: np.ndarray | None = None) -> Any:
    r"""Derivative of :func:`~relu_lib.activations.tanh`; at most 1, reached at 0.

    .. math::
        \tanh'(x) = 1 - \tanh^2(x)

    Args:
        x: input, a real scalar, a (nested) list or an array.
        out: optional array of the result's shape and dtype to write into.

    Returns:
        An array of x's floating dtype in :math:`[0, 1]`.

    Example:
        >>> tanh_derivative([-3.0, 0.0, 3.0]).round(4)
        array([0.0099, 1.    , 0.0099])

    References:
        Goodfellow, Bengio & Courville, *Deep Learning*, MIT Press 2016, ch. 6.
    """
    return k.evaluate(_tanh_slope, x, out)


def _tanh_slope(v: np.ndarray, res: np.ndarray) -> None:
    np.tanh(v, out=res)
    np.square(res, out=res)
    np.subtract(1, res, out=res)


_DERIVATIVES: dict[Callable[..., Any], Callable[..., Any]] = {
    act.relu: relu_derivative,
    act.relu6: relu6_derivative,
    act.leaky_relu: leaky_relu_derivative,
    act.prelu: prelu_derivative,
    act.elu: elu_derivative,
    act.selu: selu_derivative,
    act.gelu: gelu_derivative,
    act.silu: silu_derivative,
    act.softplus: softplus_derivative,
    act.sigmoid: sigmoid_derivative,
    act.tanh: tanh_derivative,
}


def derivative(fn: Callable[..., Any] | str) -> Callable[..., Any]:
    r"""The elementwise derivative of an activation, taking the same arguments.

    .. math::
        \texttt{derivative}(f)(x, \ldots) = \frac{\partial f(x, \ldots)}{\partial x}

    Args:
        fn: an elementwise activation of :mod:`relu_lib`, or its name.

    Returns:
        A function with ``fn``'s signature that returns :math:`f'(x)`
        elementwise, with autograd's values at the kinks.

    Raises:
        TypeError: ``fn`` is not an elementwise activation of :mod:`relu_lib`
            (``maxout`` is not elementwise).

    Example:
        >>> from relu_lib import derivative, leaky_relu
        >>> derivative(leaky_relu)([-3.0, 0.0, 3.0], negative_slope=0.2)
        array([0.2, 0.2, 1. ])
        >>> derivative("relu")(0.0)
        np.float64(0.0)

    References:
        Paszke et al., *Automatic differentiation in PyTorch*, 2017 (the conventions at kinks).
    """
    if isinstance(fn, str):
        by_name = {f.__name__: d for f, d in _DERIVATIVES.items()}
        if fn not in by_name:
            raise TypeError(f"derivative() knows the elementwise activations {sorted(by_name)}, got the name {fn!r}")
        return by_name[fn]
    if fn is act.maxout:
        raise TypeError("derivative() needs an elementwise activation; maxout reduces groups of values")
    try:
        return _DERIVATIVES[fn]
    except (KeyError, TypeError):
        raise TypeError(
            "derivative() needs an elementwise activation of relu_lib such as relu_lib.relu, got "
            f"{getattr(fn, '__qualname__', type(fn).__name__)}"
        ) from None
