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


_NAME_SEPARATORS = str.maketrans("", "", " \u3000\t・･.,-_")


def name_key(family: str, given: str) -> str:
    """A person's name as matching compares it: width, case, spacing and separators ignored, kana as hiragana.

    「ヤマモト　アヤ」, 「やまもと あや」 and 「ﾔﾏﾓﾄｱﾔ」 share one key; so do 「山本 彩」 and 「山本彩」.
    """
    return to_hiragana(normalise(f"{family}{given}")).translate(_NAME_SEPARATORS)[:120]
