"""Demo events: past gatherings with their attendance (check-ins, photos, a thank-you sent), upcoming
ones with RSVPs (one full, with a waitlist; one online; one hybrid), a seminar an alumnus hosts, a
proposal by an alumnus waiting for the secretariat, and a cancelled one.

Published events go through services.publish (each gets its join link), the proposal through
services.propose, the cancellation through services.cancel_event and the latest thank-you through
the real task, so the bell, the emails and the audit log are the real ones. RSVP rows of a crowd are
inserted in bulk, with the seats counted here: capacity is never exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django_scopes import scope

from enishi.accounts.models import User
from enishi.demo.community import _picture
from enishi.demo.services import Target
from enishi.events import services, tasks
from enishi.events.models import Event, EventPhoto, EventQuestion, Rsvp
from enishi.intake.models import JoinChannel
from enishi.lib.richtext import text_to_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role

HQ = ("縁ホールディングス本社 5階 食堂", "東京都千代田区丸の内二丁目7番3号")
OSAKA = ("縁銀行 梅田支店 8階 大会議室", "大阪府大阪市北区梅田三丁目1番1号")
ONLINE_URL = "https://meet.example.com/enishi-"


@dataclass
class Spec:
    """One demo event: when (days from today, at `hour` in the network's time zone), what, and who came."""

    key: str
    title: str
    days: int
    hour: int
    hours: int
    text: str
    format: str = Event.Format.OFFLINE
    venue: tuple[str, str] = HQ
    capacity: int | None = None
    attendees: int = 0  # RSVPs of generated alumni (confirmed first, then the waitlist)
    came: float = 0.0  # share of the confirmed who checked in (past events)
    extra: dict[str, Any] = field(default_factory=dict)


PAST = (
    Spec("gathering", "縁グループ アルムナイ交流会", -38, 14, 3,
         "年に一度のグループ全体の交流会です。各社の近況紹介のあと、立食形式で懇親の時間をとります。\n"
         "現役社員も参加します。久しぶりの同僚との再会をお楽しみください。",
         capacity=80, attendees=62, came=0.8,
         extra={"staff_guests": "人事部 山本、広報部 中村", "max_plus_ones": 0,
                "thank_you_text": "お忙しい中お集まりいただき、ありがとうございました。当日の写真を掲載しました。\n"
                                  "次回も開催予定です。ご意見をアンケートでお聞かせください。",
                "survey_url": "https://forms.example.com/enishi-gathering"}),
    Spec("dx", "DX勉強会：物流現場のデータ活用（オンライン）", -20, 19, 1,
         "物流センターの自動倉庫とAI配車の取り組みを、現場の担当者が紹介します。質疑応答の時間もあります。",
         format=Event.Format.ONLINE, venue=("", ""), attendees=35, came=0.7,
         extra={"thank_you_text": "ご参加ありがとうございました。当日の資料はイベントページからご覧いただけます。"}),
    Spec("kansai", "関西アルムナイ 食事会", -6, 19, 2,
         "関西在住・関西勤務のアルムナイの食事会です。梅田支店の会議室で軽食をとりながら話しましょう。",
         venue=OSAKA, capacity=30, attendees=24, came=0.85,
         extra={"thank_you_text": "ご参加ありがとうございました！写真をイベントページに載せました。\n"
                                  "次回の日程はグループでご相談しましょう。",
                "survey_url": "https://forms.example.com/enishi-kansai"}),
)  # fmt: skip
UPCOMING = (
    Spec("year_end", "年末アルムナイ忘年会", 16, 18, 3,
         "今年も一年お疲れさまでした。本社食堂で忘年会を開きます。軽食と飲み物をご用意します。\n"
         "同伴者は1名までお連れいただけます。",
         capacity=40, attendees=46, extra={"max_plus_ones": 1, "staff_guests": "人事部 山本"}),
    Spec("startup", "スタートアップ支援プログラム 事業説明会", 9, 19, 2,
         "グループが始める新規事業の協業プログラムを説明します。副業・業務委託での参加も歓迎します。\n"
         "会場とオンラインのどちらからでも参加できます。",
         format=Event.Format.HYBRID, capacity=100, attendees=31,
         extra={"staff_guests": "新規事業開発部 鈴木、人事部 山本"}),
    Spec("comeback", "キャリア・カムバック制度 説明会（オンライン）", 5, 12, 1,
         "再入社の制度（正社員・契約社員・副業）と選考の流れを、人事部が30分で説明します。昼休みにどうぞ。",
         format=Event.Format.ONLINE, venue=("", ""), attendees=27),
)  # fmt: skip


def seed_events(target: Target, today: date) -> int:
    """The events of a freshly seeded network; returns how many were created."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        staff = {m.role: m for m in Membership.objects.filter(network=network, role__in=(Role.EDITOR, Role.ADMIN))}
        editor = staff.get(Role.EDITOR) or staff.get(Role.ADMIN)
        crowd = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if editor is None or len(crowd) < 10:
            return 0
        zone = ZoneInfo(network.time_zone)
        made = _past(target, today, zone, editor.user, crowd)
        made += _upcoming(target, today, zone, editor.user, crowd)
        made += _by_alumni(target, today, zone, editor.user)
        made += _cancelled(target, today, zone, editor.user, crowd)
    return made


def _at(today: date, days: int, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=zone)


def _event(
    target: Target, spec: Spec, today: date, zone: ZoneInfo, actor: User, channel: JoinChannel | None = None
) -> Event:
    starts = _at(today, spec.days, spec.hour, zone)
    venue_name, venue_address = spec.venue
    event = Event(
        network=target.network, title=spec.title, join_channel=channel, description=text_to_html(spec.text),
        format=spec.format, venue_name=venue_name, venue_address=venue_address, starts_at=starts,
        ends_at=starts + timedelta(hours=spec.hours), capacity=spec.capacity,
        registration_deadline=starts - timedelta(days=1) if spec.capacity else None,
        online_url=f"{ONLINE_URL}{spec.key}" if spec.format != Event.Format.OFFLINE else "",
        host_company=target.companies[0], **spec.extra,
    )  # fmt: skip
    services.save_event(event, actor, ["created"])
    services.publish(event, actor)
    # Published a few weeks before it took place, as the staff would have.
    Event.objects.filter(pk=event.pk).update(published_at=starts - timedelta(days=30))
    return event


def _crowd_rsvps(event: Event, members: list[int], came: float, actor: User) -> list[Rsvp]:
    """RSVPs of `members` in order: seats while they last, then the waitlist; past events get their
    check-ins (the first `came` share of the confirmed)."""
    free = event.capacity
    registered_at = event.starts_at - timedelta(days=14)
    rows = []
    for index, member_id in enumerate(members):
        queued = registered_at + timedelta(minutes=7 * index)
        confirmed = free is None or free > 0
        if free is not None and confirmed:
            free -= 1
        rows.append(Rsvp(
            network_id=event.network_id, event=event, membership_id=member_id, queued_at=queued,
            status=Rsvp.Status.CONFIRMED if confirmed else Rsvp.Status.WAITLISTED,
            confirmed_at=queued if confirmed else None, share_with_attendees=index % 3 != 0,
        ))  # fmt: skip
    confirmed_rows = [row for row in rows if row.status == Rsvp.Status.CONFIRMED]
    if event.is_past:
        mode = Rsvp.CheckIn.ONLINE if event.format == Event.Format.ONLINE else Rsvp.CheckIn.VENUE
        for index, row in enumerate(confirmed_rows[: int(len(confirmed_rows) * came)]):
            row.checked_in, row.checked_in_by = mode, actor
            row.checked_in_at = event.starts_at - timedelta(minutes=20) + timedelta(seconds=50 * index)
            row.reminded = list(event.reminders)
    return Rsvp.objects.bulk_create(rows)


def _past(target: Target, today: date, zone: ZoneInfo, actor: User, crowd: list[int]) -> int:
    """Past events with their attendance; the first two thanked long ago, the latest through the task."""
    for index, spec in enumerate(PAST):
        channel = None
        if spec.key == "gathering":
            spec, channel = _gathering(target, spec, today)
        event = _event(target, spec, today, zone, actor, channel)
        start = (index * 17) % max(len(crowd) - spec.attendees, 1)
        _crowd_rsvps(event, crowd[start : start + spec.attendees], spec.came, actor)
        if spec.key in ("gathering", "kansai"):
            for position, (name, light, dark) in enumerate(
                (("kanpai", (250, 214, 150), (150, 96, 52)), ("talk", (200, 220, 240), (60, 90, 130)))
            ):
                photo = EventPhoto(network=target.network, event=event, position=position,
                                   caption=("乾杯の様子" if position == 0 else "各社の近況紹介"))  # fmt: skip
                photo.image.save(f"{spec.key}-{name}.jpg", _picture(f"{spec.key}-{name}", light, dark))
        if spec.key == "kansai":
            tasks.thank_attendees.call(event.pk)  # the bell and emails of a real thank-you
        else:
            Event.objects.filter(pk=event.pk).update(thanked_at=event.ends_at + timedelta(days=1))
    return len(PAST)


def _gathering(target: Target, spec: Spec, today: date) -> tuple[Spec, JoinChannel | None]:
    """The gathering whose join link the intake demo shared ("OB・OG交流会 <year><season>", on the
    Saturday at least 40 days ago): the event gets that link, so the people who registered through
    it count for the event."""
    channel = JoinChannel.objects.filter(network=target.network, kind=JoinChannel.Kind.EVENT,
                                         label__startswith="OB・OG交流会", event__isnull=True).first()  # fmt: skip
    if channel is None:
        return spec, None
    day = today - timedelta(days=40)
    while day.weekday() != 5:  # as demo.intake.demo_channels dates it
        day -= timedelta(days=1)
    return replace(spec, title=f"縁グループ {channel.label}", days=(day - today).days), channel


def _upcoming(target: Target, today: date, zone: ZoneInfo, actor: User, crowd: list[int]) -> int:
    network = target.network
    named = {m.user.email: m for m in Membership.objects.filter(network=network, user__email__in=(
        "alumni1@demo.example", "alumni2@demo.example")).select_related("user")}  # fmt: skip
    others = [pk for pk in crowd if pk not in {m.pk for m in named.values()}]
    for index, spec in enumerate(UPCOMING):
        event = _event(target, spec, today, zone, actor)
        if spec.key == "year_end":
            food = EventQuestion.objects.create(network=network, event=event, label="食事の制限（アレルギーなど）",
                                                position=0)  # fmt: skip
            EventQuestion.objects.create(network=network, event=event, label="参加のきっかけ", position=1,
                                         choices="グループの案内\n元同僚に誘われて\nその他")  # fmt: skip
            answers = [{str(food.pk): "なし"}, {str(food.pk): "甲殻類アレルギー"}, {}]
            rows = _crowd_rsvps(event, others[: spec.attendees], 0, actor)
            for position, row in enumerate(rows):
                row.answers = answers[position % 3]
            Rsvp.objects.bulk_update(rows, ["answers"])
        else:
            start = 40 + index * 11
            _crowd_rsvps(event, others[start : start + spec.attendees], 0, actor)
        # The demo alumni answer through the real verb: alumni1 has seats (a QR ticket), alumni2 waits.
        for email, member in named.items():
            if spec.key != "year_end" or email == "alumni2@demo.example":
                services.rsvp(event, member, answers={}, share_with_attendees=True)
    return len(UPCOMING)


def _by_alumni(target: Target, today: date, zone: ZoneInfo, actor: User) -> int:
    """A seminar the supporter proposed and the secretariat approved, and a proposal still waiting."""
    network = target.network
    hosts = {m.role: m for m in Membership.objects.filter(network=network, user__email__in=(
        "supporter@demo.example", "alumni3@demo.example")).select_related("user", "network")}  # fmt: skip
    made = 0
    supporter = hosts.get(Role.SUPPORTER)
    if supporter is not None:
        starts = _at(today, 23, 19, zone)
        seminar = Event(
            network=network, title="生成AIを仕事にどう使うか（アルムナイ登壇セミナー）", format=Event.Format.HYBRID,
            description=text_to_html("データ分析の会社を経営するアルムナイが、生成AIの業務活用を事例で紹介します。\n"
                                     "後半は参加者どうしの意見交換です。"),
            venue_name=HQ[0], venue_address=HQ[1], online_url=f"{ONLINE_URL}ai-seminar", starts_at=starts,
            ends_at=starts + timedelta(hours=2), capacity=50,
        )  # fmt: skip
        services.propose(seminar, supporter)
        services.approve(seminar, actor)
        made += 1
    proposer = hosts.get(Role.ALUMNUS)
    if proposer is not None:
        starts = _at(today, 30, 12, zone)
        lunch = Event(
            network=network, title="元法人営業部の同窓ランチ会", venue_name="丸の内 和食処 えにし",
            venue_address="東京都千代田区丸の内二丁目5番1号", starts_at=starts, ends_at=starts + timedelta(hours=2),
            capacity=12,
            description=text_to_html("2010年代に法人営業部にいた皆さんでランチをしませんか。現役の方も歓迎です。"),
        )  # fmt: skip
        services.propose(lunch, proposer)
        made += 1
    return made


def _cancelled(target: Target, today: date, zone: ZoneInfo, actor: User, crowd: list[int]) -> int:
    spec = Spec("bbq", "秋のBBQ交流会（多摩川河川敷）", 3, 11, 4,
                "家族連れ歓迎のバーベキューです。食材と道具は事務局で用意します。",
                venue=("多摩川河川敷 二子玉川緑地", "東京都世田谷区玉川一丁目"), capacity=60)  # fmt: skip
    event = _event(target, spec, today, zone, actor)
    _crowd_rsvps(event, crowd[-8:], 0, actor)
    services.cancel_event(event, actor, "台風の接近が予想されるため、中止とさせていただきます。申し訳ありません。")
    return 1
