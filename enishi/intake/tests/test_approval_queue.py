"""The approval queue: staff decisions on registrations (approvals.py) and their console pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake import approvals
from enishi.intake.models import EmploymentRecord, JoinChannel, LeaveReason, Registration, RegistrationFlag
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry

QUEUE = "manage:intake_queue"
DETAIL = "manage:intake_registration"
# What a decision writes to the audit log (logging in and looking at the page write other entries).
DECISION_ACTIONS = ("registration.approved", "registration.info_requested", "registration.rejected",
                    "alumni.registered")  # fmt: skip


def add_registration(
    net: PersonaNetwork,
    email: str = "aya@example.jp",
    *,
    candidates: list[dict[str, Any]] | None = None,
    flags: list[str] | None = None,
    language: str = "ja",
    **fields: Any,
) -> Registration:
    """A registration as submit() leaves it: a pending membership and a pending registration."""
    with scopes_disabled():
        names = {"family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト", "given_name_kana": "アヤ"}
        user = User.objects.create_user(email, "applicant-password-1", language=language, **names)
        membership = Membership.objects.create(
            network=net.network, user=user, role=Role.ALUMNUS, state=MembershipState.PENDING
        )
        values: dict[str, Any] = {
            "family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト", "given_name_kana": "アヤ",
            "company": net.company, "hire_year": 2012, "leave_year": 2020, "birth_date": date(1988, 5, 3),
            "submitted_at": timezone.now(), "status": Registration.Status.PENDING,
        }  # fmt: skip
        values.update(fields)
        return Registration.objects.create(
            network=net.network, user=user, membership=membership, candidates=candidates or [],
            flags=flags if flags is not None else [RegistrationFlag.MANUAL_REVIEW], **values,
        )  # fmt: skip


def add_record(net: PersonaNetwork, number: str = "E-100", **fields: Any) -> EmploymentRecord:
    values: dict[str, Any] = {
        "family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト", "given_name_kana": "アヤ",
        "hire_date": date(2012, 4, 1), "leave_date": date(2020, 3, 31), "birth_date": date(1988, 5, 3),
        "department": "営業部",
    }  # fmt: skip
    values.update(fields)
    with scopes_disabled():
        return EmploymentRecord.objects.create(
            network=net.network, company=values.pop("company", net.company), employee_number=number, **values
        )


def full_match(record: EmploymentRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "matched": ["name_kana", "name_kanji", "hire_year", "leave_year", "birth_date"],
        "missing": [],
    }


def fresh(registration: Registration) -> Registration:
    with scopes_disabled():
        return Registration.objects.select_related("membership").get(pk=registration.pk)


def emails() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.order_by("pk"))


def entries(action: str) -> list[AuditEntry]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def snapshot(registration: Registration) -> dict[str, Any]:
    with scopes_disabled():
        return {
            "registration": list(Registration.objects.filter(pk=registration.pk).values()),
            "memberships": list(Membership.objects.order_by("pk").values("pk", "state", "left_at", "activated_at")),
            "records": list(EmploymentRecord.objects.order_by("pk").values()),
            "emails": OutboundEmail.objects.count(),
            "audit": list(AuditEntry.objects.filter(action__in=DECISION_ACTIONS).order_by("pk").values("action")),
        }


def url(name: str, registration: Registration | None = None, slug: str = "alpha") -> str:
    return reverse(name, args=[slug, registration.pk] if registration is not None else [slug])


# Decisions through the pages --------------------------------------------------------------------


def test_it_approves_with_the_chosen_candidate_and_tells_the_applicant(net_a: PersonaNetwork) -> None:
    record = add_record(net_a)
    registration = add_registration(net_a, candidates=[full_match(record)])

    response = net_a.client_for("hr").post(url("manage:intake_registration_approve", registration),
                                           {"record": str(record.pk)})  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == url(QUEUE)
    registration = fresh(registration)
    with scopes_disabled():
        record.refresh_from_db()
    assert (registration.status, registration.record_id, registration.decided_by) == (
        Registration.Status.APPROVED, record.pk, net_a.hr,
    )  # fmt: skip
    assert registration.membership is not None
    assert registration.membership.state == MembershipState.ACTIVE
    assert record.membership_id == registration.membership_id
    [email] = emails()
    assert (email.kind, email.to, email.language) == ("registration-approved", "aya@example.jp", "ja")
    assert "http://testserver/n/alpha/" in email.text_body
    [entry] = entries("registration.approved")
    assert (entry.actor, entry.target_id, entry.data["record"]) == (net_a.hr, str(registration.pk), record.pk)
    assert len(entries("alumni.registered")) == 1


def test_it_approves_without_a_record_when_hr_has_none(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a, flags=[RegistrationFlag.NO_CANDIDATE])

    response = net_a.client_for("admin").post(url("manage:intake_registration_approve", registration),
                                              {"record": "none"})  # fmt: skip

    registration = fresh(registration)
    assert response.status_code == 302
    assert (registration.status, registration.record_id) == (Registration.Status.APPROVED, None)
    assert registration.membership is not None
    assert registration.membership.state == MembershipState.ACTIVE
    assert [e.kind for e in emails()] == ["registration-approved"]
    assert entries("registration.approved")[0].data["record"] is None


def test_it_approves_with_another_record_found_by_its_employee_number(net_a: PersonaNetwork) -> None:
    other = add_record(net_a, "E-777", family_name="佐々木", family_name_kana="ササキ")
    registration = add_registration(net_a, flags=[RegistrationFlag.NO_CANDIDATE])

    net_a.client_for("hr").post(url("manage:intake_registration_approve", registration),
                                {"record": "other", "employee_number": "ｅ-777"})  # fmt: skip

    assert fresh(registration).record_id == other.pk


def test_it_asks_an_unknown_employee_number_again_and_changes_nothing(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)
    before = snapshot(registration)

    response = net_a.client_for("hr").post(url("manage:intake_registration_approve", registration),
                                           {"record": "other", "employee_number": "NOPE-1"})  # fmt: skip

    assert response.status_code == 200
    with translation.override("ja"):  # HR's language
        expected = translation.gettext("No employment record of this network has this employee number.")
    assert response.context["approve_form"].errors == {"employee_number": [expected]}
    assert snapshot(registration) == before


def test_it_asks_the_applicant_for_more_with_a_link_to_their_registration(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a, language="en")

    response = net_a.client_for("hr").post(url("manage:intake_registration_ask", registration),
                                           {"message": "Which department were you in?"})  # fmt: skip

    registration = fresh(registration)
    assert response.status_code == 302
    assert (registration.status, registration.staff_message) == (
        Registration.Status.NEEDS_INFO, "Which department were you in?",
    )  # fmt: skip
    assert registration.membership is not None
    assert registration.membership.state == MembershipState.PENDING
    [email] = emails()
    assert (email.kind, email.language) == ("registration-needs-info", "en")
    assert email.subject == "ALPHA Network: the secretariat needs more information"
    assert "Which department were you in?" in email.text_body
    assert "http://testserver" + reverse("network:public_join", args=["alpha"]) in email.text_body
    [entry] = entries("registration.info_requested")
    assert (entry.actor, entry.target_id) == (net_a.hr, str(registration.pk))


def test_it_rejects_with_a_reason_and_keeps_the_membership_as_left(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)

    response = net_a.client_for("hr").post(url("manage:intake_registration_reject", registration),
                                           {"reason": "在籍を確認できませんでした。"})  # fmt: skip

    registration = fresh(registration)
    assert response.status_code == 302
    assert (registration.status, registration.staff_message, registration.decided_by) == (
        Registration.Status.REJECTED, "在籍を確認できませんでした。", net_a.hr,
    )  # fmt: skip
    membership = registration.membership
    assert membership is not None
    assert membership.state == MembershipState.LEFT
    assert membership.left_at is not None
    [email] = emails()
    assert (email.kind, email.language) == ("registration-rejected", "ja")
    assert "在籍を確認できませんでした。" in email.text_body
    assert len(entries("registration.rejected")) == 1


def test_it_sends_a_common_reason_in_the_applicants_language(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a, language="en")
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    client.post(url("manage:intake_registration_reject", registration),
                {"preset": "already_member", "reason": "Your first address: a***@example.jp"})  # fmt: skip

    assert fresh(registration).staff_message == (
        "You are already a member of this network with another account. Please log in with the address you "
        "registered with first.\n\nYour first address: a***@example.jp"
    )
    assert emails()[0].subject == "ALPHA Network: about your registration"


def test_it_refuses_a_rejection_without_a_reason_and_changes_nothing(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)
    before = snapshot(registration)

    response = net_a.client_for("hr").post(url("manage:intake_registration_reject", registration), {"reason": "  "})

    assert response.status_code == 200
    assert list(response.context["reject_form"].errors) == ["reason"]
    assert snapshot(registration) == before


def test_it_refuses_an_empty_question_and_changes_nothing(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)
    before = snapshot(registration)

    response = net_a.client_for("hr").post(url("manage:intake_registration_ask", registration), {"message": ""})

    assert response.status_code == 200
    assert list(response.context["ask_form"].errors) == ["message"]
    assert snapshot(registration) == before


# Refusals of the services -----------------------------------------------------------------------


@pytest.mark.parametrize("second", ["approve", "ask", "reject"])
def test_it_refuses_to_decide_a_registration_twice(net_a: PersonaNetwork, second: str) -> None:
    registration = add_registration(net_a)
    with scope(network=net_a.network):
        approvals.reject(net_a.network, net_a.hr, registration, "重複登録です。")
        before = snapshot(registration)
        decide = {
            "approve": lambda: approvals.approve(net_a.network, net_a.admin, registration),
            "ask": lambda: approvals.ask_for_more(net_a.network, net_a.admin, registration, "もう一度"),
            "reject": lambda: approvals.reject(net_a.network, net_a.admin, registration, "もう一度"),
        }[second]

        with translation.override("en"), pytest.raises(ActionRefused, match="already been decided"):
            decide()

    assert snapshot(registration) == before


def test_it_says_so_on_the_page_when_someone_else_decided_first(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)
    with scope(network=net_a.network):
        approvals.approve(net_a.network, net_a.admin, registration)
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(url("manage:intake_registration_reject", registration), {"reason": "遅すぎ"}, follow=True)

    assert response.redirect_chain == [(url(DETAIL, registration), 302)]
    assert [str(m) for m in response.context["messages"]] == ["This registration has already been decided (Approved)."]
    assert fresh(registration).status == Registration.Status.APPROVED


def test_it_refuses_a_record_of_another_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    foreign = add_record(net_b, company=net_b.company)
    registration = add_registration(net_a)
    before = snapshot(registration)

    with (
        scope(network=net_a.network),
        translation.override("en"),
        pytest.raises(ActionRefused, match="not one of this network's records"),
    ):
        approvals.approve(net_a.network, net_a.hr, registration, foreign)

    assert snapshot(registration) == before


def test_it_does_not_accept_a_foreign_record_id_from_the_form(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    foreign = add_record(net_b, company=net_b.company)
    registration = add_registration(net_a)
    before = snapshot(registration)

    response = net_a.client_for("hr").post(url("manage:intake_registration_approve", registration),
                                           {"record": str(foreign.pk)})  # fmt: skip

    assert response.status_code == 200
    assert list(response.context["approve_form"].errors) == ["record"]
    assert snapshot(registration) == before


def test_it_refuses_a_record_that_belongs_to_another_member_and_points_to_merge(net_a: PersonaNetwork) -> None:
    record = add_record(net_a, membership=net_a.memberships["alumnus1"])
    registration = add_registration(net_a, candidates=[full_match(record)], flags=[RegistrationFlag.RECORD_TAKEN])
    before = snapshot(registration)
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(url("manage:intake_registration_approve", registration), {"record": str(record.pk)},
                           follow=True)  # fmt: skip

    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("This employment record already belongs to another member (佐藤\u3000一郎).")
    assert "duplicates page" in message
    assert snapshot(registration) == before


def test_it_relinks_a_record_whose_member_has_left(net_a: PersonaNetwork) -> None:
    departed = net_a.memberships["alumnus2"]
    with scopes_disabled():
        Membership.objects.filter(pk=departed.pk).update(state=MembershipState.LEFT)
    record = add_record(net_a, membership=departed)
    registration = add_registration(net_a, candidates=[full_match(record)])

    with scope(network=net_a.network):
        membership = approvals.approve(net_a.network, net_a.hr, registration, record)

    with scopes_disabled():
        record.refresh_from_db()
    assert record.membership_id == membership.pk


# The pages --------------------------------------------------------------------------------------


def test_it_lists_waiting_registrations_oldest_first_with_their_flags(net_a: PersonaNetwork) -> None:
    now = timezone.now()
    newer = add_registration(net_a, "new@example.jp", submitted_at=now, flags=[RegistrationFlag.NO_CANDIDATE])
    older = add_registration(
        net_a, "old@example.jp", submitted_at=now - timezone.timedelta(days=3),
        flags=[RegistrationFlag.SEVERAL_CANDIDATES], candidates=[{"id": 1}, {"id": 2}],
    )  # fmt: skip
    asked = add_registration(net_a, "asked@example.jp", status=Registration.Status.NEEDS_INFO)
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    pending = client.get(url(QUEUE))
    waiting_for_applicant = client.get(url(QUEUE), {"tab": "needs_info"})

    assert [r.pk for r, _badges in pending.context["rows"]] == [older.pk, newer.pk]
    assert pending.context["rows"][0][1] == [("Several records", "Several records could match")]
    assert pending.context["tabs"] == [
        ("pending", "Waiting for you", 2), ("needs_info", "Waiting for the applicant", 1), ("decided", "Decided", 0),
    ]  # fmt: skip
    html = pending.content.decode()
    assert "Several records" in html
    assert '<td data-label="Candidate records" class="queue-count">2</td>' in html
    assert [r.pk for r, _badges in waiting_for_applicant.context["rows"]] == [asked.pk]


def test_it_shows_the_waiting_count_in_the_intake_subnav(net_a: PersonaNetwork) -> None:
    add_registration(net_a, "one@example.jp")
    add_registration(net_a, "two@example.jp")
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(url("manage:intake_duplicates")).content.decode()

    badge = '<span class="badge badge-pending" aria-hidden="true">2</span>'
    assert f'aria-label="Approval queue (2 waiting)">Approval queue {badge}' in html


def test_it_shows_the_declared_facts_next_to_each_candidate_and_audits_the_look(net_a: PersonaNetwork) -> None:
    match = add_record(net_a, "E-100", leave_reason=LeaveReason.CHILDCARE)
    partial = add_record(net_a, "E-200", birth_date=date(1990, 1, 1), leave_date=date(2005, 3, 31))
    registration = add_registration(
        net_a, candidates=[full_match(match), {"id": partial.pk, "matched": ["name_kana", "name_kanji", "hire_year"],
                                               "missing": ["leave_year"]}],
        flags=[RegistrationFlag.SEVERAL_CANDIDATES], note="営業部でした",
    )  # fmt: skip
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(url(DETAIL, registration))

    assert response.status_code == 200
    [(first, first_fields), (second, second_fields)] = response.context["candidates"]
    assert (first.record, second.record) == (match, partial)
    agreement = {f.label: f.agrees for f in second_fields}
    assert agreement == {
        "Company": True, "Employee number": None, "Name": True, "Reading": True, "Hire date": True,
        "Leave date": False, "Birth date": False, "Department": None, "Leave reason": None,
    }  # fmt: skip
    assert {f.label: f.recorded for f in first_fields}["Birth date"] == "05/03/1988"
    html = response.content.decode()
    assert "Several records could match" in html
    assert "More than one record agrees" in html
    assert "営業部でした" in html
    assert f'value="{match.pk}"' in html
    [entry] = entries("registration.viewed")
    assert (entry.actor, entry.target_id) == (net_a.hr, str(registration.pk))


def test_it_preselects_only_a_single_clear_candidate(net_a: PersonaNetwork) -> None:
    record = add_record(net_a)
    registration = add_registration(net_a, candidates=[full_match(record)])

    response = net_a.client_for("hr").get(url(DETAIL, registration))

    assert response.context["approve_form"]["record"].value() == str(record.pk)
    assert f'name="record" value="{record.pk}" checked' in response.content.decode()


def test_it_points_to_the_member_who_holds_the_record(net_a: PersonaNetwork) -> None:
    holder = net_a.memberships["alumnus1"]
    record = add_record(net_a, membership=holder)
    registration = add_registration(net_a, candidates=[full_match(record)], flags=[RegistrationFlag.RECORD_TAKEN])

    response = net_a.client_for("hr").get(url(DETAIL, registration))

    html = response.content.decode()
    assert reverse("manage:member_detail", args=["alpha", holder.pk]) in html
    assert url("manage:intake_duplicates") in html
    assert f'name="record" value="{record.pk}"' not in html  # a taken record cannot be chosen


def test_it_shows_a_decided_registration_without_actions(net_a: PersonaNetwork) -> None:
    registration = add_registration(net_a)
    with scope(network=net_a.network):
        approvals.reject(net_a.network, net_a.hr, registration, "確認できませんでした")

    response = net_a.client_for("hr").get(url(DETAIL, registration))

    html = response.content.decode()
    assert response.context["waiting"] is False
    assert "確認できませんでした" in html
    assert url("manage:intake_registration_approve", registration) not in html


@pytest.mark.parametrize("persona", ["editor", "analyst", "coordinator", "supporter", "alumnus1"])
def test_it_keeps_the_queue_from_everyone_but_hr_and_admins(net_a: PersonaNetwork, persona: str) -> None:
    registration = add_registration(net_a)
    before = snapshot(registration)
    client = net_a.client_for(persona)

    for name in (QUEUE, "manage:intake_duplicates"):
        assert client.get(url(name)).status_code == 404, name
    assert client.get(url(DETAIL, registration)).status_code == 404
    for action, data in (("approve", {"record": "none"}), ("ask", {"message": "?"}), ("reject", {"reason": "x"})):
        assert client.post(url(f"manage:intake_registration_{action}", registration), data).status_code == 404
    assert snapshot(registration) == before


def test_it_answers_404_for_a_registration_of_another_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    foreign = add_registration(net_b, "b-applicant@example.jp")
    before = snapshot(foreign)
    client = net_a.client_for("hr")

    assert client.get(url(DETAIL, foreign)).status_code == 404
    for action, data in (("approve", {"record": "none"}), ("ask", {"message": "?"}), ("reject", {"reason": "x"})):
        assert client.post(url(f"manage:intake_registration_{action}", foreign), data).status_code == 404
    assert snapshot(foreign) == before


def test_it_answers_404_for_a_draft(net_a: PersonaNetwork) -> None:
    draft = add_registration(net_a, status=Registration.Status.DRAFT, submitted_at=None)

    assert net_a.client_for("hr").get(url(DETAIL, draft)).status_code == 404


def queries_for(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_it_lists_the_queue_with_the_same_number_of_queries_for_10_or_60_rows(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    path = url(QUEUE)
    for i in range(10):
        add_registration(net_a, f"few{i}@example.jp", flags=[RegistrationFlag.PARTIAL_MATCH])
    assert client.get(path).status_code == 200  # the first request of the day records activity
    few = queries_for(client, path)
    with scopes_disabled():
        referral = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.REFERRAL,
                                              referrer=net_a.memberships["alumnus1"])  # fmt: skip
        event = JoinChannel.objects.create(network=net_a.network, kind=JoinChannel.Kind.EVENT, label="交流会")
    for i in range(50):
        add_registration(net_a, f"many{i}@example.jp", candidates=[{"id": i}], flags=[RegistrationFlag.NO_CANDIDATE],
                         channel=(referral, event, None)[i % 3])  # fmt: skip

    many = queries_for(client, path)

    assert few == many
    html = client.get(path).content.decode()
    assert "Referred by 佐藤\u3000一郎" in html
    assert "交流会" in html


def test_it_refuses_to_decide_a_registration_that_was_never_sent(net_a: PersonaNetwork) -> None:
    draft = add_registration(net_a, status=Registration.Status.DRAFT, submitted_at=None)
    before = snapshot(draft)

    with (
        scope(network=net_a.network),
        translation.override("en"),
        pytest.raises(ActionRefused, match="has not been sent yet"),
    ):
        approvals.approve(net_a.network, net_a.hr, draft)

    assert snapshot(draft) == before
