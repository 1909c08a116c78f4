"""The package tree shows the pipeline: every module imports alone, and none imports a later stage."""
import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers.config import PACKAGE_DIR

# The stages in the order the data flows; a module may import its own stage and earlier ones only.
STAGES = ["config", "errors", "fsio", "frames", "schema", "ingest", "tables", "narrative", "checks", "analysis",
          "pipeline", "report", "tools", "__main__"]
RANK = {"config": 0, "errors": 0, "fsio": 0, "frames": 0, "schema": 0, "__init__": 0,
        **{s: i for i, s in enumerate(STAGES) if i > 4}}
MAX_LINES = 500  # a longer module states why at its top (none does today)


def modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        names.append(".".join(("helpers", *parts)).removesuffix(".__init__"))
    return names


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(module: str) -> set[str]:
    """Every helpers module the source imports, at its top or inside a function."""
    relative = module.removeprefix("helpers").lstrip(".").replace(".", "/") or "__init__"
    path = PACKAGE_DIR / f"{relative}.py"
    if not path.exists():
        path = PACKAGE_DIR / relative / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in ALL)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("helpers"))
    return {m for m in found if m in ALL}


ALL = set(modules())


def test_every_stage_is_a_folder_and_every_module_belongs_to_one():
    assert {stage_of(m) for m in ALL} <= set(RANK), sorted({stage_of(m) for m in ALL} - set(RANK))
    for stage in STAGES[5:-1]:
        assert (PACKAGE_DIR / stage / "__init__.py").is_file(), stage


def test_no_module_imports_a_later_stage():
    later = [(m, i) for m in sorted(ALL) for i in sorted(imported_modules(m))
             if RANK[stage_of(i)] > RANK[stage_of(m)]]
    assert later == []


def test_no_import_cycle_between_modules():
    graph = {m: imported_modules(m) - {m} for m in ALL}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_each_module_imports_alone_in_a_fresh_interpreter():
    def load(module: str) -> tuple[str, str]:
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False)
        return module, done.stderr.strip().splitlines()[-1] if done.returncode else ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [(m, err) for m, err in pool.map(load, sorted(ALL)) if err]
    assert failures == []


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_modules_stay_short_or_say_why(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) > MAX_LINES:
        head = "\n".join(lines[:15])
        assert "lines because" in head, f"{path.name}: {len(lines)} lines and no reason at its top"
