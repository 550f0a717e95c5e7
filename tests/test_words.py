"""The shared words (locales/words/*.toml): loaded, merged, checked, and used by the flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import words
from bot.core.words import LANGUAGE_WORDS, NO_WORDS, YES_WORDS


def test_every_list_has_words_of_each_language():
    for found in (YES_WORDS, NO_WORDS):
        assert any("\u3040" <= c <= "\u30ff" for w in found for c in w)  # kana
        assert any(w.isascii() for w in found)
    assert "中文" in LANGUAGE_WORDS["zh"] and "日本語" in LANGUAGE_WORDS["ja"]
    assert not set(LANGUAGE_WORDS["ja"]) & set(LANGUAGE_WORDS["zh"])
    assert not set(YES_WORDS) & set(NO_WORDS)


def test_files_are_merged_in_name_order_without_duplicates(tmp_path: Path):
    (tmp_path / "a.toml").write_text('yes = ["ok", "はい"]\n[language]\nja = ["日本語"]\n')
    (tmp_path / "b.toml").write_text('yes = ["はい", "是"]\nno = ["不是"]\n')
    loaded = words.load(tmp_path)
    assert loaded.yes == ("ok", "はい", "是")
    assert loaded.no == ("不是",)
    assert loaded.language == {"ja": ("日本語",), "zh": ()}


@pytest.mark.parametrize(
    "text",
    ['yse = ["yes"]\n', 'yes = "yes"\n', 'yes = [""]\n', '[language]\nfr = ["français"]\n'],
)
def test_a_mistake_in_a_words_file_is_an_error(tmp_path: Path, text: str):
    (tmp_path / "x.toml").write_text(text)
    with pytest.raises(ValueError, match=r"x\.toml"):
        words.load(tmp_path)


def test_save_and_thanks_words_are_data_too(tmp_path: Path):
    (tmp_path / "a.toml").write_text('save = ["保存"]\nthanks = ["谢谢"]\n')
    loaded = words.load(tmp_path)
    assert loaded.save == ("保存",) and loaded.thanks == ("谢谢",)
    assert "保存方案" in words.SAVE_WORDS and "ありがと" in words.THANKS_WORDS
