"""The registry: one entry per activation, and its metadata consistent with the functions."""

import datetime
import inspect
import math

import numpy as np
import pytest

import relu_lib as rl
from relu_lib import activations
from relu_lib.registry import REGISTRY, ActivationInfo, get

ACTIVATION_NAMES = sorted(set(activations.__all__) - {"SELU_ALPHA", "SELU_SCALE"})
ENTRIES = list(REGISTRY.values())
ELEMENTWISE = [entry for entry in ENTRIES if entry.elementwise]


def test_every_activation_is_registered_under_its_name():
    assert sorted(REGISTRY) == ACTIVATION_NAMES
    for name in ACTIVATION_NAMES:
        assert REGISTRY[name].name == name
        assert REGISTRY[name].function is getattr(rl, name) is getattr(activations, name)
    assert rl.REGISTRY is REGISTRY and rl.ActivationInfo is ActivationInfo


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_fields_are_filled_in(entry: ActivationInfo):
    for text in (entry.name, entry.formula, entry.output_range, entry.paper, entry.citation):
        assert isinstance(text, str) and text.strip(), entry
    assert isinstance(entry.year, int) and 1940 <= entry.year <= datetime.date.today().year
    assert entry.citation.isascii() and " " not in entry.citation
    assert str(entry.year) in entry.citation, "citation keys are author-year-word"
    assert isinstance(entry.keywords, tuple)
    assert all(isinstance(key, str) for key, _ in entry.keywords)
    with pytest.raises(AttributeError):
        entry.name = "changed"  # frozen


@pytest.mark.parametrize("entry", ELEMENTWISE, ids=lambda e: e.name)
def test_derivative_at_zero_is_the_derivative_at_zero(entry: ActivationInfo):
    keywords = dict(entry.keywords)
    actual = rl.derivative(entry.function)(0.0, **keywords)
    assert isinstance(entry.derivative_at_zero, float)
    assert actual == pytest.approx(entry.derivative_at_zero, rel=1e-15, abs=0)
    assert entry.derivative is rl.derivative(entry.function)
    # The keywords are the defaults the table assumes: the function accepts them.
    assert np.isfinite(entry.function(0.5, **keywords))


@pytest.mark.parametrize("entry", ELEMENTWISE, ids=lambda e: e.name)
def test_keywords_are_the_functions_defaults(entry: ActivationInfo):
    parameters = inspect.signature(entry.function).parameters
    for key, value in entry.keywords:
        default = parameters[key].default
        if default is inspect.Parameter.empty:
            assert key == "weight", "only prelu's weight has no default"
        else:
            assert default == value, f"{entry.name}: {key}={value} but the default is {default}"


def test_maxout_is_not_elementwise():
    entry = REGISTRY["maxout"]
    assert entry.elementwise is False and entry.derivative_at_zero is None
    with pytest.raises(TypeError, match="maxout"):
        entry.derivative  # noqa: B018
    pieces = dict(entry.keywords)["pieces"]
    assert rl.maxout(np.arange(2.0 * pieces), pieces).shape == (2,)


def test_known_values():
    assert REGISTRY["relu"].derivative_at_zero == 0.0
    assert REGISTRY["leaky_relu"].derivative_at_zero == 0.01
    assert REGISTRY["selu"].derivative_at_zero == pytest.approx(1.0507009873554805 * 1.6732632423543772)
    assert REGISTRY["sigmoid"].derivative_at_zero == 0.25
    assert REGISTRY["tanh"].derivative_at_zero == 1.0
    assert REGISTRY["relu"].year == 2010 and REGISTRY["selu"].year == 2017
    assert math.isclose(REGISTRY["gelu"].derivative_at_zero, 0.5)


def test_get():
    assert get("relu") is REGISTRY["relu"]
    with pytest.raises(KeyError, match=r"no activation named 'swish'; known: relu, "):
        get("swish")
    with pytest.raises(TypeError, match=r"registry.get\(\) expects an activation name \(str\), got int"):
        get(3)
