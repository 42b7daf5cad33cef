"""The Japanese catalogue is complete and the compiled .mo matches the .po."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils import translation

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# Entries with a context (msgctxt) are left out: gettext() without that context never returns them.
ENTRY = re.compile(r'^(msgctxt .*\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def _join(block: str) -> str:
    return "".join(ast.literal_eval(line) for line in block.strip().splitlines())


def singular_entries() -> dict[str, str]:
    text = PO_FILE.read_text(encoding="utf-8")
    entries = {_join(msgid): _join(msgstr) for context, msgid, msgstr in ENTRY.findall(text) if not context}
    entries.pop("", None)  # the header
    return entries


def test_it_translates_every_message_into_japanese() -> None:
    text = PO_FILE.read_text(encoding="utf-8")
    entries = {context + _join(msgid): _join(msgstr) for context, msgid, msgstr in ENTRY.findall(text)}
    entries.pop("", None)
    assert len(entries) > 200
    untranslated = sorted(msgid for msgid, msgstr in entries.items() if not msgstr)
    assert untranslated == []
    assert "#, fuzzy\nmsgid" not in PO_FILE.read_text(encoding="utf-8")


def test_it_ships_a_compiled_catalogue_in_step_with_the_source() -> None:
    with translation.override("ja"):
        stale = {
            msgid: translation.gettext(msgid)
            for msgid, msgstr in singular_entries().items()
            if translation.gettext(msgid) != msgstr
        }
    assert stale == {}


def test_it_speaks_japanese_by_default_and_english_on_request() -> None:
    with translation.override("ja"):
        assert translation.gettext("Members") == "メンバー"
    with translation.override("en"):
        assert translation.gettext("Members") == "Members"
