"""Indicator reuse across a corpus: in how many documents each indicator (name and target as printed) appears,
counted under a compact key (8 bytes of its hash) rather than the text, so that only the counts stay in memory.
Each document's keys are taken where the document is processed (its worker), once.
"""
from __future__ import annotations

import hashlib

import pandas as pd

from helpers.analysis.indicators import reuse_keys


def compact_keys(indicators: pd.DataFrame) -> list[bytes]:
    """One 8-byte key per indicator row."""
    return [hashlib.blake2b(key.encode(), digest_size=8).digest() for key in reuse_keys(indicators)]


class ReuseCount:
    """Documents per key, over every document added."""

    def __init__(self) -> None:
        self.docs: dict[bytes, int] = {}

    def add(self, keys: list[bytes]) -> None:
        """One document's keys (each counts once, however many of its rows share it)."""
        for key in set(keys):
            self.docs[key] = self.docs.get(key, 0) + 1

    def counted(self, indicators: pd.DataFrame, keys: list[bytes]) -> pd.DataFrame:
        """The indicators (keys: theirs, row by row) with reuse_docs over every document added."""
        out = indicators.copy(deep=False)
        out["reuse_docs"] = pd.array([self.docs.get(k, 0) for k in keys], dtype="Int64")
        return out
