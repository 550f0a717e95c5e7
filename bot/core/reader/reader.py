"""Reads a typed answer to a choice question by comparing it with example phrasings.

A text becomes features: its lemmas, marked ¬ when negated (see `analysers`), and its
character bigrams (robust to typos and to words the analyser splits oddly). Each example
phrasing of each option is scored by how much of it the text covers (weighted by how
specific each feature is to one option of this question) and, less, by how much of the
text it explains. The best example per option decides, unless:

- the text negates a word of the example (自分じゃない vs 自分), or a word the option is
  said with while the option never says it negated (全部は払えない vs "全部払える");
- a counter-example of the option is (almost) all in the text.

Then the margin between the best two options decides SURE, CLARIFY or NOTHING. An exact
phrasing (after folding) is read at once; a question's own value reader (durations,
counts) is asked before the fuzzy comparison.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from bot.core.flow import NOT_AN_ANSWER, Flow
from bot.core.reader import analysers
from bot.core.reader.phrasings import DONT_KNOW, Entry, Phrasings, load

AMBIGUOUS = ""  # what a value reader returns for text that fits two options (flow.AMBIGUOUS)
DONT_KNOW_TARGET = "?"
# The hint of a reading the question's value reader could not settle ("一两次", a date either
# side of a month): asked as it is, never read again another way.
VALUE_UNSURE = "_value_unsure"

ValueReader = Callable[[str], str | None]

_PUNCT = re.compile(r"[\s\W_]+")
# A hesitation that opens a longer answer: うーん、/ えっと / 嗯，/ 那个
_FILLER = re.compile(
    r"^\s*(?:うーん|う〜ん|うーむ|んー|ん〜|えっと|えーと|えーっと|あのー?|嗯+|呃+|额+|那个)[、,，。.…\s〜~ー]*"
)
_ENDINGS = re.compile(
    r"(?:です|でした|ですね|ですよ|だよ|だね|かな|かも|と思う|と思います|ね|よ|な|"
    r"吧|啊|呢|哦|呀|嘛|了|的|哈|啦)+$"
)


_NUMBER = re.compile(r"[0-9]|[一二两三四五六七八九十百千]\s*[万萬千百]")
# A Japanese answer corrected while typed: "2か月…いや3ヶ月半", "ローン会社…じゃなくてディーラー".
# いや / やっぱ(り) count only after a pause (…, a comma, a space), not as the first word.
_JA_CORRECTION = re.compile(
    r"(?:(?<=[…、,。.!！?？\s])(?:いや|いや違う|いや違った|やっぱり|やっぱ)|じゃなくて|ではなくて)"
    r"[、,…。.\s]*"
)


# A Chinese answer corrected while typed: "我自己…等下 翻出来看了 是オリコ", "两个月，不对，三个月".
# Only after a pause (…, a comma, a space): "不对" opening an answer is a correction of the
# question's premise, read as it is; 等下 only before a pause (等下个月发工资 is no correction),
# and 等等 is "and so on".
_ZH_CORRECTION = re.compile(
    r"(?<=[…、,，。.!！?？\s])"
    r"(?:(?:等一下|等下)(?=[、,，…。.!！\s])|哦不对|啊不对|不对不对|不对|说错了|搞错了|看错了)"
    r"[、,，…。.!！\s]*"
)


# A Japanese answer that ends unsure of itself: "全部返せるかも", "クレジット会社かもしれない".
_JA_HEDGED = re.compile(r"かも(?:しれない|しれません|しれん|です|ね|な)?[。.!！?？…w笑\s]*$")
# An example that is itself a guess about what will happen (今月ムリかも, 払えなさそう): an
# option said so is not made doubtful by a hedge.
_JA_HEDGE_IN_EXAMPLE = re.compile(r"かも|(?<=[ぁ-んァ-ヶ一-龥])そう")

_JA_SENTENCE_END = re.compile(r"[。！!？?\n]")


def corrected_ja(text: str) -> str:
    """A Japanese answer without what its last self-correction takes back: from the start of
    that sentence to the correction ("2か月…いや3ヶ月半" -> "3ヶ月半"). Earlier sentences stay
    ("トヨタファイナンスです。残クレじゃなくて普通" keeps トヨタファイナンス)."""
    for match in reversed(list(_JA_CORRECTION.finditer(text))):
        if match.start() >= 2 and text[match.end():].strip():
            ends = list(_JA_SENTENCE_END.finditer(text, 0, match.start()))
            start = ends[-1].end() if ends else 0
            return text[:start] + text[match.end():]
    return text


def corrected_zh(text: str) -> str:
    """A Chinese answer from its last self-correction on ("我自己…等下 是オリコ" -> "是オリコ").
    Chinese sentences run on with commas, so everything before the correction goes."""
    for match in reversed(list(_ZH_CORRECTION.finditer(text))):
        if match.start() >= 1 and text[match.end():].strip():
            return text[match.end():]
    return text


# The 車検証's field names typed before their values, with a space or a colon between:
# "所有者 ジャックス 使用者 自分" reads as "所有者はジャックス 使用者は自分" (one fact a field).
_JA_FIELD = re.compile(r"(所有者|使用者|しょゆうしゃ|しようしゃ)(?:\s*[:：]\s*|\s+)(?=\S)")
_JA_FIELD_KANJI = {"しょゆうしゃ": "所有者", "しようしゃ": "使用者"}


def labelled_ja(text: str) -> str:
    """A Japanese answer with its 車検証 field names joined to their values by は."""
    return _JA_FIELD.sub(lambda m: _JA_FIELD_KANJI.get(m[1], m[1]) + "は", text)


# A calendar year is not a length of time: "2026年9月30号" is not 2026 years overdue.
_CALENDAR_YEAR = re.compile(r"(?:19|20)[0-9]{2}\s*年(?=\s*[0-9一二三四五六七八九十]+\s*月)")


class Kind(StrEnum):
    SURE = "sure"  # options[0] is the answer
    CLARIFY = "clarify"  # ask which of `options` (one option: "did you mean …?")
    DONT_KNOW = "dont_know"  # "I don't know"; options[0] is the question's option for it, if any
    NOTHING = "nothing"  # nothing fits; `hint` names a known non-answer when one matched


@dataclass(frozen=True, slots=True)
class Reading:
    kind: Kind
    options: tuple[str, ...] = ()
    hint: str | None = None
    score: float = 0.0

    @property
    def option(self) -> str | None:
        return self.options[0] if self.kind is Kind.SURE else None


NOTHING = Reading(Kind.NOTHING)


@dataclass(frozen=True, slots=True)
class Thresholds:
    sure: float = 0.62  # the best option's score to be sure of it ...
    margin: float = 0.12  # ... ahead of the second by this much; else both are asked
    low: float = 0.42  # below this an option is not considered at all
    text_share: float = 0.25  # weight of "how much of the text the example explains"
    part_share: float = 0.1  # the same for a clause of a sentence that says several things
    ngram: float = 0.45  # weight of a character bigram against a word
    kanji: float = 0.2  # weight of a single kanji / hanzi
    counter: float = 0.85  # a counter-example this much covered by the text vetoes its option


@dataclass(slots=True)
class _Example:
    target: int
    features: frozenset[str]
    words: frozenset[str]
    negated: frozenset[str]
    weight: float = 0.0
    counter: bool = False


@dataclass(slots=True)
class _Index:
    """Everything needed to read answers to one question in one language."""

    targets: list[str] = field(default_factory=list)  # option ids, "_hints", DONT_KNOW_TARGET
    entries: dict[str, Entry] = field(default_factory=dict)
    dont_know_option: str | None = None
    examples: list[_Example] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    idf: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)  # _weight of each feature in idf
    unseen_idf: float = 1.0
    exact: dict[str, int] = field(default_factory=dict)
    said: list[set[str]] = field(default_factory=list)  # words each target is said with
    said_negated: list[set[str]] = field(default_factory=list)
    overrides: bool = False  # some non-answer wins even over a value (see Entry.overrides)
    hedged: set[int] = field(default_factory=set)  # targets said with a hedge (払えなさそう)
    # Japanese: an example's lemmas -> its target, or -1 where examples of two targets share
    # them: むり is 無理, ぜんぶ is 全部 (Sudachi's normalized form), read as exactly
    by_words: dict[tuple[str, ...], int] = field(default_factory=dict)


def compact(text: str) -> str:
    """Folded text without punctuation or spaces: the key of an exact match."""
    return _PUNCT.sub("", analysers.clean(text))


_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _characters(text: str) -> set[str]:
    """Character bigrams, and single kanji / hanzi (each carries meaning: 父 in 義父)."""
    grams = {"c:" + text[i : i + 2] for i in range(len(text) - 1)}
    grams.update("k:" + c for c in _IDEOGRAPH.findall(text))
    if len(text) == 1:
        grams.add("c:" + text)
    return grams


# A text's words and character features, kept for one turn (`Reader.end_turn`): a turn reads
# one message against several questions, clause by clause, and as if nothing were negated,
# and each of those readings analyses the same text. Bounded for callers that never end one.
_ANALYSES_KEPT = 256
_Analysis = tuple[tuple[str, ...], set[str]]  # words_of(clean(text)); _characters of it


_ONE_WORD_CHARS = 10  # longer answers are not one word with its ending (むりです, じぶんです)


def _is_plain_hint(index: _Index, name: str) -> bool:
    entry = index.entries.get(name)
    return entry is not None and not entry.is_option and not entry.clarify


class Reader:
    """Reads typed answers to the choice questions of the flows whose phrasings it holds."""

    def __init__(
        self,
        phrasings: Phrasings,
        value_readers: Mapping[tuple[str, str], ValueReader] | None = None,
        thresholds: Thresholds | None = None,
        amount_questions: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.phrasings = phrasings
        self.value_readers = dict(value_readers or {})
        # At these a number typed is an amount for the amount parser, never an option
        # ("まだ1社しか見てもらってなくて、65万" is an appraisal, not "not yet").
        self.amount_questions = set(amount_questions)
        self.thresholds = thresholds or Thresholds()
        self._indexes: dict[tuple[str, str, str], _Index] = {}
        self._analyses: dict[tuple[str, str], _Analysis] = {}
        # The words of each example phrasing analysed so far: the shared groups ("I don't
        # know", and others) are examples of many questions, each of which has its own index.
        self._phrase_words: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def from_directory(
        cls, directory: Path, flows: Iterable[Flow] = (), thresholds: Thresholds | None = None
    ) -> Reader:
        """Phrasings from `directory`; value readers and amount questions from the flows."""
        questions = [(flow.id, q) for flow in flows for q in flow.questions]
        readers = {(f, q.id): q.read for f, q in questions if q.read is not None}
        amounts = {(f, q.id) for f, q in questions if q.is_money}
        return cls(load(directory), readers, thresholds, amount_questions=amounts)

    def warm_up(self) -> None:
        """Load the analysers and index every question now, not at the first answer."""
        analysers.warm_up(tuple(sorted({lang for _, _, lang in self.phrasings.entries})))
        for key in self.phrasings.entries:
            self._index(*key)
        self._phrase_words.clear()  # every index is built: no phrasing is analysed again

    def end_turn(self) -> None:
        """Forget the texts analysed in this turn (see `_analysis`)."""
        self._analyses.clear()

    # -- reading -------------------------------------------------------------------------

    def read(
        self, flow: str, question: str, lang: str, text: str, part: bool = False
    ) -> Reading:
        """The reading of `text` as an answer to `question`. `part`: the text is one part of
        a sentence that says several things, so an example counts by how much of it the
        text holds, not by how much of the text it explains."""
        if (rest := _FILLER.sub("", text, count=1)) and len(rest) >= 2:
            text = rest  # "うーん、たぶん普通のローン": the "hmm" is no "don't know"
        if lang == "ja":
            text = corrected_ja(text)
        elif lang == "zh":
            text = corrected_zh(text)
        key = compact(text)
        if not key:
            return NOTHING
        index = self._index(flow, question, lang)
        if (flow, question) in self.amount_questions and _NUMBER.search(key):
            if not index.overrides:
                return NOTHING
            return self._overriding(index, self._rank(index, lang, text)) or NOTHING
        for candidate in (key, _ENDINGS.sub("", key)):
            if candidate and (target := index.exact.get(candidate)) is not None:
                reading = self._decide(index, [(target, 1.0)])
                if candidate is key:  # an example typed whole, hedge and all
                    return reading
                return self._doubted(index, lang, text, reading)
        if lang == "ja" and not part and (target := self._same_words(index, text)) is not None:
            return self._doubted(index, lang, text, self._decide(index, [(target, 1.0)]))
        ranked = self._rank(index, lang, text, part=part)
        # a non-answer overrides only as surely as when it is the whole text
        whole = self._rank(index, lang, text) if part and index.overrides else ranked
        if (overriding := self._overriding(index, whole)) is not None:
            return overriding
        reading = self._doubted(index, lang, text, self._decide(index, ranked))  # 全部返せるかも
        if reading.kind is Kind.NOTHING and reading.hint is None:
            # the whole text's ranking, already made unless only a part's was
            plain = whole if not part or index.overrides else None
            reading = self._not_this_one(index, lang, text, plain) or reading
        value_reader = self.value_readers.get((flow, question))
        if value_reader is None:
            return reading
        value = value_reader(_CALENDAR_YEAR.sub("", analysers.clean(text)))
        if value == AMBIGUOUS:  # the value reader saw two options: ask, never guess
            options = reading.options if reading.kind in (Kind.SURE, Kind.CLARIFY) else ()
            return Reading(Kind.CLARIFY, options, hint=VALUE_UNSURE)
        if value is None:
            return reading
        if value == NOT_AN_ANSWER:
            return NOTHING
        if "|" in value:  # it fits these options (flow.either): ask which ...
            options = tuple(value.split("|"))
            if (
                reading.kind is Kind.SURE and reading.options[0] in options
                and self._ruled_out(index, lang, text, set(options) - {reading.options[0]})
            ):  # ... unless the words say one and deny the others (まだ遅れてない…今月)
                return reading
            return Reading(Kind.CLARIFY, options, hint=VALUE_UNSURE)
        return Reading(Kind.SURE, (value,), score=1.0)  # a duration or a count said outright

    def _same_words(self, index: _Index, text: str) -> int | None:
        """The target of the one example that is the same single Japanese word as `text`,
        spelled otherwise (むり, 無理; ぜんぶ, 全部)."""
        if len(text) > _ONE_WORD_CHARS or _NUMBER.search(text):
            return None  # not one word (no analysis then); no くらい or count left out
        words = self._analysis("ja", text)[0]
        if len(words) != 1:
            return None
        target = index.by_words.get(words)
        return target if target is not None and target >= 0 else None

    @staticmethod
    def _doubted(index: _Index, lang: str, text: str, reading: Reading) -> Reading:
        """A sure Japanese reading of an answer that ends in a hedge (かも, かもしれない) made
        "did you mean …?", unless the option itself is said as a guess (今月ムリかも is "not
        yet overdue"); any other reading as it is."""
        if (
            lang == "ja" and reading.kind is Kind.SURE and _JA_HEDGED.search(text)
            and index.targets.index(reading.options[0]) not in index.hedged
        ):
            return Reading(Kind.CLARIFY, reading.options, score=reading.score)
        return reading

    def agrees(self, flow: str, question: str, lang: str, hint: str | None) -> tuple[str, ...]:
        """The options the non-answer `hint` is consistent with (its `agrees` list)."""
        entry = next((e for e in self.phrasings.of(flow, question, lang) if e.id == hint), None)
        return entry.agrees if entry is not None else ()

    def _overriding(self, index: _Index, ranked: list[tuple[int, float]]) -> Reading | None:
        """A non-answer that wins whenever it is in the text (a Japanese card), even over an
        amount or a duration."""
        for target, score in ranked:
            entry = index.entries.get(index.targets[target])
            if entry is not None and entry.overrides and score >= self.thresholds.sure:
                return Reading(Kind.NOTHING, hint=entry.id, score=score)
        return None

    def _not_this_one(
        self, index: _Index, lang: str, text: str, whole: list[tuple[int, float]] | None
    ) -> Reading | None:
        """"自分じゃないです", "不是银行的": one option said and negated, nothing else. Ask
        which of the other options it is, rather than the question again. `whole`: the
        text's own ranking, if already made."""
        if not any(w.startswith(analysers.NEGATED) for w in self._analysis(lang, text)[0]):
            return None  # nothing negated: read as if nothing were, it reads the same
        ranked = self._rank(index, lang, text, negation=False)
        reading = self._decide(index, ranked)
        if reading.kind is not Kind.SURE:
            return None
        if ranked == (whole if whole is not None else self._rank(index, lang, text)):
            return None
        others = tuple(
            t for t in index.targets
            if t != reading.options[0] and t in index.entries and index.entries[t].is_option
        )
        return Reading(Kind.CLARIFY, others, score=reading.score) if len(others) >= 2 else None

    def _ruled_out(self, index: _Index, lang: str, text: str, options: set[str]) -> bool:
        """Whether the text negates a word each of `options` is said with (まだ遅れてない
        rules out every overdue length), so that none of them can be meant."""
        words = self._analysis(lang, text)[0]
        negated = {w[1:] for w in words if w.startswith(analysers.NEGATED)}
        vetoed = self._vetoed(index, negated - {w for w in words if w[:1] != analysers.NEGATED})
        return all(index.targets.index(option) in vetoed for option in options)

    @staticmethod
    def _vetoed(index: _Index, only_negated: set[str]) -> set[int]:
        """The targets said with a word the text negates (and does not also say plainly),
        unless the target is also said with it negated."""
        return {
            t
            for t in range(len(index.targets))
            if only_negated & index.said[t] and not only_negated & index.said_negated[t]
        }

    def _rank(
        self, index: _Index, lang: str, text: str, negation: bool = True, part: bool = False
    ) -> list[tuple[int, float]]:
        words, characters = self._analysis(lang, text)
        if not negation:  # read as if nothing were negated (see `_not_this_one`)
            words = tuple(w.removeprefix(analysers.NEGATED) for w in words)
        negated = {w[1:] for w in words if w.startswith(analysers.NEGATED)}
        plain = {w for w in words if not w.startswith(analysers.NEGATED)}
        features = {"w:" + w for w in words} | characters
        share = self.thresholds.part_share if part else self.thresholds.text_share
        weights = index.weights
        text_weight = sum(
            weights[f] if f in weights else self._weight(index, f) for f in features
        ) or 1.0
        overlap: dict[int, float] = defaultdict(float)
        for feature in features:
            postings = index.postings.get(feature)
            if postings:
                weight = weights[feature]
                for example_id in postings:
                    overlap[example_id] += weight
        # A word the text negates (and does not also say plainly) rules out the options said
        # with it, unless the option is also said with it negated.
        only_negated = negated - plain
        vetoed = self._vetoed(index, only_negated)
        best: dict[int, float] = {}
        for example_id, shared_weight in overlap.items():
            example = index.examples[example_id]
            if example.target in vetoed:
                continue
            if (example.words & only_negated) or (example.negated & (plain - negated)):
                continue
            covered = shared_weight / example.weight
            if example.counter:  # the text says what this option must not be read from
                if covered >= self.thresholds.counter:
                    vetoed.add(example.target)
                continue
            score = (1 - share) * covered + share * shared_weight / text_weight
            if score > best.get(example.target, 0.0):
                best[example.target] = score
        ranked = [
            (t, s) for t, s in best.items() if t not in vetoed and s >= self.thresholds.low
        ]
        ranked.sort(key=lambda pair: -pair[1])
        return ranked

    def _analysis(self, lang: str, text: str) -> _Analysis:
        """The words of `text` and its character features, once a turn (the set is shared:
        never changed)."""
        key = (lang, text)
        found = self._analyses.get(key)
        if found is None:
            if len(self._analyses) >= _ANALYSES_KEPT:
                self._analyses.clear()
            cleaned = analysers.clean(text)
            words = tuple(analysers.words_of(lang, cleaned))
            found = self._analyses[key] = (words, _characters(_PUNCT.sub("", cleaned)))
        return found

    def _decide(self, index: _Index, ranked: list[tuple[int, float]]) -> Reading:
        if not ranked:
            return NOTHING
        score = ranked[0][1]
        close = [t for t, s in ranked if s >= score - self.thresholds.margin]
        names = [index.targets[t] for t in close]
        # A non-answer that asks between options is settled by one of them named as well
        # (マイカーローン + アプラス: the regular loan).
        names = [
            n for n in names
            if not (n in index.entries and set(index.entries[n].clarify) & set(names))
        ]
        # A known non-answer behind the best option does not make it doubtful
        # (リース会社の名前: lease, though 会社 alone would be "someone else's company").
        names = names[:1] + [n for n in names[1:] if not _is_plain_hint(index, n)]
        options: list[str] = []
        for name in names:
            entry = index.entries.get(name)
            if name == DONT_KNOW_TARGET:
                continue
            if entry is not None and not entry.is_option:
                options.extend(o for o in entry.clarify if o not in options)
            elif name not in options:
                options.append(name)
        if len(names) == 1 or (DONT_KNOW_TARGET in names and len(options) <= 1):
            name = names[0] if len(names) == 1 else DONT_KNOW_TARGET
            if score < self.thresholds.sure:
                if name in options:
                    return Reading(Kind.CLARIFY, (name,), score=score)  # "did you mean …?"
                hint = name if name.startswith("_") else None
                return Reading(Kind.NOTHING, hint=hint, score=score)
            if name == DONT_KNOW_TARGET:
                found = (index.dont_know_option,) if index.dont_know_option else ()
                return Reading(Kind.DONT_KNOW, found, score=score)
            entry = index.entries[name]
            if entry.is_option:
                if entry.dont_know:
                    return Reading(Kind.DONT_KNOW, (name,), score=score)
                return Reading(Kind.SURE, (name,), score=score)
            if entry.clarify:
                return Reading(Kind.CLARIFY, entry.clarify, hint=name, score=score)
            return Reading(Kind.NOTHING, hint=name, score=score)
        top = index.entries.get(names[0]) if names else None
        if len(options) >= 2 and top is not None and top.is_option and top.dont_know and (
            score >= self.thresholds.sure
        ):
            # "朋友也问了，店也问了，还没定": the options named are what is still open
            return Reading(Kind.DONT_KNOW, (names[0],), score=score)
        if len(options) >= 2:
            return Reading(Kind.CLARIFY, tuple(options), score=score)
        hints = [n for n in names if n.startswith("_")]
        return Reading(Kind.NOTHING, hint=hints[0] if hints else None, score=score)

    # -- the index -----------------------------------------------------------------------

    def _weight(self, index: _Index, feature: str) -> float:
        kind = feature[0]
        if kind == "w":
            base = 1.0
        else:
            base = self.thresholds.ngram if kind == "c" else self.thresholds.kanji
        return base * index.idf.get(feature, index.unseen_idf)

    def _index(self, flow: str, question: str, lang: str) -> _Index:
        key = (flow, question, lang)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = self._build(flow, question, lang)
        return index

    def _build(self, flow: str, question: str, lang: str) -> _Index:
        index = _Index()
        shared = self.phrasings.shared.get(lang, {})
        phrases: list[tuple[int, str, bool]] = []
        for entry in self.phrasings.of(flow, question, lang):
            target = len(index.targets)
            index.targets.append(entry.id)
            index.entries[entry.id] = entry
            if entry.dont_know:
                index.dont_know_option = entry.id
            index.overrides |= entry.overrides
            examples = list(entry.examples)
            for group in entry.shared:
                examples.extend(shared.get(group, ()))
            phrases += [(target, p, False) for p in examples]
            phrases += [(target, p, True) for p in entry.counter]
            for phrase in entry.whole:
                index.exact.setdefault(compact(phrase), target)
        target = len(index.targets)
        index.targets.append(DONT_KNOW_TARGET)
        phrases += [(target, p, False) for p in shared.get(DONT_KNOW, ())]
        index.said = [set() for _ in index.targets]
        index.said_negated = [set() for _ in index.targets]
        document_frequency: dict[str, set[int]] = defaultdict(set)
        for target, phrase, is_counter in phrases:
            cleaned = analysers.clean(phrase)
            words = self._phrase_words.get((lang, cleaned))
            if words is None:
                words = self._phrase_words[lang, cleaned] = analysers.words_of(lang, cleaned)
            negated = frozenset(w[1:] for w in words if w.startswith(analysers.NEGATED))
            plain = frozenset(w for w in words if not w.startswith(analysers.NEGATED))
            features = frozenset({"w:" + w for w in words} | _characters(_PUNCT.sub("", cleaned)))
            if not features:
                continue
            example = _Example(target, features, plain, negated, counter=is_counter)
            index.examples.append(example)
            if not is_counter:
                if lang == "ja" and _JA_HEDGE_IN_EXAMPLE.search(phrase):
                    index.hedged.add(target)
                index.said[target] |= plain
                index.said_negated[target] |= negated
                index.exact.setdefault(compact(phrase), target)
                if lang == "ja" and words:
                    key = tuple(words)
                    if index.by_words.setdefault(key, target) != target:
                        index.by_words[key] = -1
            for feature in features:
                document_frequency[feature].add(target)
        count = len(index.targets)
        index.idf = {f: math.log(1 + count / len(ts)) for f, ts in document_frequency.items()}
        index.unseen_idf = math.log(1 + count)
        index.weights = {f: self._weight(index, f) for f in index.idf}
        for example_id, example in enumerate(index.examples):
            example.weight = sum(self._weight(index, f) for f in example.features) or 1.0
            for feature in example.features:
                index.postings[feature].append(example_id)
        index.postings = dict(index.postings)
        return index
