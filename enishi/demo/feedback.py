"""Demo feedback box: fifteen pieces of feedback over the last three months in every state, some
anonymous, three answered by the secretariat, and one published 「声から生まれた改善」 post linked to
two of them (one of alumni1@demo.example's, so that their "My feedback" shows the whole loop).

Everything goes through feedback.services, so anonymous rows carry no person and only their week,
exactly as the form stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from enishi.demo.services import Target
from enishi.feedback import services
from enishi.feedback.models import Feedback
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role


@dataclass(frozen=True)
class Spec:
    topic: int  # index into services.DEFAULT_TOPICS
    text: str
    author: int | None  # index into the alumni (0 = alumni1@demo.example…), None for anonymous
    days_ago: int
    status: str = Feedback.Status.NEW
    reply: str = ""
    note: str = ""


N, R, A = Feedback.Status.NEW, Feedback.Status.READ, Feedback.Status.ACTED_ON

SPECS = (
    Spec(
        2,
        "アルムナイ向けの社内報（デジタル版）を読めるようにしてほしいです。会社の今が分かると、人に紹介もしやすくなります。",
        0,
        80,
        A,
        reply="ご意見ありがとうございます。今月からアルムナイ向けに社内報の抜粋を配信することにしました。",
    ),
    Spec(
        2,
        "アルムナイ交流会を平日夜だけでなく、土曜日にも開いてほしいです。子育て中だと平日夜は参加が難しいです。",
        None,
        75,
        A,
    ),
    Spec(
        0,
        "在籍中、育休からの復帰面談がとても丁寧で助かりました。今の職場でも参考にしています。",
        1,
        70,
        R,
        reply="温かいお言葉をありがとうございます。人事部にも共有しました。",
    ),
    Spec(
        3,
        "カムバック採用の選考で、前回の評価がどう扱われるのか事前に知りたいです。",
        2,
        60,
        R,
        reply="ご質問ありがとうございます。カムバック制度のページに選考の流れを追記しましたので、ご覧ください。",
    ),
    Spec(
        0,
        "評価面談の基準がチームごとにばらばらだと感じていました。退職理由の一つでもあります。",
        None,
        55,
        R,
        note="人事制度改定プロジェクトに共有済み（匿名のまま）。",
    ),
    Spec(1, "新しい法人向けサービスの資料を、取引先に紹介できる形で共有してもらえると嬉しいです。", 3, 48, R),
    Spec(
        4, "退職時の手続き案内がメールだけで分かりにくかったです。チェックリストがあると良いと思います。", None, 41, A
    ),
    Spec(2, "地方在住のアルムナイ向けに、オンラインの勉強会を増やしてほしいです。", 4, 35, N),
    Spec(
        3,
        "副業として関われる案件があれば、もっと気軽に応募したいです。条件の目安を載せてほしいです。",
        5,
        28,
        R,
        note="カムバック担当と相談中。",
    ),
    Spec(
        1,
        "店舗のセルフレジが使いやすくなったと家族が話していました。現場の工夫が伝わる記事をもっと読みたいです。",
        6,
        21,
        N,
    ),
    Spec(0, "リモートワークの制度が在籍時より柔軟になったと聞きました。詳しく知りたいです。", None, 16, N),
    Spec(4, "アルムナイ同士で業界別に話せる場があると嬉しいです。", 7, 12, N),
    Spec(2, "ニュースレターの配信頻度はちょうど良いと思います。これからも続けてください。", 8, 8, R),
    Spec(0, "介護との両立支援について、今の制度がどうなっているか知りたいです。", None, 4, N),
    Spec(1, "新商品の開発ストーリーをもっと発信してほしいです。OB・OGとして誇らしく思います。", 9, 1, N),
)
# The 「声から生まれた改善」 post answers the first two (one named, one anonymous).
CHANGE_TITLE = "【声から生まれた改善】アルムナイ交流会を土曜日にも開催します"
CHANGE_BODY = (
    "アルムナイの皆さまから「平日夜は参加しにくい」「会社の今をもっと知りたい」という声をいただきました。\n\n"
    "そこで次回から、アルムナイ交流会を土曜日の午後にも開催し、あわせて社内報の抜粋を毎月お届けします。\n\n"
    "これからもフィードバックをお寄せください。いただいた声は事務局がすべて拝見しています。"
)


def seed_feedback(target: Target, today: date) -> int:
    """The feedback of a freshly seeded network; returns how many pieces were created (0 if it has some)."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        if Feedback.objects.filter(network=network).exists():
            return 0
        staff = Membership.objects.filter(
            network=network, role__in=(Role.ADMIN, Role.EDITOR), state=MembershipState.ACTIVE
        ).select_related("user", "network")
        editor = staff.order_by("-role", "pk").first()  # the editor ("editor" > "admin") when there is one
        alumni = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
            .exclude(role=Role.SUPPORTER)
            .select_related("user")
            .order_by("pk")[:10]
        )
        if editor is None or len(alumni) < 10:
            return 0
        topics = services.topics_of(network)
        made: list[Feedback] = []
        for spec in SPECS:
            author = alumni[spec.author] if spec.author is not None else alumni[0]
            item = services.send_feedback(author, topics[spec.topic], spec.text, anonymous=spec.author is None)
            _backdate(item, today - timedelta(days=spec.days_ago))
            if spec.note:
                services.save_note(item, spec.note, editor.user)
            if spec.reply:
                services.reply(item, editor, spec.reply)
            if spec.status != item.status and not (spec.status == Feedback.Status.ACTED_ON and len(made) < 2):
                services.set_status(item, spec.status, editor.user)
            made.append(item)
        services.publish_you_said_we_did(network, editor, made[:2], CHANGE_TITLE, CHANGE_BODY)
    return len(made)


def _backdate(item: Feedback, day: date) -> None:
    """As if sent on `day`: anonymous feedback keeps only the Monday of that week, like the form."""
    if item.anonymous:
        item.received_on = services.week_start(day)
        item.save(update_fields=["received_on"])
        return
    item.received_on = day
    item.created_at = timezone.now() - timedelta(days=(timezone.localdate() - day).days)
    item.save(update_fields=["received_on", "created_at"])
