"""Names kept in Japanese and, optionally, English (networks, companies, categories)."""

from __future__ import annotations

from django.utils import translation


class BilingualName:
    """Mixin for a model with `name_ja` and `name_en` fields: `name` in the active language, the
    Japanese one when there is no English name."""

    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_ja
