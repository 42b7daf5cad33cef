"""The intake funnel: how many were invited or reached, and how many registered, by source.

A handful of aggregate queries whatever the size of the network: one over invitations, one over
registrations grouped by channel, one over channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from enishi.intake.models import AlumniInvitation, JoinChannel, Registration
from enishi.networks.models import Network


@dataclass
class FunnelRow:
    label: str | Promise
    reached: int  # invitations sent, flyers handed out, or visits of a link
    opened: int | None  # invitation links opened (None where not measurable)
    started: int | None  # registrations begun (accounts created on the join page)
    registered: int
    bounced: int | None = None
    kind: str = ""

    @property
    def rate(self) -> int | None:
        return round(100 * self.registered / self.reached) if self.reached else None


def funnel(network: Network, since: datetime | None = None) -> list[FunnelRow]:
    """Rows by source: personal email, automatic email, flyer, then each join link, referrals, the bare page."""
    invitations = AlumniInvitation.objects.filter(network=network)
    registrations = Registration.objects.filter(network=network)
    if since is not None:
        invitations = invitations.filter(created_at__gte=since)
        registrations = registrations.filter(created_at__gte=since)
    rows = _invitation_rows(invitations)
    by_channel = {
        row["channel"]: row
        for row in registrations.values("channel").annotate(
            started=Count("pk"),
            sent=Count("pk", filter=~Q(status=Registration.Status.DRAFT)),
            approved=Count("pk", filter=Q(status=Registration.Status.APPROVED)),
        )
    }
    referral_rows: list[FunnelRow] = []
    for link in JoinChannel.objects.filter(network=network).order_by("kind", "-created_at"):
        counts = by_channel.get(link.pk, {})
        row = FunnelRow(
            label=_channel_label(link),
            reached=link.visits,
            opened=None,
            started=counts.get("started", 0),
            registered=counts.get("approved", 0),
            kind=link.kind,
        )
        (referral_rows if link.kind == JoinChannel.Kind.REFERRAL else rows).append(row)
    if referral_rows:
        rows.append(
            FunnelRow(
                label=_("Referrals by alumni (%(links)d links)") % {"links": len(referral_rows)},
                reached=sum(row.reached for row in referral_rows),
                opened=None,
                started=sum((row.started or 0) for row in referral_rows),
                registered=sum(row.registered for row in referral_rows),
                kind=JoinChannel.Kind.REFERRAL,
            )
        )
    direct = by_channel.get(None, {})
    rows.append(
        FunnelRow(
            label=_("Join page without a link"),
            reached=direct.get("started", 0),
            opened=None,
            started=direct.get("started", 0),
            registered=direct.get("approved", 0),
            kind="public",
        )
    )
    return rows


def _invitation_rows(invitations: QuerySet[AlumniInvitation]) -> list[FunnelRow]:
    counts = invitations.aggregate(
        **{
            f"{source}_{measure}": Count("pk", filter=condition & source_filter)
            for source, source_filter in (
                ("email", Q(delivery=AlumniInvitation.Delivery.EMAIL, automatic=False)),
                ("auto", Q(delivery=AlumniInvitation.Delivery.EMAIL, automatic=True)),
                ("flyer", Q(delivery=AlumniInvitation.Delivery.FLYER)),
            )
            for measure, condition in (
                ("sent", Q()),
                ("opened", Q(opened_at__isnull=False)),
                ("registered", Q(accepted_at__isnull=False)),
                ("bounced", Q(bounced_at__isnull=False)),
            )
        }
    )
    labels = {
        "email": _("Personal invitations by email"),
        "auto": _("Automatic invitations after the leave date"),
        "flyer": _("Flyers handed out"),
    }
    return [
        FunnelRow(
            label=label,
            reached=counts[f"{source}_sent"],
            opened=counts[f"{source}_opened"],
            started=None,
            registered=counts[f"{source}_registered"],
            bounced=counts[f"{source}_bounced"] if source != "flyer" else None,
            kind=source,
        )
        for source, label in labels.items()
    ]


def _channel_label(link: JoinChannel) -> str:
    kind = str(link.get_kind_display())
    return f"{kind}: {link.label}" if link.label else kind


def registered_total(rows: list[FunnelRow]) -> int:
    return sum(row.registered for row in rows)
