"""Demo comeback coordinator: the network engages an outside firm, the demo coordinator works for it,
a few alumni agreed to talk with them, interviews are recorded, one summary was approved by the
alumnus (so hr sees it, and the provision record shows on their privacy page) and one awaits approval.

Relays go through the real services (the approval writes the provision record and the audit entry)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django_scopes import scope

from enishi.coordination import services
from enishi.coordination.models import CoordinatorOrganisation, CoordinatorProfile, Engagement, Interview
from enishi.demo.services import Target
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent

FIRM = "株式会社リターンブリッジ（カムバック支援）"

# (days from today, hour, held, latest situation, notes)
INTERVIEWS = [
    (
        -40,
        14,
        True,
        ("SaaS企業でカスタマーサクセスのマネージャー", "副業からなら関わりたい", "週1日・リモート中心", "2027年春以降"),
        "転職先での評価は高いが、裁量が大きすぎて疲れ気味とのこと。古巣の営業企画には良い印象。"
        "ご家族の事情で出張は難しい。",
    ),
    (
        -21,
        10,
        True,
        (
            "育児のため休職中（元・法人営業）",
            "フルタイムでの復職を検討",
            "時短勤務・保育園のお迎えに間に合うこと",
            "半年以内",
        ),
        "キャリア復帰制度を知らなかった。上司との関係は良好だったので、元の部署が希望。",
    ),
    (
        -7,
        16,
        True,
        ("地方の信用金庫で融資担当", "まだ分からない", "転居を伴わないこと", "未定"),
        "話を聞くこと自体は歓迎。今は具体的な意向はなく、半年後にもう一度お話しする約束。",
    ),
    (5, 13, False, ("", "", "", ""), ""),
]
APPROVED = (
    "副業（週1日程度・リモート中心）でのカムバックに関心があります。カスタマーサクセスの立ち上げ経験を"
    "活かせる案件であれば、2027年春以降にお話を伺いたいとのことです。"
)
AWAITING = (
    "育児による休職中で、時短勤務が可能であれば半年以内のフルタイム復職を検討されています。"
    "元の法人営業部門を希望されています。"
)


def seed_coordination(target: Target, today: date) -> int:
    """The coordination of a freshly seeded network; returns how many interviews were created."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        coordinator = (
            Membership.objects.filter(network=network, role=Role.COORDINATOR, state=MembershipState.ACTIVE)
            .select_related("user")
            .first()
        )
        people = list(
            # Generated alumni: the named accounts' consents are the intake demo's story.
            Membership.objects.filter(
                network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE, user__email__contains="@alumni."
            )
            .select_related("user", "network")
            .order_by("pk")[: len(INTERVIEWS)]
        )
        if coordinator is None or len(people) < len(INTERVIEWS):
            return 0
        firm, _ = CoordinatorOrganisation.objects.get_or_create(name=FIRM)
        Engagement.objects.create(network=network, organisation=firm)
        CoordinatorProfile.objects.create(network=network, membership=coordinator, organisation=firm)
        zone = ZoneInfo(network.time_zone)
        interviews = []
        for person, (days, hour, held, (work, intent, conditions, timing), notes) in zip(people, INTERVIEWS,
                                                                                           strict=True):  # fmt: skip
            grant_consent(person, ConsentPurpose.COORDINATOR_CONTACT, notice=None)
            grant_consent(person, ConsentPurpose.COORDINATOR_RELAY, notice=None)
            when = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=zone)
            interviews.append(Interview.objects.create(
                network=network, organisation=firm, coordinator=coordinator, alumnus=person, scheduled_at=when,
                held_at=when if held else None, current_work=work, intent=intent, conditions=conditions,
                timing=timing, notes=notes,
            ))  # fmt: skip
        approved = services.propose_relay(interviews[0], coordinator, APPROVED)
        services.approve_relay(approved, interviews[0].alumnus, approved.digest)
        services.propose_relay(interviews[1], coordinator, AWAITING)
    return len(interviews)
