"""Style rules: ruff, the layers of the package, short functions, module docstrings."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is in the test extra")
@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    result = subprocess.run(
        ["ruff", *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The package's layers, lowest first: a module imports only from its own
# layer or a lower one (faces -> core -> engine -> tools), so that each can
# be read, tested and changed knowing only what lies below it.
LAYERS = {
    "tools": {
        "_version",
        "_config",
        "_persistence",
        "_scaling",
        "_sequences",
        "_window",
        "_chunks",
        "_metrics",
        "_horizon",
        "_split",
        "_seasons",
        "_attributes",
        "datasets",
    },
    "engine": {"_network", "_patches", "_programs", "_training"},
    "core": {"_core", "_saved_state"},
    "faces": {"_regressor", "_classifier"},
    "uses of the estimators": {
        "_forecasting",
        "_panel_forecast",
        "_panel_backtest",
        "_panel_intervals",
        "_reproduce",
        "_results",
    },
    "entry points": {"__init__", "__main__", "cli"},
}
MAX_FUNCTION_LINES = 80


def _modules():
    return sorted((ROOT / "sklstm").glob("*.py"))


def _imported_modules(tree: ast.AST) -> set[str]:
    """The sklstm modules an ast imports, wherever the import sits."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import name: a module or the root's
                modules = {path.stem for path in _modules()}
                found |= {
                    alias.name if alias.name in modules else "__init__"
                    for alias in node.names
                }
            elif node.module and node.module.split(".")[0] == "sklstm":
                parts = node.module.split(".")
                found.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklstm":
                    found.add(parts[1] if len(parts) > 1 else "__init__")
    return found


def test_every_module_has_a_layer():
    listed = set().union(*LAYERS.values())
    assert {path.stem for path in _modules()} == listed


def test_no_module_imports_a_higher_layer():
    rank = {
        module: level
        for level, modules in enumerate(LAYERS.values())
        for module in modules
    }
    upward = []
    for path in _modules():
        for imported in _imported_modules(ast.parse(path.read_text())):
            if rank[imported] > rank[path.stem]:
                upward.append(f"{path.stem} imports {imported}")
    assert not upward, upward


def _lines_of_code(node: ast.AST, lines: list[str]) -> int:
    body = node.body
    docstring = set()
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        docstring = set(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(
        1
        for number in range(node.lineno, node.end_lineno + 1)
        if number not in docstring
        and lines[number - 1].strip()
        and not lines[number - 1].strip().startswith("#")
    )


def test_no_function_is_longer_than_80_lines_of_code():
    long = []
    for path in _modules():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = _lines_of_code(node, lines)
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.lineno} {node.name}: {n} lines")
    assert not long, long


def test_every_module_states_its_responsibility_first():
    for path in _modules():
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        assert docstring, f"{path.name} has no module docstring"
        assert docstring.splitlines()[0].strip(), path.name
