from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a background worker said it was alive (read by /healthz)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"
