"""The shared words (locales/words/*.toml): loaded, merged, checked, and used by the flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import words
from bot.core.words import DONT_KNOW, LANGUAGE_WORDS, NO_WORDS, YES_WORDS
from flows import FLOWS


def test_every_list_has_words_of_each_language():
    for found in (YES_WORDS, NO_WORDS, DONT_KNOW):
        assert any("\u3040" <= c <= "\u30ff" for w in found for c in w)  # kana
        assert any(w.isascii() for w in found)
    assert "わからない" in DONT_KNOW and "不知道" in DONT_KNOW and "unknown" in DONT_KNOW
    assert "中文" in LANGUAGE_WORDS["zh"] and "日本語" in LANGUAGE_WORDS["ja"]
    assert not set(LANGUAGE_WORDS["ja"]) & set(LANGUAGE_WORDS["zh"])
    assert not set(YES_WORDS) & set(NO_WORDS)


def test_every_dont_know_option_takes_the_shared_words():
    unknown = [o for f in FLOWS for q in f.questions for o in q.options if o.id == "unknown"]
    assert len(unknown) == 4
    assert all(o.synonyms == DONT_KNOW for o in unknown)


def test_files_are_merged_in_name_order_without_duplicates(tmp_path: Path):
    (tmp_path / "a.toml").write_text('yes = ["ok", "はい"]\n[language]\nja = ["日本語"]\n')
    (tmp_path / "b.toml").write_text('yes = ["はい", "是"]\ndont_know = ["不知道"]\n')
    loaded = words.load(tmp_path)
    assert loaded.yes == ("ok", "はい", "是")
    assert loaded.no == () and loaded.dont_know == ("不知道",)
    assert loaded.language == {"ja": ("日本語",), "zh": ()}


@pytest.mark.parametrize(
    "text",
    ['yse = ["yes"]\n', 'yes = "yes"\n', 'yes = [""]\n', '[language]\nfr = ["français"]\n'],
)
def test_a_mistake_in_a_words_file_is_an_error(tmp_path: Path, text: str):
    (tmp_path / "x.toml").write_text(text)
    with pytest.raises(ValueError, match=r"x\.toml"):
        words.load(tmp_path)
