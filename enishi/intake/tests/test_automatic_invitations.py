"""Automatic invitations N days after the leave date, for networks that switched them on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.intake import services
from enishi.intake.access import intake_settings
from enishi.intake.models import AlumniInvitation, EmploymentRecord, LeaveReason
from enishi.intake.tests.invitation_helpers import audit_entries, emails, invitations_of, make_invitation, make_record

TODAY = date(2025, 6, 30)
SINCE = date(2025, 4, 1)
DAYS = 14


def switch_on(net: PersonaNetwork, *, days: int | None = DAYS, since: date | None = SINCE, **rules: object) -> None:
    with scope(network=net.network):
        settings = intake_settings(net.network)
        settings.auto_invite_days, settings.auto_invite_since = days, since
        for name, value in rules.items():
            setattr(settings, name, value)
        settings.save()


@pytest.fixture
def leavers(net_a: PersonaNetwork) -> dict[str, EmploymentRecord]:
    due_day = TODAY - timedelta(days=DAYS)
    return {
        "due": make_record(net_a, "D-01", email="due@example.jp", leave_date=due_day),
        "due_on_since": make_record(net_a, "D-02", email="since@example.jp", leave_date=SINCE),
        "too_recent": make_record(net_a, "D-03", email="recent@example.jp", leave_date=due_day + timedelta(days=1)),
        "before_since": make_record(net_a, "D-04", email="old@example.jp", leave_date=SINCE - timedelta(days=1)),
        "no_email": make_record(net_a, "D-05", leave_date=due_day),
        "registered": make_record(net_a, "D-06", email="m@example.jp", leave_date=due_day,
                                  membership=net_a.memberships["alumnus1"]),
        "not_eligible": make_record(net_a, "D-07", email="ret@example.jp", leave_date=due_day,
                                    leave_reason=LeaveReason.RETIREMENT),
        "invited_before": make_record(net_a, "D-08", email="inv@example.jp", leave_date=due_day),
    }  # fmt: skip


def test_it_invites_exactly_the_due_leavers_once(net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]) -> None:
    switch_on(net_a, excluded_leave_reasons=[LeaveReason.RETIREMENT])
    make_invitation(leavers["invited_before"], revoked_at=timezone.now())

    first = services.send_automatic_invitations(today=TODAY)
    second = services.send_automatic_invitations(today=TODAY)

    assert (first, second) == (2, 0)
    invited = {key for key, record in leavers.items() if invitations_of(record) and key != "invited_before"}
    assert invited == {"due", "due_on_since"}
    assert len(invitations_of(leavers["invited_before"])) == 1
    invitation = invitations_of(leavers["due"])[0]
    assert (invitation.automatic, invitation.invited_by, invitation.email, invitation.delivery) == (
        True, None, "due@example.jp", AlumniInvitation.Delivery.EMAIL,
    )  # fmt: skip
    assert sorted(email.to for email in emails("alumni-invitation")) == ["due@example.jp", "since@example.jp"]
    entries = audit_entries("alumni.invited")
    assert [(entry.actor, entry.data["automatic"]) for entry in entries] == [(None, True), (None, True)]


def test_it_invites_the_next_day_what_was_too_recent(
    net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]
) -> None:
    switch_on(net_a)
    services.send_automatic_invitations(today=TODAY)

    assert services.send_automatic_invitations(today=TODAY + timedelta(days=1)) == 1
    assert len(invitations_of(leavers["too_recent"])) == 1


@pytest.mark.parametrize(("days", "since"), [(None, SINCE), (DAYS, None)], ids=["switched off", "no start date"])
def test_it_invites_nobody_unless_switched_on_with_a_start_date(
    days: int | None, since: date | None, net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]
) -> None:
    switch_on(net_a, days=days, since=since)

    assert services.send_automatic_invitations(today=TODAY) == 0
    assert emails() == []


def test_it_keeps_to_each_networks_own_setting(
    net_a: PersonaNetwork, net_b: PersonaNetwork, leavers: dict[str, EmploymentRecord]
) -> None:
    b_leaver = make_record(net_b, "B-01", email="b@example.jp", leave_date=TODAY - timedelta(days=30))

    assert services.send_automatic_invitations(today=TODAY) == 0  # neither network switched it on
    switch_on(net_b, days=30)

    assert services.send_automatic_invitations(today=TODAY) == 1
    assert len(invitations_of(b_leaver)) == 1
    assert all(invitations_of(record) == [] for record in leavers.values())


def test_it_counts_days_in_the_networks_own_calendar(net_a: PersonaNetwork) -> None:
    today = timezone.localdate()
    leaver = make_record(net_a, "T-01", email="t@example.jp", leave_date=today - timedelta(days=DAYS))
    switch_on(net_a, since=today - timedelta(days=60))

    assert services.send_automatic_invitations() == 1
    assert len(invitations_of(leaver)) == 1
