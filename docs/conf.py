"""Sphinx configuration for the sklstm documentation.

Build it, warnings as errors, with::

    python -m sphinx -W -b html docs docs/_build/html

The gallery (``docs/examples/plot_*.py``) runs during the build, so the build
trains small networks; each example is kept to a few seconds on two cores.
"""

import os
import re

# TensorFlow's C++ start-up messages would clutter the build log; they must be
# silenced before TensorFlow is first imported by an example.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Plots are drawn to files, never to a window.
os.environ.setdefault("MPLBACKEND", "Agg")

import sklstm

project = "sklstm"
author = "The sklstm developers"
copyright = "2026, The sklstm developers"
release = sklstm.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# -- sphinx-gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    # Only the plot_*.py scripts are run; all of them are.
    "filename_pattern": r"/plot_",
    # The scripts are numbered in the order a reader should take them.
    "within_subsection_order": "FileNameSortKey",
    # A failing example fails the build.
    "abort_on_example_error": True,
    # "Examples using ..." on the API pages.
    "doc_module": ("sklstm",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklstm": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklstm {release}"
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}


# Methods inherited from scikit-learn carry cross-references (``:ref:``) into
# scikit-learn's own documentation, which this site cannot resolve offline.
# Keep their text, drop the link.
_SKLEARN_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`|:ref:`([^`]+)`")


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if not module.startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_REF.sub(
            lambda m: f"*{(m.group(1) or m.group(2)).strip()}*", line
        )


def setup(app):
    # Runs before numpydoc (priority 500) rewrites the docstring.
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs, priority=100)
