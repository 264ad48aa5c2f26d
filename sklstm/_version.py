"""The package's version, in a module of its own that imports nothing.

Modules that write the version (saved files, the command line) read it from
here, so that none of them imports the package root.
"""

__all__ = ["__version__"]

__version__ = "0.2.0.dev0"
