"""relu_lib's ReLU family against the fastest plain numpy, and which clamp path each selection chose.

    python benchmarks/kernels.py            # this CPU's numpy paths, then the AVX2 emulation
    python benchmarks/kernels.py --here     # this CPU's paths only

For relu, relu6, leaky_relu and relu' on 1e5 and 1e7 float32 and float64 values,
allocating and with ``out=``, it prints relu_lib's time over the best plain numpy
formulation's, all measured interleaved in one run (relu_lib.timing.compare), and
the ratio to ``np.maximum(x, 0)`` as well. The numpy formulations are not all exact
(``np.maximum(x, 0)`` turns -0.0 into +0.0 on AVX-512): they are the speed to match.
The second run repeats everything in a subprocess with numpy's AVX-512 loops off.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable

AVX2_EMULATION = {"NPY_DISABLE_CPU_FEATURES": "AVX512_ICL AVX512_SKX X86_V4"}


def numpy_forms(dtype: object) -> dict[str, dict[str, Callable]]:
    """Per function, plain numpy formulations ``f(x, out)`` (out None: allocate)."""
    import numpy as np

    t = np.dtype(dtype).type
    zero, six, inf, slope = t(0), t(6), t(np.inf), t(0.01)

    def leaky(x, out):
        return np.maximum(x, np.multiply(x, slope), out=out)

    return {
        "relu": {
            "np.maximum(x, 0)": lambda x, out: np.maximum(x, zero, out=out),
            "np.clip(x, 0, inf)": lambda x, out: np.clip(x, zero, inf, out=out),
        },
        "relu6": {
            "np.clip(x, 0, 6)": lambda x, out: np.clip(x, zero, six, out=out),
            "min(max(x, 0), 6)": lambda x, out: np.minimum(np.maximum(x, zero, out=out), six, out=out),
        },
        "leaky_relu": {"np.maximum(x, 0.01 x)": leaky},
        "relu'": {
            "np.greater(x, 0)": lambda x, out: (
                np.greater(x, zero, out=out) if out is not None else (x > 0).astype(x.dtype)
            ),
        },
    }


def library_forms() -> dict[str, Callable]:
    import relu_lib as rl

    return {
        "relu": rl.relu,
        "relu6": rl.relu6,
        "leaky_relu": rl.leaky_relu,
        "relu'": rl.derivative(rl.relu),
    }


def row(name: str, fn: Callable, forms: dict[str, Callable], x: object, out: object, repeat: int) -> str:
    """One line: relu_lib's time, the best numpy form's, and relu_lib over it, over max(x, 0) and over tanh."""
    import numpy as np

    import relu_lib as rl
    from relu_lib.timing import compare

    zero = x.dtype.type(0)
    candidates = {"relu_lib": lambda: fn(x, out=out)}
    candidates |= {form: (lambda f=f: f(x, out)) for form, f in forms.items()}
    candidates["np.maximum(x, 0)"] = lambda: np.maximum(x, zero, out=out)
    candidates["relu_lib tanh"] = lambda: rl.tanh(x, out=out)
    table = compare(candidates, reference="relu_lib", repeat=repeat, min_time=0.02)
    best = min(forms, key=table.time)
    ours = table.time("relu_lib")
    mode = "alloc" if out is None else "out="
    return (
        f"{name:<11} {x.size:>9.0e} {x.dtype.name:<8} {mode:<6} {ours * 1e6:>8.1f}us {table.time(best) * 1e6:>8.1f}us  "
        f"{ours / table.time(best):>6.2f}  {ours / table.time('np.maximum(x, 0)'):>11.2f}  "
        f"{ours / table.time('relu_lib tanh'):>7.2f}  {best}"
    )


def measure(sizes: tuple[int, ...], repeat: int) -> None:
    """Print one line per (function, size, dtype, allocating or out=), then the selections."""
    import numpy as np

    from relu_lib import _kernels as k

    ours = library_forms()
    print(
        f"{'function':<11} {'n':>9} {'dtype':<8} {'mode':<6} {'relu_lib':>10} {'numpy best':>10}  "
        f"{'ratio':>6}  {'vs max(x,0)':>11}  {'vs tanh':>7}  best numpy form"
    )
    for n in sizes:
        for dtype in (np.float32, np.float64):
            x = (np.random.default_rng(0).standard_normal(n) * 3).astype(dtype)
            buf = np.empty_like(x)
            for mode in ("alloc", "out="):
                out = None if mode == "alloc" else buf
                for name, fn in ours.items():
                    print(row(name, fn, numpy_forms(dtype)[name], x, out, repeat), flush=True)
    print("\nselections (path chosen; the in-cache timing of every exact path, us):")
    for op in k.OPERATIONS:
        for dtype in (np.float16, np.float32, np.float64):
            sel = k.selection(op, dtype)
            times = ", ".join(f"{p} {s * 1e6:.1f}" for p, s in sel.seconds.items())
            orders = {p: o for p, o in sel.exact.items() if o}
            print(f"  {op:<6} {np.dtype(dtype).name:<8} -> {sel.path:<8} ({times}; orders {orders})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--here", action="store_true", help="only this process's numpy paths, no AVX2 subprocess")
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e7])
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds; each keeps its best")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes)
    features = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    print(f"== numpy CPU features disabled: {features or 'none'} ==", flush=True)
    measure(sizes, args.repeat)
    if args.here:
        return
    command = [sys.executable, __file__, "--here", "--repeat", str(args.repeat), "--sizes", *map(str, args.sizes)]
    print(flush=True)
    subprocess.run(command, env={**os.environ, **AVX2_EMULATION}, check=True)


if __name__ == "__main__":
    main()
