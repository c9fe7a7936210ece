"""The mock's code keeps the shape CONTRIBUTING.md describes: its modules import
one another without a cycle (counting imports inside functions), the job plane
imports inside functions only where it says why, and no function runs past a
screen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import aiaas_mock

PACKAGE = Path(aiaas_mock.__file__).parent
LONGEST_FUNCTION = 60
JOB_PLANE = ("training", "batch", "jobs")
INNER_IMPORTS_ALLOWED = {
    # Units are submitted from the API process but run on workers: what they
    # compute with (scikit-learn: 1.2 s and 120 MB) is imported where they run.
    "aiaas_mock.training.units": {"aiaas_mock.training.cross_validation"},
}


def _modules() -> dict[str, ast.Module]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("aiaas_mock", *path.relative_to(PACKAGE).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = ast.parse(path.read_text(), str(path))
    return modules


MODULES = _modules()


def _imports(name: str, tree: ast.Module) -> list[tuple[str, bool]]:
    """The package's modules that ``name`` imports, and whether inside a function."""
    package = name.split(".") if name in _packages() else name.split(".")[:-1]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom):
                base = package[: len(package) - child.level + 1] if child.level else []
                target = ".".join([*base, *([child.module] if child.module else [])])
                for alias in child.names:
                    candidate = f"{target}.{alias.name}"
                    found.append((candidate if candidate in MODULES else target, inside))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, inside) for alias in child.names)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            visit(child, inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return [(target, inside) for target, inside in found if target in MODULES]


def _packages() -> set[str]:
    return {
        ".".join(("aiaas_mock", *p.parent.relative_to(PACKAGE).parts))
        for p in PACKAGE.rglob("__init__.py")
    }


def test_the_mock_has_no_import_cycle() -> None:
    graph = {name: {t for t, _ in _imports(name, tree)} for name, tree in MODULES.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def walk(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = visiting[visiting.index(name) :]
            pytest.fail(f"import cycle: {' -> '.join([*cycle, name])}")
        visiting.append(name)
        for target in sorted(graph[name]):
            walk(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        walk(name)


def test_the_job_plane_imports_inside_functions_only_where_it_says_why() -> None:
    for name, tree in MODULES.items():
        if not name.startswith(tuple(f"aiaas_mock.{part}" for part in JOB_PLANE)):
            continue
        inner = {target for target, inside in _imports(name, tree) if inside}
        assert inner <= INNER_IMPORTS_ALLOWED.get(name, set()), (name, inner)


def test_no_function_runs_past_a_screen() -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert not long
