"""Conditions as declarations: small predicates over a session's answers.

A flow names its conditions (`{"nothing_owed": Any(Is("loan_kind", "none"), Is("balance", 0))}`)
and transitions and verdict blocks list the names in `when` / `unless`. Each predicate is
called with the answers like a function, and also says what it tests, in words
(`describe`, for `docs/rules.md`) and as the numbers it compares with (`values`, which
the path explorer tries either side of). No code has to be read back to document a rule.

A test these cannot express is a subclass of `Predicate` with its own `__call__` and
`describe`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Answers = Mapping[str, object]
Names = Mapping["Predicate", str]  # predicates that have a name in the flow, to say it instead


class Predicate:
    """A test of the answers that can say what it tests."""

    def __call__(self, answers: Answers) -> bool:
        raise NotImplementedError

    def describe(self, names: Names | None = None) -> str:
        """What the test says, in words; parts that have a name in `names` are said by name."""
        raise NotImplementedError

    def describe_not(self, names: Names | None = None) -> str:
        """The words for the opposite (a predicate may say it better than "not (…)")."""
        return f"not ({self.describe(names)})"

    def values(self) -> tuple[int, ...]:
        """The whole numbers it compares answers with (the boundaries worth trying)."""
        return ()

    def parts(self) -> tuple[Predicate, ...]:
        return ()

    @property
    def note(self) -> str:
        """The author's explanation, if any (see `Noted`)."""
        return ""


def _said(part: Predicate, names: Names | None) -> str:
    """A part of a larger test: its name when it has one, else its words, bracketed."""
    if names and part in names:
        return names[part]
    text = part.describe(names)
    return f"({text})" if isinstance(part, All | Any) else text


def _value(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Is(Predicate):
    """The answer to `question` is `value` (an option id, or a number)."""

    question: str
    value: object

    def __call__(self, answers: Answers) -> bool:
        return answers.get(self.question) == self.value

    def describe(self, names: Names | None = None) -> str:
        return f"{self.question} is {_value(self.value)}"

    def describe_not(self, names: Names | None = None) -> str:
        return f"{self.question} is not {_value(self.value)}"

    def values(self) -> tuple[int, ...]:
        number = _number(self.value)
        return () if number is None else (number,)


@dataclass(frozen=True, slots=True)
class OneOf(Predicate):
    """The answer to `question` is one of `choices`."""

    question: str
    choices: tuple[object, ...]

    def __call__(self, answers: Answers) -> bool:
        return answers.get(self.question) in self.choices

    def describe(self, names: Names | None = None) -> str:
        return f"{self.question} is {' or '.join(map(_value, self.choices))}"

    def describe_not(self, names: Names | None = None) -> str:
        return f"{self.question} is neither {' nor '.join(map(_value, self.choices))}"

    def values(self) -> tuple[int, ...]:
        return tuple(n for n in map(_number, self.choices) if n is not None)


@dataclass(frozen=True, slots=True)
class Either:
    """A named number: the answer `then` when `test` holds, else the answer `otherwise`
    (car_sale's price is the estimate when there is no appraisal yet, else the appraisal)."""

    name: str
    test: Predicate
    then: str
    otherwise: str

    def __call__(self, answers: Answers) -> int | None:
        return _number(answers.get(self.then if self.test(answers) else self.otherwise))

    def describe(self, names: Names | None = None) -> str:
        return f"{self.name} = {self.then} if {_said(self.test, names)}, else {self.otherwise}"


Operand = str | int | Either  # an answer's id, a whole number, or a named number
_COMPARE: dict[str, tuple[Callable[[int, int], bool], str]] = {
    ">": (operator.gt, "is more than"),
    ">=": (operator.ge, "is at least"),
    "==": (operator.eq, "equals"),
    "<=": (operator.le, "is at most"),
    "<": (operator.lt, "is less than"),
}


def _operand(operand: Operand, answers: Answers) -> int | None:
    if isinstance(operand, Either):
        return operand(answers)
    if isinstance(operand, str):
        return _number(answers.get(operand))
    return _number(operand)


@dataclass(frozen=True, slots=True)
class Compare(Predicate):
    """`left op right` on numbers; false when either side is not a number (not answered,
    or answered with an option such as "I don't know")."""

    left: Operand
    op: str
    right: Operand

    def __post_init__(self) -> None:
        if self.op not in _COMPARE:
            raise ValueError(f"Compare: unknown operator {self.op!r}, use one of {list(_COMPARE)}")

    def __call__(self, answers: Answers) -> bool:
        left, right = _operand(self.left, answers), _operand(self.right, answers)
        return left is not None and right is not None and _COMPARE[self.op][0](left, right)

    def describe(self, names: Names | None = None) -> str:
        side = {o: o.name if isinstance(o, Either) else _value(o) for o in (self.left, self.right)}
        text = f"{side[self.left]} {_COMPARE[self.op][1]} {side[self.right]}"
        where = [
            o.describe(names)
            for o in dict.fromkeys((self.left, self.right))
            if isinstance(o, Either)
        ]
        return text + (f" (where {'; '.join(where)})" if where else "")

    def values(self) -> tuple[int, ...]:
        found = [_number(o) for o in (self.left, self.right) if not isinstance(o, str)]
        found += [
            n for o in (self.left, self.right) if isinstance(o, Either) for n in o.test.values()
        ]
        return tuple(n for n in found if n is not None)


def AtLeast(question: str, amount: int) -> Compare:
    """The answer to `question` is a number ≥ `amount`."""
    return Compare(question, ">=", amount)


def Below(question: str, amount: int) -> Compare:
    """The answer to `question` is a number < `amount`."""
    return Compare(question, "<", amount)


@dataclass(frozen=True, slots=True)
class Not(Predicate):
    part: Predicate

    def __call__(self, answers: Answers) -> bool:
        return not self.part(answers)

    def describe(self, names: Names | None = None) -> str:
        if names and self.part in names:
            return f"not {names[self.part]}"
        return self.part.describe_not(names)

    def describe_not(self, names: Names | None = None) -> str:
        return _said(self.part, names)

    def values(self) -> tuple[int, ...]:
        return self.part.values()

    def parts(self) -> tuple[Predicate, ...]:
        return (self.part,)


class _Several(Predicate):
    """All or Any: several predicates joined by one word."""

    __slots__ = ("_parts",)
    word = ""

    def __init__(self, *parts: Predicate) -> None:
        if not parts:
            raise ValueError(f"{type(self).__name__} needs at least one predicate")
        self._parts = parts

    def parts(self) -> tuple[Predicate, ...]:
        return self._parts

    def describe(self, names: Names | None = None) -> str:
        return f" {self.word} ".join(_said(p, names) for p in self._parts)

    def values(self) -> tuple[int, ...]:
        return tuple(n for p in self._parts for n in p.values())

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.parts() == self._parts

    def __hash__(self) -> int:
        return hash((type(self), self._parts))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._parts!r}"


class All(_Several):
    """Every part holds."""

    __slots__ = ()
    word = "and"

    def __call__(self, answers: Answers) -> bool:
        return all(p(answers) for p in self._parts)


class Any(_Several):  # the word flows read best; not typing.Any
    """At least one part holds."""

    __slots__ = ()
    word = "or"

    def __call__(self, answers: Answers) -> bool:
        return any(p(answers) for p in self._parts)


@dataclass(frozen=True, slots=True)
class Noted(Predicate):
    """A predicate with the author's explanation, shown next to its rule in docs/rules.md."""

    part: Predicate
    text: str

    def __call__(self, answers: Answers) -> bool:
        return self.part(answers)

    def describe(self, names: Names | None = None) -> str:
        return self.part.describe(names)

    def describe_not(self, names: Names | None = None) -> str:
        return self.part.describe_not(names)

    def values(self) -> tuple[int, ...]:
        return self.part.values()

    def parts(self) -> tuple[Predicate, ...]:
        return self.part.parts()

    @property
    def note(self) -> str:
        return " ".join(self.text.split())


def thresholds(predicates: Iterable[Predicate]) -> list[int]:
    """The whole numbers any of `predicates` compares with, in order, without repeats."""
    return sorted({n for p in predicates for n in p.values()})
