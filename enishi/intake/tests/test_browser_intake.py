"""Intake journeys on a phone (390 x 844): from an invitation link, and from the public join page
through the approval queue (fixtures in browser_fixtures.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django_scopes import scope, scopes_disabled

from browser_fixtures import Journey, assert_no_horizontal_overflow, log_in
from conftest import PersonaNetwork
from enishi.intake import services
from enishi.intake.models import EmploymentRecord, Registration
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import Consent, NoticeAcceptance
from enishi.privacy.notices import publish_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-long-new-password-2024"
NOTICE_JA = (
    "縁ホールディングス アルムナイネットワークは、氏名・連絡先・経歴を、ニュースとイベントのご案内のために利用します。"
)


def leaver(net: PersonaNetwork, **fields: object) -> EmploymentRecord:
    values: dict[str, object] = {
        "employee_number": "L-2001", "family_name": "山本", "given_name": "彩", "family_name_kana": "ヤマモト",
        "given_name_kana": "アヤ", "hire_date": date(2016, 4, 1), "leave_date": date(2024, 3, 31),
        "private_email": "aya@example.jp", "department": "営業企画部",
    }  # fmt: skip
    values.update(fields)
    with scope(network=net.network):
        return EmploymentRecord.objects.create(network=net.network, company=net.company, **values)


def wait_for(journey: Journey, path_pattern: str) -> None:
    journey.page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + path_pattern))


def test_leaver_registers_from_the_invitation_email(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    record = leaver(verified)
    with scope(network=verified.network):
        publish_notice(verified.network, verified.admin, NOTICE_JA, "We use your name, contact and career.")
        invitation = services.invite_leaver(verified.network, verified.hr, record)

    journey.go(f"/n/alpha/join/{invitation.token}/")
    assert "山本" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("1-invitation")
    page.locator("main a[href^='/accounts/signup/']").first.click()
    wait_for(journey, "/accounts/signup/")
    form = page.locator("main form")
    form.locator("input[name=email]").fill("aya@example.jp")
    form.locator("input[name=password1]").fill(NEW_PASSWORD)
    form.locator("input[name=password2]").fill(NEW_PASSWORD)
    journey.shot("2-sign-up")
    form.locator("button[type=submit]").click()

    # Joined as the account was created; the notice in force comes next, with the consents.
    wait_for(journey, "/n/alpha/privacy/accept/")
    assert NOTICE_JA in page.locator("main").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("3-notice")
    page.locator("input[name=consents][value=directory_listing]").check()
    page.locator("main form button[type=submit]").click()
    wait_for(journey, "/n/alpha/$")

    assert "山本" in page.locator("main h1").inner_text()
    journey.shot("4-home")
    with scopes_disabled():
        membership = Membership.objects.get(network=verified.network, user__email="aya@example.jp")
        record.refresh_from_db()
        assert NoticeAcceptance.objects.filter(membership=membership).count() == 1
        assert list(Consent.objects.filter(membership=membership).values_list("purpose", flat=True)) == [
            "directory_listing"
        ]
    assert membership.state == MembershipState.ACTIVE
    assert record.membership == membership
    journey.assert_no_page_problems()


def test_person_asks_to_join_and_staff_approve_them_from_the_queue(
    verified: PersonaNetwork, journey: Journey, browser: object
) -> None:
    page = journey.page
    # HR knows her, but she remembers leaving in 2021 when the record says 2024: a person must look.
    record = leaver(verified)
    with scope(network=verified.network):
        publish_notice(verified.network, verified.admin, NOTICE_JA, "We use your name, contact and career.")

    journey.go("/n/alpha/join/")
    assert_no_horizontal_overflow(journey)
    journey.shot("1-join-page")
    signup = page.locator("main form[action='/accounts/signup/']")
    signup.locator("input[name=email]").fill("aya.sato@example.jp")
    signup.locator("input[name=password1]").fill(NEW_PASSWORD)
    signup.locator("input[name=password2]").fill(NEW_PASSWORD)
    signup.locator("button[type=submit]").click()

    wait_for(journey, "/accounts/confirm-email/")
    with scopes_disabled():
        body = OutboundEmail.objects.filter(to="aya.sato@example.jp").latest("pk").text_body
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert code is not None
    journey.shot("2-email-code")
    page.locator("main form input[name=code]").fill(code.group(1))
    page.locator("main form button[type=submit]").first.click()

    wait_for(journey, "/n/alpha/join/$")
    about = page.locator("main form")
    about.locator("input[name=family_name]").fill("山本")
    about.locator("input[name=given_name]").fill("彩")
    about.locator("input[name=family_name_kana]").fill("やまもと")
    about.locator("input[name=given_name_kana]").fill("あや")
    about.locator("input[name=hire_year]").fill("2016")
    about.locator("input[name=leave_year]").fill("2021")
    about.locator("input[name=accept_notice]").check()
    assert_no_horizontal_overflow(journey)
    journey.shot("3-about-you", full_page=True)
    about.locator("button[name=submit]").click()

    wait_for(journey, "/n/alpha/join/$")
    assert page.locator("main .badge").first.inner_text().strip() != ""
    journey.shot("4-waiting")
    with scopes_disabled():
        registration = Registration.objects.get(user__email="aya.sato@example.jp")
    assert registration.status == Registration.Status.PENDING
    assert registration.candidates[0]["id"] == record.pk

    # The secretariat, on a phone too, approves her with the record HR has.
    staff_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")  # type: ignore[attr-defined]
    staff = Journey(page=staff_context.new_page(), base_url=journey.base_url, name=journey.name + "-staff")
    staff.go("/accounts/login/?next=/n/alpha/manage/intake/queue/")
    log_in(staff, "hr@a.example", totp=True)
    wait_for(staff, "/n/alpha/manage/intake/queue/")
    staff.shot("5-queue")
    staff.page.locator(f"main a[href='/n/alpha/manage/intake/queue/{registration.pk}/']").first.click()
    wait_for(staff, f"/n/alpha/manage/intake/queue/{registration.pk}/")
    assert "2021" in staff.page.locator("main").inner_text()
    assert_no_horizontal_overflow(staff)
    staff.shot("6-registration", full_page=True)
    approve = staff.page.locator(f"main form[action='/n/alpha/manage/intake/queue/{registration.pk}/approve/']")
    approve.locator(f"input[value='{record.pk}']").check()
    approve.locator("button[type=submit]").click()
    wait_for(staff, "/n/alpha/manage/intake/queue/")
    staff.shot("7-approved")
    staff_context.close()

    journey.go("/n/alpha/")
    wait_for(journey, "/n/alpha/$")
    assert "山本" in page.locator("main h1").inner_text()
    journey.shot("8-home")
    with scopes_disabled():
        record.refresh_from_db()
        assert record.membership is not None
        assert record.membership.user.email == "aya.sato@example.jp"
    journey.assert_no_page_problems()
