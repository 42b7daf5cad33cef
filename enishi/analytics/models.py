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


class MemberFacts(models.Model):
    """What the dashboard groups a registered member by, one row per alumnus or supporter who was
    ever activated: rebuilt from memberships, employment records, invitations and registrations by
    analytics.rollups (never edited by hand). A rollup of the facts, not a fact."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField("networks.Membership", on_delete=models.CASCADE, related_name="analytics_facts")
    company_id = models.PositiveIntegerField(default=0)  # of the first employment record; 0: none
    leave_year = models.PositiveSmallIntegerField(default=0)  # of that record's leave date; 0: unknown
    source = models.CharField(max_length=16)  # intake.sources.RegistrationSource
    registered_on = models.DateField()  # activated_at, in the network's time zone
    ended_on = models.DateField(null=True, blank=True)  # left or suspended (in the network's time zone)

    objects = ScopedManager(network="network")

    class Meta:
        indexes: ClassVar = [models.Index(fields=("network", "registered_on"), name="memberfacts_registered")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.registered_on}"


class MonthlyCount(models.Model):
    """One number of the dashboard: `metric` for `month` (the first day; for weekly metrics the
    Monday of the week), members of `company_id` (0: no company), split by `dimension` (a source, a
    leave year, a registration month "2025-04", or ""). Summed over companies and dimensions by
    analytics.metrics, so that a figure reads a few hundred rows whatever the number of members."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=24)
    month = models.DateField()
    company_id = models.PositiveIntegerField(default=0)
    dimension = models.CharField(max_length=24, blank=True, default="")
    value = models.IntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("network", "metric", "month", "company_id", "dimension"), name="monthlycount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.month} {self.company_id} {self.dimension}: {self.value}"


class RollupState(models.Model):
    """When a network's rollups were last refreshed from the facts (by the worker or rebuild_rollups)."""

    network = models.OneToOneField("networks.Network", on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    def __str__(self) -> str:
        return f"{self.network_id} {self.refreshed_at}"
