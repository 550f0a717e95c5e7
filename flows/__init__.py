"""The consultations, in menu order. Each module exposes FLOW, built once at import.

How people type the answers to their questions is data beside them: PHRASINGS holds one
`<flow>.<lang>.toml` per flow and language, and `shared.<lang>.toml` (see bot/core/reader).
"""

from pathlib import Path

from bot.core.flow import Flow
from flows import car_sale, card_overdue

FLOWS: tuple[Flow, ...] = (car_sale.FLOW, card_overdue.FLOW)
PHRASINGS = Path(__file__).resolve().parent / "phrasings"
