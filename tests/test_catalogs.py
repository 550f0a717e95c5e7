"""Every sentence the code can show is translated in every language, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LANGUAGES, po_path

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def source_messages() -> set[str]:
    method_map = [("bot/**.py", "python"), ("flows/**.py", "python")]
    found = extract_from_dir(str(ROOT), method_map, keywords={"N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


SOURCE = source_messages()


def test_the_source_has_messages():
    assert len(SOURCE) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_consistent(lang):
    with po_path(lang).open("rb") as fp:
        catalog = read_po(fp)
    entries = {m.id: m for m in catalog if m.id}
    missing = sorted(m[:60] for m in SOURCE - entries.keys())
    assert not missing, f"{lang}: not in the catalog (run pybabel update): {missing}"
    untranslated = sorted(m[:60] for m in SOURCE if not entries[m].string or entries[m].fuzzy)
    assert not untranslated, f"{lang}: untranslated or fuzzy: {untranslated}"
    for message in SOURCE:
        translated = entries[message].string
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(message)), (
            f"{lang}: placeholders differ in {message[:60]!r}"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_stale_entries(lang):
    with po_path(lang).open("rb") as fp:
        catalog = read_po(fp)
    stale = sorted(m.id[:60] for m in catalog if m.id and m.id not in SOURCE)
    assert not stale, f"{lang}: entries no code uses (run pybabel update): {stale}"
