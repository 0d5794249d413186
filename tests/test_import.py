"""``import relu_lib`` loads numpy and nothing heavier; scipy.special comes with the first smooth activation."""

import subprocess
import sys
import textwrap

from conftest import ROOT

HEAVY = ("torch", "tensorflow", "keras", "matplotlib", "ipywidgets", "scipy", "numba", "llvmlite")
ON_DEMAND = ("relu_lib.plotting", "relu_lib.widgets", "relu_lib.piecewise")


def run_fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter that imports relu_lib from this checkout, warnings as errors."""
    script = f"import sys\nsys.path.insert(0, {ROOT!r})\n" + textwrap.dedent(code)
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_import_loads_no_heavy_dependency():
    out = run_fresh(
        f"""
        import relu_lib
        assert relu_lib.__file__.startswith({ROOT!r}), relu_lib.__file__
        loaded = [name for name in {HEAVY + ON_DEMAND!r} if name in sys.modules]
        loaded += [name for name in sys.modules if name.split(".")[0] in {HEAVY!r}]
        print(sorted(set(loaded)))
        """
    )
    assert out == "[]", f"import relu_lib loaded {out}"


def test_piecewise_functions_and_initialisers_do_not_need_scipy():
    # numba, which Leaky ReLU and the derivatives load, imports scipy's top level itself
    # (its linear algebra support): relu_lib's own promise is scipy.special, the 0.2 s import.
    out = run_fresh(
        """
        import numpy as np
        import relu_lib as rl
        x = np.linspace(-3, 3, 7)
        rl.relu(x), rl.relu6(x)
        print("scipy" in sys.modules)
        rl.leaky_relu(x), rl.prelu(x, 0.25), rl.maxout(x[:6], 2)
        rl.derivative(rl.relu)(x), rl.derivative(rl.leaky_relu)(x)
        rl.he_normal((4, 3), seed=0), rl.xavier_uniform((4, 3), seed=0), rl.fans((3, 3, 2, 4))
        print("scipy.special" in sys.modules)
        """
    )
    assert out == "False\nFalse"


def test_gelu_loads_scipy_special_lazily():
    out = run_fresh(
        """
        import relu_lib
        before = "scipy.special" in sys.modules
        relu_lib.gelu([-1.0, 0.0, 1.0])
        print(before, "scipy.special" in sys.modules)
        """
    )
    assert out == "False True"


def test_numba_is_loaded_by_the_first_kernel_that_can_use_it():
    out = run_fresh(
        """
        import numpy as np
        import relu_lib as rl
        x = np.linspace(-3, 3, 7)
        rl.relu(x), rl.relu6(x), rl.derivative(rl.relu)(x.astype(np.float16))  # no loop for float16
        before = "numba" in sys.modules
        rl.leaky_relu(x)
        print(before, "numba" in sys.modules)
        """
    )
    assert out == "False True"
