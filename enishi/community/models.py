"""Community (issue 5): what the company tells its alumni and what alumni say to each other.

Built so far: news (お知らせ) by editors, in categories the network defines, for the whole
network, one company or a saved segment, drafted, scheduled, pinned, with read counts.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from enishi.lib.names import BilingualName
from enishi.lib.richtext import validate_rich_text_length


class NewsCategory(BilingualName, models.Model):
    """A kind of news the network publishes (事業ニュース, 社内制度の変化, 職場の今, インタビュー…)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")
        ordering = ("position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "name_ja"), name="newscategory_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class NewsItem(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")  # visible from publish_at (scheduled until then)

    class Audience(models.TextChoices):
        NETWORK = "network", _("Everyone in the network")
        COMPANY = "company", _("Alumni of one company")
        SEGMENT = "segment", _("A saved segment")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # Sanitised HTML (lib.richtext.clean_html), never rendered from anything else.
    body = models.TextField(_("text"), validators=[validate_rich_text_length])
    category = models.ForeignKey(
        NewsCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices, default=Audience.NETWORK)
    company = models.ForeignKey("networks.Company", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))  # fmt: skip
    segment = models.ForeignKey("profiles.SavedSegment", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("segment"))  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned to the top"), default=False)
    # Re-encoded by lib.images (no EXIF/GPS), shown above the text and beside the title in lists.
    image = models.ImageField(_("picture"), upload_to="news/%Y/%m/", blank=True)
    image_alt = models.CharField(_("what the picture shows"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When its readers were notified (once: at publication, or when a scheduled time came).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    announcing_since = models.DateTimeField(null=True, blank=True, editable=False)  # the fan-out's lease

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("news")
        verbose_name_plural = _("news")
        ordering = ("-pinned", "-publish_at", "-id")
        indexes: ClassVar = [
            models.Index(fields=("network", "status", "publish_at"), name="newsitem_feed"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at > timezone.now()

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED and self.publish_at is not None and self.publish_at <= timezone.now()
        )


class NewsRecipient(models.Model):
    """Who a segment's news is for, fixed when it is published (a segment is a search run once)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="recipients")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "item", "membership"), name="newsrecipient_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "membership"), name="newsrecipient_member")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.membership_id}"


class NewsRead(models.Model):
    """A member opened a news item (first time only): the read counts."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="reads")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "item", "membership"), name="newsread_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} read by {self.membership_id}"


class Group(models.Model):
    """A community inside the network (コミュニティ): by interest, region, former department or company."""

    class Kind(models.TextChoices):
        INTEREST = "interest", _("Interest")
        REGION = "region", _("Region")
        DEPARTMENT = "department", _("Former department")
        COMPANY = "company", _("Company")

    class Policy(models.TextChoices):
        OPEN = "open", _("Anyone may join")
        APPROVAL = "approval", _("Joining needs the organisers' approval")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("what the group is about"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INTEREST)
    policy = models.CharField(_("joining"), max_length=10, choices=Policy.choices, default=Policy.OPEN)
    created_by = models.ForeignKey("networks.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ("name", "id")
        constraints: ClassVar = [models.UniqueConstraint(fields=("network", "name"), name="group_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        MEMBER = "member", _("Member")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MEMBER)
    organiser = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "group", "membership"), name="groupmember_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "membership"), name="groupmember_member")]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.group_id}"


class Post(models.Model):
    """What an alumnus says to the network (近況・投稿): plain text with links, optionally an
    activity of their own (a seminar, a talk) with its date and link."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="posts")
    text = models.TextField(_("text"), max_length=5000)
    html = models.TextField(editable=False)  # lib.richtext.text_to_html(text), made on every save
    activity_on = models.DateField(_("date of the activity"), null=True, blank=True)
    activity_url = models.URLField(_("link to the activity"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)  # by a supporter or staff
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)  # by the author; the row stays for reports

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=("network", "created_at"), name="post_feed")]

    def __str__(self) -> str:
        return self.text[:40]


class PostImage(models.Model):
    """A picture attached to a post (at most MAX_POST_IMAGES), re-encoded by lib.images."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="posts/%Y/%m/")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.image.name


MAX_POST_IMAGES = 4


class Comment(models.Model):
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.text[:40]


class Mention(models.Model):
    """Someone named with @ in a post (comment empty) or in one of its comments, told once."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(network="network")

    class Meta:
        indexes: ClassVar = [models.Index(fields=("network", "post"), name="mention_post")]

    def __str__(self) -> str:
        return f"@{self.membership_id} in {self.post_id}"


class Reaction(models.Model):
    """One member's 「いいね」 on a post (one per member and post)."""

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    membership = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(network="network")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "post", "membership"), name="reaction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} likes {self.post_id}"


class Report(models.Model):
    """Someone reported a post to the moderators, with a reason; staff keep or hide the post."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        HARASSMENT = "harassment", _("Harassment or insults")
        PERSONAL = "personal", _("Someone's personal information")
        CONFIDENTIAL = "confidential", _("Company confidential information")
        OTHER = "other", _("Something else")

    class Decision(models.TextChoices):
        KEPT = "kept", _("Kept")
        HIDDEN = "hidden", _("Hidden")

    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("networks.Membership", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("anything the moderators should know"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ("created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("network", "post", "reporter"), name="report_once_per_person"),
        ]
        indexes: ClassVar = [models.Index(fields=("network", "decided_at"), name="report_queue")]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.reason}"
