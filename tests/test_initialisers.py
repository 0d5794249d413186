"""Weight initialisers: the variances of He, Xavier and LeCun, against the formulas, PyTorch and Keras."""

import math

import numpy as np
import pytest
from conftest import require

import relu_lib as rl

torch = require("torch")
tf = require("tensorflow")
keras = require("keras")

# name -> (function, variance as a function of (fan_in, fan_out), distribution)
SCHEMES = {
    "he_normal": (rl.he_normal, lambda i, o: 2 / i, "normal"),
    "he_uniform": (rl.he_uniform, lambda i, o: 2 / i, "uniform"),
    "xavier_normal": (rl.xavier_normal, lambda i, o: 2 / (i + o), "normal"),
    "xavier_uniform": (rl.xavier_uniform, lambda i, o: 2 / (i + o), "uniform"),
    "lecun_normal": (rl.lecun_normal, lambda i, o: 1 / i, "normal"),
    "lecun_uniform": (rl.lecun_uniform, lambda i, o: 1 / i, "uniform"),
}
NAMES = list(SCHEMES)

# Dense (fan_in, fan_out) and a 3x3 convolution (kh, kw, in, out), Keras's layout.
SHAPES = [(1000, 500), (3, 3, 64, 128)]


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((5, 7), (5, 7)),
        ((3, 3, 16, 32), (144, 288)),
        ((3, 4, 5), (12, 15)),
        ((2, 3, 4, 5, 6), (120, 144)),
        ([1, 1], (1, 1)),
        (np.array([4, 2]), (4, 2)),
    ],
)
def test_fans(shape, expected):
    assert rl.fans(shape) == expected
    assert all(type(n) is int for n in rl.fans(shape))


@pytest.mark.parametrize("shape", SHAPES, ids=["dense", "conv"])
@pytest.mark.parametrize("name", NAMES)
def test_variance_matches_the_formula(name, shape):
    fn, variance, distribution = SCHEMES[name]
    w = fn(shape, seed=0)
    assert w.shape == shape and w.dtype == np.float64
    expected = variance(*rl.fans(shape))
    n = w.size
    # The sample variance's relative standard deviation is sqrt(2/n) (normal) or
    # sqrt(0.8/n) (uniform): 0.2% and 0.5% here; 3% is a safe margin.
    assert w.var() == pytest.approx(expected, rel=0.03)
    assert abs(w.mean()) < 6 * math.sqrt(expected / n)
    limit = math.sqrt(3 * expected)
    if distribution == "uniform":
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.99 * limit
        assert w.min() < -0.99 * limit
    else:
        # Untruncated, as in the papers and torch.nn.init: beyond 4 sigma occur (p = 6e-5 each).
        assert np.abs(w).max() > 4 * math.sqrt(expected)


@pytest.mark.parametrize("name", NAMES)
def test_seeds_are_reproducible(name):
    fn = SCHEMES[name][0]
    a = fn((30, 20), seed=42)
    np.testing.assert_array_equal(a, fn((30, 20), seed=42))
    np.testing.assert_array_equal(a, fn((30, 20), seed=np.int64(42)))
    assert not np.array_equal(a, fn((30, 20), seed=43))
    assert not np.array_equal(fn((30, 20)), fn((30, 20))), "seed=None draws fresh entropy"


@pytest.mark.parametrize("name", NAMES)
def test_a_generator_is_accepted_and_advanced(name):
    fn, variance, distribution = SCHEMES[name]
    rng = np.random.default_rng(7)
    first = fn((20, 10), seed=rng)
    second = fn((20, 10), seed=rng)
    assert not np.array_equal(first, second), "the generator's stream moves on"
    np.testing.assert_array_equal(first, fn((20, 10), seed=np.random.default_rng(7)))
    sigma = math.sqrt(variance(20, 10))
    reference = np.random.default_rng(7)
    if distribution == "normal":
        expected = reference.normal(0.0, sigma, size=(20, 10))
    else:
        expected = reference.uniform(-math.sqrt(3) * sigma, math.sqrt(3) * sigma, size=(20, 10))
    np.testing.assert_allclose(first, expected, rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_dtype(name):
    fn = SCHEMES[name][0]
    w = fn((8, 4), seed=0, dtype=np.float32)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, fn((8, 4), seed=0).astype(np.float32))


def test_initialiser_names():
    for name, (fn, _, distribution) in SCHEMES.items():
        init = name.rsplit("_", 1)[0]
        assert rl.initialiser(init, distribution) is fn
    assert rl.initialiser("he") is rl.he_normal
    for args in (("kaiming",), ("he", "truncated"), ("glorot", "normal"), ("He",)):
        with pytest.raises(ValueError, match=r"initialiser\(\) takes init in \('he', 'xavier', 'lecun'\)"):
            rl.initialiser(*args)


@pytest.mark.parametrize(
    ("shape", "error", "message"),
    [
        (
            (3,),
            ValueError,
            r"he_normal\(\) shape must be at least two positive integers \(fan_in, fan_out\), got \(3,\)",
        ),
        ((), ValueError, r"at least two positive integers"),
        (5, TypeError, r"he_normal\(\) shape must be a sequence of at least two integers, got 5"),
        (None, TypeError, r"shape must be a sequence"),
        ((0, 3), ValueError, r"he_normal\(\) shape must hold positive integers, got \(0, 3\)"),
        ((4, -1), ValueError, r"must hold positive integers"),
        ((2.0, 3), ValueError, r"at least two positive integers"),
        ((True, 3), ValueError, r"at least two positive integers"),
        ("ab", ValueError, r"at least two positive integers"),
    ],
)
def test_bad_shapes(shape, error, message):
    with pytest.raises(error, match=message):
        rl.he_normal(shape, seed=0)


@pytest.mark.parametrize("shape", [(3,), (0, 2), 4])
def test_bad_shapes_for_fans(shape):
    with pytest.raises((TypeError, ValueError), match=r"fans\(\) shape"):
        rl.fans(shape)


@pytest.mark.parametrize(
    "seed",
    [-1, 1.5, "0", True, [1, 2], np.random.RandomState(0)],
    ids=["-1", "1.5", "str", "True", "list", "RandomState"],
)
def test_bad_seeds(seed):
    with pytest.raises(TypeError, match=r"seed must be a non-negative int, a numpy Generator or None, got"):
        rl.xavier_normal((3, 3), seed=seed)


# Against PyTorch: torch.nn.init on the same layer in torch's (fan_out, fan_in, *kernel) layout.

TORCH = {
    "he_normal": lambda t, g: torch.nn.init.kaiming_normal_(t, nonlinearity="relu", generator=g),
    "he_uniform": lambda t, g: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu", generator=g),
    "xavier_normal": lambda t, g: torch.nn.init.xavier_normal_(t, generator=g),
    "xavier_uniform": lambda t, g: torch.nn.init.xavier_uniform_(t, generator=g),
    "lecun_normal": lambda t, g: torch.nn.init.kaiming_normal_(t, nonlinearity="linear", generator=g),
    "lecun_uniform": lambda t, g: torch.nn.init.kaiming_uniform_(t, nonlinearity="linear", generator=g),
}


def torch_layout(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (shape[-1], shape[-2], *shape[:-2])


@pytest.mark.parametrize("shape", SHAPES, ids=["dense", "conv"])
@pytest.mark.parametrize("name", NAMES)
def test_same_variance_as_torch_nn_init(name, shape):
    fn, variance, distribution = SCHEMES[name]
    theirs = TORCH[name](torch.empty(torch_layout(shape), dtype=torch.float64), torch.Generator().manual_seed(0))
    theirs = theirs.numpy()
    ours = fn(shape, seed=0)
    expected = variance(*rl.fans(shape))
    assert theirs.var() == pytest.approx(expected, rel=0.03)
    assert ours.var() == pytest.approx(theirs.var(), rel=0.05)
    if distribution == "uniform":
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)


# Against Keras: same shapes and layout; Keras's normal initialisers are truncated at two
# standard deviations and rescaled, so only the variance is the same.

KERAS = {
    "he_normal": keras.initializers.HeNormal,
    "he_uniform": keras.initializers.HeUniform,
    "xavier_normal": keras.initializers.GlorotNormal,
    "xavier_uniform": keras.initializers.GlorotUniform,
    "lecun_normal": keras.initializers.LecunNormal,
    "lecun_uniform": keras.initializers.LecunUniform,
}


@pytest.mark.parametrize("shape", SHAPES, ids=["dense", "conv"])
@pytest.mark.parametrize("name", NAMES)
def test_same_variance_as_keras_initializers(name, shape):
    fn, variance, distribution = SCHEMES[name]
    theirs = np.asarray(keras.ops.convert_to_numpy(KERAS[name](seed=0)(shape, dtype="float64")))
    assert theirs.shape == shape
    ours = fn(shape, seed=0)
    expected = variance(*rl.fans(shape))
    assert theirs.var() == pytest.approx(expected, rel=0.03)
    assert ours.var() == pytest.approx(theirs.var(), rel=0.05)
    sigma = math.sqrt(expected)
    if distribution == "uniform":
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)
    else:
        # Keras truncates at 2 standard deviations of the underlying normal (2.27 sigma);
        # relu_lib, like the papers and torch, does not.
        assert np.abs(theirs).max() <= 2.28 * sigma
        assert np.abs(ours).max() > 4 * sigma
