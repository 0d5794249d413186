"""Serve the book's browser files from the site itself, and fix the theme's accessibility gaps.

A local Sphinx extension (``sphinx: local_extensions`` in ``_config.yml``):

* When ``make book`` has copied the npm packages pinned in ``package-lock.json``
  into ``_vendor/`` (``tools/web_assets.py``), MathJax is served from
  ``_static/npm/`` instead of its CDN, so that a page loads nothing from another
  site. Without Node.js there is no ``_vendor/``: the build says so (as
  information: the strict build turns warnings into errors) and keeps Sphinx's
  CDN default, so ``make book`` works with Python alone.
* The explorers (``relu_lib.explorer``) offer a live ipywidgets view and an HTML
  version whose precomputed frames the book's own script moves. The pages render
  the HTML version (the book gives the widget view no priority), so they need
  neither the ipywidgets renderer nor the widget state myst-nb would embed:
  neither is loaded, and the state is left out of every page.
* ``_templates/`` overrides two theme components whose accessible names did not
  contain their visible text (axe's ``label-content-name-mismatch``).
* It names myst-nb's folds of hidden code by their visible text ("Show code cell source").
* It mends three things that put errors on every page: Sphinx 7.4 writes inline
  scripts registered after the builder starts twice (sphinx-thebe's
  ``const THEBE_JS_URL`` then throws "already declared"); pydata-sphinx-theme
  logs "Got invalid theme mode" on a first visit unless a default mode is set;
  and bibliography entries carry the deprecated ARIA role ``doc-biblioentry``
  inside a ``role="list"``, which leaves the list without list items (axe:
  ``aria-required-children``, critical).
"""

from __future__ import annotations

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
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Folders of the repository that are never pages; excluding them keeps Sphinx
# (and sphinx-external-toc's scan for files missing from the ToC) out of node_modules.
NOT_PAGES = ("node_modules", VENDOR, "_ext", TEMPLATES)


def local_copies(srcdir: Path) -> bool:
    """Whether ``tools/web_assets.py`` has put every served file in place."""
    return (srcdir / VENDOR / MATHJAX).is_file()


def configure(app: Sphinx, config: Config) -> None:
    config.exclude_patterns = [*config.exclude_patterns, *(p for p in NOT_PAGES if p not in config.exclude_patterns)]
    config.templates_path = [TEMPLATES, *config.templates_path]
    # With no default, pydata-sphinx-theme reads "" on a first visit and logs an error.
    config.html_context = {"default_mode": "auto", **config.html_context}
    config.nb_ipywidgets_js = {}
    if not local_copies(Path(app.srcdir)):
        logger.info(
            "relu_book_assets: no local copy of MathJax in %s/ "
            "(Node.js/npm not found, or make book was not used): the pages load it from its CDN",
            VENDOR,
        )
        return
    config.html_static_path = [*config.html_static_path, VENDOR]
    config.mathjax_path = MATHJAX
    logger.info("relu_book_assets: MathJax is served from _static/npm/")


def page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Per page: drop the widget state nothing reads, and duplicated scripts."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    # Sphinx 7.4 re-adds scripts registered after Builder.init() with filename ""
    # where the first copy has None, so equal scripts are listed twice. Keep the first.
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for script in scripts:
        if getattr(script, "attributes", {}).get("type") == WIDGET_STATE:
            continue
        key = (
            getattr(script, "filename", script) or "",
            getattr(script, "priority", 0),
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the builder restores this list for the next page


# myst-nb's fold around hidden code (hide-input) names its summary "Toggle hidden content" while it
# shows "Show code cell source" (axe: label-content-name-mismatch): without the label, the name is
# the visible text.
FOLD_LABEL = '<summary aria-label="Toggle hidden content">'


def name_folds_by_their_text(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body")
    if isinstance(body, str) and FOLD_LABEL in body:
        context["body"] = body.replace(FOLD_LABEL, "<summary>")


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
    app.connect("html-page-context", name_folds_by_their_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
