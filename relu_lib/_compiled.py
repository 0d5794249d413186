"""One-pass loops compiled by numba, for the kernels numpy can only run in several passes.

Leaky ReLU (``x if x > 0 else s x``) and the piecewise-constant derivatives take
numpy two to four passes over each block of the input; compiled, each is one
loop that reads a value and writes its result, as fast as a copy once the
array is out of the cache. numba is optional (``pip install relu_lib[fast]``):
without it :func:`loops` is None and the kernels keep their numpy passes.
Whether a loop runs is decided like every other kernel path: probed for exact
bits and timed against the passes at the first use of each dtype
(:func:`relu_lib._kernels.selection`). Each loop is compiled for a dtype when it
first meets one, and numba caches the machine code on disk, so a later process
only loads it.

The loops are written as PyTorch's CPU kernels state the definitions, so signed
zeros and NaN come out as PyTorch's do: ``-0.0 > 0`` is false, so Leaky ReLU
scales -0.0 into -0.0 (+0.0 for a negative slope), and a NaN fails every
comparison. No ``fastmath``: it would let the compiler assume there is no NaN.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
"""The dtypes the loops are compiled for; float16, which numba does not compute in, keeps the passes."""


@dataclass(frozen=True)
class Loops:
    """The compiled loops, each over flat, equally long arrays; ``res`` may be ``x`` itself.

    Attributes:
        scaled: ``scaled(x, s, res)``, ``res = x if x > 0 else s * x`` (Leaky ReLU, PReLU with one slope).
        levels: ``levels(x, res, above, below, bounded, high, low)``, ``res = high`` where
            ``above < x`` (and ``x < below`` when ``bounded``), ``low`` elsewhere, NaN at NaN
            (ReLU', ReLU6', Leaky ReLU').
    """

    scaled: Callable[..., None]
    levels: Callable[..., None]


@functools.cache
def loops() -> Loops | None:
    """The compiled loops, or None where numba cannot be imported.

    Example:
        >>> import numpy as np
        >>> x = np.array([-2.0, -0.0, 3.0])
        >>> compiled = loops()  # None without numba: then the definition in numpy
        >>> if compiled is not None:
        ...     res = np.empty_like(x)
        ...     compiled.scaled(x, 0.5, res)
        ... else:
        ...     res = np.where(x > 0, x, 0.5 * x)
        >>> res
        array([-1., -0.,  3.])
    """
    try:
        import numba
    except ImportError:
        return None

    # cache=True: machine code is kept beside this file, or in the user's cache when the
    # package folder cannot be written. nogil: a caller's threads may run loops side by side.
    compile_ = numba.njit(cache=True, nogil=True)

    @compile_
    def scaled(x, s, res):
        for i in range(x.size):
            v = x[i]
            res[i] = v if v > 0 else v * s

    # One select per value and one store, and a loop per case: written with branches (NaN,
    # inside, outside) LLVM left the float64 loop scalar for AVX2, four times slower than
    # numpy's passes on 1e7 values.
    @compile_
    def levels(x, res, above, below, bounded, high, low):
        if bounded:
            for i in range(x.size):
                v = x[i]
                level = high if (v > above) & (v < below) else low
                res[i] = level if v == v else np.nan
        else:
            for i in range(x.size):
                v = x[i]
                level = high if v > above else low
                res[i] = level if v == v else np.nan

    return Loops(scaled, levels)
