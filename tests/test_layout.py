"""The package's shape: data flows one way through its rooms, and nothing shadows the package.

Rooms, lowest first (a module may import its own room and the rooms below it):
``core`` (the ``vawg_kg`` top modules: errors, IRIs, paths, and the bundled
data) ← ``ontology`` ← ``stores`` ← ``loaders`` ← ``queries`` ← ``graph_api``
← ``visualisations`` ← ``cli``. The folders are mapped into the one
``vawg_kg`` namespace by ``pyproject.toml``; this test reads that mapping and
every module's imports (AST), so a new upward import fails here.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ["core", "ontology", "stores", "loaders", "queries", "graph_api", "visualisations", "cli"]


def package_dirs() -> dict[str, Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {package: ROOT / folder for package, folder in mapping.items()}


def room_of(module: str) -> str:
    if module == "vawg_kg.__main__":  # `python -m vawg_kg` is the command line
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "core"


def modules() -> Iterator[tuple[str, Path]]:
    dirs = package_dirs()
    roots = sorted(dirs.items(), key=lambda item: -len(item[0]))
    seen: set[Path] = set()
    for package, folder in roots:
        for path in sorted(folder.rglob("*.py")):
            if path in seen or "__pycache__" in path.parts:
                continue
            seen.add(path)
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            yield ".".join([package, *parts]), path


def imported(tree: ast.AST, module: str) -> Iterator[tuple[ast.stmt, str]]:
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] if base == "vawg_kg" else [base]
            for name in names:
                yield node, name


def test_the_mapping_covers_every_room() -> None:
    dirs = package_dirs()
    for room in ROOMS[1:]:
        assert f"vawg_kg.{room}" in dirs, f"pyproject.toml maps no folder to vawg_kg.{room}"
        assert dirs[f"vawg_kg.{room}"].is_dir()


def test_no_folder_at_the_root_shadows_the_package() -> None:
    # `python -m`, pytest and child processes put the current directory first on sys.path
    assert not (ROOT / "vawg_kg").exists()


def test_imports_flow_one_way() -> None:
    upward = []
    for module, path in modules():
        source_room = ROOMS.index(room_of(module))
        for node, target in imported(ast.parse(path.read_text(), str(path)), module):
            if target == "vawg_kg" or target.startswith("vawg_kg."):
                if ROOMS.index(room_of(target)) > source_room:
                    upward.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module} imports {target}")
    assert upward == [], "imports that run upward:\n" + "\n".join(upward)


def _function_level_project_imports(tree: ast.AST) -> Iterator[ast.stmt]:
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vawg_kg") or \
                        isinstance(node, ast.Import) and any(a.name.startswith("vawg_kg") for a in node.names):
                    yield node


def test_project_imports_sit_at_the_top_unless_a_comment_says_why() -> None:
    hidden = []
    for module, path in modules():
        lines = path.read_text().splitlines()
        for node in _function_level_project_imports(ast.parse("\n".join(lines), str(path))):
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            if "#" not in here and not above.strip().startswith("#"):
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}: {here.strip()}")
    assert hidden == [], "imports inside functions without a reason:\n" + "\n".join(hidden)


@pytest.mark.parametrize("exception", ["ImportError", "ModuleNotFoundError"])
def test_no_import_error_is_caught_around_the_project_s_own_modules(exception: str) -> None:
    hedged = []
    for module, path in modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Try):
                continue
            catches = any(exception in ast.unparse(h.type) for h in node.handlers if h.type is not None)
            imports_own = any(target.startswith("vawg_kg") for stmt in node.body for _, target in
                              imported(stmt, module))
            if catches and imports_own:
                hedged.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hedged == [], f"`except {exception}` around the project's own imports:\n" + "\n".join(hedged)
