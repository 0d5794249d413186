"""What this TensorFlow does where it departs from PyTorch, and so from relu_lib: findings, not promises.

    python benchmarks/framework_findings.py    # `make bench` runs it too

relu_lib follows PyTorch, and tests/test_tensorflow.py checks relu_lib against
TensorFlow only where TensorFlow's documented behaviour agrees. Elsewhere TF's
answer depends on its version, its build and the CPU's vector width, so no test
asserts it: this script measures it here and prints it, for the chapters and for
anyone comparing the libraries on their own machine.

- the sign of ``relu(-0.0)`` and ``relu6(-0.0)`` at each position of an array, in
  TensorFlow and in PyTorch (a vectorised loop and its scalar remainder can differ:
  TF's do on x86-64, PyTorch's aarch64 loops give +0.0 where its x86-64 ones keep -0.0);
- the error of TF's float64 GELU against the exact x Phi(x);
- where TF's softplus, which has no threshold, becomes the identity;
- the precision of ``tf.nn.leaky_relu``'s ``alpha`` in float64;
- TF's relu'(nan) and relu6'(nan).
"""

from __future__ import annotations

import math
import os

# As in tests/conftest.py: quiet C++ logging and no oneDNN reordering.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from typing import Any

import numpy as np

Finding = dict[str, Any]


def _tf() -> Any:
    import tensorflow as tf

    return tf


def signed_zero() -> list[Finding]:
    """Positions of -0.0 kept by relu and relu6, in TF and PyTorch, for arrays of 1 to 64 zeros of each float dtype."""
    import torch

    tf = _tf()
    frameworks = {
        "tensorflow": {"relu": lambda x: tf.nn.relu(tf.constant(x)), "relu6": lambda x: tf.nn.relu6(tf.constant(x))},
        "torch": {
            "relu": lambda x: torch.relu(torch.from_numpy(x)),
            "relu6": lambda x: torch.nn.functional.relu6(torch.from_numpy(x)),
        },
    }
    found = []
    for library, functions in frameworks.items():
        for dtype in (np.float32, np.float64):
            for name, fn in functions.items():
                for n in (1, 3, 4, 8, 17, 64):
                    y = fn(np.full(n, -0.0, dtype=dtype)).numpy()
                    kept = int(np.signbit(y).sum())
                    row = {"library": library, "function": name, "dtype": np.dtype(dtype).name, "n": n}
                    found.append(row | {"negative_zeros_kept": kept})
    return found


def gelu_float64_error() -> Finding:
    """The largest absolute error of TF's float64 GELU at a few points, against x Phi(x) from math.erfc."""
    tf = _tf()
    x = np.array([-3.0, -1.0, 0.5, 2.0])
    exact = np.array([v * math.erfc(-v / math.sqrt(2)) / 2 for v in x])
    error = np.abs(tf.nn.gelu(tf.constant(x)).numpy() - exact)
    return {"max_abs_error": float(error.max()), "float64_eps": float(np.finfo(np.float64).eps)}


def softplus_switch() -> list[Finding]:
    """The smallest x on a grid where TF's softplus returns x itself and its gradient exactly 1."""
    tf = _tf()
    found = []
    for dtype in (np.float32, np.float64):
        x = np.arange(1.0, 60.0, 0.125, dtype=dtype)
        t = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = tf.math.softplus(t)
        grad = tape.gradient(y, t).numpy()
        identity = x[(y.numpy() == x) & (grad == 1.0)]
        first = float(identity.min()) if identity.size else None
        found.append({"dtype": np.dtype(dtype).name, "identity_from": first, "torch_and_relu_lib_from": 20.0})
    return found


def leaky_relu_alpha_float64() -> Finding:
    """Whether TF's float64 leaky_relu multiplies by 0.01 or by 0.01 rounded to float32."""
    tf = _tf()
    value = float(tf.nn.leaky_relu(tf.constant(np.array([-1.0])), alpha=0.01).numpy()[0])
    return {"value_at_-1": value, "alpha_is_float32": value == -float(np.float32(0.01))}


def derivative_at_nan() -> Finding:
    """TF's relu'(nan) and relu6'(nan); relu_lib returns NaN, PyTorch a branch value."""
    tf = _tf()
    found = {}
    for name, fn in (("relu", tf.nn.relu), ("relu6", tf.nn.relu6)):
        t = tf.constant(np.array([np.nan]))
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = fn(t)
        found[f"{name}'(nan)"] = float(tape.gradient(y, t).numpy()[0])
    return found


def findings() -> dict[str, Any]:
    """Every finding, keyed by what it measures, with the TensorFlow version that produced it."""
    return {
        "tensorflow": _tf().__version__,
        "signed_zero": signed_zero(),
        "gelu_float64_error": gelu_float64_error(),
        "softplus_switch": softplus_switch(),
        "leaky_relu_alpha_float64": leaky_relu_alpha_float64(),
        "derivative_at_nan": derivative_at_nan(),
    }


def main() -> None:
    found = findings()
    print(f"TensorFlow {found['tensorflow']}: where it departs from PyTorch (relu_lib follows PyTorch)")
    print("\nrelu(-0.0) and relu6(-0.0): negative zeros kept, of n (relu_lib keeps all, on every CPU)")
    for row in found["signed_zero"]:
        print(f"  {row['library']:10} {row['function']:5} {row['dtype']}  n={row['n']:2}: {row['negative_zeros_kept']}")
    gelu = found["gelu_float64_error"]
    print(f"\nfloat64 GELU: largest error {gelu['max_abs_error']:.2e} (float64 eps {gelu['float64_eps']:.1e})")
    print("\nsoftplus is the identity (value x, gradient 1) from:")
    for row in found["softplus_switch"]:
        torch_from = row["torch_and_relu_lib_from"]
        print(f"  {row['dtype']}: x = {row['identity_from']} (PyTorch and relu_lib: x > {torch_from})")
    alpha = found["leaky_relu_alpha_float64"]
    print(f"\nfloat64 leaky_relu(-1, alpha=0.01) = {alpha['value_at_-1']!r}", end="")
    print(f"; alpha rounded to float32: {alpha['alpha_is_float32']}")
    print("\nderivatives at NaN (relu_lib: nan; PyTorch: relu'(nan) = 1):")
    for name, value in found["derivative_at_nan"].items():
        print(f"  {name} = {value}")


if __name__ == "__main__":
    main()
