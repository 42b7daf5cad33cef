from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class ActiveDay(models.Model):
    """A day on which a member used their network: the raw material of MAU and weekly actives."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="active_days")
    day = models.DateField(_("day"))

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("active day")
        verbose_name_plural = _("active days")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "membership", "day"), name="activeday_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "day"), name="activeday_network_day")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.day}"
