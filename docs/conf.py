"""Sphinx configuration for the sklstm documentation."""

import sklstm

project = "sklstm"
author = "The sklstm developers"
copyright = "2026, The sklstm developers"
release = sklstm.__version__
version = release

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme"
