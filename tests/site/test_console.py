"""The strict build's console says nothing a newcomer would read as a warning or an error.

``make strict-book`` shows the build's stdout and stderr and keeps them in ``_build/console.log``.
A clean build prints progress and "build succeeded." and nothing else: not Sphinx's warnings (the
strict build fails on those anyway), and not the lines that pass without failing it, which are the
ones a reader of the log trips over: ipykernel's "running over TCP without encryption" warning
(``_ext/relu_book_execution.py`` removes its cause), a Python ``DeprecationWarning``, TensorFlow's
C++ and absl log lines (``I0000 ...``, oneDNN), pip's notices, a traceback a tool printed and
survived.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "_build" / "console.log"
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# What a newcomer reads as trouble. Case-insensitive, anywhere in the line.
ALARMING = re.compile(
    "|".join(
        [
            r"warn",  # WARNING, Warning:, DeprecationWarning, UserWarning, "warn"
            r"error",  # Error, ERROR, ValueError, "error:"
            r"traceback",
            r"exception",
            r"fail",
            r"deprecat",
            r"fatal",
            r"critical",
            r"susceptible|eavesdrop|without encryption",
            r"\bunable to\b|\bcould not\b|\bcannot\b",
            r"timed out|\bdied\b|restarting",
            r"\[notice\]",  # pip: "A new release of pip is available"
            r"onednn|\bcuda|cudnn|cublas|cufft|tensorrt|cpu_feature_guard|absl",  # TensorFlow's C++ start-up
        ]
    ),
    re.IGNORECASE,
)
# glog/absl-formatted lines from TensorFlow's C++ core: I0000 00:00:1700000000.000000 ... or W1202 07:45:01.123
GLOG = re.compile(r"^[IWEF]\d{4} +\d")
# myst's and myst-nb's echo of their own configuration, printed on every build: its option names
# (suppress_warnings=, execution_allow_errors=, output_stderr='error') are settings, not messages.
CONFIG_ECHO = re.compile(r"^myst(-nb)? v[\w.]+: \w+Config\(.*\)$")


def console() -> list[str]:
    if not LOG.is_file():
        pytest.fail(
            f"no build console log at {LOG}: run `make strict-book` (or `make test`), which builds the book "
            "from a clean _build/ and keeps its console output there",
            pytrace=False,
        )
    return [ANSI.sub("", line).rstrip() for line in LOG.read_text(errors="replace").splitlines()]


def test_log_is_a_complete_fresh_build() -> None:
    lines = console()
    text = "\n".join(lines)
    assert "Running Jupyter-Book" in text, f"{LOG} does not hold a jupyter-book build ({len(lines)} lines)"
    assert "build succeeded." in lines, f"{LOG}: the build did not report 'build succeeded.'"
    assert "Finished generating HTML for book." in text, f"{LOG}: the build did not finish"
    # Every chapter ran in a kernel during this build (a build from the execution cache starts no
    # kernel, so its log would say nothing about what kernels print).
    for path in notebooks.chapter_paths():
        executed = f"{path}: Executed notebook in "
        assert any(line.startswith(executed) for line in lines), (
            f"{LOG}: {path.name} was not executed in this build; the log must come from `make strict-book`, "
            "which starts from a clean _build/"
        )


def test_no_line_reads_as_a_warning_or_an_error() -> None:
    lines = console()
    alarming = [
        f"{number}: {line}"
        for number, line in enumerate(lines, start=1)
        if not CONFIG_ECHO.match(line) and (ALARMING.search(line) or GLOG.match(line))
    ]
    assert not alarming, (
        f"{len(alarming)} line(s) of the build's console ({LOG}) read as a warning or an error; "
        "fix each at its source:\n" + "\n".join(alarming)
    )


@pytest.mark.parametrize(
    "line",
    [
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",
        "/work/main/chapters/02_relu.ipynb: WARNING: Executing notebook failed: CellExecutionError",
        "I0000 00:00:1733130000.123456    4242 cpu_feature_guard.cc:210] This TensorFlow binary is optimized",
        "E0000 00:00:1733130000.123456    4242 cuda_dnn.cc:8310] Unable to register cuDNN factory",
        "2026-12-02 07:45:01.000000: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on.",
        "/x/site-packages/keras/src/layers/core/dense.py:87: UserWarning: Do not pass an `input_shape`",
        "DeprecationWarning: datetime.datetime.utcnow() is deprecated",
        "Traceback (most recent call last):",
        "[notice] A new release of pip is available: 23.2.1 -> 26.3",
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    ],
)
def test_the_check_recognises_noise(line: str) -> None:
    assert ALARMING.search(line) or GLOG.match(line), line


@pytest.mark.parametrize(
    "line",
    [
        "reading sources... [ 20%] chapters/01_stall",
        "/work/main/chapters/01_stall.ipynb: Executed notebook in 33.15 seconds [mystnb]",
        "looking for now-outdated files... none found",
        "build succeeded.",
    ],
)
def test_the_check_passes_progress_lines(line: str) -> None:
    assert not (ALARMING.search(line) or GLOG.match(line)), line
