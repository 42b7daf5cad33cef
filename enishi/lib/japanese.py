"""Japanese text helpers: normalisation and the kana sort key (names sort by reading)."""

from __future__ import annotations

import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def normalise(text: str) -> str:
    """NFKC (full-width Latin and digits to half-width, half-width kana to full-width), lower-cased."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def to_hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


def name_sort_key(family_kana: str, given_kana: str, family: str = "", given: str = "", email: str = "") -> str:
    """The order a Japanese member list expects: by reading in kana, katakana and hiragana alike.

    People without a kana reading sort after everyone else, by their name (or address if none).
    """
    reading = to_hiragana(normalise(f"{family_kana}\u3000{given_kana}")).strip()
    if reading:
        return reading[:200]
    fallback = normalise(f"{family}\u3000{given}").strip() or normalise(email)
    return f"\uffff{fallback}"[:200]
