"""The floor plan holds: who may import whom, read from the source (no module is run).

    bot/core       the engine and its vocabulary: imports only bot/core (no I/O, no transport)
    bot/storage    sessions between turns: imports bot/core/session and itself
    bot/turns.py   the one turn runner: bot/core and the storage protocol
    bot/adapters   console, telegram_bot: the runner and core's vocabulary, never the engine's
                   internals, never each other
    bot/app.py     the composition root; bot/cli.py the command; bot/tools: developer tools
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules `path` imports (`from a import b` counts as a and, if a module, a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*candidate.split(".")) / "__init__.py"
                ).exists():
                    found.add(candidate)
    return found


MODULES = {module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("name", [m for m in MODULES if _under(m, "bot.core")])
def test_core_imports_only_core(name):
    outside = {
        m
        for m in imports(MODULES[name])
        if _under(m, "bot", "telegram", "redis", "uvicorn", "httpx", "flows")
        and not _under(m, "bot.core")
    }
    assert not outside, f"{name} imports {sorted(outside)}"


@pytest.mark.parametrize("name", [m for m in MODULES if _under(m, "bot.storage")])
def test_storage_imports_only_the_session_and_itself(name):
    outside = {
        m
        for m in imports(MODULES[name])
        if _under(m, "bot", "telegram", "flows")
        and not _under(m, "bot.storage", "bot.core.session")
    }
    assert not outside, f"{name} imports {sorted(outside)}"


def test_the_turn_runner_imports_core_and_the_storage_protocol_only():
    outside = {
        m
        for m in imports(MODULES["bot.turns"])
        if _under(m, "bot", "telegram", "redis") and not _under(m, "bot.core", "bot.storage.base")
    }
    assert not outside, sorted(outside)


@pytest.mark.parametrize("name", [m for m in MODULES if _under(m, "bot.adapters")])
def test_adapters_use_the_runner_not_the_engine_and_not_each_other(name):
    own = "bot.adapters.console" if _under(name, "bot.adapters.console") else (
        "bot.adapters.telegram_bot"
    )
    found = imports(MODULES[name])
    others = {m for m in found if _under(m, "bot.adapters") and not _under(m, own)}
    internals = {m for m in found if _under(m, "bot.core.engine", "bot.core.session")}
    assert not others, f"{name} imports another adapter: {sorted(others)}"
    assert not internals, f"{name} imports engine internals: {sorted(internals)}"


def test_the_console_never_loads_telegram():
    for name, path in MODULES.items():
        if _under(name, "bot.adapters.console", "bot.core", "bot.storage", "bot.turns", "bot.app"):
            assert not {m for m in imports(path) if _under(m, "telegram")}, name


def test_no_import_cycle_at_module_level():
    graph = {
        name: {m for m in imports(path, top_level_only=True) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }
    # A package's __init__ importing its own modules is not a cycle of layers.
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    visiting, done, cycles = set(), set(), []

    def visit(node: str, trail: list[str]) -> None:
        if node in done:
            return
        if node in visiting:
            cycles.append([*trail[trail.index(node) :], node])
            return
        visiting.add(node)
        for nxt in sorted(graph[node]):
            visit(nxt, [*trail, node])
        visiting.discard(node)
        done.add(node)

    for name in sorted(graph):
        visit(name, [])
    assert not cycles, cycles
