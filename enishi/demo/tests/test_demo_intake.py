"""The demo's intake content: notice, rules, recent leavers and their invitations, join links, the queue."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enishi.accounts.models import User
from enishi.demo.catalogue import DEMO
from enishi.demo.intake import RECENT_LEAVERS, romaji
from enishi.demo.services import reset_demo
from enishi.intake.models import (
    AlumniInvitation,
    EmploymentRecord,
    IntakeSettings,
    InvitationStatus,
    JoinChannel,
    Registration,
)
from enishi.intake.services import send_automatic_invitations, send_due_reminders, with_invitation_status
from enishi.networks.models import Membership, Network
from enishi.privacy.models import Consent, NoticeAcceptance, PrivacyNotice
from enishi.privacy.notices import current_notice

ALUMNI = 50
DEPARTMENTS = {department for company in DEMO.companies for department in company.departments}


def seed(*args: str) -> None:
    call_command("seed_demo", "--alumni", str(ALUMNI), *args, stdout=StringIO())


@pytest.fixture
def demo(db: None) -> Network:
    seed()
    return Network.objects.get(slug="demo")


def invitations_snapshot() -> list[tuple[object, ...]]:
    with scopes_disabled():
        invitations = AlumniInvitation.objects.select_related("record").order_by("record__employee_number", "pk")
        return [(i.record.employee_number, i.delivery, i.automatic, i.email, i.status) for i in invitations]


def test_it_publishes_the_purpose_of_use_notice_in_both_networks(demo: Network) -> None:
    with scopes_disabled():
        notices = {network.slug: current_notice(network) for network in Network.objects.all()}
    assert {slug: notice.version for slug, notice in notices.items() if notice} == {"demo": 1, "other": 1}
    notice = notices["demo"]
    assert notice is not None
    assert notice.published_at is not None
    assert notice.published_at < timezone.now() - timedelta(days=500)
    for words in ("利用目的", "氏名", "再雇用", "カムバックコーディネーター", "保存期間", "撤回", "事務局"):
        assert words in notice.body_ja
    for words in ("purposes", "directory", "rehiring", "coordinator", "withdraw", "secretariat"):
        assert words in notice.body_en
    assert "{date}" not in notice.body_ja + notice.body_en


def test_it_has_every_active_alumnus_accept_the_notice_when_they_joined(demo: Network) -> None:
    with scopes_disabled():
        active = Membership.objects.filter(role__in=["alumnus", "supporter"], state="active")
        accepted = NoticeAcceptance.objects.filter(membership__in=active)
        late = accepted.filter(accepted_at__lt=PrivacyNotice.objects.get(network=demo).published_at)
        assert accepted.count() == active.count() == ALUMNI + 6 + 1 + 21
        assert late.count() == 0
        pending = Membership.objects.filter(network=demo, state="pending")
        assert NoticeAcceptance.objects.filter(membership__in=pending).count() == pending.count() == 7


def test_it_lets_the_named_alumni_past_the_notice_gate(demo: Network) -> None:
    for email in ("alumni1@demo.example", "supporter@demo.example", "alumni4@demo.example"):
        client = Client()
        assert client.login(email=email, password=settings.ENISHI_DEMO_PASSWORD)
        assert client.get("/n/demo/").status_code == 200, email


def test_it_records_the_named_alumnis_consents(demo: Network) -> None:
    with scopes_disabled():
        # Generated alumni are listed in the directory by demo/profiles.py; the named ones are these.
        consents = Counter(
            Consent.objects.filter(withdrawn_at__isnull=True)
            .exclude(membership__user__email__contains="@alumni.")
            .exclude(purpose="alumni_messages")  # granted by demo/messaging.py, tested with messaging
            .values_list("membership__user__email", flat=True)
        )
        withdrawn = list(
            Consent.objects.filter(withdrawn_at__isnull=False).values_list("membership__user__email", "purpose")
        )
    assert consents == {"alumni1@demo.example": 4, "alumni2@demo.example": 1, "alumni3@demo.example": 2,
                        "alumni5@demo.example": 2, "supporter@demo.example": 2,
                        # given through the join page by the applicants in the queue
                        "miho.amemiya@example.com": 2, "daisuke.shiina@example.net": 1,
                        "akane.soma@example.org": 1, "makabe.s@example.net": 1, "ryo.jimbo@example.com": 1,
                        "yuka.hayase@example.com": 1}  # fmt: skip
    assert withdrawn == [("alumni2@demo.example", "rehire_contact")]


def test_it_sets_the_intake_rules_of_the_demo(demo: Network) -> None:
    with scopes_disabled():
        rules = IntakeSettings.objects.get(network=demo)
        other = IntakeSettings.objects.get(network__slug="other")
    assert (rules.public_join, rules.auto_approve, rules.match_fields, rules.year_tolerance) == (
        True, True, ["name_kana", "name_kanji", "leave_year"], 1,
    )  # fmt: skip
    assert (rules.min_tenure_months, rules.reminder_days, rules.auto_invite_days) == (3, 7, 14)
    assert rules.auto_invite_since == timezone.localdate() - timedelta(days=60)
    assert (other.auto_approve, other.auto_invite_days) == (False, None)


def test_it_adds_recent_leavers_who_have_not_registered(demo: Network) -> None:
    today = timezone.localdate()
    with scopes_disabled():
        leavers = list(EmploymentRecord.objects.filter(network=demo, employee_number__regex=r"^[A-Z]{2}9\d{6}$"))
    recent = [record for record in leavers if record.leave_date and record.leave_date >= today - timedelta(days=540)]
    with_email = [record for record in recent if record.private_email]
    assert len(recent) == RECENT_LEAVERS + 1  # and the short stay of the queue
    assert all(record.membership_id is None for record in recent)
    assert all(record.hire_date < record.leave_date < today for record in recent)
    assert 0.75 * len(recent) <= len(with_email) < len(recent)
    assert {record.department for record in recent} <= DEPARTMENTS
    assert all(record.job_title and record.kana_key and record.kanji_key for record in recent)
    assert len({record.private_email for record in with_email}) == len(with_email)


def test_it_puts_invitations_in_every_state(demo: Network) -> None:
    with scope(network=demo):
        invitations = list(AlumniInvitation.objects.filter(network=demo).select_related("record"))
        records = with_invitation_status(EmploymentRecord.objects.filter(network=demo))
        record_states = Counter(records.values_list("invitation_status", flat=True))
    states = Counter(invitation.status for invitation in invitations)
    assert set(states) == {InvitationStatus.INVITED, InvitationStatus.OPENED, InvitationStatus.REGISTERED,
                           InvitationStatus.BOUNCED, InvitationStatus.EXPIRED}  # fmt: skip
    assert set(record_states) == set(InvitationStatus.values)
    flyers = [i for i in invitations if i.delivery == AlumniInvitation.Delivery.FLYER]
    automatic = [i for i in invitations if i.automatic]
    assert flyers
    assert all(i.email == "" and not i.automatic for i in flyers)
    assert automatic
    assert all(i.invited_by_id is None and i.delivery == "email" for i in automatic)
    assert any(i.reminded_at is not None for i in invitations)
    replaced = [i for i in invitations if i.revoked_at is not None]
    assert replaced
    for old in replaced:
        assert any(i.record_id == old.record_id and i.created_at == old.revoked_at for i in invitations)
    registered = [i for i in invitations if i.accepted_at is not None]
    assert all(i.record.membership_id is not None and i.created_at < i.accepted_at for i in registered)
    now = timezone.now()
    assert all(i.created_at < now and (i.opened_at or i.created_at) < now for i in invitations)
    assert len({i.short_code for i in invitations}) == len({i.token for i in invitations}) == len(invitations)


def test_it_leaves_the_worker_nothing_to_send_right_after_seeding(demo: Network) -> None:
    assert send_due_reminders() == 0
    assert send_automatic_invitations() == 0


def test_it_fills_the_approval_queue_through_matching(demo: Network) -> None:
    with scopes_disabled():
        rows = {
            f"{r.family_name} {r.given_name}": (r.status, r.flags, len(r.candidates))
            for r in Registration.objects.filter(network=demo).exclude(status="approved")
        }
        asked = Registration.objects.get(network=demo, status="needs_info")
    assert rows == {
        "雨宮 美穂": ("pending", ["partial_match"], 1),
        "椎名 大輔": ("pending", ["several_candidates"], 2),
        "宍戸 正之": ("pending", ["no_candidate"], 0),
        "相馬 茜": ("pending", ["not_eligible"], 1),
        "真壁 聡": ("pending", ["record_taken", "possible_duplicate"], 1),
        "神保 亮": ("needs_info", ["partial_match"], 1),
        "早瀬 由佳": ("pending", ["partial_match"], 1),
        "桐生 隼人": ("draft", [], 0),
        "日向 真央": ("draft", [], 0),
    }
    assert "社員番号" in asked.staff_message
    assert asked.updated_at > asked.submitted_at


def test_it_counts_visits_and_registrations_on_the_join_links(demo: Network) -> None:
    with scopes_disabled():
        links = {link.kind: link for link in JoinChannel.objects.filter(network=demo).exclude(kind="referral")}
        registrations = Counter(Registration.objects.filter(network=demo).values_list("channel__kind", flat=True))
        approved = list(Registration.objects.filter(network=demo, status="approved").select_related("record"))
        referrers = set(JoinChannel.objects.filter(kind="referral").values_list("referrer__user__email", flat=True))
    assert sorted(links) == ["event", "flyer", "homepage", "press"]
    assert 1100 <= links["homepage"].visits <= 1300
    assert 700 <= links["press"].visits <= 900
    assert links["event"].label.startswith("OB・OG交流会 ")
    assert all(registrations[kind] >= 1 for kind in [*links, "referral"])
    assert {"alumni1@demo.example", "supporter@demo.example", "alumni3@demo.example"} <= referrers
    assert approved
    for registration in approved:
        assert registration.record is not None
        assert registration.record.membership_id == registration.membership_id
        assert registration.created_at < registration.submitted_at < registration.decided_at


def test_it_gives_the_funnel_a_row_of_numbers_per_source(db: None) -> None:
    from enishi.intake.funnel import funnel

    call_command("seed_demo", "--alumni", "400", stdout=StringIO())
    network = Network.objects.get(slug="demo")
    with scope(network=network):
        rows = {row.kind: row for row in funnel(network) if row.kind != "referral"}
    assert rows["email"].registered >= 30
    assert rows["email"].bounced
    assert rows["auto"].reached
    assert rows["flyer"].reached
    for kind in ("homepage", "press", "event", "flyer"):
        assert rows[kind].reached > rows[kind].registered > 0, kind


def test_it_seeds_the_same_invitations_from_the_same_seed(demo: Network) -> None:
    first = invitations_snapshot()
    seed("--reset")
    assert invitations_snapshot() == first
    assert len(first) > 100

    seed("--reset", "--seed", "7")
    assert invitations_snapshot() != first


def test_it_resets_every_intake_row(demo: Network) -> None:
    reset_demo()

    with scopes_disabled():
        models = (Registration, AlumniInvitation, JoinChannel, IntakeSettings, Consent, NoticeAcceptance,
                  PrivacyNotice, EmploymentRecord, Membership)  # fmt: skip
        left = {model.__name__: model._default_manager.count() for model in models}
    assert left == dict.fromkeys(left, 0)
    assert (Network.objects.count(), User.objects.count()) == (0, 0)


def test_it_spells_kana_names_for_email_addresses() -> None:
    assert [romaji(kana) for kana in ("サトウ", "ショウタ", "キョウコ", "ハットリ", "ジュンイチ", "チャン")] == [
        "satou", "shouta", "kyouko", "hattori", "junichi", "chan",
    ]  # fmt: skip
