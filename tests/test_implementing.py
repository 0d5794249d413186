"""Chapter 3's claims: the same MLP and CNN in PyTorch and Keras, and ReLU's gradients in both.

The model cells are taken from ``chapters/03_implementing.ipynb`` itself (found
by the model each one assigns) and executed here, so the test checks the code
the book shows: equal parameter counts, equal output shapes, and, once the
PyTorch CNN's weights are carried into Keras with the chapter's conversion,
equal outputs. The gradient tests check autograd and GradientTape against
``relu_lib.derivative`` on grids that contain 0, on several seeds.
"""

import os
import re
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import nbformat
import numpy as np
import pytest
from conftest import require

import relu_lib

torch = require("torch")
tf = require("tensorflow")
keras = require("keras")

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "03_implementing.ipynb"
SEEDS = [0, 1, 2]


def chapter_cells() -> list[nbformat.NotebookNode]:
    return [cell for cell in nbformat.read(CHAPTER, as_version=4).cells if cell.cell_type == "code"]


def cell_assigning(name: str, tag: str | None) -> str:
    """The source of the one code cell that assigns ``name`` at top level, checking its tag."""
    pattern = re.compile(rf"^{re.escape(name)}\s*=", re.M)
    found = [cell for cell in chapter_cells() if pattern.search(cell.source)]
    assert len(found) == 1, f"expected one cell assigning {name}, found {len(found)}"
    tags = found[0].metadata.get("tags", [])
    if tag is None:
        assert not {"pytorch", "tensorflow"} & set(tags), f"the cell assigning {name} should be untagged"
    else:
        assert tag in tags, f"the cell assigning {name} should be tagged {tag}"
    return found[0].source


def run_model_cells(seed: int) -> dict:
    """Execute the chapter's parameter-count cell and its four model cells, seeded with ``seed``."""
    torch.manual_seed(seed)
    keras.utils.set_random_seed(seed)
    namespace = {
        "np": np,
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "tf": tf,
        "keras": keras,
        "relu_lib": relu_lib,
        "rng": np.random.default_rng(seed),
        "glue": lambda name, value, display=True: None,
    }
    for name, tag in (
        ("mlp_params_formula", None),
        ("mlp_torch", "pytorch"),
        ("mlp_keras", "tensorflow"),
        ("cnn_torch", "pytorch"),
        ("cnn_keras", "tensorflow"),
    ):
        exec(compile(cell_assigning(name, tag), f"<chapter 3: {name}>", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def models(request: pytest.FixtureRequest) -> dict:
    return run_model_cells(request.param)


def torch_count(model) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_parameter_counts_are_equal_and_match_the_formula(models: dict, kind: str) -> None:
    model_torch, model_keras = models[f"{kind}_torch"], models[f"{kind}_keras"]
    expected = {"mlp": 100 * 50 + 50 + 50 * 10 + 10, "cnn": 320 + 18_496 + 401_536 + 1_290}[kind]
    assert models[f"{kind}_params_formula"] == expected
    assert torch_count(model_torch) == model_keras.count_params() == expected
    # what the chapter's cells printed is what the models have
    assert models[f"{kind}_params_torch"] == models[f"{kind}_params_keras"] == expected


@pytest.mark.parametrize("batch", [1, 5])
def test_output_shapes_are_equal_for_a_batch(models: dict, batch: int) -> None:
    rng = np.random.default_rng(batch)
    inputs = rng.standard_normal((batch, 100)).astype(np.float32)
    images = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)  # NCHW
    with torch.no_grad():
        mlp_shape_torch = tuple(models["mlp_torch"](torch.from_numpy(inputs)).shape)
        cnn_shape_torch = tuple(models["cnn_torch"](torch.from_numpy(images)).shape)
    mlp_shape_keras = tuple(models["mlp_keras"](inputs).shape)
    cnn_shape_keras = tuple(models["cnn_keras"](images.transpose(0, 2, 3, 1)).shape)
    assert mlp_shape_torch == mlp_shape_keras == (batch, 10)
    assert cnn_shape_torch == cnn_shape_keras == (batch, 10)
    assert models["mlp_shape_torch"] == models["mlp_shape_keras"]
    assert models["cnn_shape_torch"] == models["cnn_shape_keras"]


def test_keras_cnn_with_the_torch_weights_computes_the_same_function(models: dict) -> None:
    namespace = dict(models)
    source = next(cell.source for cell in chapter_cells() if "def torch_cnn_to_keras" in cell.source)
    exec(compile(source, "<chapter 3: torch_cnn_to_keras>", "exec"), namespace)
    convert = namespace["torch_cnn_to_keras"]
    weights = [p.detach().numpy() for p in models["cnn_torch"].parameters()]
    images = np.random.default_rng(7).standard_normal((4, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = models["cnn_torch"](torch.from_numpy(images)).numpy()
    cnn_keras = models["cnn_keras"]
    original = cnn_keras.get_weights()
    try:
        cnn_keras.set_weights(convert(weights))
        np.testing.assert_allclose(cnn_keras(images.transpose(0, 2, 3, 1)).numpy(), expected, atol=1e-5)
        cnn_keras.set_weights(convert(weights, reorder_flatten=False))
        naive = cnn_keras(images.transpose(0, 2, 3, 1)).numpy()
        assert np.max(np.abs(naive - expected)) > 1e-3, "the flatten order should matter"
    finally:
        cnn_keras.set_weights(original)


def relu_grid(seed: int, dtype: type) -> np.ndarray:
    """A grid through 0 (both zeros and tiny numbers either side) plus standard normal draws."""
    rng = np.random.default_rng(seed)
    special = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0]
    grid = np.concatenate([np.linspace(-3, 3, 61), special, rng.standard_normal(1000)])
    return grid.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("seed", SEEDS)
def test_autograd_and_gradient_tape_equal_relu_lib_derivative(seed: int, dtype: type) -> None:
    x = relu_grid(seed, dtype)
    expected = relu_lib.derivative(relu_lib.relu)(x)
    assert expected.dtype == dtype
    assert np.all(expected[x == 0] == 0), "relu'(0) = 0 by convention"

    x_torch = torch.tensor(x, requires_grad=True)
    torch.relu(x_torch).sum().backward()
    np.testing.assert_array_equal(x_torch.grad.numpy(), expected)

    x_tf = tf.Variable(x)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(tf.nn.relu(x_tf))
    np.testing.assert_array_equal(tape.gradient(total, x_tf).numpy(), expected)


def test_mlp_relu_layer_backpropagates_relu_lib_derivative(models: dict) -> None:
    """dL/dz = dL/dh * relu'(z) in both frameworks' MLPs, with exact zeros among the z."""
    slope = relu_lib.derivative(relu_lib.relu)
    batch = np.random.default_rng(11).standard_normal((6, 100)).astype(np.float32)
    batch[-1] = 0.0  # its pre-activations are the hidden biases

    mlp_torch = models["mlp_torch"]
    with torch.no_grad():
        mlp_torch.hidden.bias[:5] = 0.0  # some exact zeros in PyTorch too
    z = mlp_torch.hidden(torch.from_numpy(batch))
    h = torch.nn.functional.relu(z)
    z.retain_grad()
    h.retain_grad()
    mlp_torch.output(h).square().mean().backward()
    z_np = z.detach().numpy()
    assert np.sum(z_np == 0) >= 5
    np.testing.assert_array_equal(z.grad.numpy(), h.grad.numpy() * slope(z_np))

    hidden, output = models["mlp_keras"].layers
    with tf.GradientTape() as tape:
        z = tf.matmul(batch, hidden.kernel) + hidden.bias
        h = tf.nn.relu(z)
        loss = tf.reduce_mean(tf.square(output(h)))
    dz, dh = (g.numpy() for g in tape.gradient(loss, [z, h]))
    assert np.sum(z.numpy() == 0) >= 50  # Keras biases start at zero
    np.testing.assert_array_equal(dz, dh * slope(z.numpy()))
