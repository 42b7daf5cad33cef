"""Roles of DESIGN.md and who may open which part of the staff console.

This module is the single place that says which role reaches which section: the navigation, the
view decorators and the role-matrix test all read `CONSOLE_SECTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Secretariat administrator")
    HR = "hr", _("HR / recruiting")
    EDITOR = "editor", _("Communications / editor")
    ANALYST = "analyst", _("Analyst")
    COORDINATOR = "coordinator", _("Comeback coordinator")
    SUPPORTER = "supporter", _("Alumni supporter")
    ALUMNUS = "alumnus", _("Alumnus")


STAFF_ROLES = frozenset({Role.ADMIN, Role.HR, Role.EDITOR, Role.ANALYST, Role.COORDINATOR})
ALUMNI_ROLES = frozenset({Role.SUPPORTER, Role.ALUMNUS})


class MembershipState(models.TextChoices):
    INVITED = "invited", _("Invited")
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


@dataclass(frozen=True)
class ConsoleSection:
    key: str
    label: Promise
    url_name: str
    roles: frozenset[str]


CONSOLE_SECTIONS: tuple[ConsoleSection, ...] = (
    # Admin and analyst read every section; hr the comeback section only (analytics/manage_views.py). Editors
    # start at their inbox, coordinators at their interviews.
    ConsoleSection("dashboard", _("Dashboard"), "manage:dashboard", frozenset({Role.ADMIN, Role.ANALYST, Role.HR})),
    ConsoleSection("inbox", _("Inbox"), "manage:inbox", frozenset({Role.ADMIN, Role.HR, Role.EDITOR})),
    ConsoleSection("members", _("Members"), "manage:members", frozenset({Role.ADMIN, Role.HR})),
    ConsoleSection("intake", _("Intake"), "manage:intake", frozenset({Role.ADMIN, Role.HR})),
    ConsoleSection("content", _("Content"), "manage:content", frozenset({Role.ADMIN, Role.EDITOR})),
    ConsoleSection("events", _("Events"), "manage:events", frozenset({Role.ADMIN, Role.EDITOR})),
    ConsoleSection("opportunities", _("Opportunities"), "manage:opportunities", frozenset({Role.ADMIN, Role.HR})),
    ConsoleSection("interviews", _("Interviews"), "manage:interviews", frozenset({Role.COORDINATOR})),
    ConsoleSection("surveys", _("Surveys"), "manage:surveys", frozenset({Role.ADMIN, Role.EDITOR, Role.ANALYST})),
    # Analysts read feedback; only FEEDBACK_TRIAGE_ROLES change its status, reply or publish from it.
    ConsoleSection("feedback", _("Feedback"), "manage:feedback", frozenset({Role.ADMIN, Role.EDITOR, Role.ANALYST})),
    ConsoleSection("settings", _("Settings"), "manage:settings", frozenset({Role.ADMIN})),
    ConsoleSection("audit", _("Audit log"), "manage:audit", frozenset({Role.ADMIN})),
)
SECTIONS_BY_KEY = {section.key: section for section in CONSOLE_SECTIONS}

# Inside the "surveys" section: editors write surveys, analysts read results, admins do both.
SURVEY_WRITER_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
SURVEY_READER_ROLES = frozenset({Role.ADMIN, Role.ANALYST})
# Who may triage feedback, answer it and publish "you said, we did" news from it (the feedback
# section's readers minus the analyst, who only reads and exports).
FEEDBACK_TRIAGE_ROLES = frozenset({Role.ADMIN, Role.EDITOR})


def sections_for(role: str) -> list[ConsoleSection]:
    return [section for section in CONSOLE_SECTIONS if role in section.roles]


def console_home_for(role: str) -> str | None:
    """URL name of the first console section a role may open (None for alumni roles)."""
    sections = sections_for(role)
    return sections[0].url_name if sections else None
