"""relu_lib: the rectified linear unit and its relatives, exact where PyTorch is.

The activations, their derivatives, the registry of their metadata and the
weight initialisers live here; :mod:`relu_lib.plotting`, :mod:`relu_lib.widgets`
and :mod:`relu_lib.piecewise` are imported on demand, so ``import relu_lib``
loads numpy and nothing heavier.
"""

from .activations import (
    SELU_ALPHA,
    SELU_SCALE,
    elu,
    gelu,
    leaky_relu,
    maxout,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softplus,
    tanh,
)
from .derivatives import derivative
from .initialisers import (
    fans,
    he_normal,
    he_uniform,
    initialiser,
    lecun_normal,
    lecun_uniform,
    xavier_normal,
    xavier_uniform,
)
from .registry import REGISTRY, ActivationInfo

__version__ = "1.0.0"

__all__ = [
    "REGISTRY",
    "SELU_ALPHA",
    "SELU_SCALE",
    "ActivationInfo",
    "derivative",
    "elu",
    "fans",
    "gelu",
    "he_normal",
    "he_uniform",
    "initialiser",
    "leaky_relu",
    "lecun_normal",
    "lecun_uniform",
    "maxout",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "tanh",
    "xavier_normal",
    "xavier_uniform",
]
