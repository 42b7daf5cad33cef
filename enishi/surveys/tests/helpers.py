"""Shared helpers of the survey tests: surveys with questions, and many alumni with employment records."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Company, Membership
from enishi.networks.roles import MembershipState, Role
from enishi.surveys import services
from enishi.surveys.models import Question, Survey


def make_survey(net: PersonaNetwork, *, anonymous: bool = False, **fields: Any) -> Survey:
    values: dict[str, Any] = {
        "title": "アルムナイ満足度調査", "anonymous": anonymous, "closes_at": timezone.now() + timedelta(days=14),
        "created_by": net.editor,
    }  # fmt: skip
    values.update(fields)
    with scopes_disabled():
        return Survey.objects.create(network=net.network, **values)


def add_question(survey: Survey, kind: str, label: str, **fields: Any) -> Question:
    with scopes_disabled():
        position = Question.objects.filter(survey=survey).count()
        return Question.objects.create(network_id=survey.network_id, survey=survey, kind=kind, label=label,
                                       position=position, **fields)  # fmt: skip


def standard_questions(survey: Survey) -> dict[str, Question]:
    """NPS, a single choice with a branch on 「いいえ」, and free text."""
    nps = add_question(survey, "nps", "友人に勧めますか", required=True)
    join = add_question(survey, "single", "イベントに参加しましたか", choices=["はい", "いいえ"], required=True)
    why = add_question(survey, "text", "参加しなかった理由", required=True, show_if=join, show_if_value="いいえ")
    comment = add_question(survey, "text", "ご意見")
    return {"nps": nps, "join": join, "why": why, "comment": comment}


def add_alumni(
    net: PersonaNetwork, count: int, *, company: Company | None = None, leave_year: int = 2020, prefix: str = "a"
) -> list[Membership]:
    """`count` active alumni, each with an employment record at `company` (the network's by default)."""
    company = company or net.company
    members = []
    with scopes_disabled():
        for index in range(count):
            user = User.objects.create_user(f"{prefix}{index}-{company.pk}@{net.network.slug}.example", "pw-123456789",
                                            family_name="卒業", given_name=f"{prefix}{index}")  # fmt: skip
            membership = Membership.objects.create(
                network=net.network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE,
                activated_at=timezone.now(),
            )  # fmt: skip
            EmploymentRecord.objects.create(
                network=net.network, company=company, membership=membership,
                employee_number=f"{prefix}-{company.pk}-{index}", family_name="卒業", given_name=f"{prefix}{index}",
                leave_date=date(leave_year, 3, 31),
            )  # fmt: skip
            members.append(membership)
    return members


def open_survey(net: PersonaNetwork, survey: Survey) -> int:
    with scope(network=net.network):
        survey.refresh_from_db()
        return services.open_survey(survey, net.editor)


def answer(net: PersonaNetwork, survey: Survey, membership: Membership, raw: dict[Question, list[str]]) -> None:
    with scope(network=net.network):
        services.submit_response(survey, membership, {question.pk: values for question, values in raw.items()})


def close(net: PersonaNetwork, survey: Survey) -> None:
    with scope(network=net.network):
        survey.refresh_from_db()
        services.close_survey(survey, net.editor)
