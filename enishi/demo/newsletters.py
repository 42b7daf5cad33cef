"""Demo newsletters: the autumn issue, sent ten days ago with a believable report (opens, clicks on its
two links, two bounces, members who turned newsletters off), and the next issue as a draft."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from enishi.demo.services import Target
from enishi.lib.richtext import clean_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.newsletters.models import Delivery, LinkClick, Newsletter, NewsletterLink

BATCH_SIZE = 5000
OPEN_RATE = 0.42
CLICK_RATE = 0.09
SKIPPED_RATE = 0.03
BOUNCED = 2

AUTUMN_JA = """<p>朝晩がすっかり涼しくなりました。アルムナイの皆さま、いかがお過ごしでしょうか。</p>
<h2>秋のアルムナイ交流会を開催します</h2>
<p>11月に本社で交流会を開きます。懐かしい仲間との再会に加え、現役社員との座談会もあります。</p>
<p><a href="https://example.com/alumni/events/2026-autumn">交流会の詳細と申し込み</a></p>
<h2>社内制度の変化</h2>
<ul><li>カムバック採用の対象が退職後10年以内に広がりました</li><li>副業の届出制度が始まりました</li>
<li>全部署でリモートワークが選べるようになりました</li></ul>
<p>募集中の求人・業務委託案件は<a href="https://example.com/alumni/careers">こちら</a>からご覧いただけます。</p>
<p>今後ともよろしくお願いいたします。</p>"""
AUTUMN_EN = """<p>Autumn is here. We hope you are well.</p>
<h2>Alumni get-together this autumn</h2>
<p>We meet at the head office in November: see former colleagues again and talk with today's teams.</p>
<p><a href="https://example.com/alumni/events/2026-autumn">Details and registration</a></p>
<h2>What changed at the company</h2>
<ul><li>Comeback hiring is now open up to ten years after leaving</li><li>Side jobs are now simply declared</li>
<li>Every department can now work remotely</li></ul>
<p>Open positions and contract work are <a href="https://example.com/alumni/careers">here</a>.</p>"""
LINKS = ("https://example.com/alumni/events/2026-autumn", "https://example.com/alumni/careers")


def seed_newsletters(target: Target, today: date) -> int:
    """The sent autumn issue with its Delivery rows, and a draft; returns the number of deliveries."""
    network = target.network
    rng = random.Random(f"newsletters:{network.slug}")
    started = timezone.make_aware(datetime.combine(today - timedelta(days=10), time(12)))
    with transaction.atomic(), scope(network=network):
        editor = next((m.user for m in Membership.objects.filter(network=network, role=Role.EDITOR)[:1]), None)
        autumn = Newsletter.objects.create(
            network=network, subject_ja="アルムナイ通信 2026年秋号", body_ja=clean_html(AUTUMN_JA),
            subject_en="Alumni letter, autumn 2026", body_en=clean_html(AUTUMN_EN), author=editor,
            status=Newsletter.Status.SENT, send_at=started, started_at=started, heartbeat_at=started,
            finished_at=started + timedelta(minutes=3),
        )  # fmt: skip
        links = NewsletterLink.objects.bulk_create(
            NewsletterLink(network=network, newsletter=autumn, position=position, url=url)
            for position, url in enumerate(LINKS, start=1)
        )
        Newsletter.objects.create(
            network=network, subject_ja="アルムナイ通信 2027年新春号（下書き）", author=editor,
            body_ja=clean_html("<p>新年のごあいさつと、春のイベント予定をお届けします（原稿作成中）。</p>"),
        )  # fmt: skip
        members = (
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
            .exclude(user__email="")
            .order_by("pk")
            .values_list("pk", "user__email", "user__family_name", "user__given_name", "user__language")
        )
        count = 0
        batch: list[Delivery] = []
        for member_id, email, family, given, language in members.iterator(chunk_size=BATCH_SIZE):
            batch.append(_delivery(autumn, rng, member_id, email, f"{family}\u3000{given}".strip(), language,
                                   started, bounce=count < BOUNCED))  # fmt: skip
            count += 1
            if len(batch) >= BATCH_SIZE:
                _store(batch, links, rng)
                batch = []
        _store(batch, links, rng)
    return count


def _delivery(
    newsletter: Newsletter, rng: random.Random, member_id: int, email: str, name: str, language: str,
    started: datetime, *, bounce: bool,
) -> Delivery:  # fmt: skip
    sent_at = started + timedelta(seconds=rng.randint(1, 170))
    delivery = Delivery(
        network_id=newsletter.network_id, newsletter=newsletter, membership_id=member_id, email=email, name=name,
        language="en" if language == "en" else "ja", token=secrets.token_hex(12), status=Delivery.Status.SENT,
        attempts=1, sent_at=sent_at,
    )  # fmt: skip
    if bounce:
        delivery.status, delivery.sent_at, delivery.error = Delivery.Status.BOUNCED, None, "550 5.1.1 User unknown"
    elif rng.random() < SKIPPED_RATE:
        delivery.status, delivery.sent_at, delivery.attempts = Delivery.Status.SKIPPED, None, 0
    elif rng.random() < OPEN_RATE:
        delivery.opened_at = sent_at + timedelta(minutes=rng.randint(5, 60 * 72))
        if rng.random() < CLICK_RATE / OPEN_RATE:
            delivery.clicked_at = delivery.opened_at + timedelta(seconds=rng.randint(10, 300))
    return delivery


def _store(batch: list[Delivery], links: list[NewsletterLink], rng: random.Random) -> None:
    if not batch:
        return
    created = Delivery.objects.bulk_create(batch)
    if created and created[0].pk is None:  # no RETURNING: read the clickers back by token
        tokens = [delivery.token for delivery in batch if delivery.clicked_at]
        created = list(Delivery.objects.filter(token__in=tokens))
    clicks: list[LinkClick] = []
    for delivery in created:
        if delivery.clicked_at is None:
            continue
        chosen = links if rng.random() < 0.3 else [links[0] if rng.random() < 0.7 else links[1]]
        clicks.extend(LinkClick(network_id=delivery.network_id, delivery=delivery, link=link) for link in chosen)
    LinkClick.objects.bulk_create(clicks)
