"""benchmarks/framework_findings.py keeps running and reports every finding, whatever the frameworks answer.

The findings are TensorFlow's incidental behaviour, and PyTorch's sign of a zero
result, measured rather than asserted:
only their presence and their ranges are checked here, never their values.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

from conftest import require

ROOT = Path(__file__).resolve().parents[1]

require("tensorflow")
require("torch")


def load_findings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("framework_findings", ROOT / "benchmarks" / "framework_findings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_finding_is_measured_and_in_range(capsys) -> None:
    module = load_findings()
    found = module.findings()
    assert set(found) == {
        "tensorflow",
        "signed_zero",
        "gelu_float64_error",
        "softplus_switch",
        "leaky_relu_alpha_float64",
        "derivative_at_nan",
    }
    assert found["signed_zero"], "no signed-zero measurement"
    assert {row["library"] for row in found["signed_zero"]} == {"tensorflow", "torch"}
    for row in found["signed_zero"]:
        assert 0 <= row["negative_zeros_kept"] <= row["n"]
    gelu = found["gelu_float64_error"]
    assert math.isfinite(gelu["max_abs_error"]) and gelu["max_abs_error"] >= 0
    assert {row["dtype"] for row in found["softplus_switch"]} == {"float32", "float64"}
    for row in found["softplus_switch"]:
        assert row["identity_from"] is None or 1.0 <= row["identity_from"] < 60.0
    assert set(found["derivative_at_nan"]) == {"relu'(nan)", "relu6'(nan)"}
    module.main()
    printed = capsys.readouterr().out
    assert f"TensorFlow {found['tensorflow']}" in printed and "softplus" in printed
