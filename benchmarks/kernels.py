"""relu_lib's ReLU family and its derivatives against the fastest plain numpy, and against relu_lib's tanh and sigmoid.

    python benchmarks/kernels.py            # this CPU's numpy paths, then the AVX2 emulation
    python benchmarks/kernels.py --here     # this CPU's paths only

For relu, relu6, leaky_relu (slope 0.01) and their derivatives relu', relu6' and
leaky_relu' on 1e5 and 1e7 float32 and float64 values, allocating and with
``out=``, it prints relu_lib's time over the best plain numpy formulation's and over
relu_lib.tanh's and relu_lib.sigmoid's on the same input: every candidate of a line
measured interleaved in one run (relu_lib.timing.compare). relu_lib should be within
1.15x of the best numpy form and no slower than tanh or sigmoid. A derivative line
also prints its time over relu_lib's tanh' and sigmoid' ("vs tanh'", "vs sigm'"):
a backward pass against the backward passes it replaces, where "vs tanh" holds it to
the forward pass, one vectorised call that a derivative's comparison and NaN check
cannot beat out of the cache on every CPU.

Leaky ReLU and the derivatives run either as numpy passes over each block of the
input while it is in the cache, or, where numba is installed (relu_lib's ``fast``
extra), as one compiled loop; each call takes the one its selection timed faster.
A sweep times both, on the largest size with ``out=``: the passes with blocks of
256 KiB to 2 MiB, the best of which depends on the CPU's caches, and the loop.

The numpy forms for relu and relu6 are the speed to match, not all exact:
``np.maximum(x, 0)`` turns -0.0 into +0.0 on AVX-512. The others give relu_lib's
exact results, so the comparison is like for like: for Leaky ReLU, ``np.maximum(x,
a x)`` and ``np.where(x > 0, x, a x)`` are both exact for 0 < a <= 1 (-0.0 and NaN
come through the product unchanged). A derivative is NaN where x is NaN in relu_lib
(autograd's piecewise kernels return a branch value there instead), so each numpy
derivative form writes NaN back where ``np.isnan(x)`` (one more pass, which the
benchmark's NaN-free input never needs to use), except ``np.heaviside(x, 0)``,
which is relu' with NaN built in.

The second run repeats everything in a subprocess with numpy's AVX-512 loops off
and PyTorch's dispatch at AVX2. Each run prints its machine first and also writes
its table to ``benchmarks/results/<slug>/kernels.txt``, the machine's result set
(``--no-save`` to only print).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable

import numpy as np
from bench import ROOT, output_directory

from relu_lib import hardware


def avx2_emulation() -> dict[str, str]:
    """The environment that holds numpy to its AVX2 loops, PyTorch to AVX2 and numba to Haswell on this CPU.

    numpy disables only the features it dispatches to, named as it names them
    here: X86_V4 and AVX512_ICL on AMD's Zen 4, AVX512_SPR as well on Intel's
    Sapphire Rapids. A fixed list would miss one CPU's widest loops, and numpy
    refuses a feature it does not dispatch to. numba compiles for the CPU it
    is told: Haswell, the first with AVX2, with a feature list of its own
    (without one numba adds the host's, AVX-512 included).
    """
    found = hardware.describe(frameworks=False).numpy_simd_found
    avx512 = [f for f in found if hardware.vector_path([f]) == "avx512"]
    return {
        "NPY_DISABLE_CPU_FEATURES": " ".join(avx512),
        "ATEN_CPU_CAPABILITY": "avx2",
        "NUMBA_CPU_NAME": "haswell",
        "NUMBA_CPU_FEATURES": "+avx2",
    }


SLOPE = 0.01


def _nan_back(x, res):
    """Write NaN where x is NaN: the derivatives' NaN-in, NaN-out promise in plain numpy."""
    nan = np.isnan(x)
    if nan.any():
        res[nan] = np.nan
    return res


def _into(res, out):
    """``res``, or ``out`` holding a copy of it: np.where has no out=."""
    if out is None:
        return res
    np.copyto(out, res)
    return out


def numpy_forms(dtype: object) -> dict[str, dict[str, Callable]]:
    """Per function, plain numpy formulations ``f(x, out)`` (out None: allocate)."""

    t = np.dtype(dtype).type
    zero, one, six, inf, slope = t(0), t(1), t(6), t(np.inf), t(SLOPE)
    rest = t(one - slope)

    def indicator(mask, out):
        return mask.astype(t) if out is None else _into(mask, out)

    def affine(x, out):
        res = np.greater(x, zero, out=out) if out is not None else (x > zero).astype(t)
        res *= rest
        res += slope
        return _nan_back(x, res)

    def where_levels(x, out):
        return _nan_back(x, _into(np.where(x > zero, one, slope), out))

    return {
        "relu": {
            "np.maximum(x, 0)": lambda x, out: np.maximum(x, zero, out=out),
            "np.clip(x, 0, inf)": lambda x, out: np.clip(x, zero, inf, out=out),
        },
        "relu6": {
            "np.clip(x, 0, 6)": lambda x, out: np.clip(x, zero, six, out=out),
            "min(max(x, 0), 6)": lambda x, out: np.minimum(np.maximum(x, zero, out=out), six, out=out),
        },
        "leaky_relu": {
            "np.maximum(x, a x)": lambda x, out: np.maximum(x, np.multiply(x, slope), out=out),
            "np.where(x > 0, x, a x)": lambda x, out: _into(np.where(x > zero, x, x * slope), out),
        },
        "relu'": {
            "(x > 0) + NaN": lambda x, out: _nan_back(
                x, np.greater(x, zero, out=out) if out is not None else (x > zero).astype(t)
            ),
            "np.heaviside(x, 0)": lambda x, out: np.heaviside(x, zero, out=out),
        },
        "relu6'": {
            "(0 < x < 6) + NaN": lambda x, out: _nan_back(x, indicator((x > zero) & (x < six), out)),
        },
        "leaky_relu'": {
            "a + (x > 0)(1 - a) + NaN": affine,
            "np.where(x > 0, 1, a) + NaN": where_levels,
        },
    }


def library_forms() -> dict[str, Callable]:
    import relu_lib as rl

    return {
        "relu": rl.relu,
        "relu6": rl.relu6,
        "leaky_relu": rl.leaky_relu,
        "relu'": rl.derivative(rl.relu),
        "relu6'": rl.derivative(rl.relu6),
        "leaky_relu'": rl.derivative(rl.leaky_relu),
    }


def row(name: str, fn: Callable, forms: dict[str, Callable], x: object, out: object, repeat: int) -> str:
    """One line: relu_lib's time, the best numpy form's, and relu_lib over it, over tanh and over sigmoid."""
    import relu_lib as rl
    from relu_lib.timing import compare

    candidates = {"relu_lib": lambda: fn(x, out=out)}
    candidates |= {form: (lambda f=f: f(x, out)) for form, f in forms.items()}
    candidates["relu_lib tanh"] = lambda: rl.tanh(x, out=out)
    candidates["relu_lib sigmoid"] = lambda: rl.sigmoid(x, out=out)
    backward = name.endswith("'")
    if backward:
        tanh_slope, sigmoid_slope = rl.derivative(rl.tanh), rl.derivative(rl.sigmoid)
        candidates["relu_lib tanh slope"] = lambda: tanh_slope(x, out=out)
        candidates["relu_lib sigmoid slope"] = lambda: sigmoid_slope(x, out=out)
    table = compare(candidates, reference="relu_lib", repeat=repeat, min_time=0.02)
    best = min(forms, key=table.time)
    ours = table.time("relu_lib")
    mode = "alloc" if out is None else "out="
    same_pass = (
        f"{ours / table.time('relu_lib tanh slope'):>8.2f}  {ours / table.time('relu_lib sigmoid slope'):>8.2f}"
        if backward
        else " " * 18
    )
    return (
        f"{name:<12} {x.size:>7.0e} {x.dtype.name:<8} {mode:<6} {ours * 1e6:>9.1f}us {table.time(best) * 1e6:>9.1f}us  "
        f"{ours / table.time(best):>6.2f}  {ours / table.time('relu_lib tanh'):>7.2f}  "
        f"{ours / table.time('relu_lib sigmoid'):>7.2f}  {same_pass}  {best}"
    )


BLOCK_BYTES = (256 << 10, 512 << 10, 1 << 20, 2 << 20)
"""Block sizes tried for the multi-pass kernels (Leaky ReLU and the piecewise-constant derivatives)."""


def block_sweep(n: int, repeat: int) -> list[str]:
    """A line per multi-pass kernel and dtype: its ``out=`` time as passes with each of :data:`BLOCK_BYTES`
    per block, and as the compiled loop ("-" without numba).

    The block has to stay in the cache between a kernel's passes, so the best
    size depends on the CPU's caches; every time of a line is measured interleaved.
    """
    from relu_lib import _compiled
    from relu_lib import _kernels as k
    from relu_lib.timing import compare

    def forced(fn: Callable, x: object, out: object, path: str, size: int = k.STREAM_BYTES) -> Callable[[], object]:
        def call() -> object:
            kept, k.STREAM_BYTES = k.STREAM_BYTES, size
            try:
                with k.forced("scaled", path), k.forced("levels", path):
                    return fn(x, out=out)
            finally:
                k.STREAM_BYTES = kept

        return call

    looped = _compiled.loops() is not None
    header = f"  {'function':<12} {'dtype':<8} " + " ".join(f"{f'{b >> 10} KiB':>10}" for b in BLOCK_BYTES)
    lines = [header + f" {'compiled':>10}"]
    multi_pass = {name: fn for name, fn in library_forms().items() if name not in ("relu", "relu6")}
    for dtype in (np.float32, np.float64):
        x = (np.random.default_rng(0).standard_normal(n) * 3).astype(dtype)
        out = np.empty_like(x)
        for name, fn in multi_pass.items():
            candidates = {f"{b}": forced(fn, x, out, "passes", b) for b in BLOCK_BYTES}
            if looped:
                candidates["compiled"] = forced(fn, x, out, "compiled")
            table = compare(candidates, reference=f"{k.STREAM_BYTES}", repeat=repeat, min_time=0.02)
            times = " ".join(f"{table.time(key) * 1e6:>8.1f}us" for key in candidates)
            lines.append(f"  {name:<12} {np.dtype(dtype).name:<8} {times}" + ("" if looped else f" {'-':>10}"))
    return lines


def measure(sizes: tuple[int, ...], repeat: int) -> list[str]:
    """Print a line per (function, size, dtype, allocating or out=), the block sweep, the selections; return them."""
    from relu_lib import _kernels as k

    lines: list[str] = []

    def emit(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    ours = library_forms()
    emit(
        f"{'function':<12} {'n':>7} {'dtype':<8} {'mode':<6} {'relu_lib':>11} {'numpy best':>11}  "
        f"{'ratio':>6}  {'vs tanh':>7}  {'vs sigm':>7}  "
        + "  ".join(h.rjust(8) for h in ("vs tanh'", "vs sigm'"))
        + "  best numpy form"
    )
    for n in sizes:
        for dtype in (np.float32, np.float64):
            x = (np.random.default_rng(0).standard_normal(n) * 3).astype(dtype)
            buf = np.empty_like(x)
            forms = numpy_forms(dtype)
            for mode in ("alloc", "out="):
                out = None if mode == "alloc" else buf
                for name, fn in ours.items():
                    emit(row(name, fn, forms[name], x, out, repeat))
    emit("")
    emit(
        f"multi-pass kernels, numpy passes by block size and the compiled loop (out= on {max(sizes):.0e} values, us; "
        f"relu_lib's blocks are {k.STREAM_BYTES >> 10} KiB):"
    )
    for line in block_sweep(max(sizes), repeat):
        emit(line)
    emit("")
    emit("selections (path chosen; the in-cache timing of every exact path, us):")
    for op in k.paths():
        for dtype in (np.float16, np.float32, np.float64):
            sel = k.selection(op, dtype)
            times = ", ".join(f"{p} {s * 1e6:.1f}" for p, s in sel.seconds.items())
            orders = {p: o for p, o in sel.exact.items() if o}
            emit(f"  {op:<6} {np.dtype(dtype).name:<8} -> {sel.path:<8} ({times}; orders {orders})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--here", action="store_true", help="only this process's numpy paths, no AVX2 subprocess")
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e7])
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds; each keeps its best")
    parser.add_argument("--no-save", action="store_true", help="print only; do not write kernels.txt")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes)
    machine = hardware.describe()
    features = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    rounds = f"numpy CPU features disabled: {features or 'none'}; {args.repeat} interleaved rounds"
    heading = [f"# {machine}", rounds, ""]
    print("\n".join(heading), flush=True)
    lines = measure(sizes, args.repeat)
    if not args.no_save:
        target = output_directory(machine) / "kernels.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(heading + lines) + "\n")
        print(f"\nwritten: {target.relative_to(ROOT)}", flush=True)
    if args.here:
        return
    command = [sys.executable, __file__, "--here", "--repeat", str(args.repeat), "--sizes", *map(str, args.sizes)]
    command += ["--no-save"] if args.no_save else []
    print(flush=True)
    emulation = avx2_emulation()
    if not emulation["NPY_DISABLE_CPU_FEATURES"]:
        print("numpy uses no AVX-512 loops here: no AVX2 emulation to run", flush=True)
        return
    subprocess.run(command, env={**os.environ, **emulation}, check=True)


if __name__ == "__main__":
    main()
