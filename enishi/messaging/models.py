"""Messages (issue 5): one-to-one conversations between alumni, and the secretariat's shared inbox.

Alumni conversations are private to their two members: no staff page and no admin shows them.
Secretariat threads are between one alumnus and the secretariat as a whole (事務局); staff assign
them, move them through statuses and leave internal notes the alumnus never sees.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

MESSAGE_MAX_LENGTH = 5000
EXCERPT_LENGTH = 100


class Conversation(models.Model):
    """One conversation between two alumni of a network (at most one per pair).

    The pair is stored in id order (`member_low` < `member_high`) so the unique constraint holds
    whoever starts. Unread counts live on the row, one per side, so the inbox and the navigation
    badge need no per-message reads.
    """

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    member_low = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    member_high = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()
    last_sender = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    last_excerpt = models.CharField(max_length=EXCERPT_LENGTH + 1, blank=True)
    low_unread = models.PositiveIntegerField(default=0)
    high_unread = models.PositiveIntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ("-last_message_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "member_low", "member_high"), name="conversation_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(member_low__lt=models.F("member_high")), name="conversation_pair_ordered"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("network", "member_low", "-last_message_at"), name="conversation_low_inbox"),
            models.Index(fields=("network", "member_high", "-last_message_at"), name="conversation_high_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.member_low_id} ↔ {self.member_high_id}"

    def other_id(self, membership_id: int) -> int:
        return self.member_high_id if membership_id == self.member_low_id else self.member_low_id

    def unread_for(self, membership_id: int) -> int:
        return self.low_unread if membership_id == self.member_low_id else self.high_unread


class Message(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    html = models.TextField(editable=False)  # lib.richtext.text_to_html(text)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("created_at", "id")
        indexes: ClassVar = [models.Index(fields=("network", "conversation", "created_at"), name="message_thread")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Block(models.Model):
    """`blocker` receives nothing from `blocked` any more (and neither can message the other)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    blocker = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ("-created_at", "-id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "blocker", "blocked"), name="block_unique_pair"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "blocked"), name="block_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class SecretariatThread(models.Model):
    """An alumnus's inquiry to the secretariat (事務局への問い合わせ) and everything said about it."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for the alumnus")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    alumnus = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        "networks.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()
    alumnus_unread = models.PositiveIntegerField(default=0)  # secretariat replies the alumnus has not opened

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("inquiry to the secretariat")
        verbose_name_plural = _("inquiries to the secretariat")
        ordering = ("-last_message_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "-last_message_at"), name="secretariat_status"),
            models.Index(fields=("network", "alumnus", "-last_message_at"), name="secretariat_alumnus"),
            models.Index(fields=("network", "assignee", "-last_message_at"), name="secretariat_assignee"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label) if self.status in self.Status.values else self.status


class SecretariatMessage(models.Model):
    class Kind(models.TextChoices):
        FROM_ALUMNUS = "alumnus", _("From the alumnus")
        FROM_SECRETARIAT = "secretariat", _("From the secretariat")
        NOTE = "note", _("Internal note")  # staff only, never shown to the alumnus

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(SecretariatThread, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The alumnus, or the staff member who replied or wrote the note (kept as None if they are removed).
    author = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("message to or from the secretariat")
        verbose_name_plural = _("messages to or from the secretariat")
        ordering = ("created_at", "id")
        indexes: ClassVar = [
            models.Index(fields=("network", "thread", "created_at"), name="secretariat_message_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
