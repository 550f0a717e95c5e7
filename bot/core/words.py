"""Words the engine's own prompts understand typed whole ("yes" to a confirmation, "中文"
anywhere), as data.

They live in `locales/words/*.toml`, one file per language people type them in, so that a
word is added without touching Python. Each file may have `yes`, `no`, `save`, `thanks`
(lists of words) and
a `[language]` table (language -> words that ask for it); the files are merged, in
file-name order. How the answers to a consultation's questions are typed ("I don't know"
included) is the reader's data: `flows/phrasings/`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.i18n import LANGUAGES, locales_dir

# yes / no: to "is that right?"; save: the closing prompt's "save my plan", typed; thanks:
# found anywhere in what is typed after a verdict (ありがとうございました), not only whole.
_LISTS = ("yes", "no", "save", "thanks")


@dataclass(frozen=True, slots=True)
class SharedWords:
    yes: tuple[str, ...]
    no: tuple[str, ...]
    save: tuple[str, ...]
    thanks: tuple[str, ...]
    language: dict[str, tuple[str, ...]]


def load(folder: Path | None = None) -> SharedWords:
    """Merge every words file in `folder` (default: locales/words); a misspelt key or a
    language the bot does not speak is an error, not silently ignored."""
    lists: dict[str, list[str]] = {name: [] for name in _LISTS}
    language: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for path in sorted((folder or locales_dir() / "words").glob("*.toml")):
        with path.open("rb") as fp:
            data = tomllib.load(fp)
        for key, value in data.items():
            if key in _LISTS:
                lists[key] += _strings(path, key, value)
            elif key == "language" and isinstance(value, dict):
                for lang, words in value.items():
                    if lang not in language:
                        raise ValueError(f"{path}: [language] names an unknown language {lang!r}")
                    language[lang] += _strings(path, f"language.{lang}", words)
            else:
                raise ValueError(f"{path}: unknown key {key!r} (expected {_LISTS} or language)")
    return SharedWords(
        *(_unique(lists[name]) for name in _LISTS),
        language={lang: _unique(words) for lang, words in language.items()},
    )


def _strings(path: Path, key: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise ValueError(f"{path}: {key} must be a list of non-empty strings")
    return value


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


WORDS = load()
YES_WORDS = WORDS.yes
NO_WORDS = WORDS.no
SAVE_WORDS = WORDS.save
THANKS_WORDS = WORDS.thanks
LANGUAGE_WORDS = WORDS.language
