"""Run the chapters' kernels over an encrypted transport while the book builds.

A local Sphinx extension (``sphinx: local_extensions`` in ``_config.yml``), the only place the
build's kernel manager can be configured: myst-nb executes each chapter through jupyter-cache and
nbclient, which create jupyter_client's ``AsyncKernelManager`` without passing any configuration
on (no Jupyter config file, ``JUPYTER_CONFIG_DIR`` or myst-nb setting reaches it).

jupyter_client's default ``KernelManager.transport_encryption = "disabled"`` starts every kernel on
plain TCP, and ipykernel 7 then logs, once per chapter, ``[IPKernelApp] WARNING | Kernel is running
over TCP without encryption ... susceptible to eavesdropping``. With ``"auto"``, the setting the
Jupyter transport-encryption proposal (jupyter/enhancement-proposals#145) gives operators, the
manager writes CurveZMQ keys into the connection file of every kernel whose spec declares
``"supported_encryption": ["curve"]`` (ipykernel 7's does) and both ends encrypt: there is nothing
left to warn about. Kernels that do not declare support start as before, unencrypted.

This changes only the build's own process. A reader who opens a chapter in Jupyter, Colab or
Binder runs it with that front end's kernel manager and settings.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError


def encrypt_kernel_transport() -> None:
    """Make "auto" the default transport encryption of every jupyter_client kernel manager."""
    import zmq
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    if not zmq.has("curve"):
        # A pyzmq without CurveZMQ: the kernels stay on plain TCP (and the console check says so).
        return
    # The trait's default, because no configuration object reaches the managers nbclient creates.
    KernelManager.class_traits()["transport_encryption"].default_value = "auto"
    if AsyncKernelManager().transport_encryption != "auto":
        raise ExtensionError(
            "relu_book_execution could not make transport_encryption='auto' the kernel managers' default "
            "(has jupyter_client changed how it defines the trait?)"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    encrypt_kernel_transport()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
