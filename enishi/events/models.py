"""Events (issue 6): gatherings offline, online or hybrid, with RSVPs, a waitlist, reminders,
check-in at the door and a follow-up.

The seats of an event are counted under a lock on the event's row (services.rsvp): capacity counts
each confirmed RSVP with its plus-ones, and is never exceeded however many people answer at once.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from enishi.lib.richtext import validate_rich_text_length

# The reminders a new event gets (hours before the start); the staff choose among REMINDER_CHOICES.
DEFAULT_REMINDERS = [24, 1]


def default_reminders() -> list[int]:
    return list(DEFAULT_REMINDERS)


REMINDER_CHOICES = ((168, _("A week before")), (24, _("The day before")), (3, _("3 hours before")),
                    (1, _("An hour before")))  # fmt: skip


def new_check_in_token() -> str:
    """What a person's QR code carries: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Event(models.Model):
    class Format(models.TextChoices):
        OFFLINE = "offline", _("At a venue")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("At a venue and online")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for the secretariat")
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")

    class Audience(models.TextChoices):
        NETWORK = "network", _("Everyone in the network")
        COMPANIES = "companies", _("Alumni of some companies")
        SEGMENT = "segment", _("A saved segment")
        INVITED = "invited", _("Invited people only")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (lib.richtext.clean_html), never rendered from anything else.
    description = models.TextField(_("description"), blank=True, validators=[validate_rich_text_length])
    cover = models.ImageField(_("cover picture"), upload_to="events/%Y/%m/", blank=True)
    cover_alt = models.CharField(_("what the picture shows"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.OFFLINE)
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    map_url = models.URLField(_("map link"), max_length=500, blank=True)
    # Shown only to confirmed attendees (and the admins and editors who run events): never in a list, a feed
    # or an .ics for others.
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    host_company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("host company"))  # fmt: skip
    audience = models.CharField(_("who may come"), max_length=10, choices=Audience.choices, default=Audience.NETWORK)
    companies = models.ManyToManyField("networks.Company", blank=True, related_name="+",
                                       verbose_name=_("companies"))  # fmt: skip
    segment = models.ForeignKey("profiles.SavedSegment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("segment"))  # fmt: skip
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Seats, plus-ones included. Empty: no limit."))  # fmt: skip
    registration_deadline = models.DateTimeField(_("registration closes"), null=True, blank=True)
    max_plus_ones = models.PositiveSmallIntegerField(_("plus-ones per person"), default=0)
    staff_may_attend = models.BooleanField(_("current employees may attend"), default=True)
    staff_guests = models.CharField(
        _("from the company"), max_length=300, blank=True,
        help_text=_("Current employees who will be there, e.g. 人事部 山田、営業本部 鈴木"),
    )  # fmt: skip
    attendees_visible = models.BooleanField(_("attendees who agree can see each other"), default=True)
    reminders = models.JSONField(_("reminders"), default=default_reminders, blank=True)  # hours before the start
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # An alumnus or supporter who proposed the event hosts it: they see its attendee list.
    host = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="hosted_events", verbose_name=_("host"))  # fmt: skip
    decline_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True, max_length=2000)
    # Where registrations that come through the event are counted (intake's join link of kind "event").
    join_channel = models.OneToOneField("intake.JoinChannel", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="event")  # fmt: skip
    # The follow-up (survey capability later: any link the staff choose, shown in the thank-you).
    survey_url = models.URLField(_("survey link for the thank-you"), max_length=500, blank=True)
    thank_you_text = models.TextField(_("thank-you message"), blank=True, max_length=4000)
    thanked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped on every change attendees must hear of (the .ics SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ("starts_at", "id")
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "starts_at"), name="event_list"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_venue(self) -> bool:
        return self.format in (self.Format.OFFLINE, self.Format.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def registration_open(self) -> bool:
        now = timezone.now()
        if self.status != self.Status.PUBLISHED or self.starts_at <= now:
            return False
        return self.registration_deadline is None or self.registration_deadline > now

    @property
    def map_link(self) -> str:
        """The staff's map link, else a map search for the address."""
        if self.map_url:
            return self.map_url
        if not self.venue_address:
            return ""
        from urllib.parse import quote

        return "https://www.google.com/maps/search/?api=1&query=" + quote(self.venue_address)


class EventQuestion(models.Model):
    """A question asked when someone answers the RSVP (dietary needs, what to talk about…)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("required"), default=False)
    # One choice per line: a choice question; empty: a free answer.
    choices = models.TextField(_("choices (one per line; empty for a free answer)"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("RSVP question")
        verbose_name_plural = _("RSVP questions")
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class EventInvitee(models.Model):
    """Who an event for a segment or an invited list is for (a segment's members fixed at publication)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitees")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "event", "membership"), name="eventinvitee_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "membership"), name="eventinvitee_member")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.membership_id}"


class Rsvp(models.Model):
    """One person's answer to an event: a seat (confirmed), a place in line (waitlisted), or cancelled."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", pgettext_lazy("rsvp", "Cancelled")

    class CheckIn(models.TextChoices):
        NONE = "", _("Not yet")
        VENUE = "venue", _("At the venue")
        ONLINE = "online", _("Online")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    # Empty only for a walk-in who is not a member (guest_name says who).
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="rsvps")  # fmt: skip
    guest_name = models.CharField(_("name"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    plus_ones = models.PositiveSmallIntegerField(_("plus-ones"), default=0)
    answers = models.JSONField(default=dict, blank=True)  # {question id (str): answer}
    share_with_attendees = models.BooleanField(_("show me to the other attendees"), default=False)
    walk_in = models.BooleanField(default=False)
    check_in_token = models.CharField(max_length=32, default=new_check_in_token, unique=True, editable=False)
    checked_in = models.CharField(max_length=6, choices=CheckIn.choices, blank=True, default=CheckIn.NONE)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    # When the person last joined the line (the waitlist's order) or got their seat.
    queued_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Hours-before values of the reminders already sent for this RSVP (each once).
    reminded = models.JSONField(default=list, blank=True, editable=False)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ("queued_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("network", "event", "membership"),
                condition=models.Q(membership__isnull=False),
                name="rsvp_one_per_member",
            ),
        ]
        indexes: ClassVar = [
            # network first: under a scope every query carries network_id, and SQLite (no statistics)
            # would otherwise read the network's whole RSVP index for a few events (bench event_list_rps).
            models.Index(fields=("network", "event", "status", "queued_at"), name="rsvp_event_status"),
            models.Index(fields=("network", "membership", "status"), name="rsvp_member"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.membership_id or self.guest_name} ({self.status})"

    @property
    def seats(self) -> int:
        return 1 + self.plus_ones


class EventPhoto(models.Model):
    """Photos the staff add after the event (shown on its page and linked from the thank-you)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="events/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.caption or str(self.pk)


class CalendarFeed(models.Model):
    """A member's secret calendar URL (their events as iCalendar). Revoking replaces the token."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField("networks.Membership", on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, default=new_feed_token, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.membership_id)
