"""The search index of the directory: one document per active alumni membership.

The texts are pre-tokenised (see `tokens.py`); the full-text indexes over them are made by the
database itself, by migration 0002: an FTS5 table fed by triggers on SQLite, generated `tsvector`
columns with GIN indexes on PostgreSQL. Application code writes this table only through
`indexing.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django_scopes import ScopedManager


class SearchDocument(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    # Recency and identity in one integer: (day of last activity << 32) | membership id. It is the
    # FTS5 rowid, so SQLite returns the most recently active matches first without sorting them.
    rank_key = models.BigIntegerField()
    last_active_on = models.DateField(null=True)
    sort_name = models.CharField(max_length=200, blank=True)
    # What other alumni may search: empty unless the member consents to the directory listing.
    alumni_names = models.TextField(blank=True)
    alumni_text = models.TextField(blank=True)
    # What staff who read member records may search: adds the groups shared with staff.
    staff_names = models.TextField(blank=True)
    staff_text = models.TextField(blank=True)
    # The network and facet tokens of each text again, for the names-only index of SQLite
    # (migration 0004): the names-first probe then reads the doclists of names, not of every text.
    alumni_keys = models.TextField(blank=True)
    staff_keys = models.TextField(blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "membership"), name="searchdocument_unique_member"),
            models.UniqueConstraint(fields=("network", "rank_key"), name="searchdocument_unique_rank"),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "sort_name", "rank_key"), name="searchdocument_kana"),
        ]

    def __str__(self) -> str:
        return f"search document of {self.membership_id}"
