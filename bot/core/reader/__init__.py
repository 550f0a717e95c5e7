"""The typed-answer reader for choice questions: example phrasings as data, language tools,
a reading that is sure, asks between options, hears "don't know", or finds nothing."""

from bot.core.reader.analysers import MAX_CHARS, warm_up
from bot.core.reader.check import check_phrasings
from bot.core.reader.phrasings import Entry, Phrasings, load
from bot.core.reader.reader import Kind, Reader, Reading, Thresholds, labelled_ja

__all__ = [
    "MAX_CHARS", "Entry", "Kind", "Phrasings", "Reader", "Reading", "Thresholds",
    "check_phrasings", "labelled_ja", "load", "warm_up",
]
