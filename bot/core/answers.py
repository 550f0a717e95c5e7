"""The engine's half that reads typed answers: what to do with each reading of the reader.

    label typed whole ─► sure ─► recorded, said back
                       ─► options compete ─► asked with just those buttons
                       ─► don't know ─► that option's help
                       ─► a known non-answer ─► its hint
                       ─► nothing ─► the question's own options named
    several facts in one sentence ─► each question answered for sure (Session.early)
    a correction word and a different answer ─► changed, and the flow walked again

`TypedAnswers` is mixed into `Engine` (bot/core/engine.py), whose helpers it uses (`_t`,
`_ask`, `_choose`, `current`, ...): one class to the outside, two files to read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from bot.core import texts
from bot.core.amount_words import (
    amount_after,
    amount_before,
    amount_taken_back,
    amounts_in,
    best_offer,
    final_offer,
    says_about,
    says_other_amount,
    says_total,
)
from bot.core.events import Choice, Reply
from bot.core.flow import Flow, Question
from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from bot.core.kinds import Problem
from bot.core.reader import Kind as ReadingKind
from bot.core.reader import Reading, analysers
from bot.core.session import Session
from bot.core.typed import (
    chinese_with_katakana,
    has_cjk,
    has_hiragana,
    has_kana,
    looks_chinese,
    normalize,
    plain,
)

ACK = "ack"  # Reply.notice of the line saying back how a typed answer was read
CLARIFY = "clarify"  # Reply.notice of a question asked again with just the options that compete
MISSED = "missed"  # a Reply's notice: nothing in the typed answer was understood
SUGGESTED = "suggested"  # in `pending`: the one option a "did you mean …?" offered
DECLINED = "declined"  # in `pending`: the option a typed "no" chooses (Question.settle)
DONT_KNOW_HINT = "_dont_know"  # Question.hints: "I don't know" where no option means it
OTHER_AMOUNT = "_other_amount"  # Question.hints: an amount that is another one than asked
NOTHING_READ = Reading(ReadingKind.NOTHING)
# Words that say an earlier answer was wrong (其实, やっぱり, 実は, 訂正, 不对, 改成 ...).
_CORRECTION = re.compile(
    r"其实|其實|やっぱり|やはり|実は|訂正|不对|改成|改为|说错|間違え|間違い|じゃなくて|でした|才对"
    r"|ちがう|違う|違った|ちがった"
)
# Clause ends; a space between two CJK characters ends one too ("不对 不是卖给个人 是卖给车行").
_CLAUSES = re.compile(r"[。．.、，,；;！!？?\n]+|(?<=[\u3040-\u9fff])[ 　]+(?=[\u3040-\u9fff])")
# Said before a cue word at the start: "あ、", "えっと", "其实" ...
_LEADING_FILLER = re.compile(
    r"^[\s、,，。.!！]*(?:あ|あっ|えっと|えーと|あの|ちなみに|其实|那个|嗯)?[\s、,，。.!！]*"
)
# Cue words that also just join sentences ("还有一家出价100万", "あと一社は…"): not enough
# to say which amount a sentence is about.
_CONJUNCTION_CUES = frozenset({"あと", "还有", "還有"})
FACT_SCORE = 0.9  # a reading this sure fills a question from a sentence that says several things
# "Including" said of a figure in another clause: 包括利息的, 利息込みで
_INCLUDED = re.compile(r"包括|包含|含|连|連|込み|込|含めて|も入れて")
_DIGIT = re.compile(r"[0-9０-９]")
_FIGURE = re.compile(r"[0-9０-９一二两三四五六七八九十百千万萬億亿]")
FAINT = 0.5  # below this, a clause's doubt is too faint to veto another clause's fact


def clauses(text: str) -> list[str]:
    """The parts of a message that each say one thing: cut at punctuation, and Japanese
    also after its conjunctive particles (売って|軽に乗り換えたい, 残クレなので|途中で…)."""
    parts = []
    for clause in _CLAUSES.split(text):
        parts.extend(analysers.japanese_clauses(clause) if has_kana(clause) else [clause])
    return parts


def says_several(text: str) -> bool:
    """Whether a message has more than one part (`clauses`)."""
    return len([c for c in clauses(text.strip(" 。.！!？?")) if c.strip()]) > 1


def _said_as(question: Question, text: str, value: object) -> str | None:
    """texts.ABOUT when the clause that gives a money question's amount hedges it
    ("ローン残り200万くらい"), so an amount taken from a longer message is said back as 約."""
    if not question.is_money or not isinstance(value, int):
        return None  # an option ("査定はまだ") is never approximate
    for clause in _CLAUSES.split(text):
        if any(cue in clause for cue in (*question.cues, *question.cues_after)) and says_about(
            clause
        ):
            return texts.ABOUT
    return None


def corrects_rather_than_answers(text: str, question: Question) -> bool:
    """A correction marker, and not merely a past tense that ends the answer to the open
    question: "ガリバーで95万、ネクステージで102万でした" answers the appraisal (its shop names
    must not change the 所有者); "やっぱり所有者は自分でした" corrects."""
    found = {m.group() for m in _CORRECTION.finditer(text)}
    if not found:
        return False
    return not (found == {"でした"} and question.is_money and amounts_in(text))


class TypedAnswers:
    """What the engine does with a typed answer; see the module docstring."""

    def _flow_by_facts(self, session: Session, text: str) -> str | None:
        """The consultation a sentence answers questions of, though it names none
        ("残クレで乗ってるアルファード手放したい。残り320万"): the only one, or the one it
        says clearly more about."""
        if self._language_in(text) is not None:
            return None
        facts = {
            flow.id: sum(self._fact(session, flow, q, text) is not None for q in flow.questions)
            for flow in self.flows.values()
        }
        ranked = sorted((n, flow_id) for flow_id, n in facts.items() if n)
        if not ranked:
            return None
        # one consultation, or one that the sentence says clearly more about ("査定まだだけど
        # ローン残り200万くらい、ディーラー名義": three car facts against a loose "まだ")
        if len(ranked) == 1 or ranked[-1][0] >= max(2, ranked[-2][0] + 1):
            return ranked[-1][1]
        return None

    def _facts(self, session: Session, flow: Flow, text: str) -> list[Reply]:
        """Every question a sentence answers ("想卖车，车贷是银行的，还欠80万": the loan kind and
        the balance), read for sure: those on the way now, each said back; the others kept in
        `session.early` until the consultation reaches them. Only sure readings count: the
        sentence is about several things, so a loose match would be a guess."""
        if not text:
            return []
        heard: list[Reply] = []
        for question in flow.questions:
            value = self._fact(session, flow, question, text)
            if value is not None:
                session.early[question.id] = value
                heard.append(
                    self._said_back(
                        session, flow, question, value, _said_as(question, text, value)
                    )
                )
        self._answered_early(session, flow)  # those on the way now; each was said back above
        return heard

    def _later_facts(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> list[Reply] | None:
        """An answer to another question, not yet answered, given instead of this one
        ("估价一百万" while the loan kind is asked): kept for when its question comes and
        said back; None when the text answers no other question (or also this one: a money
        question's own cue word, 还欠 at the balance, makes the amount its own)."""
        if question.is_money and amount_after(text, question.cues) is not None:
            return None
        kept = self._keep_later_facts(session, flow, question, text)
        claimed = {session.early[q.id] for q in kept if q.is_money}
        if question.is_money and any(a not in claimed for a in amounts_in(text) or ()):
            return None  # an amount left for this question: read, the rest kept with it
        if question.is_money and not claimed and _DIGIT.search(text):
            return None  # "二手车商那边说95": a bare figure, for this question to read or ask
        return [
            self._said_back(session, flow, q, value, _said_as(q, text, value))
            for q in kept
            for value in (session.early[q.id],)
        ] or None

    def _ahead(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> Question | None:
        """A later money question the text gives an amount for, by its cue word, that cannot
        be kept as it is (said approximately near a boundary: it is confirmed when asked)."""
        for other in flow.questions:
            if other.id == question.id or other.id in session.answers or not other.is_money:
                continue
            if amount_after(text, other.cues) is not None:
                return other
        return None

    def _keep_later_facts(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> list[Question]:
        """Keep in `session.early` what the text says for sure about other questions not yet
        answered; the questions kept, in the flow's order."""
        kept = []
        for other in flow.questions:
            if other.id == question.id or other.id in session.answers:
                continue
            value = self._fact(session, flow, other, text)
            if value is not None:
                session.early[other.id] = value
                kept.append(other)
        return kept

    def _with_later_facts(
        self, session: Session, flow: Flow, question: Question, text: str, answered
    ) -> list[Reply]:
        """Answer `question` (`answered()` records it) and keep what a longer message also
        says about later questions ("两个月，本金3万"): those reached at once are said back
        as they are recorded, the others here."""
        kept = self._keep_later_facts(session, flow, question, text) if says_several(text) else []
        replies = answered()
        waiting = [q for q in kept if q.id in session.early]
        if not waiting:
            return replies
        said = [
            self._said_back(session, flow, q, value, _said_as(q, text, value))
            for q in waiting
            for value in (session.early[q.id],)
        ]
        return [*replies[:-1], *said, replies[-1]] if replies else said

    def _answered_early(self, session: Session, flow: Flow) -> list[Reply]:
        """Record the answers given early for the questions now reached, in order."""
        said: list[Reply] = []
        while (question := flow.question(session.state or "")) and question.id in session.early:
            value = session.early[question.id]
            self._store(session, flow, question, value)
            said.append(self._said_back(session, flow, question, value))
        return said

    def _store(self, session: Session, flow: Flow, question: Question, value: object) -> None:
        """One answer into the session, and the shared machine moves it on."""
        session.answers[question.id] = value
        session.history.append(question.id)
        session.early.pop(question.id, None)
        session.state = flow.next_state(question.id, session.answers)

    def _said_back(
        self,
        session: Session,
        flow: Flow,
        question: Question,
        value: object,
        said_as: str | None = None,
    ) -> Reply:
        """"✓ 査定額：120万円"; `said_as` (texts.ABOUT, texts.HIGHEST) says how the amount was
        given: "約120万円", "145万円（最高額）"."""
        answer = self._answer_label(session, flow, question, value)
        if said_as is not None:
            answer = self._t(session, said_as).format(amount=answer)
        line = self._t(session, texts.SUMMARY_LINE).format(
            question=self._t(session, question.title), answer=answer
        )
        return Reply(f"✓ {line}", notice=ACK)

    def _money_sentence(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> list[Reply] | None:
        """An amount question answered with a sentence that is not simply the figure: about
        another amount (a monthly payment where the balance is asked, a market price where an
        offer is): say what is needed; several offers: the highest, said back as such."""
        if (corrected := amount_taken_back(text)) is not None:  # 20万，不对是22万
            return self._take_amount(session, flow, question, corrected, text)
        if question.highest_of_several and (final := final_offer(text)) is not None:
            return self._take_amount(session, flow, question, final, text)  # 結局125万
        if (said := self._option_of_own_clause(session, flow, question, text)) is not None:
            return self._choose(session, flow, question, said, typed=True)  # 欠6万多，本金不清楚
        found = amounts_in(text) or []
        if (beside := self._beside_amount(question, text, found)) is not None:
            return self._take_amount(session, flow, question, beside, text)
        cued = amount_after(text, question.cues)
        other = OTHER_AMOUNT in question.hints and says_other_amount(text, question.other_cues)
        if other and len(set(found)) <= 1 and any(
            _INCLUDED.search(clause) and says_other_amount(clause, question.other_cues)
            and not _FIGURE.search(clause)
            for clause in _CLAUSES.split(text)
        ):  # "欠了差不多7万，包括利息的": the one figure includes what the clause names
            return self._hint(session, flow, question, OTHER_AMOUNT)
        if other and (said := self._option_without_figure(session, flow, question, text)):
            # "査定はしてないけど自分的には100万くらい": not yet; the figure is a guess
            return self._choose(session, flow, question, said, typed=True)
        if other or (cued is not None and len(set(found)) != 1):
            # its own cue word names the amount beside others: 一共欠12万，其中本金10万
            if (named := self._named_amount(flow, question, text)) is not None:
                return self._take_amount(session, flow, question, named, text)
            if other:  # 月々2万8千円, 连本带息8万, ネットの相場190万
                return self._hint(session, flow, question, OTHER_AMOUNT)
            if not question.highest_of_several:
                return None
            cued = None  # "ガリバーで95万、別の買取店で102万": a cue word in one of several offers
        if cued is not None:
            return None  # the one amount, after its cue word: read as usual
        if question.highest_of_several:
            offer = best_offer(text)  # 最高で140万, 出价最高的是九十八万: the offer itself
            if offer is not None:
                return self._take_amount(session, flow, question, offer, text)
        if not question.highest_of_several or len(set(found)) < 2 or says_about(text):
            return None
        highest = max(found)
        if question.plausible_min is not None and highest < question.plausible_min:
            return None  # "100、115": asked as the bare figures they are
        return self._take_amount(session, flow, question, highest, text, texts.HIGHEST)

    @staticmethod
    def _beside_amount(question: Question, text: str, found: list[int]) -> int | None:
        """Of two amounts, the one beside another that a clause marks as another kind by a
        `beside_cues` word ("同款二手网上卖150万，收购的话估计120万左右": 1,200,000)."""
        if not question.beside_cues or len(set(found)) != 2:
            return None
        marked = {
            amount
            for clause in _CLAUSES.split(text)
            if any(cue in clause for cue in question.beside_cues)
            for amount in amounts_in(clause) or []
        }
        rest = set(found) - marked
        return rest.pop() if len(marked) == 1 and len(rest) == 1 else None

    def _option_of_own_clause(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> str | None:
        """The option ("don't know") a clause without a figure says for sure about the amount
        it names by the question's own cue word, beside a figure in another clause that is
        then not this amount: "欠6万多，本金多少不清楚", "全部で60万、元金はわからない"."""
        parts = clauses(text)
        if len(parts) < 2 or not any(_FIGURE.search(part) for part in parts):
            return None
        for clause in parts:
            if _FIGURE.search(clause) or not any(cue in clause for cue in question.cues[:1]):
                continue
            reading = self._part(session, flow, question, clause)
            if reading.kind is ReadingKind.SURE:
                return reading.options[0]
            if reading.kind is ReadingKind.DONT_KNOW:
                return next(
                    (o.id for o in question.options if o.id in reading.options),
                    next((o.id for o in question.options if o.info is not None), None),
                )
        return None

    def _option_without_figure(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> str | None:
        """The option of a money question ("not yet", "don't know") one clause without a
        figure says for sure, beside another clause's amount that is not the answer."""
        for clause in clauses(text):
            if _FIGURE.search(clause) or len(clause.strip()) < 2:
                continue
            reading = self._part(session, flow, question, clause)
            if reading.kind is ReadingKind.SURE:
                return reading.options[0]
        return None

    def _named_amount(self, flow: Flow, question: Question, text: str) -> int | None:
        """The amount a sentence of several names as this question's ("全部で12万、元金は10万"):
        one clause holds it after a cue word, and every other amount is accounted for as a
        total, another kind of amount or another question's ("残価100万，另外还剩50万": two
        parts of one balance, so none)."""
        named: set[int] = set()
        for clause in _CLAUSES.split(text):
            amounts = amounts_in(clause) or ([] if not says_other_amount(clause) else [0])
            if not amounts and not any(c.isdigit() for c in clause):
                continue
            cued = amount_after(clause, question.cues)
            if cued is not None and len(amounts) == 1 and not (
                says_total(clause) or says_other_amount(clause, question.other_cues)
            ):
                named.add(cued)
            elif not (says_total(clause) or says_other_amount(clause, question.other_cues) or any(
                amount_after(clause, other.cues) is not None
                for other in flow.questions if other.is_money and other.id != question.id
            )):
                return None
        return named.pop() if len(named) == 1 else None

    def _fact(self, session: Session, flow: Flow, question: Question, text: str) -> object:
        """What a sentence that says several things says for sure about `question`: an
        amount after one of its cue words, or an option read for sure from one clause."""
        if question.is_money:
            amount = amount_after(text, question.cues)
            if amount is None:
                amount = amount_before(text, question.cues_after)
            if amount is not None:
                if question.plausible_max and amount > question.plausible_max:
                    return None
                # said approximately near a threshold (五万左右): asked as the question itself,
                # with its confirmation; an exact figure (4万5) is the answer
                near = near_boundary(amount, question.boundaries) is not None
                return None if near and says_about(text) else amount
            if not question.options or not any(cue in text for cue in question.cues):
                return None  # else its options, where its cue word says so: 査定はまだしてない
        elif question.kind.expects != "choice":
            return None
        found: set[str] = set()
        doubts: list[Reading] = []
        for clause in clauses(text):
            if len(clause.strip()) < 2:
                continue
            if question.is_money and not any(cue in clause for cue in question.cues):
                continue
            reading = self._part(session, flow, question, clause)
            doubting = (
                reading.kind in (ReadingKind.CLARIFY, ReadingKind.DONT_KNOW)
                and reading.score >= FAINT  # "准备就卖给他们" hardly hints at anyone
            ) or (
                reading.kind is not ReadingKind.SURE and reading.hint is not None
                and reading.score >= self.reader.thresholds.sure  # a faint hint is no doubt
            )
            if doubting and not self._about_another(session, flow, question, clause):
                doubts.append(reading)
            if reading.kind is ReadingKind.SURE and reading.score >= FACT_SCORE:
                if self._better_about_another(session, flow, question, clause, reading.score):
                    continue  # 督促はまだ来てない: about the demands, not "not yet overdue"
                option = question.option(reading.options[0])
                if option is not None and option.info is None:
                    found.add(option.id)
        if len(found) != 1:
            return None
        option_id = found.pop()
        # another clause doubts it ("逾期了，还没还": overdue, not "not yet"), unless it only
        # hesitates between this option and another ("还没逾期，下周还款日")
        if any(
            (doubt.kind is not ReadingKind.CLARIFY or option_id not in doubt.options)
            and option_id not in self._agreed(session, flow, question, doubt)
            for doubt in doubts
        ):
            return None
        return option_id

    def _agreed(
        self, session: Session, flow: Flow, question: Question, reading: Reading
    ) -> tuple[str, ...]:
        """The options a known non-answer agrees with ("払えてない": any overdue length)."""
        if reading.hint is None:
            return ()
        return self.reader.agrees(flow.id, question.id, session.lang or DEFAULT_LANGUAGE,
                                  reading.hint)

    def _by_clauses(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> Reading | None:
        """A longer answer the reader is unsure of as a whole, read clause by clause like a
        sentence that says several things: "不是残クレ，就是普通的分期" is the regular loan,
        "残価設定ローンです、3年後に残価が120万" the residual one."""
        if question.kind.expects != "choice" or not says_several(text):
            return None
        option_id = self._fact(session, flow, question, text)
        return Reading(ReadingKind.SURE, (option_id,), score=FACT_SCORE) if option_id else None

    def _part(self, session: Session, flow: Flow, question: Question, clause: str) -> Reading:
        """A clause read as a part of a sentence that says several things, once a turn."""
        key = (flow.id, question.id, session.lang, clause)
        reading = self._parts.get(key)
        if reading is None:
            reading = self._parts[key] = self._read(session, flow, question, clause, part=True)
        return reading

    def _better_about_another(
        self, session: Session, flow: Flow, question: Question, clause: str, score: float
    ) -> bool:
        """Whether another choice question reads the clause for sure, as surely or more: a
        shop's name ("ガリバーで95万") is as much the buyer as the dealer that sold the car, so
        it is a fact about neither."""
        for other in flow.questions:
            if other.id == question.id or other.kind.expects != "choice":
                continue
            reading = self._part(session, flow, other, clause)
            if reading.kind is ReadingKind.SURE and reading.score >= score:
                return True
        return False

    def _about_another(
        self, session: Session, flow: Flow, question: Question, clause: str
    ) -> bool:
        """Whether a clause is plainly the answer to another question ("ローンは信金" beside
        "所有者は自分で"), so that what it half says about `question` is no doubt."""
        return any(
            self._about(session, flow, other, clause)
            for other in flow.questions
            if other.id != question.id
        )

    def _about(self, session: Session, flow: Flow, question: Question, clause: str) -> bool:
        """Whether a clause plainly answers `question`: its amount after a cue word, or an
        option read for sure."""
        if question.is_money:
            if amount_after(clause, question.cues) is not None:
                return True
            if not question.options or not any(cue in clause for cue in question.cues):
                return False
            # 元本いくらか分からない: its own "don't know", named by its cue word
            reading = self._part(session, flow, question, clause)
            return reading.kind in (ReadingKind.SURE, ReadingKind.DONT_KNOW) and (
                reading.score >= FACT_SCORE
            )
        if question.kind.expects != "choice":
            return False
        reading = self._part(session, flow, question, clause)
        return reading.kind is ReadingKind.SURE and reading.score >= FACT_SCORE

    def _label_typed(self, flow: Flow, question: Question, text: str) -> str | None:
        """An option's id or its label in any language, typed as the whole answer."""
        labels = self._labels[flow.id, question.id]
        for candidate in dict.fromkeys((normalize(text), normalize(plain(text)))):
            if candidate in labels:
                return labels[candidate]
        return None

    def _read(
        self, session: Session, flow: Flow, question: Question, text: str, part: bool = False
    ) -> Reading:
        """The reader's reading in the user's language, else in the other one where the
        script allows it: people mix them (我自己 in a Japanese conversation), but text with
        kana is Japanese, whatever the conversation (自分じゃない read as Chinese loses its
        negation), unless it is Chinese with only a katakana word in it (三井住友银行的
        マイカーローン, 得问ローン会社 in a Chinese conversation): Chinese first, then Japanese.
        Text without a Japanese or Chinese character is read only when it is an example
        phrasing exactly ("dealer"): anything else Latin is not guessed at."""
        chinese = looks_chinese(text) or chinese_with_katakana(text)
        first = "zh" if chinese else session.lang or DEFAULT_LANGUAGE
        if has_kana(text) and (has_hiragana(text) or first != "zh"):
            langs = ["ja"]
        else:
            langs = [first, *(lang for lang in LANGUAGES if lang != first)]
        reading = NOTHING_READ
        for lang in langs:
            reading = self.reader.read(flow.id, question.id, lang, text, part)
            if reading.kind is not ReadingKind.NOTHING or reading.hint is not None:
                break
        if reading.score < 1.0 and not has_cjk(text):
            return NOTHING_READ
        return reading

    def _clarify(self, session: Session, question: Question, option_ids: Sequence[str]) -> Reply:
        """Two options compete: ask which, with just those as buttons ("銀行ですか、JAですか？"),
        or the question's own yes/no question that settles them; one option, not sure
        enough: "did you mean …?" with its button."""
        options = tuple(
            Choice(o.id, self._t(session, o.label)) for o in question.options if o.id in option_ids
        )
        settle = question.settle
        if len(options) == 1:
            session.pending = {SUGGESTED: options[0].id}
            text = self._t(session, texts.CLARIFY_ONE).format(option=options[0].label)
        elif settle is not None and {settle.yes, settle.no} == {o.id for o in options}:
            session.pending = {SUGGESTED: settle.yes, DECLINED: settle.no}
            text = self._t(session, settle.prompt)
            options = (
                Choice(settle.yes, self._t(session, settle.yes_label)),
                Choice(settle.no, self._t(session, settle.no_label)),
            )
            unsure = question.option(settle.unsure) if settle.unsure else None
            if unsure is not None:
                options += (Choice(unsure.id, self._t(session, unsure.label)),)
        else:
            text = self._t(session, texts.CLARIFY_WHICH)
        return Reply(text, options, question=self._key(session), expects="choice", notice=CLARIFY)

    def _hint(
        self, session: Session, flow: Flow, question: Question, hint: str | None
    ) -> list[Reply]:
        """Nothing read: a hint for this question, never the same generic line for all."""
        message = question.hints.get(hint or "") if hint else None
        if message is not None:
            return [self._say(session, message), self._ask(session, question)]
        if question.kind.expects != "choice":
            problem = question.kind.read("", "")
            if isinstance(problem, Problem):
                return [self._problem(session, question, problem), self._ask(session, question)]
        if session.missed == self._key(session):  # the second miss in a row: not the same line
            return [Reply(self._t(session, texts.NOT_UNDERSTOOD_AGAIN), notice=MISSED),
                    self._ask(session, question)]
        labels = " / ".join(self._t(session, o.label) for o in question.options if not o.info)
        text = self._t(session, texts.NOT_UNDERSTOOD).format(options=labels)
        return [Reply(text, notice=MISSED), self._ask(session, question)]

    def _correct(self, session: Session, flow: Flow, text: str) -> list[Reply] | None:
        """A different answer to one question already answered ("其实本金是6万",
        "やっぱり査定は130万でした"): change it, say so, and walk the flow again from the
        start with every answer it still needs, so questions that no longer apply drop out,
        new ones are asked and the verdict is redone."""
        changed = {
            question.id: value
            for question in flow.questions
            if question.id in session.answers
            and (value := self._fact(session, flow, question, text)) is not None
            and value != session.answers[question.id]
        }
        if len(changed) != 1:
            return None
        return self._change(session, flow, *changed.popitem())

    def _earlier_amount(
        self, session: Session, flow: Flow, question: Question, text: str
    ) -> list[Reply] | None:
        """"残り180万" typed at the appraisal: the amount of an earlier money question, named
        by its cue word at the start, given anew. Changed (the flow walked again), or, when it
        is what was answered, said so; never taken as this question's amount."""
        if amount_after(text, question.cues) is not None:
            return None
        start = _LEADING_FILLER.sub("", unicodedata.normalize("NFKC", text))
        for other in flow.questions:
            if not other.is_money or other.id == question.id or other.id not in session.answers:
                continue
            cues = tuple(
                c for c in other.cues if c not in _CONJUNCTION_CUES and start.startswith(c)
            )
            amount = amount_after(start, cues) if cues else None
            if amount is None:
                continue
            if amount != session.answers[other.id]:
                return self._change(session, flow, other.id, amount)
            have = self._t(session, texts.ALREADY_HAVE).format(
                question=self._t(session, other.title),
                answer=self._answer_label(session, flow, other, amount),
            )
            return [Reply(have), self._ask(session, question)]
        return None

    def _added_up(
        self, session: Session, flow: Flow, question: Question, text: str, option_id: str
    ) -> str | tuple[str, str] | None:
        """For a question of counts: the most that clauses counting differently say, when the
        whole read less ("电话打过一次，后来又寄了信": a call once, then another demand, two or
        more; "電話が2回、手紙が1回"). The same count said twice is one; a clause that does not
        remember ("什么时候的不记得了") asks between the count and "don't remember" (a pair).
        Clauses plainly about another question do not count."""
        if not question.counts or option_id not in question.counts:
            return None
        if not says_several(text):
            return None
        counted = []
        for clause in clauses(text):
            if len(clause.strip()) < 2:
                continue
            reading = self._part(session, flow, question, clause)
            if reading.kind is ReadingKind.DONT_KNOW and reading.options and (
                reading.score >= FACT_SCORE
            ):
                # "2回くらい？間は覚えてない": a count with its dates forgotten: which is it?
                forgot = reading.options[0]
                return (option_id, forgot) if forgot != option_id else None
            if (
                reading.kind is ReadingKind.SURE
                and reading.options[0] in question.counts[1:]  # not "none"
                and reading.score >= FACT_SCORE
                and not self._better_about_another(session, flow, question, clause, reading.score)
            ):
                counted.append(question.counts.index(reading.options[0]))
        if len(set(counted)) < 2:
            return None  # "收到过一封律师函，就那一次": the same count said twice is one
        added = question.counts[max(counted)]
        return added if added != option_id else None

    def _restates(self, session: Session, flow: Flow, text: str) -> bool:
        """Whether the text gives an answer already recorded, as it is ("所有者は自分でした"
        when it is): nothing to change, and nothing to complain about."""
        return any(
            question.id in session.answers
            and self._fact(session, flow, question, text) == session.answers[question.id]
            for question in flow.questions
        )

    def _also_changed(
        self, session: Session, flow: Flow, answered: Question, text: str, replies: list[Reply]
    ) -> list[Reply]:
        """A longer answer that also gives an earlier answer anew ("6万，现在一分都还不了"
        where "part of it" was answered before; "一次都没有，我才逾期一周"): that one changed
        too, said so, and the flow walked again. Only a value read for sure counts."""
        if answered.id not in session.answers or not says_several(text):
            return replies
        # the clauses that answered this question say nothing about the others
        text = "。".join(
            clause for clause in clauses(text)
            if not self._about(session, flow, answered, clause)
        )
        # nor is the figure recorded another amount's too ("网上卖150万，收购的话估计120万左右"
        # at the estimate: 120万 is no offer, though 收购 is the appraisal's cue word)
        recorded = session.answers[answered.id] if answered.is_money else None
        changed = {
            question.id: value
            for question in flow.questions
            if question.id != answered.id
            and question.id in session.answers
            and (not question.topic or any(word in text for word in question.topic))
            and (value := self._fact(session, flow, question, text)) is not None
            and value != session.answers[question.id]
            and not (question.is_money and value == recorded)
        }
        if len(changed) != 1:
            return replies
        said = [reply for reply in replies if reply.notice == ACK]
        return [*said, *self._change(session, flow, *changed.popitem())]

    def _change(self, session: Session, flow: Flow, question_id: str, value: object) -> list[Reply]:
        """Change one answer, say so, and walk the flow again from the start with every
        answer it still needs: questions that no longer apply drop out, new ones are asked
        and the verdict is redone."""
        question = flow.question(question_id)
        assert question is not None
        answers = {**session.answers, question_id: value}
        told = dict(session.early)  # said before for questions not reached yet: still true
        session.reset(flow.id, flow.initial)
        session.early = {**told, **answers}  # recorded again along the path they now lead
        self._answered_early(session, flow)
        session.early = {q: v for q, v in told.items() if q not in session.answers}
        text_said = self._t(session, texts.CORRECTED).format(
            question=self._t(session, question.title),
            answer=self._answer_label(session, flow, question, value),
        )
        return [Reply(text_said, notice=ACK), *self.current(session)]


def near_boundary(amount: int, boundaries: Iterable[int]) -> int | None:
    """The boundary within 10 % of `amount`, if there is one."""
    return next((b for b in boundaries if abs(amount - b) <= b // 10), None)

def label_index(question: Question) -> dict[str, str]:
    """Each option's id and its label in every language, folded: typed whole, they answer."""
    exact: dict[str, str] = {}
    for option in question.options:
        labels = {translate(lang, option.label) for lang in LANGUAGES}
        for phrase in {option.id, option.label, *labels}:
            if form := normalize(phrase):
                exact.setdefault(form, option.id)
    return exact
