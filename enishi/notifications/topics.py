"""What a notification is about: the unit of a person's preferences (email now, digest, app only, off)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    NEWS = "news", _("Company news")
    REPLIES = "replies", _("Comments on my posts")
    MENTIONS = "mentions", _("Mentions")
    MESSAGES = "messages", _("Messages")
    GROUP_POSTS = "group_posts", _("Posts in my groups")
    EVENTS = "events", _("Events")
    OPPORTUNITIES = "opportunities", _("Opportunities")
    NEWSLETTER = "newsletter", _("Newsletters")
    SURVEYS = "surveys", _("Surveys")


class Delivery(models.TextChoices):
    """How a person wants one topic: each value is one choice on the settings page."""

    EMAIL = "email", _("Email me at once")
    DIGEST = "digest", _("In the digest")
    APP = "app", _("In the app only")
    OFF = "off", _("Off")
    # The newsletter topic has only on/off: ON means "send me the newsletters".
    ON = "on", _("On")


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    NEVER = "never", _("Never")


# The seeds' "no pressure, look in once a month": what is addressed to you personally is emailed,
# the rest waits for the digest. Only rows that differ from these exist in the database.
DEFAULTS: dict[str, str] = {
    Topic.NEWS: Delivery.DIGEST,
    Topic.REPLIES: Delivery.EMAIL,
    Topic.MENTIONS: Delivery.EMAIL,
    Topic.MESSAGES: Delivery.EMAIL,
    Topic.GROUP_POSTS: Delivery.DIGEST,
    Topic.EVENTS: Delivery.EMAIL,
    Topic.OPPORTUNITIES: Delivery.DIGEST,
    Topic.NEWSLETTER: Delivery.ON,
    Topic.SURVEYS: Delivery.EMAIL,
}
DEFAULT_DIGEST_FREQUENCY = DigestFrequency.WEEKLY

# Topics whose choices are only on/off (no digest, no app-only).
ON_OFF_TOPICS = frozenset({Topic.NEWSLETTER})

# Not a topic of notifications: the pseudo-topic of the digest email's own unsubscribe link
# (unsubscribing from it sets the digest frequency to "never").
DIGEST_TOPIC = "digest"
