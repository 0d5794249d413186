"""Every activation with its metadata: the source of the book's comparison table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import activations as act
from .derivatives import derivative

__all__ = ["REGISTRY", "ActivationInfo", "get"]


@dataclass(frozen=True)
class ActivationInfo:
    """What the book says about one activation, in one place.

    Attributes:
        name: the function's name in :mod:`relu_lib` and ``torch.nn.functional``.
        function: the activation itself.
        formula: its definition in LaTeX (default parameters).
        output_range: its range of values in LaTeX, at default parameters.
        derivative_at_zero: f'(0) as autograd gives it (``None`` where f is not elementwise).
        paper: the paper that introduced or named it.
        year: that paper's year.
        citation: its key in the book's ``references.bib``.
        elementwise: whether ``derivative(function)`` exists.
        keywords: the default parameters the other columns assume.
    """

    name: str
    function: Callable[..., Any]
    formula: str
    output_range: str
    derivative_at_zero: float | None
    paper: str
    year: int
    citation: str
    elementwise: bool = True
    keywords: tuple[tuple[str, Any], ...] = ()

    @property
    def derivative(self) -> Callable[..., Any]:
        """The elementwise derivative (raises ``TypeError`` for maxout)."""
        return derivative(self.function)


_ENTRIES = (
    ActivationInfo(
        "relu",
        act.relu,
        r"\max(0, x)",
        r"[0, \infty)",
        0.0,
        "Rectified linear units improve restricted Boltzmann machines",
        2010,
        "nair2010rectified",
    ),
    ActivationInfo(
        "leaky_relu",
        act.leaky_relu,
        r"\max(0, x) + 0.01 \min(0, x)",
        r"(-\infty, \infty)",
        0.01,
        "Rectifier nonlinearities improve neural network acoustic models",
        2013,
        "maas2013rectifier",
        keywords=(("negative_slope", 0.01),),
    ),
    ActivationInfo(
        "prelu",
        act.prelu,
        r"\max(0, x) + a \min(0, x)",
        r"(-\infty, \infty)",
        0.25,
        "Delving deep into rectifiers",
        2015,
        "he2015delving",
        keywords=(("weight", 0.25),),
    ),
    ActivationInfo(
        "elu",
        act.elu,
        r"x \text{ if } x > 0 \text{ else } \alpha (e^{x} - 1)",
        r"(-\alpha, \infty)",
        1.0,
        "Fast and accurate deep network learning by exponential linear units (ELUs)",
        2016,
        "clevert2016elu",
        keywords=(("alpha", 1.0),),
    ),
    ActivationInfo(
        "selu",
        act.selu,
        r"\lambda\,(x \text{ if } x > 0 \text{ else } \alpha (e^{x} - 1))",
        r"(-\lambda\alpha, \infty)",
        act.SELU_SCALE * act.SELU_ALPHA,
        "Self-normalizing neural networks",
        2017,
        "klambauer2017selu",
    ),
    ActivationInfo(
        "gelu",
        act.gelu,
        r"x\,\Phi(x)",
        r"[\approx -0.17, \infty)",
        0.5,
        "Gaussian error linear units (GELUs)",
        2016,
        "hendrycks2016gelu",
        keywords=(("approximate", "none"),),
    ),
    ActivationInfo(
        "silu",
        act.silu,
        r"x\,\sigma(x)",
        r"[\approx -0.28, \infty)",
        0.5,
        "Sigmoid-weighted linear units for neural network function approximation",
        2018,
        "elfwing2018silu",
    ),
    ActivationInfo(
        "softplus",
        act.softplus,
        r"\log(1 + e^{x})",
        r"(0, \infty)",
        0.5,
        "Incorporating second-order functional knowledge for better option pricing",
        2000,
        "dugas2000softplus",
        keywords=(("beta", 1.0), ("threshold", 20.0)),
    ),
    ActivationInfo(
        "relu6",
        act.relu6,
        r"\min(\max(0, x), 6)",
        r"[0, 6]",
        0.0,
        "Convolutional deep belief networks on CIFAR-10",
        2010,
        "krizhevsky2010cifar",
    ),
    ActivationInfo(
        "sigmoid",
        act.sigmoid,
        r"1 / (1 + e^{-x})",
        r"(0, 1)",
        0.25,
        "Learning representations by back-propagating errors",
        1986,
        "rumelhart1986backprop",
    ),
    ActivationInfo("tanh", act.tanh, r"\tanh(x)", r"(-1, 1)", 1.0, "Efficient BackProp", 1998, "lecun1998efficient"),
    ActivationInfo(
        "maxout",
        act.maxout,
        r"\max_{j} x_{ij}",
        r"(-\infty, \infty)",
        None,
        "Maxout networks",
        2013,
        "goodfellow2013maxout",
        elementwise=False,
        keywords=(("pieces", 2),),
    ),
)

REGISTRY: dict[str, ActivationInfo] = {entry.name: entry for entry in _ENTRIES}
"""Every activation of :mod:`relu_lib` by name, in the order the book presents them."""


def get(name: str) -> ActivationInfo:
    """Look an activation up by name, with a message listing the names that exist."""
    if not isinstance(name, str):
        raise TypeError(f"registry.get() expects an activation name (str), got {type(name).__name__}")
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no activation named {name!r}; known: {', '.join(REGISTRY)}") from None
