"""Autodiff at ReLU's kink, against PyTorch and TensorFlow directly, on draws the book does not use.

Chapter 2 shows two facts about the convention ReLU'(0) = 0:

- relu(x) - relu(-x) is x, to the last bit, yet both frameworks' automatic differentiation
  gives it slope 0 at x = 0 (and the true slope 1 everywhere else): the chain rule applied piece
  by piece returns 0 + 0;
- on the raw digits, whose background is blank, a 3 x 3 convolution without bias puts about 2.3%
  of its float32 pre-activations exactly at 0, whatever its filters, because that is the share of
  all-blank 3 x 3 windows.

The chapter uses seed 0 (and each framework's default draw after seeding it with 0); here the
filters come from other seeds and the points from a property-based search.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from conftest import require
from hypothesis import given
from hypothesis import strategies as st

import relu_lib as rl
from relu_lib import data

tf = require("tensorflow")
keras = require("keras")
torch = require("torch")

# The chapter draws its filters with seed 0; these are the other draws.
FILTER_SEEDS = [1, 2, 3, 7, 11, 42]


@pytest.fixture(scope="module")
def raw_images() -> np.ndarray:
    pixels, _ = data.digits(standardise=False)
    return pixels.reshape(-1, 8, 8).astype(np.float32)


def blank_window_share(images: np.ndarray) -> float:
    """The share of 3 x 3 windows (no padding) whose nine pixels are all 0."""
    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2))
    return float(np.mean(np.all(windows == 0, axis=(-2, -1))))


# relu(x) - relu(-x) -----------------------------------------------------------------------


def test_relu_lib_chain_rule_gives_zero_at_the_kink_and_one_elsewhere() -> None:
    slope = rl.derivative(rl.relu)
    x = np.array([-2.5, -1e-30, 0.0, 1e-30, 2.5])
    # d/dx relu(-x) = -relu'(-x), so the chain rule gives relu'(x) + relu'(-x).
    assert np.array_equal(slope(x) + slope(-x), [1.0, 1.0, 0.0, 1.0, 1.0])
    assert np.array_equal(rl.relu(x) - rl.relu(-x), x)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False), max_size=20))
def test_frameworks_give_relu_x_minus_relu_minus_x_slope_zero_at_zero_only(values: list[float]) -> None:
    x = np.array([*values, 0.0, -0.0], dtype=np.float64)
    expected = np.where(x == 0, 0.0, 1.0)  # 0 exactly at the kink, the true slope 1 elsewhere

    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = torch.relu(x_torch) - torch.relu(-x_torch)
    y_torch.sum().backward()
    assert np.array_equal(y_torch.detach().numpy(), x), "the program computes x exactly"
    assert np.array_equal(x_torch.grad.numpy(), expected)

    x_tf = tf.Variable(x)
    with tf.GradientTape() as tape:
        y_tf = tf.nn.relu(x_tf) - tf.nn.relu(-x_tf)
        total = tf.reduce_sum(y_tf)
    assert np.array_equal(y_tf.numpy(), x)
    assert np.array_equal(tape.gradient(total, x_tf).numpy(), expected)


def test_autodiff_of_plain_x_gives_the_true_slope_one_at_zero() -> None:
    # The same function written as x: the gradient belongs to the program, not to the function.
    x_torch = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    (x_torch * 1.0).sum().backward()
    assert x_torch.grad.item() == 1.0
    x_tf = tf.Variable([0.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(x_tf * 1.0)
    assert float(tape.gradient(total, x_tf)[0]) == 1.0


# Exact zeros of a zero-bias convolution on the raw digits --------------------------------


def test_the_raw_digits_have_about_two_percent_blank_three_by_three_windows(raw_images) -> None:
    share = blank_window_share(raw_images)
    assert 0.02 < share < 0.03, share
    assert 0.4 < np.mean(raw_images == 0) < 0.6, "about half the raw pixels are blank"


@pytest.mark.parametrize("seed", FILTER_SEEDS)
def test_relu_lib_filters_put_the_blank_windows_on_the_kink(raw_images, seed: int) -> None:
    filters = rl.he_normal((3, 3, 1, 8), seed=seed, dtype=np.float32)[:, :, 0]
    windows = np.lib.stride_tricks.sliding_window_view(raw_images, (3, 3), axis=(1, 2))
    pre = np.einsum("nijkl,klo->nijo", windows, filters)
    blank = np.all(windows == 0, axis=(-2, -1))
    # Every blank window gives exactly 0 for every filter; a non-blank one almost never does.
    assert np.all(pre[blank] == 0)
    assert np.count_nonzero(pre[~blank] == 0) <= 5
    assert 0.02 < np.mean(pre == 0) < 0.03


@pytest.mark.parametrize("seed", FILTER_SEEDS)
def test_pytorch_conv2d_without_bias_puts_the_blank_windows_on_the_kink(raw_images, seed: int) -> None:
    torch.manual_seed(seed)
    conv = torch.nn.Conv2d(1, 8, kernel_size=3, bias=False)  # PyTorch's own filters
    with torch.no_grad():
        pre = conv(torch.from_numpy(raw_images).unsqueeze(1)).numpy()  # (n, 8, 6, 6)
    assert pre.dtype == np.float32
    windows = np.lib.stride_tricks.sliding_window_view(raw_images, (3, 3), axis=(1, 2))
    blank = np.all(windows == 0, axis=(-2, -1))  # (n, 6, 6)
    assert np.all(pre.transpose(0, 2, 3, 1)[blank] == 0)
    zeros = np.count_nonzero(pre == 0)
    assert blank.sum() * 8 <= zeros <= blank.sum() * 8 + 5
    assert 0.02 < zeros / pre.size < 0.03
    # With ReLU'(0) = 0, none of those units passes a gradient back.
    x = torch.from_numpy(raw_images).unsqueeze(1)
    out = conv(x)
    out.retain_grad()
    torch.relu(out).sum().backward()
    grad_at_zero = out.grad.numpy()[pre == 0]
    assert grad_at_zero.size > 0 and np.all(grad_at_zero == 0)


@pytest.mark.parametrize("seed", FILTER_SEEDS)
def test_tensorflow_conv2d_without_bias_puts_the_blank_windows_on_the_kink(raw_images, seed: int) -> None:
    tf.keras.utils.set_random_seed(seed)
    conv = tf.keras.layers.Conv2D(8, 3, use_bias=False)  # Keras's own filters
    pre = conv(raw_images[..., np.newaxis]).numpy()  # (n, 6, 6, 8)
    assert pre.dtype == np.float32
    windows = np.lib.stride_tricks.sliding_window_view(raw_images, (3, 3), axis=(1, 2))
    blank = np.all(windows == 0, axis=(-2, -1))
    assert np.all(pre[blank] == 0)
    zeros = np.count_nonzero(pre == 0)
    assert blank.sum() * 8 <= zeros <= blank.sum() * 8 + 5
    assert 0.02 < zeros / pre.size < 0.03
    z = tf.Variable(pre)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(tf.nn.relu(z))
    grad_at_zero = tape.gradient(total, z).numpy()[pre == 0]
    assert grad_at_zero.size > 0 and np.all(grad_at_zero == 0)


def test_zero_padding_adds_blank_windows_along_the_border(raw_images) -> None:
    padded = np.pad(raw_images, ((0, 0), (1, 1), (1, 1)))
    assert blank_window_share(padded) > 2 * blank_window_share(raw_images)


# The leaky_relu docstring names Keras's two defaults ------------------------------------


def test_keras_leaky_relu_function_and_layer_defaults_are_the_ones_the_docstring_names() -> None:

    doc = " ".join(rl.leaky_relu.__doc__.split())
    function = inspect.signature(keras.activations.leaky_relu).parameters["negative_slope"].default
    layer = inspect.signature(keras.layers.LeakyReLU).parameters["negative_slope"].default
    assert (function, layer) == (0.2, 0.3)
    assert "0.2 for the function ``keras.activations.leaky_relu``" in doc
    assert "0.3 for the layer ``keras.layers.LeakyReLU``" in doc
