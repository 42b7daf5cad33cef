from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.networks.models import Company, Membership
from enishi.surveys.models import Question, Survey
from enishi.surveys.tests.helpers import add_alumni, answer, close, make_survey, open_survey, standard_questions


@dataclass
class Answered:
    survey: Survey
    questions: dict[str, Question]
    big: list[Membership]  # alumni of the network's company, left in 2020
    small: list[Membership]  # alumni of a second company, left in 2015
    other: Company


def build_answered(net: PersonaNetwork, *, anonymous: bool, big: int, small: int, closed: bool = True) -> Answered:
    """A survey answered by `big` alumni of company A (NPS 10, 「はい」) and `small` of company B
    (NPS 2, 「いいえ」 with a reason); each comment names its author's given name, so that a test can
    tell whose answer it sees."""
    with scopes_disabled():
        other = Company.objects.create(network=net.network, name_ja="ベータ物流")
    big_members = add_alumni(net, big, prefix="big")
    small_members = add_alumni(net, small, company=other, leave_year=2015, prefix="small")
    survey = make_survey(net, anonymous=anonymous)
    questions = standard_questions(survey)
    open_survey(net, survey)
    for member in big_members:
        answer(net, survey, member, {questions["nps"]: ["10"], questions["join"]: ["はい"],
                                     questions["comment"]: [f"COMMENT-{member.user.given_name}"]})  # fmt: skip
    for member in small_members:
        answer(net, survey, member, {questions["nps"]: ["2"], questions["join"]: ["いいえ"],
                                     questions["why"]: [f"WHY-{member.user.given_name}"],
                                     questions["comment"]: [f"COMMENT-{member.user.given_name}"]})  # fmt: skip
    if closed:
        close(net, survey)
    return Answered(survey, questions, big_members, small_members, other)


@pytest.fixture
def answered_factory(net_a: PersonaNetwork):  # type: ignore[no-untyped-def]
    def build(**kwargs: object) -> Answered:
        return build_answered(net_a, **kwargs)  # type: ignore[arg-type]

    return build
