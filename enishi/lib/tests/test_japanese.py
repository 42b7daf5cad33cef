from __future__ import annotations

from enishi.lib.japanese import name_sort_key, normalise, to_hiragana


def test_it_normalises_full_and_half_width_alike() -> None:
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("ｻﾄｳ") == "サトウ"


def test_it_sorts_katakana_and_hiragana_readings_together() -> None:
    assert to_hiragana("サトウ イチロウ") == "さとう いちろう"
    keys = [
        name_sort_key("タナカ", "ミサキ"),
        name_sort_key("あおき", "たろう"),
        name_sort_key("サトウ", "イチロウ"),
        name_sort_key("", "", "山田", "花子"),
        name_sort_key("", "", email="Z@example.jp"),
    ]
    assert [key.split(" ")[0] for key in sorted(keys)[:3]] == ["あおき", "さとう", "たなか"]
    assert sorted(keys)[3:] == ["\uffffz@example.jp", "\uffff山田 花子"]
