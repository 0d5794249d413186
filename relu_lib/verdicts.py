"""Words that follow the numbers: verdicts in prose chosen or checked by the measurement.

A sentence such as "tanh came close to ReLU" is only as true as the timing
beside it, and timings move with the CPU, the thread count and the library
versions. The book therefore never types a verdict next to a number that can
move. Either the words come from the value (:func:`compare`, :func:`count`),
or the sentence is written out and :func:`check` asserts, when the chapter
runs, that the measurement still supports it; a contradicted sentence raises
:class:`Contradicted`, which stops the book's build with the sentence and the
numbers in the message.

Example:
    >>> ratio = 0.4  # tanh's time as a multiple of ReLU's
    >>> f"tanh ran {compare(ratio, less='faster than', similar='about as fast as', more='slower than')} ReLU"
    'tanh ran faster than ReLU'
    >>> check("ReLU is exactly zero for negative input", 0.0 == 0, relu_of_minus_one=0.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real

import numpy as np

__all__ = ["TOLERANCE", "Contradicted", "check", "compare", "compare_each", "count"]

# Ratios of best-of-rounds times measured in one run moved by up to about a fifth
# between repeated builds on a shared 2-core machine, so within 1.2x in either
# direction nothing can be told apart.
TOLERANCE = 1.2


class Contradicted(AssertionError):
    """A sentence of the book that its own measurement no longer supports."""


def _check_ratio(ratio: float, tolerance: float) -> None:
    for name, value in (("ratio", ratio), ("tolerance", tolerance)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"compare() expects {name} to be a positive finite number, got {value!r}")
    if tolerance < 1:
        raise ValueError(f"compare() expects tolerance to be at least 1, got {tolerance!r}")


def compare(ratio: float, *, less: str, similar: str, more: str, tolerance: float = TOLERANCE) -> str:
    r"""The words for a ratio: below, about, or above one, with a band of no difference.

    .. math::
        \text{words}(r) = \begin{cases}
            \text{less} & r < 1/\tau \\
            \text{similar} & 1/\tau \le r \le \tau \\
            \text{more} & r > \tau
        \end{cases}

    Args:
        ratio: the measured ratio, for example one time divided by another.
        less: the words when the ratio is clearly below 1.
        similar: the words when the ratio is within ``tolerance`` of 1.
        more: the words when the ratio is clearly above 1.
        tolerance: :math:`\tau`, the factor within which two measurements are
            not told apart (:data:`TOLERANCE` by default).

    Returns:
        One of ``less``, ``similar`` and ``more``.

    Raises:
        ValueError: ``ratio`` is not a positive finite number, or ``tolerance`` is below 1.

    Example:
        >>> compare(3.0, less="cheaper than", similar="about as costly as", more="costlier than")
        'costlier than'
        >>> compare(1.1, less="cheaper than", similar="about as costly as", more="costlier than")
        'about as costly as'
    """
    _check_ratio(ratio, tolerance)
    if ratio < 1 / tolerance:
        return less
    if ratio > tolerance:
        return more
    return similar


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def compare_each(
    ratios: Mapping[str, float],
    *,
    less: str,
    similar: str,
    more: str,
    place: str = "in {}",
    every: str = "in every case",
    tolerance: float = TOLERANCE,
) -> str:
    """The words for several ratios at once, naming which share each verdict.

    Each ratio gets its words from :func:`compare`; names with the same words
    are grouped, in the order less, similar, more.

    Args:
        ratios: a ratio for each name, for example tanh's time over ReLU's in each library.
        less: the words when a ratio is clearly below 1.
        similar: the words when a ratio is within ``tolerance`` of 1.
        more: the words when a ratio is clearly above 1.
        place: how a group of names is attached to its words; ``{}`` is replaced by the names.
        every: what follows the words when every ratio gets the same ones.
        tolerance: the factor within which two measurements are not told apart.

    Returns:
        The phrase.

    Raises:
        ValueError: ``ratios`` is empty, or :func:`compare` rejects a ratio.

    Example:
        >>> compare_each({"numpy": 0.4, "PyTorch": 26.0, "TensorFlow": 1.1}, less="faster than ReLU",
        ...              similar="about as fast as ReLU", more="slower than ReLU")
        'faster than ReLU in numpy, about as fast as ReLU in TensorFlow and slower than ReLU in PyTorch'
        >>> compare_each({"numpy": 3.0, "PyTorch": 2.0}, less="faster", similar="as fast", more="slower",
        ...              every="in both libraries")
        'slower in both libraries'
    """
    if not ratios:
        raise ValueError("compare_each() expects at least one ratio, got none")
    words = {name: compare(r, less=less, similar=similar, more=more, tolerance=tolerance) for name, r in ratios.items()}
    if len(set(words.values())) == 1:
        return f"{next(iter(words.values()))} {every}"
    groups = [(w, [name for name in words if words[name] == w]) for w in (less, similar, more)]
    return _join([f"{w} {place.format(_join(names))}" for w, names in groups if names])


def count(flags: Sequence[bool], *, every: str, none: str, some: str = "{k} of {n}") -> str:
    """Words for how many of several measurements hold: all, none, or ``k`` of ``n``.

    Args:
        flags: one truth value per measurement (for example, per framework).
        every: the words when all hold.
        none: the words when none holds.
        some: the words otherwise; ``{k}`` and ``{n}`` are replaced by the counts.

    Returns:
        The chosen words.

    Raises:
        ValueError: ``flags`` is empty.

    Example:
        >>> count([True, True, False], every="in every framework", none="in no framework",
        ...       some="in {k} of the {n} frameworks")
        'in 2 of the 3 frameworks'
    """
    values = [bool(flag) for flag in flags]
    if not values:
        raise ValueError("count() expects at least one measurement, got none")
    k = sum(values)
    if k == len(values):
        return every
    if k == 0:
        return none
    return some.format(k=k, n=len(values))


def _show(value: object) -> str:
    # np.float64(2.5) reads as 2.5 in a message meant for an author, in a tuple or a dict too.
    if isinstance(value, Real) and not isinstance(value, bool):
        return f"{float(value):.4g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def check(sentence: str, holds: bool, **measured: object) -> None:
    """Assert that the measurement supports a sentence the book states in fixed words.

    Call it in the cell that makes the measurement, with the sentence as the
    prose has it (or a distinctive part of it), the condition under which it
    is true, and the numbers it rests on. When the condition is false the
    chapter stops with :class:`Contradicted`, and so does the book's build.

    Args:
        sentence: the words of the prose that the measurement must support.
        holds: whether the measurement supports them.
        **measured: the numbers the sentence rests on, named, for the message.

    Raises:
        Contradicted: ``holds`` is false; the message names the sentence and the numbers.
        TypeError: ``sentence`` is not a non-empty string or ``holds`` is not a truth value.

    Example:
        >>> check("tanh reached 10% error no later than ReLU", 3 <= 4, tanh_epochs=3, relu_epochs=4)
        >>> check("ReLU was faster than tanh", 2.5 < 1, tanh_relative_to_relu=2.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        relu_lib.verdicts.Contradicted: The measurement contradicts the sentence "ReLU was faster than tanh"
        (tanh_relative_to_relu=2.5): reword it or let the measurement choose the words ...
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise TypeError(f"check() expects the sentence as a non-empty string, got {sentence!r}")
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"check() expects holds to be True or False, got {type(holds).__name__}")
    if not holds:
        numbers = ", ".join(f"{name}={_show(value)}" for name, value in measured.items())
        raise Contradicted(
            f'The measurement contradicts the sentence "{sentence}"'
            + (f" ({numbers})" if numbers else "")
            + ": reword it or let the measurement choose the words (relu_lib.verdicts.compare)."
        )
