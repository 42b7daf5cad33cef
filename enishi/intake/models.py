from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class EmploymentRecord(models.Model):
    """What HR knows about one past employment (在籍情報). Imported; never edited by the alumnus.

    The foundation keeps the core facts; the intake capability adds the rest of the HR fields.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("networks.Company", on_delete=models.RESTRICT, related_name="employment_records")
    membership = models.ForeignKey(
        "networks.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employment_records",
    )
    employee_number = models.CharField(_("employee number"), max_length=40)
    family_name = models.CharField(_("family name"), max_length=60)
    given_name = models.CharField(_("given name"), max_length=60)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=60, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("employment record")
        verbose_name_plural = _("employment records")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "company", "employee_number"), name="employment_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} ({self.employee_number})"
