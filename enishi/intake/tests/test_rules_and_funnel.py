"""Intake rules (console) and the funnel by source."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake.access import intake_settings
from enishi.intake.funnel import funnel
from enishi.intake.models import AlumniInvitation, EmploymentRecord, JoinChannel, Registration
from enishi.privacy.models import AuditEntry

RULES = "/n/alpha/manage/intake/rules/"
FUNNEL = "/n/alpha/manage/intake/funnel/"


def rules_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "public_join": "on", "auto_approve": "on", "match_fields": ["name_kana", "leave_year"],
        "year_tolerance": "1", "min_tenure_months": "6", "excluded_leave_reasons": ["retirement"],
        "reminder_days": "7", "auto_invite_days": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_hr_sets_the_rules_and_it_is_audited(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")

    response = client.post(RULES, rules_form(eligible_companies=[str(net_a.company.pk)]))

    assert response.status_code == 302
    with scope(network=net_a.network):
        rules = intake_settings(net_a.network)
        assert list(rules.eligible_companies.all()) == [net_a.company]
        assert AuditEntry.objects.filter(action="intake_settings.changed").count() == 1
    assert rules.match_fields == ["name_kana", "leave_year"]
    assert rules.min_tenure_months == 6
    assert rules.excluded_leave_reasons == ["retirement"]


def test_switching_on_automatic_invitations_starts_from_today(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")

    client.post(RULES, rules_form(auto_invite_days="14"))
    with scope(network=net_a.network):
        started = intake_settings(net_a.network).auto_invite_since
    client.post(RULES, rules_form(auto_invite_days=""))
    with scope(network=net_a.network):
        stopped = intake_settings(net_a.network)

    assert started == timezone.localdate()
    assert (stopped.auto_invite_days, stopped.auto_invite_since) == (None, None)


def test_it_refuses_unreasonable_rules_and_keeps_the_old_ones(net_a: PersonaNetwork) -> None:
    response = net_a.client_for("hr").post(RULES, rules_form(year_tolerance="40", match_fields=["bogus"]))

    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"year_tolerance", "match_fields"}
    with scope(network=net_a.network):
        assert intake_settings(net_a.network).year_tolerance == 1


def test_only_admin_and_hr_open_the_rules_and_funnel(net_a: PersonaNetwork) -> None:
    for persona in ("editor", "analyst", "alumnus1"):
        client = net_a.client_for(persona)
        assert client.get(RULES).status_code in (403, 404), persona
        assert client.get(FUNNEL).status_code in (403, 404), persona


def test_the_funnel_counts_each_source(net_a: PersonaNetwork) -> None:
    now = timezone.now()
    with scope(network=net_a.network):
        record = EmploymentRecord.objects.create(network=net_a.network, company=net_a.company,
                                                 employee_number="F-1", family_name="森", given_name="葵")  # fmt: skip
        for opened, accepted in ((True, True), (True, False), (False, False)):
            AlumniInvitation.objects.create(
                network=net_a.network, record=record, email="x@example.jp",
                opened_at=now if opened else None, accepted_at=now if accepted else None,
            )  # fmt: skip
        AlumniInvitation.objects.create(network=net_a.network, record=record, delivery="flyer", email="")
        press = JoinChannel.objects.create(network=net_a.network, kind="press", label="春の発表", visits=40)
        referral = JoinChannel.objects.create(network=net_a.network, kind="referral", visits=3,
                                              referrer=net_a.memberships["alumnus1"])  # fmt: skip
        for index, (channel, status) in enumerate(
            [(press, "approved"), (press, "pending"), (press, "draft"), (referral, "approved"), (None, "approved")]
        ):
            user = User.objects.create_user(email=f"r{index}@example.jp", password="x-long-password-1")
            Registration.objects.create(network=net_a.network, user=user, channel=channel, status=status)

        rows = {row.kind: row for row in funnel(net_a.network)}
        recent = funnel(net_a.network, since=now + timedelta(minutes=1))

    assert (rows["email"].reached, rows["email"].opened, rows["email"].registered) == (3, 2, 1)
    assert (rows["flyer"].reached, rows["flyer"].registered) == (1, 0)
    assert (rows["press"].reached, rows["press"].started, rows["press"].registered) == (40, 3, 1)
    assert (rows["referral"].reached, rows["referral"].registered) == (3, 1)
    assert rows["public"].registered == 1
    assert sum(row.registered for row in recent) == 0


def test_the_funnel_page_shows_the_sources(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        JoinChannel.objects.create(network=net_a.network, kind="homepage", label="採用サイト", visits=12)

    response = net_a.client_for("hr").get(FUNNEL, {"period": "all"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "採用サイト" in body
    assert "12" in body
    assert reverse("manage:intake_funnel", args=["alpha"]) in body  # in the intake sub-navigation
