"""The activations and their derivatives against TensorFlow and Keras, in float32 and float64.

relu_lib follows PyTorch. Where TensorFlow's documented conventions differ (the
derivative at a kink, the missing softplus threshold, Keras's defaults) the tests
below check TensorFlow's value and that relu_lib gives PyTorch's. What TensorFlow
does incidentally, which changes with its version, its build and the CPU (the sign
of relu(-0.0) per array position, the error of its float64 GELU, where its softplus
becomes the identity, the precision of leaky_relu's alpha, relu'(nan)), is no test's
to assert: ``benchmarks/framework_findings.py`` measures and prints it, and the
tests here check only relu_lib's and PyTorch's side.
"""

import math

import numpy as np
import pytest
from conftest import assert_close, atol, require

import relu_lib as rl

tf = require("tensorflow")
keras = require("keras")
torch = require("torch")
F = torch.nn.functional

TF_DTYPES = [np.float32, np.float64]

# TensorFlow 2.21's float64 GELU carries float32-level error (about 4e-9 at x = -1;
# benchmarks/framework_findings.py measures it): compare it with float32 tolerances.
TF_GELU_FLOAT64 = {"rtol": 1e-6, "abs_tol": atol(np.float32)}


def tf_value_and_grad(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = fn(t)
    return y.numpy(), tape.gradient(y, t).numpy()


def torch_value_and_grad(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(torch.ones_like(y))
    return y.detach().numpy(), t.grad.numpy()


d = rl.derivative

# (id, relu_lib function, its derivative, the TensorFlow/Keras counterpart, largest x compared)
TF_CASES = [
    ("tf.nn.relu", rl.relu, d(rl.relu), tf.nn.relu, None),
    ("tf.nn.relu6", rl.relu6, d(rl.relu6), tf.nn.relu6, None),
    # Slopes that float32 represents exactly: TF 2.21 holds leaky_relu's alpha in float32
    # even for float64 input (benchmarks/framework_findings.py).
    (
        "tf.nn.leaky_relu-0.25",
        lambda x: rl.leaky_relu(x, 0.25),
        lambda x: d(rl.leaky_relu)(x, 0.25),
        lambda t: tf.nn.leaky_relu(t, alpha=0.25),
        None,
    ),
    (
        "tf.nn.leaky_relu-0.125",
        lambda x: rl.leaky_relu(x, 0.125),
        lambda x: d(rl.leaky_relu)(x, 0.125),
        lambda t: tf.nn.leaky_relu(t, alpha=0.125),
        None,
    ),
    ("tf.nn.elu", rl.elu, d(rl.elu), tf.nn.elu, None),
    ("tf.nn.selu", rl.selu, d(rl.selu), tf.nn.selu, None),
    ("tf.nn.gelu-exact", rl.gelu, d(rl.gelu), lambda t: tf.nn.gelu(t, approximate=False), None),
    (
        "tf.nn.gelu-tanh",
        lambda x: rl.gelu(x, approximate="tanh"),
        lambda x: d(rl.gelu)(x, approximate="tanh"),
        lambda t: tf.nn.gelu(t, approximate=True),
        None,
    ),
    ("tf.nn.silu", rl.silu, d(rl.silu), tf.nn.silu, None),
    # TF's softplus has no threshold: compare at beta = 1 where x <= threshold = 20
    # (where TF itself becomes the identity is a finding: benchmarks/framework_findings.py).
    ("tf.math.softplus", rl.softplus, d(rl.softplus), tf.math.softplus, 20.0),
    ("tf.sigmoid", rl.sigmoid, d(rl.sigmoid), tf.sigmoid, None),
    ("tf.tanh", rl.tanh, d(rl.tanh), tf.tanh, None),
    ("keras.relu", rl.relu, d(rl.relu), keras.activations.relu, None),
    ("keras.relu-max6", rl.relu6, d(rl.relu6), lambda t: keras.activations.relu(t, max_value=6.0), None),
    (
        "keras.relu-slope",
        lambda x: rl.leaky_relu(x, 0.25),
        lambda x: d(rl.leaky_relu)(x, 0.25),
        lambda t: keras.activations.relu(t, negative_slope=0.25),
        None,
    ),
    (
        "keras.leaky_relu-0.25",
        lambda x: rl.leaky_relu(x, 0.25),
        lambda x: d(rl.leaky_relu)(x, 0.25),
        lambda t: keras.activations.leaky_relu(t, negative_slope=0.25),
        None,
    ),
    ("keras.relu6", rl.relu6, d(rl.relu6), keras.activations.relu6, None),
    (
        "keras.elu-0.5",
        lambda x: rl.elu(x, 0.5),
        lambda x: d(rl.elu)(x, 0.5),
        lambda t: keras.activations.elu(t, alpha=0.5),
        None,
    ),
    ("keras.selu", rl.selu, d(rl.selu), keras.activations.selu, None),
    ("keras.gelu", rl.gelu, d(rl.gelu), keras.activations.gelu, None),
    (
        "keras.gelu-tanh",
        lambda x: rl.gelu(x, approximate="tanh"),
        lambda x: d(rl.gelu)(x, approximate="tanh"),
        lambda t: keras.activations.gelu(t, approximate=True),
        None,
    ),
    ("keras.silu", rl.silu, d(rl.silu), keras.activations.silu, None),
    ("keras.softplus", rl.softplus, d(rl.softplus), keras.activations.softplus, 20.0),
    ("keras.sigmoid", rl.sigmoid, d(rl.sigmoid), keras.activations.sigmoid, None),
    ("keras.tanh", rl.tanh, d(rl.tanh), keras.activations.tanh, None),
]


def tolerance(case_id: str, dtype, derivative: bool = False) -> dict:
    if "gelu" in case_id and np.dtype(dtype) == np.float64:
        return TF_GELU_FLOAT64
    if "gelu-tanh" in case_id and derivative:
        # TF's backward, like torch's, forms 1 - tanh(u)**2 and multiplies its
        # cancellation error by 0.5 x u'(x): 28 float32 eps at x = 4.9, where TF says
        # exactly 1.0 and relu_lib 1.0000033 (float64: 1.00000328).
        return {"abs_tol": atol(dtype, 64)}
    return {}


def grid(dtype, top: float | None) -> np.ndarray:
    """Finite points away from the kinks 0 and 6 (those are tested one by one below)."""
    x = np.concatenate([np.linspace(-30.0, 30.0, 1200), [-1e4, -250.0, 250.0, 1e4]])
    x = x[(np.abs(x) > 1e-3) & (np.abs(x - 6) > 1e-3)]
    if top is not None:
        x = x[x <= top]
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize(
    ("case_id", "ours", "ours_derivative", "theirs", "top"), TF_CASES, ids=[c[0] for c in TF_CASES]
)
def test_values_and_gradients_match_tensorflow(case_id, ours, ours_derivative, theirs, top, dtype):
    x = grid(dtype, top)
    value, grad = tf_value_and_grad(theirs, x)
    assert_close(ours(x), value, dtype, **tolerance(case_id, dtype))
    assert_close(ours_derivative(x), grad, dtype, **tolerance(case_id, dtype, derivative=True))


# PReLU against keras.layers.PReLU


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_prelu_matches_keras_prelu_layer(dtype):
    rng = np.random.default_rng(2)
    slopes = np.array([0.25, -0.5, 2.0], dtype=dtype)
    # Dense input (N, C): Keras's alpha has shape (C,), the channel axis is relu_lib's axis 1.
    x = rng.normal(scale=3.0, size=(8, 3)).astype(dtype)
    layer = keras.layers.PReLU(dtype=np.dtype(dtype).name)
    layer.build((None, 3))
    layer.set_weights([slopes])
    value, grad = tf_value_and_grad(layer, x)
    assert_close(rl.prelu(x, slopes), value, dtype)
    assert_close(rl.derivative(rl.prelu)(x, slopes), grad, dtype)
    # Images: relu_lib (like torch) is channels-first NCHW; Keras is channels-last NHWC
    # and shares the slope over the spatial axes.
    images = rng.normal(size=(2, 3, 4, 5)).astype(dtype)
    conv_layer = keras.layers.PReLU(shared_axes=[1, 2], dtype=np.dtype(dtype).name)
    conv_layer.build((None, 4, 5, 3))
    conv_layer.set_weights([slopes.reshape(1, 1, 3)])
    keras_nhwc = conv_layer(tf.constant(np.transpose(images, (0, 2, 3, 1)))).numpy()
    assert_close(rl.prelu(images, slopes), np.transpose(keras_nhwc, (0, 3, 1, 2)), dtype)


# The kinks, where TensorFlow agrees with PyTorch


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize(
    ("name", "theirs", "ours", "x", "expected"),
    [
        ("relu'(0)", tf.nn.relu, lambda x: rl.derivative(rl.relu)(x), [0.0, -0.0], 0.0),
        ("relu6'(0), relu6'(6)", tf.nn.relu6, lambda x: rl.derivative(rl.relu6)(x), [0.0, -0.0, 6.0], 0.0),
        (
            "leaky_relu'(0)",
            lambda t: tf.nn.leaky_relu(t, alpha=0.25),
            lambda x: rl.derivative(rl.leaky_relu)(x, 0.25),
            [0.0, -0.0],
            0.25,
        ),
        ("elu'(0)", tf.nn.elu, lambda x: rl.derivative(rl.elu)(x), [0.0, -0.0], 1.0),
        (
            "keras elu'(0) = alpha",
            lambda t: keras.activations.elu(t, alpha=0.5),
            lambda x: rl.derivative(rl.elu)(x, 0.5),
            [0.0, -0.0],
            0.5,
        ),
        ("gelu'(0)", tf.nn.gelu, lambda x: rl.derivative(rl.gelu)(x), [0.0], 0.5),
        ("silu'(0)", tf.nn.silu, lambda x: rl.derivative(rl.silu)(x), [0.0], 0.5),
        ("softplus'(0)", tf.math.softplus, lambda x: rl.derivative(rl.softplus)(x), [0.0], 0.5),
    ],
)
def test_tensorflow_agrees_at_the_kinks(name, theirs, ours, x, expected, dtype):
    x = np.array(x, dtype=dtype)
    _, grad = tf_value_and_grad(theirs, x)
    np.testing.assert_array_equal(grad, expected, err_msg=f"TensorFlow's {name}")
    np.testing.assert_array_equal(ours(x), expected)


# Where TensorFlow and PyTorch disagree: relu_lib is PyTorch's, TensorFlow's value is recorded.


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_selu_derivative_at_zero_tf_takes_the_right_branch(dtype):
    x = np.array([0.0], dtype=dtype)
    _, tf_grad = tf_value_and_grad(tf.nn.selu, x)
    _, torch_grad = torch_value_and_grad(F.selu, x)
    ours = rl.derivative(rl.selu)(x)
    assert_close(tf_grad, [rl.SELU_SCALE], dtype)  # TF: lambda, the slope of x > 0
    assert_close(torch_grad, [rl.SELU_SCALE * rl.SELU_ALPHA], dtype)  # torch: lambda * alpha, of x <= 0
    np.testing.assert_array_equal(ours, torch_grad)


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_relu_and_relu6_of_negative_zero_are_negative_zero_at_every_position(dtype):
    # relu_lib gives -0.0 at every position of every length, on every CPU. The frameworks'
    # sign depends on the position (vector loop or scalar remainder) and on the CPU (PyTorch's
    # aarch64 loops give +0.0, its x86-64 ones -0.0): findings, printed by
    # benchmarks/framework_findings.py, not checked here.
    for n in (1, 3, 4, 8, 17, 64):
        x = np.full(n, -0.0, dtype=dtype)
        for ours in (rl.relu, rl.relu6):
            value = ours(x)
            assert (value == 0).all() and np.signbit(value).all(), f"relu_lib {ours.__name__}, n={n}: -0.0"


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_derivative_at_nan_is_nan_where_torch_gives_a_branch_value(dtype):
    # Autograd's piecewise kernels return a branch value at NaN (TensorFlow's too, its own
    # branch: a finding); relu_lib returns NaN, as documented in relu_lib.derivatives.
    x = np.array([np.nan], dtype=dtype)
    _, torch_relu = torch_value_and_grad(F.relu, x)
    assert torch_relu[0] == 1.0, "torch: relu'(nan) = 1"
    for fn in (rl.relu, rl.relu6, rl.leaky_relu, rl.elu, rl.selu):
        assert np.isnan(rl.derivative(fn)(x)[0]), "relu_lib: NaN in, NaN out"


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_infinities_tf_gives_nan_where_relu_lib_gives_the_limit(dtype):
    x = np.array([np.inf, -np.inf], dtype=dtype)
    tf_gelu, tf_gelu_grad = tf_value_and_grad(tf.nn.gelu, x)
    assert tf_gelu[0] == np.inf and np.isnan(tf_gelu[1])
    assert np.isnan(tf_gelu_grad).all()
    tf_silu, tf_silu_grad = tf_value_and_grad(tf.nn.silu, x)
    assert tf_silu[0] == np.inf and np.isnan(tf_silu[1])
    assert np.isnan(tf_silu_grad).all()
    for ours in (rl.gelu, rl.silu):
        value = ours(x)
        assert value[0] == np.inf and value[1] == 0 and np.signbit(value[1])
        np.testing.assert_array_equal(rl.derivative(ours)(x), [1.0, 0.0])


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_softplus_above_the_threshold_is_the_identity_as_in_torch(dtype):
    # torch and relu_lib switch to the identity where beta * x > threshold = 20.
    # TensorFlow has no threshold parameter; where it switches internally depends on
    # its version and dtype (benchmarks/framework_findings.py prints it).
    x = np.array([20.5, 25.0], dtype=dtype)
    torch_value, torch_grad = torch_value_and_grad(F.softplus, x)
    np.testing.assert_array_equal(rl.softplus(x), torch_value)
    np.testing.assert_array_equal(rl.softplus(x), x)
    np.testing.assert_array_equal(rl.derivative(rl.softplus)(x), torch_grad)
    np.testing.assert_array_equal(rl.derivative(rl.softplus)(x), [1.0, 1.0])


def test_float64_leaky_relu_uses_the_float64_slope_as_torch_does():
    # TensorFlow 2.21 rounds alpha to float32 in float64 (a finding); torch and relu_lib do not.
    x = np.array([-1.0])
    np.testing.assert_array_equal(rl.leaky_relu(x), F.leaky_relu(torch.from_numpy(x)).numpy())
    assert rl.leaky_relu(x)[0] == -0.01 and rl.derivative(rl.leaky_relu)(x)[0] == 0.01


def test_float64_gelu_is_exact_to_float64_as_torch_is():
    # TensorFlow's float64 GELU error level is a finding (benchmarks/framework_findings.py).
    x = np.array([-1.0, 0.5, 2.0])
    exact = np.array([v * math.erfc(-v / math.sqrt(2)) / 2 for v in x])
    np.testing.assert_allclose(rl.gelu(x), exact, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(F.gelu(torch.from_numpy(x)).numpy(), exact, rtol=1e-15, atol=1e-16)


def test_keras_leaky_relu_default_slope_is_0_2_where_relu_lib_and_torch_use_0_01():
    x = np.array([-10.0, 2.0])
    keras_default = keras.activations.leaky_relu(tf.constant(x)).numpy()
    np.testing.assert_allclose(keras_default, [-2.0, 2.0], rtol=1e-7)
    np.testing.assert_allclose(rl.leaky_relu(x), [-0.1, 2.0], rtol=1e-15)
    np.testing.assert_array_equal(rl.leaky_relu(x), F.leaky_relu(torch.from_numpy(x)).numpy())
    np.testing.assert_allclose(rl.leaky_relu(x, 0.2), keras_default, rtol=1e-7)


def test_keras_leaky_relu_layer_defaults_to_0_3_unlike_its_own_function():
    x = np.array([-10.0, 2.0])
    layer_default = keras.layers.LeakyReLU()(tf.constant(x)).numpy()
    np.testing.assert_allclose(layer_default, [-3.0, 2.0], rtol=1e-7)
    np.testing.assert_allclose(rl.leaky_relu(x, 0.3), layer_default, rtol=1e-7)


@pytest.mark.parametrize("dtype", TF_DTYPES, ids=["float32", "float64"])
def test_keras_prelu_derivative_at_zero_is_zero_where_relu_lib_and_torch_give_the_slope(dtype):
    # Keras computes relu(x) - a * relu(-x): both terms have derivative 0 at 0.
    slopes = np.array([0.25], dtype=dtype)
    x = np.zeros((1, 1), dtype=dtype)
    layer = keras.layers.PReLU(dtype=np.dtype(dtype).name)
    layer.build((None, 1))
    layer.set_weights([slopes])
    _, keras_grad = tf_value_and_grad(layer, x)
    _, torch_grad = torch_value_and_grad(lambda t: F.prelu(t, torch.from_numpy(slopes)), x)
    assert_close(keras_grad, [[0.0]], dtype)
    assert_close(torch_grad, [[0.25]], dtype)
    np.testing.assert_array_equal(rl.derivative(rl.prelu)(x, slopes), torch_grad)


def test_keras_and_tf_gelu_default_is_the_exact_form_as_in_relu_lib():
    x = np.linspace(-4, 4, 17)
    for default in (keras.activations.gelu, tf.nn.gelu):
        np.testing.assert_allclose(default(tf.constant(x)).numpy(), rl.gelu(x), rtol=1e-7, atol=1e-9)
        assert np.abs(default(tf.constant(x)).numpy() - rl.gelu(x, approximate="tanh")).max() > 1e-5
