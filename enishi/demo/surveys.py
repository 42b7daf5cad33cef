"""Demo surveys: two closed surveys with results to read — the anonymous 「アルムナイ満足度調査 2026」
(NPS, satisfaction, a branch, free text) and the named 「イベント参加後アンケート」 (attendees of the latest
past event) — and one open named survey with a branch that alumni1@demo.example has not answered yet.

Answers go through surveys.services (one per person, anonymous ones without person or time); the dates
are then moved into the past. Enough people answer that each company's group has at least 5 answers,
so the cross-tabs show. Nobody is emailed: the open survey tells alumni1 alone, in the bell.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from enishi.demo.services import Target
from enishi.events.models import Event, Rsvp
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership
from enishi.networks.roles import Role
from enishi.notifications.services import notify
from enishi.notifications.topics import Topic
from enishi.surveys import services
from enishi.surveys.models import Question, Response, Survey, SurveyRecipient

SATISFACTION_ANSWERERS = 120
OPEN_ANSWERERS = 12
COMMENTS = (
    "退職後も会社の近況を知ることができて嬉しいです。",
    "交流会で昔の同僚と再会できました。また参加したいです。",
    "副業の募集がもっと増えると嬉しいです。",
    "カムバック制度の詳しい条件を知りたいです。",
    "メールの頻度はちょうど良いと思います。",
    "地方在住なのでオンラインのイベントを増やしてほしいです。",
    "現役社員の方と話せる機会があるとありがたいです。",
    "サイトがスマホで見やすくなって使いやすいです。",
)
REASONS = ("平日夜は参加しにくい", "開催地が遠い", "興味のあるテーマがなかった", "案内に気づかなかった")


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_surveys(target: Target, today: date) -> int:
    """The surveys of a freshly seeded network; returns how many were created (0 if it has some)."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        if Survey.objects.filter(network=network).exists():
            return 0
        editor = (
            Membership.objects.filter(network=network, role__in=(Role.EDITOR, Role.ADMIN))
            .select_related("user")
            .order_by("-role", "pk")
            .first()
        )
        if editor is None:
            return 0
        rng = random.Random(f"surveys:{network.slug}")
        _satisfaction(target, editor, today, rng)
        _after_event(target, editor, today, rng)
        _open_survey(target, editor, today, rng)
    return 3


def _create(target: Target, editor: Membership, **fields: object) -> Survey:
    return Survey.objects.create(network=target.network, created_by=editor.user,
                                 closes_at=timezone.now() + timedelta(days=30), **fields)  # fmt: skip


def _question(survey: Survey, kind: str, label: str, **fields: object) -> Question:
    position = Question.objects.filter(network_id=survey.network_id, survey=survey).count()
    return Question.objects.create(network_id=survey.network_id, survey=survey, kind=kind, label=label,
                                   position=position, **fields)  # fmt: skip


def _answerers(survey: Survey, limit: int, exclude_email: str = "") -> list[Membership]:
    asked = SurveyRecipient.objects.filter(network_id=survey.network_id, survey=survey).values("membership_id")
    members = Membership.objects.filter(network_id=survey.network_id, pk__in=asked).exclude(user__email=exclude_email)
    return list(members.select_related("user").order_by("pk")[:limit])


def _into_the_past(survey: Survey, opened: date, closes: date, closed: bool) -> None:
    if closed:
        services.close_survey(survey, None)
    Survey.objects.filter(network_id=survey.network_id, pk=survey.pk).update(
        opens_at=_at(opened), closes_at=_at(closes, 18), closed_at=_at(closes, 18) if closed else None
    )


def _nps(rng: random.Random) -> str:
    return str(rng.choice((10, 10, 9, 9, 9, 8, 8, 8, 7, 7, 6, 5, 3)))


def _satisfaction(target: Target, editor: Membership, today: date, rng: random.Random) -> None:
    survey = _create(target, editor, title="アルムナイ満足度調査 2026", anonymous=True,
                     description="<p>アルムナイネットワークをより良くするため、率直なご意見をお聞かせください。"
                                 "回答は匿名で、お名前や回答日時は記録されません。</p>")  # fmt: skip
    nps = _question(survey, "nps", "このアルムナイネットワークを元同僚に勧めたいと思いますか", required=True)
    satisfaction = _question(survey, "scale", "ネットワークの情報発信に満足していますか", required=True)
    joined = _question(survey, "single", "この1年でイベントに参加しましたか", choices=["はい", "いいえ"],
                       required=True)  # fmt: skip
    reason = _question(survey, "multiple", "参加しなかった理由を教えてください", choices=list(REASONS),
                       show_if=joined, show_if_value="いいえ")  # fmt: skip
    comment = _question(survey, "text", "会社やネットワークへのご意見・ご要望")
    services.open_survey(survey, editor.user, announce=False)
    for member in _answerers(survey, SATISFACTION_ANSWERERS):
        went = rng.random() < 0.45
        raw = {nps.pk: [_nps(rng)], satisfaction.pk: [str(rng.choice((3, 4, 4, 4, 5, 5, 2)))],
               joined.pk: ["はい" if went else "いいえ"]}  # fmt: skip
        if not went:
            raw[reason.pk] = rng.sample(REASONS, rng.choice((1, 1, 2)))
        if rng.random() < 0.3:
            raw[comment.pk] = [rng.choice(COMMENTS)]
        services.submit_response(survey, member, raw)
    _into_the_past(survey, today - timedelta(days=75), today - timedelta(days=45), closed=True)


def _after_event(target: Target, editor: Membership, today: date, rng: random.Random) -> None:
    event = (
        Event.objects.filter(network=target.network, status=Event.Status.PUBLISHED, starts_at__lt=timezone.now())
        .filter(rsvps__status=Rsvp.Status.CONFIRMED)
        .order_by("-starts_at")
        .first()
    )
    audience = {"audience": Survey.Audience.EVENT, "event": event} if event else {}
    survey = _create(target, editor, title="イベント参加後アンケート", anonymous=False, **audience,
                     description="<p>先日の交流会へのご参加ありがとうございました。"
                                 "次回の企画の参考にさせてください。</p>")  # fmt: skip
    rating = _question(survey, "scale", "イベント全体の満足度を教えてください", required=True)
    liked = _question(survey, "multiple", "良かった内容を選んでください（複数可）",
                      choices=["会社の近況報告", "元同僚との再会", "カムバック制度の紹介", "軽食・会場"])  # fmt: skip
    again = _question(survey, "single", "次回も参加したいですか", choices=["ぜひ参加したい", "内容次第", "参加しない"],
                      required=True)  # fmt: skip
    theme = _question(survey, "text", "次回取り上げてほしいテーマ")
    try:
        services.open_survey(survey, editor.user, announce=False)
    except ActionRefused:  # nobody confirmed for that event (a small network): ask everyone instead
        Survey.objects.filter(pk=survey.pk).update(audience=Survey.Audience.NETWORK, event=None)
        services.open_survey(survey, editor.user, announce=False)
    opened = today - timedelta(days=30)
    for index, member in enumerate(_answerers(survey, 40)):
        if rng.random() < 0.25:
            continue  # not everyone answers
        raw = {rating.pk: [str(rng.choice((5, 5, 4, 4, 4, 3)))], liked.pk: rng.sample(liked.choices, 2),
               again.pk: [rng.choice(("ぜひ参加したい", "ぜひ参加したい", "内容次第", "参加しない"))]}  # fmt: skip
        if rng.random() < 0.4:
            raw[theme.pk] = [rng.choice(("新規事業の紹介", "キャリア相談会", "子育てと仕事の両立", "DXの取り組み"))]
        response = services.submit_response(survey, member, raw)
        Response.objects.filter(pk=response.pk).update(submitted_at=_at(opened + timedelta(days=index % 10), 20))
    _into_the_past(survey, opened, today - timedelta(days=20), closed=True)


def _open_survey(target: Target, editor: Membership, today: date, rng: random.Random) -> None:
    survey = _create(target, editor, title="アルムナイ交流会 テーマ希望調査", anonymous=False,
                     description="<p>次回のアルムナイ交流会のテーマと開催形式について"
                                 "ご希望をお聞かせください。</p>")  # fmt: skip
    attend = _question(survey, "single", "次回の交流会に参加したいですか", choices=["はい", "いいえ"], required=True)
    style = _question(survey, "single", "希望する開催形式", choices=["会場", "オンライン", "どちらでも"],
                      required=True, show_if=attend, show_if_value="はい")  # fmt: skip
    why = _question(survey, "text", "参加が難しい理由があれば教えてください", show_if=attend, show_if_value="いいえ")
    score = _question(survey, "nps", "このネットワークを元同僚に勧めたいと思いますか")
    services.open_survey(survey, editor.user, announce=False)
    Survey.objects.filter(network_id=survey.network_id, pk=survey.pk).update(
        opens_at=_at(today - timedelta(days=5)), closes_at=_at(today + timedelta(days=14), 18)
    )
    sato = "alumni1@" + target.network.slug + ".example"
    for index, member in enumerate(_answerers(survey, OPEN_ANSWERERS, exclude_email=sato)):
        yes = rng.random() < 0.7
        raw = {attend.pk: ["はい" if yes else "いいえ"], score.pk: [_nps(rng)]}
        raw[style.pk if yes else why.pk] = [
            rng.choice(("会場", "オンライン", "どちらでも")) if yes else "平日夜は難しい"
        ]
        response = services.submit_response(survey, member, raw)
        Response.objects.filter(pk=response.pk).update(submitted_at=_at(today - timedelta(days=index % 5), 21))
    for member in Membership.objects.filter(network=target.network, user__email=sato).select_related("user"):
        notify(member, topic=Topic.SURVEYS, kind="survey_open", url=services.survey_path(survey),
               params={"title": survey.title}, reference=services.survey_reference(survey))  # fmt: skip
