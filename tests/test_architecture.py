"""The house rules of docs/architecture.md, read off the import graph of the code itself.

core is below the features, the two features never import each other, no service imports a view, and the
modules imported when a module loads form no cycle (an import inside a function is how a late binding is said).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "consultation", "surveys")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, *, top_level_only: bool) -> set[str]:
    """The project modules `name` imports (`from a import b` counts a.b when a.b is a module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # `if TYPE_CHECKING:` blocks are read by type checkers only
        nodes = [node for node in nodes if not isinstance(node, ast.If)]
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


def _is_view(name: str) -> bool:
    last = name.rpartition(".")[2]
    return last in ("views", "routes") or last.endswith("_views")


def test_core_imports_no_feature_and_the_features_not_each_other() -> None:
    crossing = []
    for name in MODULES:
        feature = name.partition(".")[0]
        for target in _imports(name, top_level_only=False):
            other = target.partition(".")[0]
            if other != feature and other != "core":
                crossing.append(f"{name} → {target}")
    assert crossing == []


def _is_wiring(name: str) -> bool:
    """A package's init_app and blueprints.py put the views' routes and page blocks on the app."""
    return MODULES[name].name == "__init__.py" or name.endswith(".blueprints")


def test_no_service_imports_a_view() -> None:
    offending = [
        f"{name} → {target}"
        for name in MODULES
        if not _is_view(name) and not _is_wiring(name)
        for target in _imports(name, top_level_only=False)
        if _is_view(target)
    ]
    assert offending == []


def test_the_modules_imported_at_load_time_form_no_cycle() -> None:
    graph = {name: _imports(name, top_level_only=True) for name in MODULES}
    # a package's __init__ importing its own submodules is how a package is assembled, not a loop
    graph = {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in graph.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" → ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


@pytest.mark.parametrize("package", ["consultation", "surveys"])
def test_each_feature_lives_in_stage_folders(package: str) -> None:
    flat = sorted(path.name for path in (ROOT / package).glob("*.py"))
    assert len(flat) <= 16, flat  # the shared modules only (models, permissions, forms, cli …); stages in folders


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    """Past these a module or a function does more than one thing (docs/architecture.md)."""
    long_modules = [name for name, path in MODULES.items() if len(path.read_text(encoding="utf-8").splitlines()) > 400]
    long_functions = [
        f"{name}.{node.name}"
        for name, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert (long_modules, long_functions) == ([], [])
