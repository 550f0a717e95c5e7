"""Issue 17, one config: every ZANSAI_* and TELEGRAM_* variable is read one way in every mode,
from the environment, then `.env` (python-dotenv); `zansai config` shows the effective
values with secrets masked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import NAME_PATTERN, NOT_SETTINGS, SETTINGS, load_dotenv, mask
from bot.tools.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "7012345678:AAF-zansaiFakeToken_ForTests_abcdefghij"


def zansai(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZANSAI_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_zansai_config_prints_every_setting_with_its_source_and_secrets_masked(tmp_path):
    (tmp_path / ".env").write_text(
        f"export TELEGRAM_BOT_TOKEN={TOKEN}\n"
        'ZANSAI_WEBHOOK_SECRET="dotenv-secret-value"  # a comment\n'
        "ZANSAI_STORE=redis://:redis-password@127.0.0.1:6379/0\n"
        "ZANSAI_WEBHOOK_PORT=9000\n"
        "ZANSAI_WEBHOOK_WORKRES=2\n"
    )
    result = zansai("config", cwd=tmp_path, env={"ZANSAI_WEBHOOK_PORT": "9100"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) >= {s.name for s in SETTINGS}
    for leak in (TOKEN, TOKEN.partition(":")[2], "dotenv-secret-value", "redis-password"):
        assert leak not in out
    token, secret = lines["TELEGRAM_BOT_TOKEN"], lines["ZANSAI_WEBHOOK_SECRET"]
    assert "7012345678:****" in token and "[.env" in token
    assert "****" in secret and "[.env" in secret
    assert "redis://:****@127.0.0.1:6379/0" in lines["ZANSAI_STORE"]
    port = lines["ZANSAI_WEBHOOK_PORT"]
    assert " 9100 " in port and "[environment" in port
    assert "[default" in lines["ZANSAI_WEBHOOK_LISTEN"]
    assert "not a Zansai setting" in lines["ZANSAI_WEBHOOK_WORKRES"]  # a typo is pointed out


def test_the_webhook_secret_in_dotenv_is_used(tmp_path):
    """It was ignored before (`zansai webhook` exited 2): set-webhook reads it from `.env`
    exactly as from the environment, like every other setting."""
    with FakeBotApi() as api:
        (tmp_path / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN={api.token}\nZANSAI_TELEGRAM_BASE_URL={api.base_url}\n"
            "ZANSAI_WEBHOOK_SECRET=from-the-dotenv-file\n"
            "ZANSAI_WEBHOOK_URL=https://bot.example.com/telegram\n"
        )
        result = zansai("set-webhook", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert api.webhook is not None
        assert api.webhook["secret_token"] == "from-the-dotenv-file"
        assert api.webhook["url"] == "https://bot.example.com/telegram"


def test_the_environment_wins_over_dotenv_and_an_empty_variable_does_not(tmp_path):
    (tmp_path / ".env").write_text(
        "ZANSAI_A=file\nZANSAI_B=file\nZANSAI_C='quoted # not a comment'\n"
    )
    environ = {"ZANSAI_A": "env", "ZANSAI_B": ""}
    added = load_dotenv(tmp_path / ".env", environ)
    assert environ == {"ZANSAI_A": "env", "ZANSAI_B": "file", "ZANSAI_C": "quoted # not a comment"}
    assert added == {"ZANSAI_B", "ZANSAI_C"}
    assert load_dotenv(tmp_path / "missing", environ) == set()


def test_every_variable_the_code_reads_is_a_listed_setting_and_documented():
    listed = {s.name for s in SETTINGS} | set(NOT_SETTINGS)
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    used = set()
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        if path == ROOT / "bot" / "config.py":
            continue
        used |= set(NAME_PATTERN.findall(path.read_text()))
    assert used - listed == set(), "read but not in bot.config.SETTINGS"
    assert {s.name for s in SETTINGS} - used == set(), "listed but never read"
    assert [s.name for s in SETTINGS if f"`{s.name}`" not in deploy] == []


def test_masking_hides_secrets_and_passwords_in_urls():
    assert mask("ZANSAI_WEBHOOK_SECRET", "abc") == "**** (3 characters hidden)"
    assert mask("HTTPS_PROXY", "http://me:pw@proxy:3128") == "http://me:****@proxy:3128"
    assert mask("ZANSAI_STORE", "sqlite:////var/lib/z.db") == "sqlite:////var/lib/z.db"
    assert "pw" not in mask("ZANSAI_STORE", "rediss://user:pw@h:6380/1")
