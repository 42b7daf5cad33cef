"""Business verbs of newsletters: save, schedule, start, pause, resume, cancel, test-send, report,
and the open / click records. The sending loop itself is in sending.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from enishi.accounts.models import User
from enishi.directory.services import segment_member_ids
from enishi.intake.models import EmploymentRecord
from enishi.lib.richtext import clean_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.newsletters import sending
from enishi.newsletters.models import Delivery, LinkClick, Newsletter, NewsletterLink
from enishi.notifications.services import opted_out_of_email, queue_rendered_email
from enishi.notifications.topics import Topic
from enishi.privacy.services import audit

DELIVERY_BATCH_SIZE = 2000
# How long a send may go without progress before the maintenance job starts another sender.
STALLED_AFTER_SECONDS = 60


def save_newsletter(
    newsletter: Newsletter, actor: User, changed: list[str], request: HttpRequest | None = None
) -> Newsletter:
    """Save a draft (or a scheduled one, still editable) as the editor left it, its texts sanitised."""
    if not newsletter.is_editable:
        raise ValueError("A newsletter that started sending is not edited any more.")
    with transaction.atomic():
        newsletter.body_ja = clean_html(newsletter.body_ja)
        newsletter.body_en = clean_html(newsletter.body_en) if newsletter.body_en.strip() else ""
        if newsletter.audience != Newsletter.Audience.COMPANY:
            newsletter.company = None
        if newsletter.audience != Newsletter.Audience.SEGMENT:
            newsletter.segment = None
        if newsletter.pk is None:
            newsletter.author = actor
        newsletter.save()
        audit(newsletter.network, actor, "newsletter.saved", newsletter, request=request, fields=sorted(changed))
    return newsletter


def schedule(newsletter: Newsletter, actor: User, at: datetime, request: HttpRequest | None = None) -> bool:
    """Send at `at` (the worker's maintenance job starts it); returns False if it is not editable."""
    with transaction.atomic():
        updated = Newsletter.objects.filter(
            pk=newsletter.pk,
            network=newsletter.network,
            status__in=(Newsletter.Status.DRAFT, Newsletter.Status.SCHEDULED),
        ).update(status=Newsletter.Status.SCHEDULED, send_at=at, updated_at=timezone.now())
        if updated:
            audit(
                newsletter.network, actor, "newsletter.scheduled", newsletter, request=request, send_at=at.isoformat()
            )
    newsletter.refresh_from_db()
    return bool(updated)


def unschedule(newsletter: Newsletter, actor: User, request: HttpRequest | None = None) -> bool:
    with transaction.atomic():
        updated = Newsletter.objects.filter(
            pk=newsletter.pk, network=newsletter.network, status=Newsletter.Status.SCHEDULED
        ).update(status=Newsletter.Status.DRAFT, send_at=None, updated_at=timezone.now())
        if updated:
            audit(newsletter.network, actor, "newsletter.unscheduled", newsletter, request=request)
    newsletter.refresh_from_db()
    return bool(updated)


# --- Recipients -----------------------------------------------------------------------------------


@dataclass
class Audience:
    """Who gets the newsletter: (membership id, email, name, language) per recipient, and who is skipped."""

    recipients: list[tuple[int, str, str, str]] = field(default_factory=list)
    unsubscribed: list[tuple[int, str, str, str]] = field(default_factory=list)


def audience_of(newsletter: Newsletter) -> Audience:
    """Active alumni and supporters with an email, in the chosen audience; one row per member.

    Three queries whatever the size: the members, who opted out (notifications' bulk helper, not one
    wants_email() per member) and, for a company, its employment records (a subquery).
    """
    network = newsletter.network
    members = Membership.objects.filter(network=network, state=MembershipState.ACTIVE, role__in=ALUMNI_ROLES).exclude(
        user__email=""
    )
    if newsletter.audience == Newsletter.Audience.COMPANY:
        of_company = EmploymentRecord.objects.filter(network=network, company=newsletter.company_id).values(
            "membership_id"
        )
        members = members.filter(pk__in=of_company)
    chosen: set[int] | None = None
    if newsletter.audience == Newsletter.Audience.SEGMENT:
        chosen = set(segment_member_ids(newsletter.segment)) if newsletter.segment is not None else set()
    opted_out = set(opted_out_of_email(network, Topic.NEWSLETTER).values_list("membership_id", flat=True))
    result = Audience()
    rows = members.order_by("pk").values_list(
        "pk", "user__email", "user__family_name", "user__given_name", "user__language"
    )
    for member_id, email, family, given, language in rows.iterator(chunk_size=DELIVERY_BATCH_SIZE):
        if chosen is not None and member_id not in chosen:
            continue
        name = "\u3000".join(part for part in (family, given) if part)
        row = (member_id, email, name, sending.newsletter_language(newsletter, language))
        (result.unsubscribed if member_id in opted_out else result.recipients).append(row)
    return result


def audience_size(newsletter: Newsletter) -> tuple[int, int]:
    """(recipients, unsubscribed) if it were sent now: the console shows it before sending."""
    found = audience_of(newsletter)
    return len(found.recipients), len(found.unsubscribed)


# --- Sending ----------------------------------------------------------------------------------------


def start_sending(newsletter: Newsletter, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Fix the recipients (one Delivery row each) and hand the send to the worker.

    Idempotent: only the call that moves the newsletter to `sending` creates rows, and the unique
    (newsletter, membership) constraint would refuse a second copy anyway.
    """
    network = newsletter.network
    with transaction.atomic():
        started = Newsletter.objects.filter(
            pk=newsletter.pk, network=network, status__in=(Newsletter.Status.DRAFT, Newsletter.Status.SCHEDULED)
        ).update(status=Newsletter.Status.SENDING, started_at=timezone.now(), heartbeat_at=timezone.now())
        if not started:
            return False
        newsletter.refresh_from_db()
        _number_links(newsletter)
        found = audience_of(newsletter)
        _create_deliveries(newsletter, found.recipients, Delivery.Status.QUEUED)
        _create_deliveries(newsletter, found.unsubscribed, Delivery.Status.SKIPPED)
        audit(network, actor, "newsletter.sent", newsletter, request=request,
              recipients=len(found.recipients), unsubscribed=len(found.unsubscribed))  # fmt: skip
        transaction.on_commit(lambda: enqueue_send(newsletter.pk), robust=True)
    return True


def enqueue_send(newsletter_id: int) -> None:
    from enishi.newsletters.tasks import send_newsletter

    send_newsletter.enqueue(newsletter_id)


def _number_links(newsletter: Newsletter) -> None:
    urls: list[str] = []
    for body in (newsletter.body_ja, newsletter.body_en if newsletter.has_english else ""):
        urls.extend(url for url in sending.link_urls(body) if url not in urls)
    NewsletterLink.objects.filter(network=newsletter.network, newsletter=newsletter).delete()
    NewsletterLink.objects.bulk_create(
        [NewsletterLink(network=newsletter.network, newsletter=newsletter, position=position, url=url)
         for position, url in enumerate(urls, start=1)]
    )  # fmt: skip


def _create_deliveries(newsletter: Newsletter, rows: list[tuple[int, str, str, str]], status: str) -> None:
    network_id = newsletter.network_id
    for start in range(0, len(rows), DELIVERY_BATCH_SIZE):
        Delivery.objects.bulk_create(
            [
                Delivery(network_id=network_id, newsletter=newsletter, membership_id=member_id, email=email,
                         name=name[:130], language=language, token=secrets.token_hex(12), status=status)
                for member_id, email, name, language in rows[start : start + DELIVERY_BATCH_SIZE]
            ],
            ignore_conflicts=True,
        )  # fmt: skip


def pause(newsletter: Newsletter, actor: User, request: HttpRequest | None = None) -> bool:
    """Stop claiming: the senders finish the messages they hold (at most one batch per connection)."""
    return _move(newsletter, actor, (Newsletter.Status.SENDING,), Newsletter.Status.PAUSED, "newsletter.paused",
                 request)  # fmt: skip


def resume(newsletter: Newsletter, actor: User, request: HttpRequest | None = None) -> bool:
    moved = _move(newsletter, actor, (Newsletter.Status.PAUSED,), Newsletter.Status.SENDING, "newsletter.resumed",
                  request)  # fmt: skip
    if moved:
        transaction.on_commit(lambda: enqueue_send(newsletter.pk), robust=True)
    return moved


def cancel(newsletter: Newsletter, actor: User, request: HttpRequest | None = None) -> bool:
    """Nothing more is sent; what was sent stays in the report, the rest stays `queued` (never sent)."""
    return _move(
        newsletter, actor,
        (Newsletter.Status.DRAFT, Newsletter.Status.SCHEDULED, Newsletter.Status.SENDING, Newsletter.Status.PAUSED),
        Newsletter.Status.CANCELLED, "newsletter.cancelled", request,
    )  # fmt: skip


def _move(
    newsletter: Newsletter, actor: User, sources: tuple[str, ...], target: str, action: str, request: HttpRequest | None
) -> bool:
    with transaction.atomic():
        moved = Newsletter.objects.filter(pk=newsletter.pk, network=newsletter.network, status__in=sources).update(
            status=target, heartbeat_at=timezone.now(), updated_at=timezone.now()
        )
        if moved:
            audit(newsletter.network, actor, action, newsletter, request=request)
    newsletter.refresh_from_db()
    return bool(moved)


def delete_draft(newsletter: Newsletter, actor: User, request: HttpRequest | None = None) -> bool:
    if newsletter.status != Newsletter.Status.DRAFT:
        return False
    with transaction.atomic():
        audit(
            newsletter.network, actor, "newsletter.deleted", newsletter, request=request, subject=newsletter.subject_ja
        )
        newsletter.delete()
    return True


def test_send(newsletter: Newsletter, actor: User, to: str, language: str) -> None:
    """The newsletter as `to` would get it, subject marked [TEST]; no Delivery row, links untracked."""
    prepared = sending.prepare(newsletter, language, track=False)
    settings_url = settings.SITE_URL.rstrip("/") + reverse(
        "network:notification_settings", args=[newsletter.network.slug]
    )  # a test send unsubscribes nobody: its link goes to the settings page
    person = sending.Personal(to=to, name=actor.full_name or to, token="test", unsubscribe_url=settings_url)  # noqa: S106
    text, body = prepared.parts(person)
    queue_rendered_email(
        kind="newsletter_test", to=to, language=language, subject=f"[TEST] {prepared.subject}", text_body=text,
        html_body=body, network=newsletter.network, reference=f"newsletter:{newsletter.pk}",
    )  # fmt: skip


# --- The worker's maintenance job -------------------------------------------------------------------


def newsletter_maintenance() -> int:
    """Start the scheduled newsletters whose time has come, and restart sends whose worker died.

    Called by the worker every few minutes (ops worker MAINTENANCE_JOBS) and when it starts.
    Returns how many sends it started or restarted.
    """
    now = timezone.now()
    count = 0
    with scopes_disabled():  # the worker serves every network; each verb below filters by its network
        due = Newsletter.objects.select_related("network").filter(status=Newsletter.Status.SCHEDULED, send_at__lte=now)
        for newsletter in due[:50]:
            count += start_sending(newsletter, None)
        stalled_before = now - timedelta(seconds=min(STALLED_AFTER_SECONDS, sending.lease_seconds() / 2))
        stalled = Newsletter.objects.filter(status=Newsletter.Status.SENDING).filter(
            Q(heartbeat_at__lt=stalled_before) | Q(heartbeat_at__isnull=True)
        )
        for newsletter_id in stalled.values_list("pk", flat=True)[:50]:
            Newsletter.objects.filter(pk=newsletter_id).update(heartbeat_at=now)  # one restart per period
            enqueue_send(newsletter_id)
            count += 1
    return count


# --- Opens and clicks -------------------------------------------------------------------------------


def record_open(network_id: int, token: str) -> bool:
    """The tracking pixel was loaded: the first time counts. Returns whether the token is one of ours."""
    found = Delivery.objects.filter(network_id=network_id, token=token)
    if found.filter(opened_at__isnull=True).update(opened_at=timezone.now()):
        return True
    return found.exists()


def record_click(network_id: int, token: str, position: int) -> str | None:
    """The URL of link `position` of the newsletter this token belongs to, after recording the first
    click; None if either does not exist. The target is only ever a URL stored with the newsletter."""
    delivery = Delivery.objects.filter(network_id=network_id, token=token).only("pk", "newsletter_id").first()
    if delivery is None:
        return None
    link = NewsletterLink.objects.filter(
        network_id=network_id, newsletter_id=delivery.newsletter_id, position=position
    ).first()
    if link is None:
        return None
    now = timezone.now()
    LinkClick.objects.bulk_create(
        [LinkClick(network_id=network_id, delivery=delivery, link=link)], ignore_conflicts=True
    )
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    # A click proves the message was opened, even where the mail app blocked the pixel.
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    return link.url


# --- Report -----------------------------------------------------------------------------------------


@dataclass
class Report:
    recipients: int
    queued: int
    sending: int
    sent: int
    failed: int
    bounced: int
    skipped: int
    opened: int
    clicked: int
    links: list[tuple[str, int]]

    @property
    def delivered(self) -> int:
        """Accepted by the SMTP server and not bounced (bounces after acceptance are not received)."""
        return self.sent

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.bounced

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.recipients) if self.recipients else 0

    @property
    def open_rate(self) -> int:
        return round(100 * self.opened / self.sent) if self.sent else 0

    @property
    def click_rate(self) -> int:
        return round(100 * self.clicked / self.sent) if self.sent else 0


def report(newsletter: Newsletter) -> Report:
    """Every figure of the report page in two queries (counts, then clicks per link)."""
    status = Delivery.Status
    counts = Delivery.objects.filter(network=newsletter.network, newsletter=newsletter).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(status=status.QUEUED)),
        sending=Count("pk", filter=Q(status=status.SENDING)),
        sent=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        bounced=Count("pk", filter=Q(status=status.BOUNCED)),
        skipped=Count("pk", filter=Q(status=status.SKIPPED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
    )
    links = list(
        NewsletterLink.objects.filter(network=newsletter.network, newsletter=newsletter)
        .annotate(clickers=Count("clicks"))
        .order_by("position")
        .values_list("url", "clickers")
    )
    return Report(
        recipients=counts["total"] - counts["skipped"], queued=counts["queued"], sending=counts["sending"],
        sent=counts["sent"], failed=counts["failed"], bounced=counts["bounced"], skipped=counts["skipped"],
        opened=counts["opened"], clicked=counts["clicked"], links=links,
    )  # fmt: skip
