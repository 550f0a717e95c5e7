"""Words of a typed answer, as lemmas marked for negation, in Japanese and Chinese.

Japanese goes through SudachiPy (sudachidict-core): 払えません -> ¬払える, 自分じゃない ->
¬自分, 出てない -> ¬出る. Chinese goes through jieba: 还没逾期 -> ¬逾期, 不是我 -> ¬我,
拿不出来 -> ¬拿. Both analysers are heavy to load (jieba ~1 s), so each is loaded once, on
first use or by `warm_up()`; everything else about a reading is cheap.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable

NEGATED = "¬"
MAX_CHARS = 200  # a typed answer longer than this is cut: the reader bounds its own work

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")
_lock = threading.Lock()
_japanese: Callable[[str], list[tuple[str, str, str, str]]] | None = None
_chinese: Callable[[str], list[str]] | None = None


def clean(text: str) -> str:
    """Width and case folded, control characters dropped, cut to MAX_CHARS."""
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).casefold()
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


# -- Japanese ---------------------------------------------------------------------------

SUDACHI_DICTIONARY = "small"
_JA_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_JA_OBLIGATION = {"と", "ば", "ちゃ"}  # ないと, なければ, なくちゃ (and なきゃ): "must", not "not"
_JA_NEGATORS = {"ない", "ぬ", "ず", "無い", "ねえ", "ねー", "へん"}
# Words that carry no answer (normalized forms): the copula, "to be", "to do", "can", fillers;
# ない after them negates the word before (査定はしてない -> ¬査定).
_JA_STOP = {
    "だ", "です", "ます", "有る", "居る", "為る", "成る", "致す", "出来る", "事", "物", "様",
    "こと", "もの", "よう", "て", "てる", "貰う", "下さい",
    "感じ", "えっと", "えーと", "あの", "あー", "うーん", "ん", "ね", "よ", "か", "な",
}


def _load_japanese() -> Callable[[str], list[tuple[str, str, str, str]]]:
    from sudachipy import Dictionary, SplitMode

    dictionary = Dictionary(dict=SUDACHI_DICTIONARY)
    fields = {"pos", "normalized_form", "surface"}
    tokenizer = dictionary.tokenizer(mode=SplitMode.C, fields=fields)

    in_use = threading.Lock()  # a Sudachi tokenizer is not to be shared between threads

    def analyse(text: str) -> list[tuple[str, str, str, str]]:
        with in_use:
            return [
                (m.normalized_form(), pos[0], m.surface(), pos[1])
                for m in tokenizer.tokenize(text)
                for pos in (m.part_of_speech(),)
            ]

    return analyse


def _analysed(text: str) -> list[tuple[str, str, str, str]]:
    """Sudachi's tokens of `text`: (normalized form, part of speech, surface, its subclass)."""
    global _japanese
    if _japanese is None:
        with _lock:
            if _japanese is None:
                _japanese = _load_japanese()
    return _japanese(text)


# Conjunctive particles that end a clause: 売って|軽に乗り換えたい, 売りたいけど|ローンが残ってる,
# 残クレなので|途中で手放したい. Not before a helper (売って欲しい, 残っている).
_JA_CLAUSE_ENDS = {"て", "で", "けど", "けれど", "けれども", "が", "ので", "から", "し", "のに"}
_JA_HELPERS = {"非自立可能"}


@functools.lru_cache(maxsize=1024)
def japanese_clauses(text: str) -> tuple[str, ...]:
    """Japanese text cut after its conjunctive particles (Sudachi's 接続助詞, and ので), so each
    part says one thing; parts of a character or two stay with the one before. Cached: the
    same message is cut for every question a turn reads it against."""
    tokens = _analysed(text)
    parts, start, at = [], 0, 0
    for i, (_, pos, surface, sub) in enumerate(tokens):
        at += len(surface)
        ends = (pos == "助詞" and sub == "接続助詞" and surface in _JA_CLAUSE_ENDS) or (
            surface == "で" and pos == "助動詞" and i > 0 and tokens[i - 1][2] == "の"
        )
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if not ends or following is None or following[3] in _JA_HELPERS:
            continue
        if following[1] in ("補助記号", "空白"):
            continue  # a comma already ends it
        if at - start >= 3 and len(text) - at >= 3:
            parts.append(text[start:at])
            start = at
    parts.append(text[start:])
    return tuple(parts)


def _ja_hearsay_stem(lemma: str, sub: str) -> bool:
    """The そう of 払えそう / 返せそうにない (Sudachi: 形状詞, 助動詞語幹): a manner, not a word."""
    return lemma == "そう" and sub == "助動詞語幹"


# Conjunctive particles that close a clause for negation: a ない after them negates nothing
# before them (現金で買ったから無い). Not て / で: 払ってない is one verb negated.
_JA_NEGATION_BREAKS = {"から", "けど", "けれど", "けれども", "が", "し", "のに"}


def _ja_clause_break(tokens: list[tuple[str, str, str, str]], i: int) -> bool:
    """Whether token i closes a clause: a conjunctive particle, or the で of ので."""
    _, pos, surface, sub = tokens[i]
    if pos == "助詞" and sub == "接続助詞":
        return surface in _JA_NEGATION_BREAKS
    return surface == "で" and pos == "助動詞" and i > 0 and tokens[i - 1][2] == "の"


def japanese_words(text: str) -> list[str]:
    """Content lemmas (Sudachi's normalized form: わかる, 分る -> 分かる); the content word
    before ない/ぬ/ず/ません is marked ¬."""
    words: list[str] = []
    last = -1  # index in `words` of the last content word of this clause
    tokens = _analysed(text)
    for i, (lemma, pos, surface, sub) in enumerate(tokens):
        if pos in ("補助記号", "空白") or _ja_clause_break(tokens, i):
            last = -1  # ない after it starts a clause of its own: 買ったので|無い is "none"
            continue
        following = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if lemma in _JA_NEGATORS and (following in _JA_OBLIGATION or surface[-1] in "ゃャ"):
            continue  # 聞かないと / 見なければ: "have to", not "not"
        if lemma in _JA_NEGATORS and pos in ("助動詞", "形容詞"):
            before = tokens[i - 2] if i >= 2 else None
            if (  # 返せなくはない, 払えなくもない: "not unable", so able
                before is not None and before[0] in _JA_NEGATORS
                and tokens[i - 1][2] in ("は", "も")
                and last >= 0 and words[last].startswith(NEGATED)
            ):
                words[last] = words[last].removeprefix(NEGATED)
                continue
            if last >= 0 and not words[last].startswith(NEGATED):
                words[last] = NEGATED + words[last]
            elif pos == "形容詞":
                words.append("ない")
                last = -1
            continue
        if pos in _JA_SKIP_POS or lemma in _JA_STOP or pos == "感動詞":
            continue
        if _ja_hearsay_stem(lemma, sub):
            continue  # 返せそうにない: ない negates 返す, not the そう of "looks like"
        if pos == "副詞":  # もう, まだ, 全然: kept as words, but not what ない negates
            words.append(lemma)
            continue
        words.append(lemma)
        last = len(words) - 1
    return words


# -- Chinese ----------------------------------------------------------------------------

_ZH_NEGATORS = {"不", "没", "没有", "沒", "沒有", "未", "别", "无", "非", "不是", "没能", "不能",
                "还没", "还没有", "并不", "并没有", "从没", "从来不", "从未", "不会"}
# After V不/V没 a result complement: 拿不出来, 还不上, 还不起, 付不了 negate the verb.
_ZH_COMPLEMENTS = {"出来", "上", "起", "了", "动", "完", "到", "清", "下", "出", "来", "过来",
                   "起来", "住", "掉", "够"}
_ZH_STOP = {"的", "了", "吧", "啊", "呢", "哦", "呀", "嘛", "吗", "嗯", "额", "呃", "是", "就",
            "都", "也", "在", "着", "过", "那个", "这个", "就是", "一下", "哈", "啦", "喔", "么",
            "，", "。", "、", "?", "!", " ", "~", "…", "...", "'"}
# jieba glues a negation to some words (不知道, 没钱): split them so 知道 and ¬知道 compare.
_ZH_GLUED = re.compile(r"^(还没有|还没|没有|不是|从没|不|没|沒|未)(.+)$")
# Words of this domain jieba would split (车检证 -> 车 / 检证).
_ZH_DOMAIN_WORDS = ("车检证", "車検証", "所有者", "使用者", "残值贷", "残价贷", "尾款", "买取店",
                    "收购店", "信贩", "催收", "催收函", "逾期", "还清", "还完", "最低还款", "分期",
                    "停息挂账", "一分钱", "失业", "换车", "以旧换新", "经销商", "租赁", "中古车屋",
                    "中古車屋", "中古车店", "中古車店")
_ZH_POTENTIAL = re.compile(r"^(.+?)[不没](.+)$")  # 说不清楚, 拿不出, 还不起: ¬说, ¬拿, ¬还
_ZH_WHOLE = {"不过", "不然", "不少", "不错", "不断", "没事", "未来", "不用", "没关系", "不如",
             "无论", "非常", "别人", "不一定", "不太", "未定", "不同", "无力", "差不多", "对不起",
             "来不及", "怪不得", "要不然", "不得不", "了不起", "没什么"}


# jieba's dictionary holds 349k words (~75 MiB as Python dicts, 0.6 s to load). Words seen
# fewer than this many times in its source corpus are left to its HMM, which segments
# unknown words: 80k words, ~20 MiB, 0.2 s, and the same segmentation on our phrasings.
JIEBA_MIN_FREQUENCY = 20


def _load_chinese() -> Callable[[str], list[str]]:
    import io
    import logging
    from importlib.resources import files

    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = (files("jieba") / "dict.txt").read_bytes().splitlines()
    common = io.BytesIO(
        b"\n".join(w for w in words if int(w.split(b" ")[1]) >= JIEBA_MIN_FREQUENCY)
    )
    common.name = "jieba/dict.txt (common words)"
    segmenter = jieba.Tokenizer()
    segmenter.FREQ, segmenter.total = segmenter.gen_pfdict(common)
    segmenter.initialized = True
    for word in _ZH_DOMAIN_WORDS:
        segmenter.add_word(word, freq=1000)
    return lambda text: segmenter.lcut(text, HMM=True)


def chinese_words(text: str) -> list[str]:
    """Words; 不/没/没有/还没/未 negate the next word, V不C (拿不出来) negates V."""
    global _chinese
    if _chinese is None:
        with _lock:
            if _chinese is None:
                _chinese = _load_chinese()
    tokens: list[str] = []
    for token in _chinese(text):
        glued = _ZH_GLUED.match(token)
        potential = _ZH_POTENTIAL.match(token) if len(token) >= 3 else None
        if token in _ZH_WHOLE or token in _ZH_NEGATORS:
            tokens.append(token)
        elif glued:
            tokens.extend((glued.group(1), glued.group(2)))
        elif potential:
            tokens.extend((potential.group(1), "不", potential.group(2)))
        else:
            tokens.append(token)
    words: list[str] = []
    negate_next = skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if not token.strip() or unicodedata.category(token[0]).startswith("P"):
            negate_next = False
            continue
        if token in _ZH_NEGATORS:
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == "不" and after in _ZH_COMPLEMENTS and words:
                if not words[-1].startswith(NEGATED):
                    words[-1] = NEGATED + words[-1]
                skip = True
                continue
            negate_next = True
            continue
        if token in _ZH_STOP:
            continue
        words.append(NEGATED + token if negate_next else token)
        negate_next = False
    return words


def words_of(lang: str, text: str) -> list[str]:
    return japanese_words(text) if lang == "ja" else chinese_words(text)


def warm_up(languages: tuple[str, ...] = ("ja", "zh")) -> None:
    """Load the analysers now (call it in a background thread at start)."""
    for lang in languages:
        words_of(lang, "テスト" if lang == "ja" else "测试")
