"""Which machine a timing ran on: CPU, the vector paths numpy and PyTorch use, threads, versions.

The relative cost of two activations is not a property of the activations: on
one CPU ``np.tanh`` beats ``np.maximum(x, 0)``, on another it loses by a factor
of three, because numpy and PyTorch pick a kernel for the widest vector
instructions (SSE, AVX2, AVX-512, NEON, SVE) the CPU offers. :func:`describe`
records what decides that, so that every timing can say where it was taken.

Only numpy is needed. PyTorch and TensorFlow are described when the process has
already imported them (they are then the ones being timed), or when asked with
``load=True``; reading them never makes them a requirement.

Example:
    >>> from relu_lib import hardware
    >>> machine = hardware.describe(frameworks=False)
    >>> machine.cores >= 1 and machine.architecture != ""
    True
    >>> machine.slug == machine.slug.lower() and " " not in machine.slug
    True
"""

from __future__ import annotations

import functools
import html
import importlib
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["KERNEL_VARIABLES", "Machine", "describe", "vector_path"]

KERNEL_VARIABLES: tuple[str, ...] = (
    "NPY_DISABLE_CPU_FEATURES",
    "NPY_ENABLE_CPU_FEATURES",
    "ATEN_CPU_CAPABILITY",
    "OPENBLAS_CORETYPE",
    "NUMBA_CPU_NAME",
    "NUMBA_CPU_FEATURES",
    "TF_ENABLE_ONEDNN_OPTS",
)
"""Environment variables that change which kernels numpy, OpenBLAS, PyTorch, numba or TensorFlow run."""

# TF_ENABLE_ONEDNN_OPTS is set by every chapter to silence TensorFlow; naming it
# in each one-line summary would be noise, so only the full record shows it.
_SUMMARY_VARIABLES = tuple(name for name in KERNEL_VARIABLES if name != "TF_ENABLE_ONEDNN_OPTS")

# Widest first: the first family a CPU feature name matches names its vector path.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("avx512", r"^(AVX512|X86_V4$)"),
    ("avx2", r"^(AVX2$|X86_V3$|FMA3$)"),
    ("avx", r"^(AVX$|F16C$)"),
    ("sse", r"^(SSE|X86_V2$)"),
    ("sve", r"^SVE"),
    ("neon", r"^(ASIMD|NEON)"),
    ("vsx", r"^VSX"),
    ("vx", r"^VX"),
    ("rvv", r"^RVV"),
    ("lsx", r"^LSX"),
)

_LIBRARY_LABELS = {"tensorflow": "TF"}


def vector_path(features: Iterable[str]) -> str:
    """Name the widest vector instruction family among numpy CPU feature names.

    Args:
        features: numpy's names of CPU features, e.g. its SIMD baseline and
            the dispatched features it found (``"X86_V3"``, ``"AVX512_ICL"``,
            ``"ASIMD"``).

    Returns:
        A lower-case family name: ``"avx512"``, ``"avx2"``, ``"avx"``,
        ``"sse"``, ``"sve"``, ``"neon"``, ``"vsx"``, ``"vx"``, ``"rvv"``,
        ``"lsx"``, or ``"scalar"`` when none is known.

    Example:
        >>> vector_path(["X86_V2", "X86_V3", "X86_V4", "AVX512_ICL"])
        'avx512'
        >>> vector_path(["X86_V2", "X86_V3"])
        'avx2'
        >>> vector_path(["NEON", "NEON_FP16", "ASIMD", "ASIMDHP"])
        'neon'
        >>> vector_path([])
        'scalar'
    """
    names = [name.upper() for name in features]
    for family, pattern in _FAMILIES:
        if any(re.match(pattern, name) for name in names):
            return family
    return "scalar"


def _torch_path(capability: str | None) -> str | None:
    # torch names its paths DEFAULT, AVX2, AVX512, SVE256, ZVECTOR, VSX.
    if not capability:
        return None
    capability = capability.lower()
    if capability.startswith("sve"):
        return "sve"
    return {"zvector": "vx"}.get(capability, capability)


@dataclass(frozen=True)
class Machine:
    """The hardware and software a measurement ran on.

    Attributes:
        cpu: the CPU model as the operating system names it, e.g. ``"AMD EPYC"``.
        architecture: the instruction set, e.g. ``"x86_64"`` or ``"arm64"``.
        cores: logical cores the operating system reports.
        numpy_simd_baseline: the SIMD features numpy was compiled to require.
        numpy_simd_found: the dispatched SIMD features numpy found and uses
            (features disabled through ``NPY_DISABLE_CPU_FEATURES`` are absent).
        torch_capability: PyTorch's CPU kernel path (``"AVX512"``, ``"AVX2"``,
            ``"DEFAULT"``, ...), or None when PyTorch was not described.
        threads: ``(library, threads)`` pairs: numpy's BLAS (via threadpoolctl),
            ``"torch"`` and ``"tensorflow"`` (intra-op; 0 means TensorFlow's
            own default, one per core).
        versions: ``(package, version)`` pairs, Python first.
        environment: the :data:`KERNEL_VARIABLES` that were set, with their values.
        blas: numpy's BLAS and the core type it chose, e.g. ``"openblas 0.3.31 SkylakeX"``.
    """

    cpu: str
    architecture: str
    cores: int
    numpy_simd_baseline: tuple[str, ...] = ()
    numpy_simd_found: tuple[str, ...] = ()
    torch_capability: str | None = None
    threads: tuple[tuple[str, int], ...] = ()
    versions: tuple[tuple[str, str], ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    blas: str | None = None

    @property
    def vector_path(self) -> str:
        """The widest vector family numpy's kernels use here, e.g. ``"avx512"`` (see :func:`vector_path`)."""
        return vector_path(self.numpy_simd_baseline + self.numpy_simd_found)

    @property
    def numpy_simd(self) -> str:
        """numpy's most advanced SIMD target in use: the last feature found, else the last of the baseline."""
        chosen = self.numpy_simd_found or self.numpy_simd_baseline
        return chosen[-1] if chosen else "none"

    @property
    def slug(self) -> str:
        """A short, filesystem-safe name: CPU model, widest vector path used and core count.

        ``<cpu model>-<numpy's vector path>[-torch-<PyTorch's path>]-<cores>core``,
        lower case, letters, digits and hyphens only. PyTorch's path is added
        only where it differs from numpy's, as when ``ATEN_CPU_CAPABILITY``
        lowers it, so an emulated run never shares a name with a native one.

        Example:
            >>> Machine("AMD EPYC 7763 64-Core Processor", "x86_64", 2, ("X86_V2",), ("X86_V3",)).slug
            'amd-epyc-7763-avx2-2core'
            >>> Machine("Apple M2", "arm64", 8, ("NEON", "ASIMD"), torch_capability="DEFAULT").slug
            'apple-m2-neon-8core'
        """
        parts = [_model_slug(self.cpu) or _model_slug(self.architecture) or "cpu", self.vector_path]
        torch_path = _torch_path(self.torch_capability)
        native_default = torch_path == "default" and not self.architecture.lower().startswith(("x86", "amd64", "i686"))
        if torch_path and torch_path != self.vector_path and not native_default:
            parts += ["torch", re.sub(r"[^a-z0-9]+", "", torch_path)]
        parts.append(f"{self.cores}core")
        return "-".join(parts)

    def version(self, package: str) -> str | None:
        """The recorded version of ``package`` (``"python"``, ``"numpy"``, ``"torch"``, ...), or None."""
        return dict(self.versions).get(package)

    def thread_summary(self) -> str:
        """Threads as a phrase: ``"1 thread"`` when every library uses one, else each library's count."""
        if not self.threads:
            return "threads unknown"
        if all(count == 1 for _, count in self.threads):
            return "1 thread"
        # numpy's element-wise kernels always run on one thread; BLAS's count matters to matrix products only.
        return "threads " + ", ".join(
            f"{_LIBRARY_LABELS.get(name, name)} {count or 'default'}" for name, count in self.threads
        )

    def __str__(self) -> str:
        parts = [f"{self.cpu}, {self.architecture}, {self.cores} core" + ("s" if self.cores != 1 else "")]
        parts.append(f"numpy SIMD {self.numpy_simd}")
        if self.torch_capability:
            parts.append(f"PyTorch {self.torch_capability}")
        parts.append(self.thread_summary())
        shown = [(name, v) for name, v in self.versions if name in ("numpy", "numba", "torch", "tensorflow")]
        if shown:
            parts.append(", ".join(f"{_LIBRARY_LABELS.get(name, name)} {v}" for name, v in shown))
        variables = [f"{name}={value}" for name, value in self.environment if name in _SUMMARY_VARIABLES]
        if variables:
            parts.append(" ".join(variables))
        return "; ".join(parts)

    def _repr_html_(self) -> str:
        baseline = " ".join(self.numpy_simd_baseline) or "–"
        found = " ".join(self.numpy_simd_found) or "–"
        rows = [
            ("CPU", f"{self.cpu} ({self.architecture}, {self.cores} logical cores)"),
            ("numpy SIMD", f"baseline {baseline}; found {found}"),
        ]
        if self.torch_capability:
            rows.append(("PyTorch CPU capability", self.torch_capability))
        if self.blas:
            rows.append(("BLAS", self.blas))
        if self.threads:
            rows.append(("threads", ", ".join(f"{name} {count or 'default'}" for name, count in self.threads)))
        rows.append(("versions", ", ".join(f"{name} {v}" for name, v in self.versions)))
        if self.environment:
            rows.append(("environment", " ".join(f"{name}={value}" for name, value in self.environment)))
        body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        caption = f"Measured on {html.escape(self.cpu)} (<code>{html.escape(self.slug)}</code>)"
        return f'<table class="machine"><caption>{caption}</caption><tbody>{body}</tbody></table>'

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON types: lists for tuples, objects for the pair lists.

        Example:
            >>> m = describe(frameworks=False)
            >>> Machine.from_dict(m.to_dict()) == m
            True
        """
        data = asdict(self)
        for key in ("threads", "versions", "environment"):
            data[key] = dict(getattr(self, key))
        for key in ("numpy_simd_baseline", "numpy_simd_found"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Machine:
        """Rebuild a :class:`Machine` from :meth:`to_dict`'s output (as read back from JSON)."""

        def pairs(key: str, kind: type) -> tuple[tuple[str, Any], ...]:
            return tuple((str(k), kind(v)) for k, v in dict(data.get(key) or {}).items())

        return cls(
            cpu=str(data["cpu"]),
            architecture=str(data["architecture"]),
            cores=int(data["cores"]),
            numpy_simd_baseline=tuple(data.get("numpy_simd_baseline") or ()),
            numpy_simd_found=tuple(data.get("numpy_simd_found") or ()),
            torch_capability=data.get("torch_capability"),
            threads=pairs("threads", int),
            versions=pairs("versions", str),
            environment=pairs("environment", str),
            blas=data.get("blas"),
        )


def _model_slug(cpu: str) -> str:
    text = cpu.lower()
    text = re.sub(r"\((r|tm|c)\)", " ", text)
    text = re.sub(r"@.*$", " ", text)  # the clock speed
    text = re.sub(r"\b(\d+-core|cpu|processor|with .*)\b", " ", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:40].rstrip("-")


@functools.cache
def _cpu_model() -> str:
    """The CPU's marketing name, from the operating system."""
    system = platform.system()
    if system == "Linux":
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    key, _, value = line.partition(":")
                    # x86 says "model name"; some ARM and POWER kernels say "Model" or "cpu".
                    if key.strip() in ("model name", "Model", "cpu") and value.strip():
                        return value.strip()
        except OSError:
            pass
    elif system == "Darwin":
        try:
            result = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=5, check=False
            )
            if result.stdout.strip():
                return result.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown CPU"


@functools.cache
def _numpy_simd() -> tuple[tuple[str, ...], tuple[str, ...]]:
    # show_config's dictionary is numpy's public report of the same data
    # np.show_runtime() prints; numpy reads NPY_*_CPU_FEATURES once, at import.
    try:
        simd = np.show_config(mode="dicts").get("SIMD Extensions", {})
    except (TypeError, ValueError):  # numpy < 1.26 has no mode="dicts"
        simd = {}
    return tuple(simd.get("baseline", ())), tuple(simd.get("found", ()))


def _distribution_version(*names: str) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _blas() -> tuple[str | None, int | None]:
    """numpy's BLAS (name, version, core type) and its thread count, when threadpoolctl can see it."""
    try:
        import threadpoolctl
    except ImportError:
        return None, None
    blas = [info for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
    # scipy and PyTorch may bring their own BLAS; numpy's is the one in its own folder.
    blas.sort(key=lambda info: "numpy" not in str(info.get("filepath", "")))
    if not blas:
        return None, None
    info = blas[0]
    words = [info.get("internal_api"), info.get("version"), info.get("architecture")]
    return " ".join(str(w) for w in words if w), int(info["num_threads"])


def _framework(name: str, load: bool) -> Any | None:
    if name in sys.modules:
        return sys.modules[name]
    if not load:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def describe(frameworks: bool = True, *, load: bool = False) -> Machine:
    """Describe this machine and the numerical libraries as they are configured now.

    Thread counts and versions are read on every call (a chapter may change
    them between two timings); the CPU and numpy's SIMD features are read once.

    Args:
        frameworks: describe PyTorch and TensorFlow too (their CPU path,
            threads and versions), if this process has imported them.
        load: import PyTorch and TensorFlow to describe them when they are
            installed but not yet imported (slow: seconds, hundreds of MB).

    Returns:
        A :class:`Machine`; ``str()`` of it is a one-line summary.

    Example:
        >>> machine = describe()
        >>> machine.version("numpy") == np.__version__
        True
        >>> set(machine.numpy_simd_found) <= set(np.show_config(mode="dicts")["SIMD Extensions"]["found"])
        True
    """
    baseline, found = _numpy_simd()
    blas, blas_threads = _blas()
    threads: list[tuple[str, int]] = []
    if blas_threads is not None:
        threads.append(("BLAS", blas_threads))
    versions = [("python", platform.python_version()), ("numpy", np.__version__)]
    scipy = sys.modules.get("scipy")
    scipy_version = getattr(scipy, "__version__", None) or _distribution_version("scipy")
    if scipy_version:
        versions.append(("scipy", scipy_version))
    # Whether relu_lib's compiled loops can run (its fast extra) changes its own timings.
    numba_version = _distribution_version("numba")
    if numba_version:
        versions.append(("numba", numba_version))
    capability = None
    if frameworks:
        torch = _framework("torch", load)
        if torch is not None and hasattr(torch, "get_num_threads"):
            capability = torch.backends.cpu.get_cpu_capability()
            threads.append(("torch", int(torch.get_num_threads())))
            versions.append(("torch", str(torch.__version__)))
        tf = _framework("tensorflow", load)
        if tf is not None and hasattr(tf, "config"):
            threads.append(("tensorflow", int(tf.config.threading.get_intra_op_parallelism_threads())))
            versions.append(("tensorflow", str(tf.__version__)))
    environment = tuple((name, os.environ[name]) for name in KERNEL_VARIABLES if name in os.environ)
    return Machine(
        cpu=_cpu_model(),
        architecture=platform.machine() or "unknown",
        cores=os.cpu_count() or 1,
        numpy_simd_baseline=baseline,
        numpy_simd_found=found,
        torch_capability=capability,
        threads=tuple(threads),
        versions=tuple(versions),
        environment=environment,
        blas=blas,
    )
