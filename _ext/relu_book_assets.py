"""Serve the book's browser files from the site itself, and fix the theme's accessibility gaps.

A local Sphinx extension (``sphinx: local_extensions`` in ``_config.yml``):

* When ``make book`` has copied the npm packages pinned in ``package-lock.json``
  into ``_vendor/`` (``tools/web_assets.py``), MathJax and the ipywidgets
  renderer (RequireJS and ``@jupyter-widgets/html-manager``'s ``embed-amd.js``)
  are served from ``_static/npm/`` instead of their CDNs, so that a page loads
  nothing from another site. Without Node.js there is no ``_vendor/``: the build
  says so (as information: the strict build turns warnings into errors) and
  keeps Sphinx's and myst-nb's CDN defaults, so ``make book`` works with Python alone.
* ``_templates/`` overrides two theme components whose accessible names did not
  contain their visible text (axe's ``label-content-name-mismatch``).
* It mends three things that put errors on every page: Sphinx 7.4 writes inline
  scripts registered after the builder starts twice (sphinx-thebe's
  ``const THEBE_JS_URL`` then throws "already declared"); pydata-sphinx-theme
  logs "Got invalid theme mode" on a first visit unless a default mode is set;
  and bibliography entries carry the deprecated ARIA role ``doc-biblioentry``
  inside a ``role="list"``, which leaves the list without list items (axe:
  ``aria-required-children``, critical).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

VENDOR = "_vendor"  # relative to the book's root; Sphinx copies its contents into _static/
TEMPLATES = "_templates"
# Paths relative to _static/ in the built site (and to _vendor/ in the source).
MATHJAX = "npm/mathjax/es5/tex-mml-chtml.js"
REQUIREJS = "npm/requirejs/require.js"
WIDGETS = "npm/@jupyter-widgets/html-manager/dist/embed-amd.js"
# Folders of the repository that are never pages; excluding them keeps Sphinx
# (and sphinx-external-toc's scan for files missing from the ToC) out of node_modules.
NOT_PAGES = ("node_modules", VENDOR, "_ext", TEMPLATES)


def local_copies(srcdir: Path) -> bool:
    """Whether ``tools/web_assets.py`` has put every served file in place."""
    return all((srcdir / VENDOR / path).is_file() for path in (MATHJAX, REQUIREJS, WIDGETS))


def configure(app: Sphinx, config: Config) -> None:
    config.exclude_patterns = [*config.exclude_patterns, *(p for p in NOT_PAGES if p not in config.exclude_patterns)]
    config.templates_path = [TEMPLATES, *config.templates_path]
    # With no default, pydata-sphinx-theme reads "" on a first visit and logs an error.
    config.html_context = {"default_mode": "auto", **config.html_context}
    if not local_copies(Path(app.srcdir)):
        logger.info(
            "relu_book_assets: no local copies of MathJax and the widget renderer in %s/ "
            "(Node.js/npm not found, or make book was not used): the pages load them from their CDNs",
            VENDOR,
        )
        return
    config.html_static_path = [*config.html_static_path, VENDOR]
    config.mathjax_path = MATHJAX
    # Core widgets (base, controls, output) are bundled in embed-amd.js, so the
    # renderer never needs its CDN fallback (data-jupyter-widgets-cdn) for this book.
    config.nb_ipywidgets_js = {REQUIREJS: {}, WIDGETS: {}}
    logger.info("relu_book_assets: MathJax and the widget renderer are served from _static/npm/")


def page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Per page: drop duplicated scripts; tell RequireJS where the widget renderer lives."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    if any(getattr(script, "filename", None) == f"_static/{WIDGETS}" for script in scripts):
        # embed-amd.js finds its fonts next to the module URL RequireJS gives it,
        # which by default is relative to the page (chapters/@jupyter-widgets/...).
        folder = context["pathto"]("_static/npm/@jupyter-widgets/html-manager", 1)
        config = {"paths": {"@jupyter-widgets/html-manager": folder}}
        app.add_js_file(None, body=f"var require = {json.dumps(config)};", priority=499)
    # Sphinx 7.4 re-adds scripts registered after Builder.init() with filename ""
    # where the first copy has None, so equal scripts are listed twice. Keep the first.
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for script in scripts:
        key = (
            getattr(script, "filename", script) or "",
            getattr(script, "priority", 0),
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the builder restores this list for the next page


def fix_citation_roles(app: Sphinx) -> None:
    """List bibliography entries as ``listitem`` (DPUB-ARIA 1.1 deprecates ``doc-biblioentry``)."""
    if app.builder.format != "html":
        return
    base = app.registry.get_translator_class(app.builder)

    class Translator(base):  # type: ignore[misc, valid-type]
        def visit_citation(self, node: nodes.Element) -> None:
            super().visit_citation(node)
            # docutils has just opened the entry: <div class="citation" ... role="doc-biblioentry">
            self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')

    app.set_translator(app.builder.name, Translator, override=True)


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-external-toc (priority 900) reads exclude_patterns.
    app.connect("config-inited", configure, priority=400)
    # After pydata-sphinx-theme has installed its translator (default priority 500).
    app.connect("builder-inited", fix_citation_roles, priority=900)
    # Last, once myst-nb and the themes have added their per-page scripts.
    app.connect("html-page-context", page_assets, priority=990)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
