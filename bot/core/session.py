"""A user's conversation as plain data: what every store loads and saves each turn."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

FORMAT = 1
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(slots=True)
class Session:
    """Where one user stands.

    `flow` and `state` are None at the consultation menu. `history` lists the questions
    answered, in order, so that /back can undo the last one. `pending` is a small
    side-question open on top of the current one: {"lang": 1} while the language picker is
    shown, {"confirm": amount} while an implausible amount awaits confirmation.
    `version` counts saved turns (stores use it to refuse a lost update).
    """

    user: str
    lang: str | None = None
    flow: str | None = None
    state: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    version: int = 0
    # Answers given before their question was asked ("想卖车，车贷是银行的，还欠80万" at the
    # menu): each is recorded, and said back, when the consultation reaches its question.
    early: dict[str, Any] = field(default_factory=dict)
    # The question at which the last typed answer was not understood at all: a second miss
    # in a row is answered differently, never with the same line twice.
    missed: str | None = None
    # The user's last message typed while a question was open, as [message id, "flow.question"]
    # (Telegram's message id; None where messages have none): an edit of that message is read
    # as a correction of that answer (Engine._edited). Never the text itself.
    typed: list[Any] | None = None

    def reset(self, flow: str | None = None, state: str | None = None) -> None:
        self.flow, self.state = flow, state
        self.answers = {}
        self.history = []
        self.pending = None
        self.early = {}
        self.missed = None
        self.typed = None

    def dumps(self) -> str:
        """Compact JSON (a stored session stays well under 512 bytes)."""
        data: dict[str, Any] = {"f": FORMAT, "l": self.lang, "v": self.version}
        if self.flow:
            data["w"], data["s"] = self.flow, self.state
        if self.answers:
            data["a"] = self.answers
        if self.history:
            data["h"] = self.history
        if self.pending:
            data["p"] = self.pending
        if self.early:
            data["e"] = self.early
        if self.missed:
            data["m"] = self.missed
        if self.typed:
            data["t"] = self.typed
        return _ENCODE(data)

    @classmethod
    def loads(cls, user: str, text: str) -> Session:
        data = json.loads(text)
        return cls(
            user=user,
            lang=data.get("l"),
            flow=data.get("w"),
            state=data.get("s"),
            answers=data.get("a", {}),
            history=data.get("h", []),
            pending=data.get("p"),
            version=data.get("v", 0),
            early=data.get("e", {}),
            missed=data.get("m"),
            typed=data.get("t"),
        )
