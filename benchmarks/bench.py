"""Time relu_lib against plain numpy, PyTorch, TensorFlow and a scalar ``np.vectorize``.

    make bench                      # every activation, float32 and float64, n = 1e3, 1e5, 1e7
    python benchmarks/bench.py --only relu gelu --sizes 1000 100000
    NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL" ATEN_CPU_CAPABILITY=avx2 \
        python benchmarks/bench.py --notes "AVX2 paths emulated on an AVX-512 CPU"
    # (add AVX512_SPR where numpy dispatches to it, as on Intel's Sapphire Rapids;
    # benchmarks/kernels.py's avx2_emulation() names them for this CPU)

For each activation, forward and derivative, it prints one table: the median time
of each implementation, the ratios measured in the same run, and the peak memory
each numpy implementation allocates, its result included (tracemalloc; a multiple
of the input's size: 1x is the result alone, 2x the result and one temporary).
Frameworks (and numpy's BLAS) run on one CPU thread, as numpy's element-wise
kernels do.

Which of two activations is cheaper depends on the CPU's vector instructions,
so results are kept per machine: the run prints the machine first and writes
``benchmarks/results/<slug>[-<label>]/`` (``bench.csv``, ``bench.md``,
``machine.json`` and ``MACHINE.md``), where ``<slug>`` names the CPU model, the
widest vector path numpy and PyTorch use, and the core count
(:attr:`relu_lib.hardware.Machine.slug`). The chapters read every set there
through :mod:`relu_lib.measurements`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np
import scipy.special

import relu_lib
from relu_lib import derivative, hardware, timing, verdicts

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SIZES = (1_000, 100_000, 10_000_000)
VECTORIZE_MAX = 100_000  # np.vectorize takes about 0.1 s per 1e6 values
SELU = (relu_lib.SELU_ALPHA, relu_lib.SELU_SCALE)

Kernel = Callable[[np.ndarray], object]


@dataclass(frozen=True)
class Case:
    """One row group: an activation (or its derivative) and how each library computes it."""

    name: str
    relu_lib: Kernel
    numpy: Kernel
    torch: Callable[[object], Callable[[], object]] | None
    tensorflow: Callable[[object], Callable[[], object]] | None
    vectorize: Kernel | None = None


def scalar_relu(value: float) -> float:
    # A scalar ReLU as first written in plain Python, vectorised with np.vectorize below.
    if value <= 0:
        return 0.0
    return value


def scalar_relu_slope(value: float) -> float:
    if value > 0:
        return 1.0
    return 0.0


def numpy_baselines() -> dict[str, Kernel]:
    """The fastest plain numpy (and scipy.special) formulation of each function we know."""
    expit, ndtr = scipy.special.expit, scipy.special.ndtr
    c = np.sqrt(2 / np.pi)

    def dtype_one(x: np.ndarray) -> np.generic:
        return x.dtype.type(1)

    return {
        "relu": lambda x: np.maximum(x, 0),
        "relu (out=)": lambda x: np.maximum(x, 0, out=x.out),  # type: ignore[attr-defined]
        "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
        "leaky_relu": lambda x: np.where(x > 0, x, x * x.dtype.type(0.01)),
        "prelu": lambda x: np.where(x > 0, x, x * x.dtype.type(0.25)),
        "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
        "selu": lambda x: SELU[1] * np.where(x > 0, x, SELU[0] * np.expm1(np.minimum(x, 0))),
        "gelu": lambda x: x * ndtr(x),
        "gelu (tanh)": lambda x: 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**3))),
        "silu": lambda x: x * expit(x),
        "softplus": lambda x: np.logaddexp(0, x),
        "sigmoid": expit,
        "tanh": np.tanh,
        "relu'": lambda x: (x > 0).astype(x.dtype),
        "relu6'": lambda x: ((x > 0) & (x < 6)).astype(x.dtype),
        "leaky_relu'": lambda x: np.where(x > 0, dtype_one(x), x.dtype.type(0.01)),
        "prelu'": lambda x: np.where(x > 0, dtype_one(x), x.dtype.type(0.25)),
        "elu'": lambda x: np.where(x > 0, dtype_one(x), np.exp(np.minimum(x, 0))),
        "selu'": lambda x: SELU[1] * np.where(x > 0, dtype_one(x), SELU[0] * np.exp(np.minimum(x, 0))),
        "gelu'": lambda x: ndtr(x) + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi),
        "gelu (tanh)'": lambda x: _gelu_tanh_slope(x, c),
        "silu'": lambda x: (s := expit(x)) * (1 + x * (1 - s)),
        "softplus'": expit,
        "sigmoid'": lambda x: (s := expit(x)) * (1 - s),
        "tanh'": lambda x: 1 - np.tanh(x) ** 2,
    }


def _gelu_tanh_slope(x: np.ndarray, c: float) -> np.ndarray:
    t = np.tanh(c * (x + 0.044715 * x**3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)


def relu_lib_kernels() -> dict[str, Kernel]:
    """The same functions from relu_lib."""
    rl = relu_lib
    forward: dict[str, Kernel] = {
        "relu": rl.relu,
        "relu (out=)": lambda x: rl.relu(x, out=x.out),  # type: ignore[attr-defined]
        "relu6": rl.relu6,
        "leaky_relu": rl.leaky_relu,
        "prelu": lambda x: rl.prelu(x, 0.25),
        "elu": rl.elu,
        "selu": rl.selu,
        "gelu": rl.gelu,
        "gelu (tanh)": lambda x: rl.gelu(x, approximate="tanh"),
        "silu": rl.silu,
        "softplus": rl.softplus,
        "sigmoid": rl.sigmoid,
        "tanh": rl.tanh,
    }
    slopes = {f"{name}'": derivative(fn) for name, fn in forward.items() if " " not in name and name != "prelu"}
    slopes["prelu'"] = lambda x: derivative(rl.prelu)(x, 0.25)
    slopes["gelu (tanh)'"] = lambda x: derivative(rl.gelu)(x, approximate="tanh")
    return {**forward, **slopes}


def torch_kernels() -> dict[str, Callable[[object], Callable[[], object]]]:
    """PyTorch's CPU kernels: functional forward passes and the aten backward kernels autograd calls."""
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    aten = torch.ops.aten

    def grad(t):  # a fixed upstream gradient of ones, as derivative() computes
        return torch.ones_like(t)

    return {
        "relu": lambda t: lambda: F.relu(t),
        "relu (out=)": lambda t: (lambda buf: lambda: torch.clamp_min(t, 0, out=buf))(torch.empty_like(t)),
        "relu6": lambda t: lambda: F.relu6(t),
        "leaky_relu": lambda t: lambda: F.leaky_relu(t, 0.01),
        "prelu": lambda t: (lambda w: lambda: F.prelu(t, w))(torch.tensor([0.25], dtype=t.dtype)),
        "elu": lambda t: lambda: F.elu(t),
        "selu": lambda t: lambda: F.selu(t),
        "gelu": lambda t: lambda: F.gelu(t),
        "gelu (tanh)": lambda t: lambda: F.gelu(t, approximate="tanh"),
        "silu": lambda t: lambda: F.silu(t),
        "softplus": lambda t: lambda: F.softplus(t),
        "sigmoid": lambda t: lambda: torch.sigmoid(t),
        "tanh": lambda t: lambda: torch.tanh(t),
        "relu'": lambda t: (lambda g, y: lambda: aten.threshold_backward(g, y, 0))(grad(t), F.relu(t)),
        "relu6'": lambda t: (lambda g: lambda: aten.hardtanh_backward(g, t, 0.0, 6.0))(grad(t)),
        "leaky_relu'": lambda t: (lambda g: lambda: aten.leaky_relu_backward(g, t, 0.01, False))(grad(t)),
        "prelu'": lambda t: (lambda g: lambda: aten.leaky_relu_backward(g, t, 0.25, False))(grad(t)),
        "elu'": lambda t: (lambda g: lambda: aten.elu_backward(g, 1.0, 1.0, 1.0, False, t))(grad(t)),
        "selu'": lambda t: (lambda g: lambda: aten.elu_backward(g, SELU[0], SELU[1], 1.0, False, t))(grad(t)),
        "gelu'": lambda t: (lambda g: lambda: aten.gelu_backward(g, t))(grad(t)),
        "gelu (tanh)'": lambda t: (lambda g: lambda: aten.gelu_backward(g, t, approximate="tanh"))(grad(t)),
        "silu'": lambda t: (lambda g: lambda: aten.silu_backward(g, t))(grad(t)),
        "softplus'": lambda t: (lambda g: lambda: aten.softplus_backward(g, t, 1.0, 20.0))(grad(t)),
        "sigmoid'": lambda t: (lambda g, y: lambda: aten.sigmoid_backward(g, y))(grad(t), torch.sigmoid(t)),
        "tanh'": lambda t: (lambda g, y: lambda: aten.tanh_backward(g, y))(grad(t), torch.tanh(t)),
    }


def tensorflow_kernels() -> dict[str, Callable[[object], Callable[[], object]]]:
    """TensorFlow's CPU kernels, eagerly: tf.nn forward ops and the raw gradient ops."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    raw = tf.raw_ops

    def tape_slope(fn):
        def make(t):
            def run():
                with tf.GradientTape() as tape:
                    tape.watch(t)
                    y = fn(t)
                return tape.gradient(y, t)

            return run

        return make

    def ones(t):
        return tf.ones_like(t)

    return {
        "relu": lambda t: lambda: tf.nn.relu(t),
        "relu6": lambda t: lambda: tf.nn.relu6(t),
        "leaky_relu": lambda t: lambda: tf.nn.leaky_relu(t, 0.01),
        "prelu": lambda t: lambda: tf.nn.leaky_relu(t, 0.25),
        "elu": lambda t: lambda: tf.nn.elu(t),
        "selu": lambda t: lambda: tf.nn.selu(t),
        "gelu": lambda t: lambda: tf.nn.gelu(t),
        "gelu (tanh)": lambda t: lambda: tf.nn.gelu(t, approximate=True),
        "silu": lambda t: lambda: tf.nn.silu(t),
        "softplus": lambda t: lambda: tf.math.softplus(t),
        "sigmoid": lambda t: lambda: tf.sigmoid(t),
        "tanh": lambda t: lambda: tf.tanh(t),
        "relu'": lambda t: (lambda g: lambda: raw.ReluGrad(gradients=g, features=t))(ones(t)),
        "relu6'": lambda t: (lambda g: lambda: raw.Relu6Grad(gradients=g, features=t))(ones(t)),
        "leaky_relu'": lambda t: (lambda g: lambda: raw.LeakyReluGrad(gradients=g, features=t, alpha=0.01))(ones(t)),
        "prelu'": lambda t: (lambda g: lambda: raw.LeakyReluGrad(gradients=g, features=t, alpha=0.25))(ones(t)),
        "elu'": lambda t: (lambda g, y: lambda: raw.EluGrad(gradients=g, outputs=y))(ones(t), tf.nn.elu(t)),
        "selu'": lambda t: (lambda g, y: lambda: raw.SeluGrad(gradients=g, outputs=y))(ones(t), tf.nn.selu(t)),
        # TF has no fused GELU or SiLU gradient op: these include the forward pass.
        "gelu'": tape_slope(tf.nn.gelu),
        "gelu (tanh)'": tape_slope(lambda t: tf.nn.gelu(t, approximate=True)),
        "silu'": tape_slope(tf.nn.silu),
        "softplus'": lambda t: (lambda g: lambda: raw.SoftplusGrad(gradients=g, features=t))(ones(t)),
        "sigmoid'": lambda t: (lambda g, y: lambda: raw.SigmoidGrad(y=y, dy=g))(ones(t), tf.sigmoid(t)),
        "tanh'": lambda t: (lambda g, y: lambda: raw.TanhGrad(y=y, dy=g))(ones(t), tf.tanh(t)),
    }


class Buffered(np.ndarray):
    """An input array that carries a preallocated ``out`` buffer for the ``out=`` rows."""

    out: np.ndarray


def median_seconds(call: Callable[[], object], target: float, repeats: int) -> float:
    """Median time of one call, over ``repeats`` measurements of about ``target`` seconds each."""
    call()  # warm up: first-call imports, page faults of fresh buffers
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(target / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def peak_extra(call: Callable[[], object], input_bytes: int) -> float:
    """Peak memory a call allocates, its result included, as a multiple of the input's size."""
    call()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1] - base
        del result
    finally:
        tracemalloc.stop()
    return peak / input_bytes


def run(names: list[str] | None, sizes: tuple[int, ...], dtypes: tuple[str, ...], repeats: int) -> list[dict]:
    import tensorflow as tf
    import torch

    ours, baselines = relu_lib_kernels(), numpy_baselines()
    torches, tfs = torch_kernels(), tensorflow_kernels()
    vectorized = {
        "relu": np.vectorize(scalar_relu, otypes=[float]),
        "relu'": np.vectorize(scalar_relu_slope, otypes=[float]),
    }
    chosen = [name for name in ours if names is None or name.split(" ")[0].rstrip("'") in names]
    rows = []
    for dtype in dtypes:
        for n in sizes:
            rng = np.random.default_rng(0)
            x = (rng.standard_normal(n) * 3).astype(dtype).view(Buffered)
            x.out = np.empty_like(x.view(np.ndarray))
            plain = x.view(np.ndarray)
            target = 0.02 if n < 10**7 else 0.1
            t_torch, t_tf = torch.from_numpy(plain), tf.constant(plain)
            for name in chosen:
                arr = x if "out=" in name else plain
                row = {"function": name, "dtype": dtype, "n": n}
                row["relu_lib"] = median_seconds(lambda f=ours[name], a=arr: f(a), target, repeats)
                row["numpy"] = median_seconds(lambda f=baselines[name], a=arr: f(a), target, repeats)
                row["torch"] = median_seconds(torches[name](t_torch), target, repeats) if name in torches else None
                row["tensorflow"] = median_seconds(tfs[name](t_tf), target, repeats) if name in tfs else None
                scalar = vectorized.get(name) if n <= VECTORIZE_MAX else None
                row["vectorize"] = median_seconds(lambda f=scalar, a=plain: f(a), target, 3) if scalar else None
                row["relu_lib_memory"] = peak_extra(lambda f=ours[name], a=arr: f(a), plain.nbytes)
                row["numpy_memory"] = peak_extra(lambda f=baselines[name], a=arr: f(a), plain.nbytes)
                rows.append(row)
                print(format_row(row), flush=True)
    return rows


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "–"


def micro(seconds: float | None) -> str:
    return f"{seconds * 1e6:,.1f}" if seconds else "–"


HEADER = (
    "| function | dtype | n | relu_lib µs | numpy µs | torch µs | tf µs | vectorize µs "
    "| relu_lib / numpy | relu_lib / torch | relu_lib / tf | vectorize / relu_lib | peak memory relu_lib | numpy |"
)


def format_row(row: dict) -> str:
    cells = [
        row["function"],
        row["dtype"],
        f"{row['n']:.0e}",
        micro(row["relu_lib"]),
        micro(row["numpy"]),
        micro(row["torch"]),
        micro(row["tensorflow"]),
        micro(row["vectorize"]),
        ratio(row["relu_lib"], row["numpy"]),
        ratio(row["relu_lib"], row["torch"]),
        ratio(row["relu_lib"], row["tensorflow"]),
        ratio(row["vectorize"], row["relu_lib"]),
        f"{row['relu_lib_memory']:.2f}x",
        f"{row['numpy_memory']:.2f}x",
    ]
    return "| " + " | ".join(cells) + " |"


def write(rows: list[dict], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "bench.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    separator = "|" + "---|" * HEADER.count(" | ") + "---|"
    lines = [HEADER, separator, *(format_row(row) for row in rows)]
    (directory / "bench.md").write_text("\n".join(lines) + "\n")


def single_thread() -> object | None:
    """Put every library on one thread: PyTorch, TensorFlow, and numpy's BLAS while the result lives."""
    import tensorflow as tf
    import torch

    torch.set_num_threads(1)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # element-wise numpy is single-threaded anyway; only BLAS would differ
        return None
    return threadpool_limits(1)


def output_directory(machine: hardware.Machine, label: str | None = None) -> Path:
    """Where a run's results go by default: ``results/<slug>`` or ``results/<slug>-<label>``."""
    name = machine.slug + (f"-{label}" if label else "")
    return RESULTS / re.sub(r"[^A-Za-z0-9._-]+", "-", name)


def git_commit() -> str | None:
    """The short commit of this checkout, ``+dirty`` when tracked files have uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


LSCPU_FIELDS = ("Architecture", "CPU(s)", "Model name", "Thread(s) per core", "L1d cache", "L2 cache", "L3 cache")
VECTOR_FLAG = re.compile(r"^(sse\w*|ssse3|avx\w*|fma\w*|f16c|amx\w*|asimd\w*|sve\w*|neon)$")


def lscpu() -> list[str]:
    """The CPU's model, caches and vector flags as ``lscpu`` reports them (nothing where it is missing)."""
    if shutil.which("lscpu") is None:
        return []
    try:
        output = subprocess.run(["lscpu"], capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    lines = []
    for line in output.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in LSCPU_FIELDS:
            lines.append(f"{key.strip() + ':':<20}{value.strip()}")
        elif key.strip() == "Flags":
            vector = [flag for flag in value.split() if VECTOR_FLAG.match(flag)]
            lines.append(f"{'Vector flags:':<20}{' '.join(vector)}")
    return lines


def write_machine(directory: Path, machine: hardware.Machine, *, commit: str | None, notes: str) -> None:
    """``machine.json`` for :mod:`relu_lib.measurements` and ``MACHINE.md`` for people."""
    date = datetime.date.today().isoformat()
    info = {
        "summary": str(machine),
        "slug": machine.slug,
        "date": date,
        "commit": commit,
        "notes": notes,
        "machine": machine.to_dict(),
    }
    (directory / "machine.json").write_text(json.dumps(info, indent=2) + "\n")
    lines = [
        f"# {machine}",
        "",
        f"Measured on {date} with `benchmarks/bench.py` at commit {commit or 'unknown'}, one thread per library.",
    ]
    if notes:
        lines += ["", notes]
    lines += ["", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine_rows(machine)]
    details = lscpu()
    if details:
        lines += ["", "`lscpu`:", "", "```", *details, "```"]
    (directory / "MACHINE.md").write_text("\n".join(lines) + "\n")


def machine_rows(machine: hardware.Machine) -> list[tuple[str, str]]:
    rows = [
        ("CPU", f"{machine.cpu} ({machine.architecture}, {machine.cores} logical cores)"),
        ("numpy SIMD baseline", " ".join(machine.numpy_simd_baseline) or "–"),
        ("numpy SIMD found", " ".join(machine.numpy_simd_found) or "–"),
        ("PyTorch CPU capability", machine.torch_capability or "–"),
        ("BLAS", machine.blas or "–"),
        ("threads", ", ".join(f"{name} {count}" for name, count in machine.threads) or "–"),
        ("versions", ", ".join(f"{name} {version}" for name, version in machine.versions)),
        ("environment", " ".join(f"`{name}={value}`" for name, value in machine.environment) or "–"),
        ("slug", f"`{machine.slug}`"),
    ]
    return rows


def layer_ratio(n: int = 1_000_000) -> float:
    """How many times ReLU's time the dense layer's matrix product that feeds it takes (float32, one thread).

    The product makes ``n`` pre-activations: a batch of sqrt(n) examples through a
    sqrt(n) x sqrt(n) layer, the shape chapter 4 uses.
    """
    side = round(n**0.5)
    rng = np.random.default_rng(0)
    batch, kernel = (rng.standard_normal((side, side)).astype(np.float32) for _ in range(2))
    pre = batch @ kernel
    table = timing.compare(
        {"relu": lambda: relu_lib.relu(pre), "matmul": lambda: batch @ kernel},
        reference="relu",
        repeat=5,
        min_time=0.05,
    )
    return table.relative("matmul")


def claims(rows: list[dict], machine: hardware.Machine, matmul_over_relu: float | None) -> list[str]:
    """What this machine says of the cost claims, in words chosen by its own numbers.

    Costs depend on the CPU, so no test asserts them: the benchmark measures and
    reports them with the machine named. Forward passes, float32.
    """
    times = {(row["function"], row["n"]): row for row in rows if row["dtype"] == "float32"}
    libraries = {"relu_lib": "relu_lib", "torch": "PyTorch", "tensorflow": "TensorFlow"}
    lines = [f"## Cost claims on this machine ({machine})", ""]
    for n in sorted({n for _, n in times}):
        if ("relu", n) not in times:
            continue
        for key, name in libraries.items():
            relu_time = times["relu", n][key]
            ratios = {
                other: times[other, n][key] / relu_time
                for other in ("sigmoid", "tanh", "gelu")
                if (other, n) in times and times[other, n][key] and relu_time
            }
            if not ratios:
                continue
            no_slower = all(ratios[o] >= 1 / verdicts.TOLERANCE for o in ("sigmoid", "gelu") if o in ratios)
            shown = ", ".join(f"{o} {r:.2f}x" for o, r in ratios.items())
            tanh = ""
            if "tanh" in ratios:
                words = verdicts.compare(
                    ratios["tanh"], less="faster than", similar="about as fast as", more="slower than"
                )
                tanh = f"; tanh ran {words} ReLU"
            verdict = "holds" if no_slower else "DOES NOT HOLD"
            lines.append(
                f"- n = {n:.0e}, {name}: time / ReLU's: {shown}. ReLU no slower than sigmoid and GELU: {verdict}{tanh}."
            )
    if matmul_over_relu is not None:
        lines.append(
            f"- A 1000 x 1000 float32 matrix product took {matmul_over_relu:.0f} times relu_lib.relu on its "
            "1e6 outputs: the activation is a small part of a dense layer's cost."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", help="activation names, e.g. relu gelu")
    parser.add_argument("--sizes", nargs="+", type=int, default=list(SIZES))
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--output", type=Path, default=None, help="directory to write (default: benchmarks/results/<slug>[-<label>])"
    )
    parser.add_argument("--label", help="a suffix for the default directory, e.g. a commit or 'emulated'")
    parser.add_argument("--notes", default="", help="a sentence for MACHINE.md, e.g. how the run was emulated")
    args = parser.parse_args(argv)
    # Read before the run writes its own tracked result files, which would make it "+dirty".
    commit = git_commit()
    limits = single_thread()
    try:
        machine = hardware.describe()
        output = args.output or output_directory(machine, args.label)
        print(f"measured on: {machine}")
        print(f"relu_lib {relu_lib.__version__}; medians of {args.repeats} runs; writing to {output}")
        print(HEADER)
        print("|" + "---|" * (HEADER.count(" | ") + 1))
        rows = run(args.only, tuple(args.sizes), tuple(args.dtypes), args.repeats)
        summary = claims(rows, machine, layer_ratio() if args.only is None else None)
    finally:
        if limits is not None:
            limits.restore_original_limits()
    print("\n".join(["", *summary]))
    write(rows, output)
    (output / "claims.md").write_text("\n".join(summary) + "\n")
    write_machine(output, machine, commit=commit, notes=args.notes)
    print(f"written to {output}: bench.md, bench.csv, claims.md, machine.json, MACHINE.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
