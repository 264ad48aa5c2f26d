"""The documentation: the site builds with warnings as errors, its gallery
runs, the user guide's examples hold, and the API reference covers the public
API with an Examples section for every entry."""

import doctest
import importlib
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sklstm

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOCS_PACKAGES = ("sphinx", "pydata_sphinx_theme", "numpydoc", "sphinx_gallery")
MISSING = [name for name in DOCS_PACKAGES if importlib.util.find_spec(name) is None]


def _api_entries() -> list[tuple[str, str]]:
    """(module, name) of every entry of an autosummary in docs/api.rst."""
    entries, module, in_autosummary = [], None, False
    for line in (DOCS / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and re.match(r"   [A-Za-z_]\w*$", line):
            entries.append((module, line.strip()))
        elif line and not line.startswith(" "):
            in_autosummary = False
    return entries


@pytest.mark.skipif(
    bool(MISSING),
    reason=f"building the docs needs {', '.join(MISSING)}: pip install -e '.[docs]'",
)
def test_docs_build_with_warnings_as_errors(tmp_path):
    out = tmp_path / "html"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", "docs", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    # The gallery ran and drew its plots.
    examples = sorted((DOCS / "examples").glob("plot_*.py"))
    assert len(examples) >= 3
    for example in examples:
        assert (out / "auto_examples" / f"{example.stem}.html").is_file()
        images = list((out / "_images").glob(f"sphx_glr_{example.stem}_*.png"))
        assert images, f"{example.name} drew no image"
    for page in ("index", "getting_started", "api", "user_guide/index"):
        assert (out / f"{page}.html").is_file()


@pytest.mark.parametrize(
    "page",
    sorted(p for p in DOCS.rglob("*.rst") if ">>>" in p.read_text()),
    ids=lambda p: str(p.relative_to(DOCS)),
)
def test_user_guide_examples(page):
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_api_reference_lists_the_public_api():
    entries = _api_entries()
    listed = {f"{module}.{name}" for module, name in entries}
    # Everything the package exports at the top level...
    for name in sklstm.__all__:
        if name != "__version__":
            assert any(entry.endswith(f".{name}") for entry in listed), name
    # ... and every public class and function of each module the reference
    # documents.
    for module_name in {module for module, _ in entries}:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                defined_in = obj.__module__
                assert (
                    f"{module_name}.{name}" in listed
                    or f"{defined_in}.{name}" in listed
                    or f"sklstm.{name}" in listed
                ), f"{module_name}.{name} is public but not in docs/api.rst"


@pytest.mark.parametrize("entry", _api_entries(), ids=lambda e: ".".join(e))
def test_api_entries_have_an_examples_section(entry):
    module, name = entry
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj) or ""
    assert re.search(r"^Examples\n-{8}", doc, re.MULTILINE), (
        f"{module}.{name} has no numpydoc Examples section"
    )
    assert ">>>" in doc.split("Examples\n--------", 1)[1]
