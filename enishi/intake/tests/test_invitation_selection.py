"""HR invites a selection of leavers from the console: counts first, then email or flyers, never twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pytest_django import DjangoCaptureOnCommitCallbacks

from conftest import PersonaNetwork
from enishi.intake import services
from enishi.intake.access import intake_settings
from enishi.intake.models import AlumniInvitation, EmploymentRecord, LeaveReason
from enishi.intake.tasks import send_invitations
from enishi.intake.tests.invitation_helpers import (
    audit_entries,
    emails,
    english_client,
    invitations_of,
    make_invitation,
    make_record,
    messages_of,
)
from enishi.networks.models import Company

INVITE = reverse("manage:intake_invite", args=["alpha"])


@pytest.fixture
def leavers(net_a: PersonaNetwork) -> dict[str, EmploymentRecord]:
    """One record for each way a selection can treat a leaver."""
    records = {
        "due": make_record(net_a, "E-01", email="due@example.jp"),
        "no_email": make_record(net_a, "E-02"),
        "registered": make_record(net_a, "E-03", email="member@example.jp", membership=net_a.memberships["alumnus1"]),
        "still_employed": make_record(net_a, "E-04", email="later@example.jp",
                                      leave_date=timezone.localdate() + timedelta(days=20)),
        "invited": make_record(net_a, "E-05", email="invited@example.jp"),
        "bounced": make_record(net_a, "E-06", email="bounced@example.jp"),
    }  # fmt: skip
    make_invitation(records["invited"])
    make_invitation(records["bounced"], bounced_at=timezone.now())
    return records


def test_it_counts_the_selection_by_what_sending_would_do(
    net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]
) -> None:
    response = english_client(net_a, "hr").get(INVITE)

    assert response.status_code == 200
    selection = response.context["selection"]
    assert (selection.total, selection.with_email, selection.without_email) == (6, 5, 1)
    assert {key: selection.count(key) for key in services.Outcome.values} == {
        "send": 1, "registered": 1, "not_eligible": 1, "already_invited": 1, "no_email": 1, "bounced_address": 1,
    }  # fmt: skip
    assert selection.email_ids == [leavers["due"].pk]
    # Flyers: not registered, no live link (a bounced one does not count), eligible as of the leave date.
    flyer_records = {leavers[key].pk for key in ("due", "no_email", "still_employed", "bounced")}
    assert set(selection.flyer_ids) == flyer_records
    assert [row.record.employee_number for row in selection.preview] == [f"E-0{n}" for n in range(1, 7)]
    page = response.content.decode()
    assert "due@example.jp" in page
    assert audit_entries("employment_records.listed")[-1].data["page"] == "invite"


def test_it_sends_to_the_due_records_only_and_nothing_the_second_time(
    net_a: PersonaNetwork,
    leavers: dict[str, EmploymentRecord],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = english_client(net_a, "hr")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(INVITE, {"action": "email"})
    client.get(INVITE)  # shows (and so consumes) the first message
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(INVITE, {"action": "email"})

    assert (first.status_code, first["Location"]) == (302, INVITE)
    assert messages_of(first) == ["1 invitation sent."]
    assert second.status_code == 302
    assert messages_of(second) == ["No one in this selection can be invited by email now. See the counts below."]
    assert [(email.kind, email.to, email.status) for email in emails()] == [
        ("alumni-invitation", "due@example.jp", "sent")
    ]
    [invitation] = invitations_of(leavers["due"])
    assert (invitation.email, invitation.delivery, invitation.invited_by, invitation.automatic) == (
        "due@example.jp", AlumniInvitation.Delivery.EMAIL, net_a.hr, False,
    )  # fmt: skip
    assert [entry.data["records"] for entry in audit_entries("alumni.invitations_sent")] == [1]
    for key in ("no_email", "registered", "still_employed"):
        assert invitations_of(leavers[key]) == [], key
    assert len(invitations_of(leavers["invited"])) == 1
    assert len(invitations_of(leavers["bounced"])) == 1


def test_it_leaves_out_records_outside_the_eligibility_rules(net_a: PersonaNetwork) -> None:
    kept = make_record(net_a, "R-01", email="kept@example.jp", leave_reason=LeaveReason.CAREER_CHANGE)
    excluded = make_record(net_a, "R-02", email="retired@example.jp", leave_reason=LeaveReason.RETIREMENT)
    short = make_record(net_a, "R-03", email="short@example.jp", hire_date=date(2024, 1, 1))
    with scope(network=net_a.network):
        rules = intake_settings(net_a.network)
        rules.excluded_leave_reasons = [LeaveReason.RETIREMENT]
        rules.min_tenure_months = 12
        rules.save()
    client = english_client(net_a, "hr")

    selection = client.get(INVITE).context["selection"]
    client.post(INVITE, {"action": "email"})

    assert selection.count("not_eligible") == 2
    assert selection.email_ids == [kept.pk]
    assert [len(invitations_of(record)) for record in (kept, excluded, short)] == [1, 0, 0]


def test_it_filters_by_company_leave_year_department_and_status(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="アルファ物流株式会社")
    sales = make_record(net_a, "F-01", email="a@example.jp", department="営業部")
    make_record(net_a, "F-02", email="b@example.jp", department="人事部")
    make_record(net_a, "F-03", email="c@example.jp", department="営業部", company=other)
    make_record(net_a, "F-04", email="d@example.jp", department="営業部", leave_date=date(2022, 3, 31))
    invited = make_record(net_a, "F-05", email="e@example.jp", department="営業部")
    make_invitation(invited)
    client = english_client(net_a, "hr")

    def selected(**query: str) -> list[str]:
        response = client.get(INVITE, query)
        assert response.status_code == 200
        return [row.record.employee_number for row in response.context["selection"].preview]

    assert selected(company=str(net_a.company.pk), leave_year="2024", department="営業") == ["F-01", "F-05"]
    assert selected(department="営業", status="not_invited") == ["F-01", "F-03", "F-04"]
    assert selected(status="invited_not_registered") == ["F-05"]
    assert selected(department="人事") == ["F-02"]
    assert sales.pk in client.get(INVITE, {"department": "営業"}).context["selection"].email_ids


def test_it_refuses_a_bad_filter_and_sends_nothing(net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]) -> None:
    client = english_client(net_a, "hr")

    response = client.get(INVITE, {"leave_year": "two thousand"})
    posted = client.post(INVITE + "?leave_year=two+thousand", {"action": "email"})

    assert response.status_code == 400
    assert response.context["selection"] is None
    assert posted.status_code == 400
    assert emails() == []


def test_it_sends_a_large_selection_in_the_background_once(
    net_a: PersonaNetwork, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    records = [make_record(net_a, f"B-{n:03d}", email=f"leaver{n}@example.jp") for n in range(60)]
    client = english_client(net_a, "hr")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(INVITE, {"action": "email"})
    assert emails() == []  # nothing is sent before the request's transaction commits
    for callback in callbacks:
        callback()

    assert messages_of(response) == [
        "60 invitations are being sent in the background. Statuses update as the emails go out."
    ]
    with scopes_disabled():
        assert AlumniInvitation.objects.filter(network=net_a.network).count() == 60
    assert len(emails("alumni-invitation")) == 60
    entry = audit_entries("alumni.invitations_sent")[0]
    assert (entry.data["records"], entry.data["background"]) == (60, True)
    # A duplicated or retried batch sends nothing more.
    assert send_invitations.call(net_a.network.pk, [r.pk for r in records], net_a.hr.pk) == "sent 0"
    assert len(emails()) == 60


def test_it_prepares_flyers_for_a_selection_and_opens_the_batch(
    net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]
) -> None:
    response = english_client(net_a, "hr").post(INVITE, {"action": "flyers"})

    with scopes_disabled():
        flyers = list(AlumniInvitation.objects.filter(delivery=AlumniInvitation.Delivery.FLYER).order_by("pk"))
    assert {flyer.record_id for flyer in flyers} == {leavers[k].pk for k in ("due", "no_email", "still_employed",
                                                                                "bounced")}  # fmt: skip
    assert all(flyer.email == "" and flyer.invited_by == net_a.hr for flyer in flyers)
    ids = ",".join(str(flyer.pk) for flyer in flyers)
    assert response["Location"] == reverse("manage:intake_flyers", args=["alpha"]) + f"?ids={ids}"
    assert emails() == []
    # The bounced email invitation was replaced by the flyer.
    assert invitations_of(leavers["bounced"])[0].revoked_at is not None


def test_it_prepares_at_most_a_batch_of_flyers_and_says_so(
    net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "FLYER_BATCH_LIMIT", 2)
    for n in range(3):
        make_record(net_a, f"C-{n}")
    client = english_client(net_a, "hr")

    first = client.post(INVITE, {"action": "flyers"})
    client.get(INVITE)  # shows (and so consumes) the first message
    second = client.post(INVITE, {"action": "flyers"})

    assert messages_of(first) == [
        "Flyers were prepared for the first 2 of 3 people. Print them, then come back to this page for the next batch."
    ]
    assert messages_of(second) == []
    with scopes_disabled():
        assert AlumniInvitation.objects.filter(delivery="flyer").count() == 3


def test_it_keeps_the_page_from_other_roles(net_a: PersonaNetwork, leavers: dict[str, EmploymentRecord]) -> None:
    for persona in ("editor", "analyst", "coordinator", "alumnus1"):
        client = net_a.client_for(persona)
        assert client.get(INVITE).status_code == 404, persona
        assert client.post(INVITE, {"action": "email"}).status_code == 404, persona
    assert emails() == []
    assert audit_entries("alumni.invitations_sent") == []
