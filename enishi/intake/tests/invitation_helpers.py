"""Builders shared by the invitation tests (selection, flyers, actions, reminders, bounces, status)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import AlumniInvitation, EmploymentRecord
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry

LEFT = date(2024, 3, 31)


def english_client(net: PersonaNetwork, persona: str) -> Client:
    """A signed-in client reading English, so tests can compare messages with their English text."""
    client = net.client_for(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_record(net: PersonaNetwork, number: str, *, email: str = "", **fields: Any) -> EmploymentRecord:
    """A leaver of the network's company (left on 2024-03-31 unless told), named after the number."""
    values: dict[str, Any] = {
        "network": net.network, "company": net.company, "employee_number": number, "family_name": f"山田{number}",
        "given_name": "花子", "family_name_kana": f"ヤマダ{number}", "given_name_kana": "ハナコ",
        "private_email": email, "hire_date": date(2015, 4, 1), "leave_date": LEFT,
    }  # fmt: skip
    values.update(fields)
    with scopes_disabled():
        return EmploymentRecord.objects.create(**values)


def make_invitation(record: EmploymentRecord, **fields: Any) -> AlumniInvitation:
    values: dict[str, Any] = {"network_id": record.network_id, "record": record, "email": record.private_email}
    values.update(fields)
    with scopes_disabled():
        return AlumniInvitation.objects.create(**values)


def days_ago(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


def reload(invitation: AlumniInvitation) -> AlumniInvitation:
    with scopes_disabled():
        return AlumniInvitation.objects.get(pk=invitation.pk)


def invitations_of(record: EmploymentRecord) -> list[AlumniInvitation]:
    with scopes_disabled():
        return list(AlumniInvitation.objects.filter(record=record).order_by("pk"))


def emails(kind: str | None = None) -> list[OutboundEmail]:
    rows = OutboundEmail.objects.order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def audit_entries(action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def messages_of(response: HttpResponse) -> list[str]:
    """The messages a view queued, read without following the redirect."""
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def snapshot_invitations(net: PersonaNetwork) -> list[dict[str, Any]]:
    with scopes_disabled():
        return list(AlumniInvitation.objects.filter(network=net.network).order_by("pk").values())
