"""The consultations, in menu order. Each module exposes FLOW, built once at import."""

from bot.core.flow import Flow
from flows import car_sale, card_overdue

FLOWS: tuple[Flow, ...] = (car_sale.FLOW, card_overdue.FLOW)
