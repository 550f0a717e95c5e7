"""Helpers for text people type: folding it for comparison, dropping a chatty ending,
telling its script, and telling a question of their own from an answer."""

from __future__ import annotations

import re
import unicodedata

# Sentence endings that carry no answer: "150万円です", "大概十万吧", "わからないです".
_TRAILING = re.compile(
    r"(?:です|でした|ですね|ですよ|だよ|だね|かな|かも|かもしれない|と思う|と思います|"
    r"吧|啊|呢|哦|呀|嘛|左右吧)+[\s。．.!！?？~～]*$"
)
_STRIP = str.maketrans("", "", " \t\r\n。、，,.!！?？「」『』()（）[]【】\"'`~～-")
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold width, case and punctuation so typed answers compare equal to labels."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_STRIP)




def plain(text: str) -> str:
    """`text` without a chatty sentence ending, or unchanged when that would leave nothing."""
    stripped = _TRAILING.sub("", text.strip())
    return stripped or text


def fold(text: str) -> str:
    """Like `normalize`, but punctuation becomes one space, so word edges stay visible."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def mentions(text: str, word: str) -> bool:
    """Whether folded `text` contains folded `word`; Latin letters and digits at the word's
    edges must not run on ("car" is not in "credit card", "2か月" is not in "12か月")."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if not (
            _runs_on(word[0], text[start - 1 : start]) or _runs_on(word[-1], text[end : end + 1])
        ):
            return True
        start = text.find(word, start + 1)
    return False


def _runs_on(edge: str, neighbour: str) -> bool:
    return (
        bool(neighbour)
        and edge.isascii()
        and edge.isalnum()
        and neighbour.isascii()
        and neighbour.isalnum()
    )



_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")  # hiragana, katakana, half-width katakana
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")

# A question of the user's own, not an answer: an interrogative and a question mark
# ("車はいつ売ればいいですか？", "什么时候能卖？") or a bare topic asked about ("税金は？").
_SIDE_QUESTION = re.compile(
    r"(?:いつ|どう|何|なに|なん|どこ|どれ|なぜ|どうして|いくら|什么|什麼|怎么|怎麼|怎样|哪|多少|为什么"
    r"|為什麼|为啥|吗|嗎).*[?？]\s*$|^[^?？]{1,8}(?:は|って)[?？]\s*$"
    # Chinese: 要交税吗, 那税金怎么办 (no question mark needed), 税金呢？ (a topic asked about)
    r"|(?:吗|嗎|怎么办|怎麼辦|怎么算|怎麼算)[?？]?\s*$|^[^?？，,。、]{1,8}呢[?？]\s*$"
    # Japanese yes-or-no questions: 個人売買ってローン残っててもできるの？, 大丈夫ですか？
    r"|(?:できる|出来る|できます|いい|大丈夫|売れる|可能|必要|かかる|もらえる)"
    r"(?:の|んですか|んでしょうか|ですか|でしょうか|か)?[?？]\s*$"
)




# Characters of Simplified Chinese that Japanese does not write (还 / 還, 这, 说, 么, 吗 ...):
# text with one is Chinese, even in a Japanese conversation.
_CHINESE_ONLY = re.compile(r"[还这说们个么吗吧呢钱贷没给对过时长进车银张办卖买问让啊吃觉样]")


def looks_chinese(text: str) -> bool:
    return _CHINESE_ONLY.search(text) is not None and not has_kana(text)


def chinese_with_katakana(text: str) -> bool:
    """Chinese with a Japanese word in katakana and no Japanese grammar (no hiragana):
    三井住友银行的マイカーローン, 要去问オリコ."""
    return _CHINESE_ONLY.search(text) is not None and not has_hiragana(text)


def has_kana(text: str) -> bool:
    """Japanese for sure: hiragana or katakana (half-width too)."""
    return _KANA.search(text) is not None


def has_hiragana(text: str) -> bool:
    """Hiragana: Japanese grammar, not only a Japanese word (ローン, オリコ) in other text."""
    return _HIRAGANA.search(text) is not None


def has_cjk(text: str) -> bool:
    """A Japanese or Chinese character: kana or a kanji / hanzi."""
    return _CJK.search(text) is not None


def is_side_question(text: str) -> bool:
    """A question of the user's own ("税金は？", "什么时候卖？"), not an answer."""
    return _SIDE_QUESTION.search(text) is not None
