"""Issue 17, lean installs: the console and polling import neither the webhook's server nor
Redis (they are the extras `[webhook]` and `[redis]`); the package metadata says so."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("redis", "uvicorn", "httptools", "uvloop", "prometheus_client")

PROBE = """
import asyncio, sys
from bot import cli
from bot.adapters import console
from bot.adapters.telegram_bot import polling
from bot.app import build_runner
from bot.core.events import Event

runner = build_runner(f"sqlite:///{sys.argv[1]}")  # what `zansai console` and `polling` run
application = polling.build_application(
    "7012345678:AAF-zansaiFakeToken_ForTests_abcdefghij", runner
)
asyncio.run(runner.turn("u", Event.parse("/start")))
asyncio.run(runner.close())
print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_the_console_and_polling_import_no_webhook_or_redis_package(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZANSAI_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "z.db")],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "telegram" in loaded and "bot" in loaded  # the probe did load the polling path
    assert loaded.isdisjoint(EXTRAS), sorted(loaded & set(EXTRAS))


def test_the_extras_hold_the_webhook_and_redis_and_the_license_is_spdx():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    assert names.isdisjoint({"redis", "uvicorn", "httptools", "uvloop", "prometheus-client"})
    extras = project["optional-dependencies"]
    assert {_name(d) for d in extras["webhook"]} >= {"uvicorn", "httptools", "prometheus-client"}
    assert {_name(d) for d in extras["redis"]} == {"redis"}
    assert "zansai[webhook,redis]" in extras["test"]  # the tests need both
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    # uvicorn's private `_captured_signals` (GracefulServer): its versions are bounded
    (uvicorn,) = [d for d in extras["webhook"] if _name(d) == "uvicorn"]
    assert "<" in uvicorn


def test_without_the_webhook_extra_the_command_says_what_to_install(monkeypatch, capsys):
    import bot.adapters.telegram_bot as package
    from bot import cli

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "bot.adapters.telegram_bot.webhook", raising=False)
    monkeypatch.delattr(package, "webhook", raising=False)
    assert cli.main(["webhook", "--secret", "s"]) == 2
    assert "pip install 'zansai[webhook]'" in capsys.readouterr().err


def test_a_redis_store_without_the_redis_extra_says_what_to_install(monkeypatch):
    import pytest

    import bot.storage as package
    from bot.storage import open_store

    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.delitem(sys.modules, "bot.storage.redis_store", raising=False)
    monkeypatch.delattr(package, "redis_store", raising=False)
    with pytest.raises(ValueError, match=r"zansai\[redis\]"):
        open_store("redis://127.0.0.1:6379/0")


def _name(requirement: str) -> str:
    for stop in "<>=!;[ ":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower()
