"""Rendering and queueing of emails (each email has one function in `emails.py`), and the notifications:
notify() and its preferences, withdraw(), one-click unsubscribe."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from enishi.lib.richtext import plain_excerpt
from enishi.networks.models import Membership, Network
from enishi.networks.roles import MembershipState
from enishi.notifications.kinds import KINDS
from enishi.notifications.models import Notification, NotificationPreference, OutboundEmail
from enishi.notifications.tasks import deliver_email
from enishi.notifications.topics import (
    DEFAULT_DIGEST_FREQUENCY,
    DEFAULTS,
    DIGEST_TOPIC,
    ON_OFF_TOPICS,
    Delivery,
    DigestFrequency,
    Topic,
)
from enishi.privacy.services import audit

logger = logging.getLogger(__name__)


def queue_email(
    *,
    kind: str,
    to: str,
    language: str,
    context: dict[str, Any],
    network: Network | None = None,
    headers: dict[str, str] | None = None,
    reference: str = "",
) -> OutboundEmail:
    """Render templates `emails/<kind>-subject.txt`, `-body.txt`, `-body.html` and queue them.

    Rendering happens now, in the recipient's language; delivery happens in the worker after
    the surrounding transaction commits.
    """
    base = {"network": network, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{kind}-subject.txt", base).split())
        text_body = render_to_string(f"emails/{kind}-body.txt", base)
        html_body = render_to_string(f"emails/{kind}-body.html", base)
    return queue_rendered_email(
        kind=kind, to=to, language=language, subject=subject, text_body=text_body,
        html_body=html_body, network=network, headers=headers, reference=reference,
    )  # fmt: skip


def queue_rendered_email(
    *,
    kind: str,
    to: str,
    language: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    network: Network | None = None,
    headers: dict[str, str] | None = None,
    reference: str = "",
    inline_images: dict[str, dict[str, str]] | None = None,
) -> OutboundEmail:
    email = OutboundEmail.objects.create(
        network=network, kind=kind, to=to, language=language, subject=subject[:300],
        text_body=text_body, html_body=html_body, headers=headers or {}, reference=reference,
        inline_images=inline_images or {},
    )  # fmt: skip
    # robust: a queue that is down must not turn a saved action into an error page; the worker's
    # maintenance re-queues emails left queued (requeue_undelivered_emails).
    transaction.on_commit(lambda: deliver_email.enqueue(email.pk), robust=True)
    return email


# ---------------------------------------------------------------------------------------------
# Notifications: the bell, the email per topic, the digest. See docs/ARCHITECTURE.md "Notifications".

UNSUBSCRIBE_SALT = "enishi.notifications.unsubscribe"
TEXT_LENGTH = 200


class _Blank(dict[str, str]):
    """Params for a kind's sentence: a placeholder the caller did not give renders as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def sentence(notification: Notification) -> str:
    """The notification's sentence in the active language (call inside translation.override)."""
    template = KINDS.get(notification.kind)
    actor = notification.actor.user.full_name if notification.actor_id and notification.actor else ""
    values = _Blank({str(key): str(value) for key, value in (notification.params or {}).items()})
    values["actor"] = actor or str(_("Someone"))
    if template is None:  # a kind removed since: show what we have rather than fail the page
        return notification.text or notification.kind
    try:
        return str(template) % values
    except (TypeError, ValueError):  # a broken translation must not break the bell
        return str(template)


def _is_local_path(url: str) -> bool:
    return (
        url.startswith("/")
        and not url.startswith("//")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None, require_https=False)
    )


def _preferences(
    membership_ids: Iterable[int], network_id: int, topic: str, subtopic: str
) -> dict[int, dict[str, str]]:
    """{membership id: {"topic": value, "subtopic": value}} for the rows that exist (one query)."""
    rows = NotificationPreference.objects.filter(
        Q(topic=topic, subtopic__in={"", subtopic}) | Q(topic=DIGEST_TOPIC, subtopic=""),
        network_id=network_id, membership_id__in=list(membership_ids),
    ).values_list("membership_id", "topic", "subtopic", "value")  # fmt: skip
    found: dict[int, dict[str, str]] = {}
    for membership_id, row_topic, row_subtopic, value in rows:
        key = DIGEST_TOPIC if row_topic == DIGEST_TOPIC else "subtopic" if row_subtopic else "topic"
        found.setdefault(membership_id, {})[key] = value
    return found


def _effective(found: dict[str, str], topic: str, subtopic: str) -> str:
    """The delivery (topics.Delivery value) for a topic and subtopic, from the member's rows."""
    if subtopic and found.get("subtopic") == Delivery.OFF:
        return Delivery.OFF
    choice = found.get("topic") or DEFAULTS.get(topic, Delivery.APP)
    if choice == Delivery.DIGEST and found.get(DIGEST_TOPIC) == DigestFrequency.NEVER:
        return Delivery.APP  # no digest will come: the bell is where it waits
    return choice


def delivery_for(membership: Membership, topic: str, subtopic: str = "") -> str:
    """How `membership` wants `topic` (and `subtopic`): a topics.Delivery value."""
    found = _preferences([membership.pk], membership.network_id, topic, subtopic)
    return _effective(found.get(membership.pk, {}), topic, subtopic)


def wants_email(membership: Membership, topic: str, subtopic: str = "") -> bool:
    """Whether to email this active member about `topic` (newsletters pick their recipients with it).

    For the digest pseudo-topic: whether their digest frequency is not "never".
    """
    if membership.state != MembershipState.ACTIVE:
        return False
    if topic == DIGEST_TOPIC:
        return digest_frequency(membership) != DigestFrequency.NEVER
    return delivery_for(membership, topic, subtopic) in (Delivery.EMAIL, Delivery.ON)


def opted_out_of_email(network: Network, topic: str, subtopic: str = "") -> QuerySet[NotificationPreference, Any]:
    """Membership ids of the network that turned email for `topic`/`subtopic` off, as a subquery.

    For bulk senders (newsletters): `members.exclude(pk__in=opted_out_of_email(network, topic))`
    instead of one wants_email() query per member. Only correct for topics whose default is an
    email (EMAIL or ON), which is every topic that is bulk-emailed.
    """
    no_email = [Delivery.DIGEST, Delivery.APP, Delivery.OFF]
    condition = Q(subtopic="", value__in=no_email)
    if subtopic:
        condition |= Q(subtopic=subtopic, value=Delivery.OFF)
    return NotificationPreference.objects.filter(condition, network=network, topic=topic).values("membership_id")


def digest_frequency(membership: Membership) -> str:
    row = NotificationPreference.objects.filter(
        network_id=membership.network_id, membership=membership, topic=DIGEST_TOPIC, subtopic=""
    ).values_list("value", flat=True).first()  # fmt: skip
    return row or DEFAULT_DIGEST_FREQUENCY


@dataclass
class Preferences:
    """Everything one member chose, defaults filled in (the settings page)."""

    topics: dict[str, str]
    digest_frequency: str
    news_off: set[str]  # news category ids (as strings) turned off


def preferences_of(membership: Membership) -> Preferences:
    topics = {str(topic): str(value) for topic, value in DEFAULTS.items()}
    frequency: str = DEFAULT_DIGEST_FREQUENCY
    news_off: set[str] = set()
    rows = NotificationPreference.objects.filter(network_id=membership.network_id, membership=membership)
    for topic, subtopic, value in rows.values_list("topic", "subtopic", "value"):
        if topic == DIGEST_TOPIC:
            frequency = value
        elif subtopic:
            if topic == Topic.NEWS and value == Delivery.OFF:
                news_off.add(subtopic)
        elif topic in topics:
            topics[topic] = value
    return Preferences(topics=topics, digest_frequency=frequency, news_off=news_off)


def set_preference(membership: Membership, topic: str, value: str, subtopic: str = "") -> bool:
    """Store one choice; a choice equal to the default deletes the row. Returns whether it changed."""
    if topic == DIGEST_TOPIC:
        default = DEFAULT_DIGEST_FREQUENCY if not subtopic else ""
    elif subtopic:
        default = Delivery.ON
    else:
        default = DEFAULTS.get(topic, Delivery.APP)
    rows = NotificationPreference.objects.filter(
        network_id=membership.network_id, membership=membership, topic=topic, subtopic=subtopic
    )
    current = rows.values_list("value", flat=True).first() or default
    if current == value:
        return False
    if value == default:
        rows.delete()
    else:
        NotificationPreference.objects.update_or_create(
            network_id=membership.network_id, membership=membership, topic=topic, subtopic=subtopic,
            defaults={"value": value},
        )  # fmt: skip
    # What waits for a digest that will no longer carry it stays in the bell only.
    waiting = Notification.objects.filter(
        network_id=membership.network_id, recipient=membership, delivery=Notification.Delivery.DIGEST,
        digested_at__isnull=True,
    )  # fmt: skip
    if topic == DIGEST_TOPIC and value == DigestFrequency.NEVER:
        waiting.update(delivery=Notification.Delivery.APP)
    elif topic != DIGEST_TOPIC and not subtopic and value != Delivery.DIGEST:
        waiting.filter(topic=topic).update(delivery=Notification.Delivery.APP)
    return True


def notify(
    recipient: Membership,
    *,
    topic: str,
    kind: str,
    url: str,
    actor: Membership | None = None,
    params: dict[str, str] | None = None,
    text: str = "",
    reference: str = "",
    subtopic: str = "",
    email: Callable[[Notification], object] | None = None,
    timely: bool = False,
) -> Notification | None:
    """Tell `recipient` that something happened (the bell, and an email or the digest per their choice).

    Call it inside your own transaction: the notification and its email are saved with your change
    and the email leaves after commit (a queue that is down does not raise). Returns None, storing
    nothing, when the actor is the recipient, the recipient is not active or has turned the topic
    off. Raises ValueError for a cross-network actor, an unknown topic or kind, or a `url` that is
    not a local path. For the on/off topics (newsletters), "on" records the bell only: the newsletter
    app sends the newsletter itself to the members wants_email() picks. `email` replaces the generic
    notification email by a richer one of the caller's (an event reminder with its ticket), sent
    when the person wants this topic by email; it queues the email and should carry
    unsubscribe_headers(recipient, topic). `timely` marks a notice that is worthless later (an
    event's reminder): for a person who chose the digest it stays in the app, never in the digest.
    """
    if actor is not None and actor.network_id != recipient.network_id:
        raise ValueError("A notification never crosses networks.")
    _check(topic, kind, url)
    if actor is not None and actor.pk == recipient.pk:
        return None
    if recipient.state != MembershipState.ACTIVE:
        return None
    found = _preferences([recipient.pk], recipient.network_id, topic, subtopic).get(recipient.pk, {})
    choice = _effective(found, topic, subtopic)
    if choice == Delivery.OFF:
        return None
    if timely and choice == Delivery.DIGEST:
        choice = Delivery.APP
    notification = Notification.objects.create(
        network_id=recipient.network_id, recipient=recipient, topic=topic, subtopic=subtopic, kind=kind,
        params=dict(params or {}), actor=actor, url=url, text=plain_excerpt(text, TEXT_LENGTH) if text else "",
        reference=reference, delivery=_delivery(choice),
    )  # fmt: skip
    if notification.delivery == Notification.Delivery.EMAIL:
        _email(notification, email)
    return notification


def notify_many(
    recipients: Iterable[Membership],
    *,
    topic: str,
    kind: str,
    url: str,
    actor: Membership | None = None,
    params: dict[str, str] | None = None,
    text: str = "",
    reference: str = "",
    subtopic: str = "",
) -> int:
    """notify() for many recipients of one network at once (news to a whole network, a group post).

    Same rules as notify(); preferences are read and notifications created in batches. Returns how
    many notifications were stored. Emails are still one per recipient who wants them at once.
    """
    _check(topic, kind, url)
    excerpt = plain_excerpt(text, TEXT_LENGTH) if text else ""
    stored = 0
    batch: list[Membership] = []
    for recipient in recipients:
        batch.append(recipient)
        if len(batch) >= NOTIFY_BATCH_SIZE:
            stored += _notify_batch(batch, topic, kind, url, actor, params, excerpt, reference, subtopic)
            batch = []
    if batch:
        stored += _notify_batch(batch, topic, kind, url, actor, params, excerpt, reference, subtopic)
    return stored


NOTIFY_BATCH_SIZE = 1000


def notify_each_once(
    people: QuerySet[Membership],
    *,
    network_id: int,
    reference: str,
    kind: str,
    topic: str,
    url: str,
    params: dict[str, str] | None = None,
    text: str = "",
    subtopic: str = "",
    actor: Membership | None = None,
) -> int:
    """notify_many to `people` except those who already have this kind of notification about
    `reference`: a fan-out task that is retried or resumed finishes without telling anyone twice."""
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    told = Notification.objects.filter(network_id=network_id, reference=reference, kind=kind).values("recipient_id")
    remaining = people.exclude(pk__in=told).order_by("pk").iterator(chunk_size=2000)
    return notify_many(remaining, topic=topic, kind=kind, url=url, actor=actor, params=params, text=text,
                       reference=reference, subtopic=subtopic)  # fmt: skip


def _notify_batch(
    batch: list[Membership],
    topic: str,
    kind: str,
    url: str,
    actor: Membership | None,
    params: dict[str, str] | None,
    excerpt: str,
    reference: str,
    subtopic: str,
) -> int:
    network_id = batch[0].network_id
    if any(member.network_id != network_id for member in batch) or (actor and actor.network_id != network_id):
        raise ValueError("A notification never crosses networks.")
    active = [m for m in batch if m.state == MembershipState.ACTIVE and (actor is None or m.pk != actor.pk)]
    found = _preferences([m.pk for m in active], network_id, topic, subtopic)
    rows = []
    for member in active:
        choice = _effective(found.get(member.pk, {}), topic, subtopic)
        if choice == Delivery.OFF:
            continue
        rows.append(Notification(
            network_id=network_id, recipient=member, topic=topic, subtopic=subtopic, kind=kind,
            params=dict(params or {}), actor=actor, url=url, text=excerpt, reference=reference,
            delivery=_delivery(choice),
        ))  # fmt: skip
    created = Notification.objects.bulk_create(rows)
    for notification in created:
        if notification.delivery == Notification.Delivery.EMAIL:
            if notification.pk is None:  # backends without RETURNING: fetch ids rather than guess
                break
            _email(notification)
    else:
        return len(created)
    # Rare path (no ids from bulk_create): email by re-reading what was just stored.
    for notification in Notification.objects.filter(
        network_id=network_id, reference=reference, kind=kind, delivery=Notification.Delivery.EMAIL,
        emailed_at__isnull=True, recipient_id__in=[n.recipient_id for n in created],
    ).select_related("recipient__user", "actor__user"):  # fmt: skip
        _email(notification)
    return len(created)


def _check(topic: str, kind: str, url: str) -> None:
    if topic not in Topic.values:
        raise ValueError(f"Unknown notification topic {topic!r}: add it to notifications/topics.py")
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}: add it to notifications/kinds.py")
    if not _is_local_path(url):
        raise ValueError("A notification's url must be a local path such as /n/alpha/posts/12/.")


def _delivery(choice: str) -> str:
    if choice == Delivery.EMAIL:
        return Notification.Delivery.EMAIL
    if choice == Delivery.DIGEST:
        return Notification.Delivery.DIGEST
    return Notification.Delivery.APP


def _email(notification: Notification, send: Callable[[Notification], object] | None = None) -> None:
    """Queue the email of one notification; a failure to render or queue never reaches the caller."""
    from enishi.notifications import emails

    try:
        with transaction.atomic():
            (send or emails.notification)(notification)
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    except Exception:
        logger.exception("notification email not queued", extra={"notification": notification.pk})


def withdraw(*, network: Network, reference: str) -> int:
    """Delete every notification about `reference` (a hidden or deleted post): gone from the bell
    and from digests not sent yet. Returns how many were deleted."""
    if not reference:
        return 0
    deleted, _detail = Notification.objects.filter(network=network, reference=reference).delete()
    return deleted


def unsubscribe_token(membership: Membership, topic: str, subtopic: str = "") -> str:
    """Signed (salted, no timestamp: the same link every time, and it never expires).

    Reads only `membership.pk` and `membership.network_id` (newsletters pass a light stand-in)."""
    data = {"n": membership.network_id, "m": membership.pk, "t": topic, "s": subtopic}
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(data, compress=True)


def read_unsubscribe_token(token: str) -> dict[str, Any]:
    """The token's {"n": network id, "m": membership id, "t": topic, "s": subtopic}; BadSignature if
    tampered (tokens never expire: an old email's link keeps working)."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (ValueError, UnicodeDecodeError) as error:  # a valid signature over garbage cannot happen; be safe
        raise signing.BadSignature("unreadable unsubscribe token") from error
    if not isinstance(data, dict) or not {"n", "m", "t", "s"} <= data.keys():
        raise signing.BadSignature("incomplete unsubscribe token")
    return data


def unsubscribe_url(membership: Membership, topic: str, subtopic: str = "") -> str:
    """The absolute one-click unsubscribe URL for one topic of one member (RFC 8058)."""
    path = reverse(
        "network:unsubscribe", args=[membership.network.slug, unsubscribe_token(membership, topic, subtopic)]
    )
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_headers(membership: Membership, topic: str, subtopic: str = "") -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(membership, topic, subtopic)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe(membership: Membership, topic: str, subtopic: str = "", request: HttpRequest | None = None) -> bool:
    """Stop the emails of one topic: the digest → never; an on/off topic (newsletter) → off; any
    other topic → app only. Idempotent; audit-logged when something changed. Returns that."""
    if topic == DIGEST_TOPIC:
        changed = set_preference(membership, DIGEST_TOPIC, DigestFrequency.NEVER)
    elif topic in ON_OFF_TOPICS:
        changed = set_preference(membership, topic, Delivery.OFF, subtopic)
    else:
        current = delivery_for(membership, topic)
        changed = current in (Delivery.EMAIL, Delivery.DIGEST) and set_preference(membership, topic, Delivery.APP)
    if changed:
        audit(membership.network, membership.user, "notifications.unsubscribed", membership, request=request,
              topic=topic, subtopic=subtopic)  # fmt: skip
    return changed


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(
            network_id=notification.network_id, pk=notification.pk, read_at__isnull=True
        ).update(read_at=notification.read_at)


def mark_all_read(membership: Membership) -> int:
    return Notification.objects.filter(
        network_id=membership.network_id, recipient=membership, read_at__isnull=True
    ).update(read_at=timezone.now())


def unread_count(membership: Membership) -> int:
    """The bell: one COUNT on the (network, recipient, read_at) index."""
    return Notification.objects.filter(
        network_id=membership.network_id, recipient=membership, read_at__isnull=True
    ).count()


def news_categories(network: Network) -> list[tuple[str, str]]:
    """(subtopic, name) of the network's news categories: the news subtopics a member can turn off."""
    from enishi.community.models import NewsCategory

    return [(str(category.pk), category.name) for category in NewsCategory.objects.filter(network=network)]


# ---------------------------------------------------------------------------------------------
# The digest: a maintenance job (ops worker MAINTENANCE_JOBS).

DIGEST_PERIODS = {DigestFrequency.WEEKLY: timedelta(days=7), DigestFrequency.MONTHLY: timedelta(days=30)}
DIGEST_LIMIT = 20  # items listed in one email; the rest is "and N more" with a link to the list
DIGEST_BATCH_SIZE = 500  # people per network and run: the next run goes on
RETENTION_DAYS = 365


def _waiting_for_digest(network: Network) -> QuerySet[Notification]:
    # The exact condition of the partial index notification_digest_due.
    return Notification.objects.filter(
        network=network, delivery=Notification.Delivery.DIGEST, digested_at__isnull=True, read_at__isnull=True
    )


def due_for_digest(network: Network, now: datetime) -> list[int]:
    """Membership ids whose digest is due: their oldest unread item waiting for the digest is at least
    one period (a week, or 30 days for "monthly") old. So a digest comes at most once a period, and
    nothing waits longer than one period plus the job's interval."""
    frequency = NotificationPreference.objects.filter(network=network, topic=DIGEST_TOPIC, subtopic="")
    not_weekly = frequency.exclude(value=DigestFrequency.WEEKLY).values("membership_id")
    monthly = frequency.filter(value=DigestFrequency.MONTHLY).values("membership_id")
    waiting = _waiting_for_digest(network)
    weekly_due = waiting.filter(created_at__lte=now - DIGEST_PERIODS[DigestFrequency.WEEKLY]).exclude(
        recipient_id__in=not_weekly
    )
    monthly_due = waiting.filter(
        created_at__lte=now - DIGEST_PERIODS[DigestFrequency.MONTHLY], recipient_id__in=monthly
    )
    ids = set(weekly_due.order_by().values_list("recipient_id", flat=True).distinct()[:DIGEST_BATCH_SIZE])
    ids |= set(monthly_due.order_by().values_list("recipient_id", flat=True).distinct()[:DIGEST_BATCH_SIZE])
    return sorted(ids)


def send_digests(now: datetime | None = None) -> int:
    """Send every due digest, network by network. Idempotent and safe on two workers at once: each
    person's items are claimed (row locks skipping locked rows on PostgreSQL, then a conditional
    UPDATE of digested_at) in the transaction that queues the email. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            for membership_id in due_for_digest(network, now):
                sent += _send_digest(network, membership_id, now)
    return sent


def _send_digest(network: Network, membership_id: int, now: datetime) -> int:
    from enishi.notifications import emails

    with transaction.atomic():  # a failed render releases the claim: the next run tries again
        rows = _waiting_for_digest(network).filter(recipient_id=membership_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.order_by("-created_at", "-id").values_list("pk", flat=True))
        if not ids:
            return 0
        claimed = Notification.objects.filter(network=network, pk__in=ids, digested_at__isnull=True)
        if claimed.update(digested_at=now) != len(ids):
            # Someone else took some of them (SQLite has no row locks): leave it all to them.
            transaction.set_rollback(True)
            return 0
        recipient = Membership.objects.select_related("user", "network").get(network=network, pk=membership_id)
        if recipient.state != MembershipState.ACTIVE:
            return 0  # claimed, so not tried again; a member who left gets no mail
        items = list(
            Notification.objects.filter(network=network, pk__in=ids[:DIGEST_LIMIT])
            .select_related("actor__user")
            .order_by("-created_at", "-id")
        )
        emails.digest(recipient, items, total=len(ids))
    return 1


def prune_old_notifications(now: datetime | None = None) -> int:
    """Delete notifications older than RETENTION_DAYS (the bell is not an archive)."""
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    with scopes_disabled():
        deleted, _detail = Notification.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def mark_read_about(membership: Membership, reference: str) -> int:
    """Mark the member's notifications about `reference` read (they opened the thing itself)."""
    if not reference:
        return 0
    return Notification.objects.filter(
        network_id=membership.network_id, recipient=membership, reference=reference, read_at__isnull=True
    ).update(read_at=timezone.now())
