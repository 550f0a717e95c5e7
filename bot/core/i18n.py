"""Languages, catalogs and money formatting.

The gettext catalogs in `locales/` are read straight from their `.po` files with Babel, so
a fresh checkout or `pip install` works without a compile step.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import get_group_symbol

LANGUAGES = ("ja", "zh")
# Spoken until a user picks a language, and where none is known (a failure report, say).
DEFAULT_LANGUAGE = "ja"
DOMAIN = "zansai"
CATALOG_DIRS = {"ja": "ja", "zh": "zh_Hans"}
BABEL_LOCALES = {"ja": Locale.parse("ja_JP"), "zh": Locale.parse("zh_Hans_CN")}
LANGUAGE_NAMES = {"ja": "日本語", "zh": "中文"}

_CODE = re.compile(r"[-_]")


def N_(message: str) -> str:
    """Mark a string for extraction into the catalogs; it is translated when shown."""
    return message


def language_from_code(code: str | None) -> str | None:
    """Map a Telegram/BCP-47 code to "ja" or "zh"; Traditional Chinese falls back to "zh"."""
    if not code:
        return None
    primary = _CODE.split(code.strip().lower(), 1)[0]
    if primary == "ja":
        return "ja"
    if primary in ("zh", "cmn", "yue"):
        return "zh"
    return None


def locales_dir() -> Path:
    """The catalogs: `locales/` in a checkout, `bot/locales` in an installed copy."""
    package = Path(__file__).resolve().parent.parent  # bot/
    for candidate in (package.parent / "locales", package / "locales"):
        if (candidate / "ja" / "LC_MESSAGES" / f"{DOMAIN}.po").is_file():
            return candidate
    raise FileNotFoundError("Zansai's locales/ folder is missing from this installation")


def po_path(lang: str, base: Path | None = None) -> Path:
    return (base or locales_dir()) / CATALOG_DIRS[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str) -> dict[str, str]:
    """msgid -> msgstr for one language; fuzzy and empty entries are left out."""
    with po_path(lang).open("rb") as fp:
        po = read_po(fp, locale=BABEL_LOCALES[lang])
    return {
        m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translate(lang: str, message: str) -> str:
    """The catalog's text for `message`, or the English source if it has none."""
    return catalog(lang).get(message, message)


def format_number(amount: int, lang: str) -> str:
    """Amounts the way people read them: 30万, 150.5万, 1.2億 when exact, else 1,234,567.

    The unit words (万, 億/亿, 兆/万亿) and the grouping symbol are CLDR's, from Babel; the
    arithmetic is done here, exactly, because Babel's compact format rounds (and is slow).
    """
    units, group = _number_style(lang)
    for magnitude, suffix in units:
        if amount >= magnitude and (amount * 100) % magnitude == 0:
            whole, hundredths = divmod(amount * 100 // magnitude, 100)
            fraction = f".{hundredths:02d}".rstrip("0") if hundredths else ""
            return f"{whole}{fraction}{suffix}"
        if amount >= magnitude:
            break  # like Babel: only the largest unit, or the plain number
    return f"{amount:,}".replace(",", group)


@cache
def _number_style(lang: str) -> tuple[tuple[tuple[int, str], ...], str]:
    """((magnitude, unit word) largest first, grouping symbol) for `lang`, from CLDR."""
    locale = BABEL_LOCALES[lang]
    patterns = locale.compact_decimal_formats["short"]["other"]
    units = tuple(
        (magnitude, patterns[str(magnitude)].pattern.replace("0", ""))
        for magnitude in (10**12, 10**8, 10**4)
        if str(magnitude) in patterns
    )
    return units, get_group_symbol(locale)
