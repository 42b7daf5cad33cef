"""Business verbs of messages: alumni conversations, blocks, and the secretariat's shared inbox.

Who may message whom (`message_refusal`):
- both are active alumni (alumnus or supporter) of the same network, and not the same person;
- neither has blocked the other;
- the recipient consents to messages from other alumni (ConsentPurpose.ALUMNI_MESSAGES), unless
  they started this conversation themselves: replying to someone who wrote first is always allowed.
The consent is read at each send (privacy.notices.has_consent), so a withdrawal stops new
conversations at once; existing conversations stay readable.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enishi.lib.errors import ActionRefused
from enishi.lib.richtext import text_to_html
from enishi.messaging.models import (
    EXCERPT_LENGTH,
    Block,
    Conversation,
    Message,
    SecretariatMessage,
    SecretariatThread,
)
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.notifications.services import mark_read_about, notify
from enishi.notifications.topics import Topic
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import has_consent
from enishi.privacy.services import audit

# Staff roles that share the secretariat inbox (networks.roles CONSOLE_SECTIONS "inbox" says the same).
INBOX_ROLES = frozenset({Role.ADMIN, Role.HR, Role.EDITOR})


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length] + "…"


def _notify(recipient: Membership, *, kind: str, url: str, actor: Membership | None, text: str, reference: str) -> None:
    notify(recipient, topic=Topic.MESSAGES, kind=kind, url=url, actor=actor, text=text, reference=reference)


# --- Blocks ---------------------------------------------------------------------------------------


def is_blocked(a: Membership, b: Membership) -> bool:
    """Whether either of the two has blocked the other."""
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a), network_id=a.network_id).exists()


def blocked_ids(membership: Membership) -> set[int]:
    """Ids of the memberships this member blocked or is blocked by (one query)."""
    rows = Block.objects.filter(Q(blocker=membership) | Q(blocked=membership), network_id=membership.network_id)
    return {
        blocked if blocker == membership.pk else blocker
        for blocker, blocked in rows.values_list("blocker_id", "blocked_id")
    }


def block(blocker: Membership, blocked: Membership) -> Block:
    if blocker.pk == blocked.pk:
        raise ActionRefused(_("You cannot block yourself."))
    row, _created = Block.objects.get_or_create(network_id=blocker.network_id, blocker=blocker, blocked=blocked)
    return row


def unblock(blocker: Membership, blocked: Membership) -> None:
    Block.objects.filter(network_id=blocker.network_id, blocker=blocker, blocked=blocked).delete()


def blocks_of(membership: Membership) -> QuerySet[Block]:
    return Block.objects.filter(network_id=membership.network_id, blocker=membership).select_related("blocked__user")


# --- Alumni conversations -------------------------------------------------------------------------


def is_messaging_member(membership: Membership) -> bool:
    return membership.role in ALUMNI_ROLES and membership.state == MembershipState.ACTIVE


def conversation_between(a: Membership, b: Membership) -> Conversation | None:
    low, high = sorted((a.pk, b.pk))
    return Conversation.objects.filter(network_id=a.network_id, member_low_id=low, member_high_id=high).first()


def message_refusal(sender: Membership, recipient: Membership, conversation: Conversation | None = None) -> str | None:
    """Why `sender` may not send `recipient` a message now, or None when they may."""
    if sender.network_id != recipient.network_id or sender.pk == recipient.pk:
        return _("You cannot send a message to this person.")
    if not is_messaging_member(sender):
        return _("Only active alumni can send messages.")
    if not is_messaging_member(recipient) or is_blocked(sender, recipient):
        return _("You cannot send a message to this person.")
    started_by_recipient = conversation is not None and conversation.started_by_id == recipient.pk
    if not started_by_recipient and not has_consent(recipient, ConsentPurpose.ALUMNI_MESSAGES):
        return _("This person does not receive messages from other alumni at the moment.")
    return None


def can_message(sender: Membership, recipient: Membership) -> bool:
    """Whether to offer "Send a message" on the recipient's profile."""
    if sender.pk == recipient.pk:
        return False
    return message_refusal(sender, recipient, conversation_between(sender, recipient)) is None


def send_message(sender: Membership, recipient: Membership, text: str) -> Message:
    """Send `text` to `recipient`, in the pair's conversation (started now if there is none).

    Raises ActionRefused, and stores nothing, when a rule says no.
    """
    with transaction.atomic():
        # Lock both rows (in id order) so two sends of the same pair cannot both start a conversation.
        list(Membership.objects.select_for_update().filter(pk__in=[sender.pk, recipient.pk]).order_by("pk"))
        conversation = conversation_between(sender, recipient)
        refusal = message_refusal(sender, recipient, conversation)
        if refusal is not None:
            raise ActionRefused(refusal)
        now = timezone.now()
        if conversation is None:
            low, high = sorted((sender.pk, recipient.pk))
            conversation = Conversation.objects.create(
                network_id=sender.network_id, member_low_id=low, member_high_id=high, started_by=sender,
                last_message_at=now, last_sender=sender,
            )  # fmt: skip
        message = Message.objects.create(
            network_id=sender.network_id, conversation=conversation, sender=sender, text=text, html=text_to_html(text)
        )
        # One more unread for the recipient; the sender has read everything they answer.
        unread, read = (
            ("low_unread", "high_unread")
            if recipient.pk == conversation.member_low_id
            else ("high_unread", "low_unread")
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            last_message_at=message.created_at, last_sender=sender, last_excerpt=excerpt(text),
            **{unread: F(unread) + 1, read: 0},
        )  # fmt: skip
        _notify(
            recipient, kind="message", url=conversation_path(sender, conversation), actor=sender, text=excerpt(text),
            reference=f"conversation:{conversation.pk}",
        )  # fmt: skip
    return message


def reply(sender: Membership, conversation: Conversation, text: str) -> Message:
    recipient = Membership.objects.select_related("user").get(
        network_id=conversation.network_id, pk=conversation.other_id(sender.pk)
    )
    return send_message(sender, recipient, text)


def conversation_path(membership: Membership, conversation: Conversation) -> str:
    return reverse("network:conversation", args=[membership.network.slug, conversation.pk])


def mark_read(conversation: Conversation, membership: Membership) -> None:
    """Opening the conversation reads everything in it (one UPDATE, only when something was unread)."""
    unread = "low_unread" if membership.pk == conversation.member_low_id else "high_unread"
    if getattr(conversation, unread):
        Conversation.objects.filter(pk=conversation.pk).update(**{unread: 0})
        setattr(conversation, unread, 0)
        mark_read_about(membership, f"conversation:{conversation.pk}")


def conversations_of(membership: Membership) -> QuerySet[Conversation]:
    """The member's conversations, newest first, with both people (and their accounts) loaded."""
    return Conversation.objects.filter(
        Q(member_low=membership) | Q(member_high=membership), network_id=membership.network_id
    ).select_related("member_low__user", "member_high__user")


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(network_id=conversation.network_id, conversation=conversation).order_by(
        "created_at", "id"
    )


def unread_total(membership: Membership) -> int:
    """Unread alumni messages and secretariat replies, for the navigation badge: one query."""
    if membership.role not in ALUMNI_ROLES:
        return 0
    network_id = membership.network_id
    low = Conversation.objects.filter(network_id=network_id, member_low=membership).order_by()
    high = Conversation.objects.filter(network_id=network_id, member_high=membership).order_by()
    threads = SecretariatThread.objects.filter(network_id=network_id, alumnus=membership).order_by()

    def total(rows: QuerySet[Conversation] | QuerySet[SecretariatThread], field: str) -> Subquery:
        return Subquery(rows.values("network_id").annotate(n=Sum(field)).values("n")[:1])

    counts = (
        Membership.objects.filter(pk=membership.pk)
        .annotate(
            low=Coalesce(total(low, "low_unread"), 0),
            high=Coalesce(total(high, "high_unread"), 0),
            secretariat=Coalesce(total(threads, "alumnus_unread"), 0),
        )
        .values_list("low", "high", "secretariat")
        .first()
    )
    return sum(counts) if counts else 0


# --- The secretariat inbox ------------------------------------------------------------------------


def secretariat_path(thread: SecretariatThread, slug: str) -> str:
    return reverse("network:secretariat_thread", args=[slug, thread.pk])


def open_inquiry(alumnus: Membership, subject: str, text: str) -> SecretariatThread:
    """An alumnus writes to the secretariat: a new thread, status "new", unassigned."""
    if not is_messaging_member(alumnus):
        raise ActionRefused(_("Only active alumni can write to the secretariat here."))
    with transaction.atomic():
        thread = SecretariatThread.objects.create(
            network_id=alumnus.network_id, alumnus=alumnus, subject=subject, last_message_at=timezone.now()
        )
        SecretariatMessage.objects.create(
            network_id=alumnus.network_id, thread=thread, kind=SecretariatMessage.Kind.FROM_ALUMNUS, author=alumnus,
            text=text, html=text_to_html(text),
        )  # fmt: skip
    return thread


def alumnus_reply(alumnus: Membership, thread: SecretariatThread, text: str) -> SecretariatMessage:
    """The alumnus writes again: a closed or waiting thread opens again (in progress if someone has
    it, new otherwise)."""
    if not is_messaging_member(alumnus) or thread.alumnus_id != alumnus.pk:
        raise ActionRefused(_("Only active alumni can write to the secretariat here."))
    with transaction.atomic():
        message = SecretariatMessage.objects.create(
            network_id=thread.network_id, thread=thread, kind=SecretariatMessage.Kind.FROM_ALUMNUS, author=alumnus,
            text=text, html=text_to_html(text),
        )  # fmt: skip
        thread.last_message_at = message.created_at
        fields = ["last_message_at"]
        if thread.status in (SecretariatThread.Status.CLOSED, SecretariatThread.Status.WAITING):
            has_owner = thread.assignee_id is not None
            thread.status = SecretariatThread.Status.IN_PROGRESS if has_owner else SecretariatThread.Status.NEW
            fields.append("status")
        thread.save(update_fields=fields)
    return message


def secretariat_reply(
    staff: Membership, thread: SecretariatThread, text: str, request: HttpRequest | None = None
) -> SecretariatMessage:
    """A staff member answers as the secretariat: the alumnus is notified, the thread waits for them."""
    with transaction.atomic():
        message = SecretariatMessage.objects.create(
            network_id=thread.network_id, thread=thread, kind=SecretariatMessage.Kind.FROM_SECRETARIAT, author=staff,
            text=text, html=text_to_html(text),
        )  # fmt: skip
        SecretariatThread.objects.filter(pk=thread.pk).update(
            last_message_at=message.created_at, alumnus_unread=F("alumnus_unread") + 1
        )
        thread.refresh_from_db(fields=["last_message_at", "alumnus_unread"])
        if thread.status != SecretariatThread.Status.WAITING:
            change_status(staff, thread, SecretariatThread.Status.WAITING, request=request)
        if thread.assignee_id is None:
            assign(staff, thread, staff, request=request)  # whoever answers first has it
        alumnus = Membership.objects.select_related("network").get(network_id=thread.network_id, pk=thread.alumnus_id)
        _notify(
            alumnus, kind="secretariat_message", url=secretariat_path(thread, alumnus.network.slug), actor=None,
            text=excerpt(text), reference=f"secretariat_thread:{thread.pk}",
        )  # fmt: skip
    return message


def add_note(staff: Membership, thread: SecretariatThread, text: str) -> SecretariatMessage:
    """An internal note: staff of the inbox read it, the alumnus never does."""
    return SecretariatMessage.objects.create(
        network_id=thread.network_id, thread=thread, kind=SecretariatMessage.Kind.NOTE, author=staff, text=text,
        html=text_to_html(text),
    )  # fmt: skip


def inbox_staff(network_id: int) -> QuerySet[Membership]:
    """Who may be assigned a thread: active staff of the inbox roles, by kana."""
    return (
        Membership.objects.filter(network_id=network_id, role__in=INBOX_ROLES, state=MembershipState.ACTIVE)
        .select_related("user")
        .order_by("sort_name", "id")
    )


def assign(
    actor: Membership, thread: SecretariatThread, assignee: Membership | None, request: HttpRequest | None = None
) -> None:
    """Give the thread to a staff member of the inbox (or to nobody). Audited."""
    if assignee is not None and not inbox_staff(thread.network_id).filter(pk=assignee.pk).exists():
        raise ActionRefused(_("Threads can only be assigned to active staff of the inbox."))
    if thread.assignee_id == (assignee.pk if assignee else None):
        return
    with transaction.atomic():
        previous = thread.assignee_id
        thread.assignee = assignee
        thread.save(update_fields=["assignee"])
        audit(
            actor.network, actor.user, "secretariat_thread.assigned", thread, request=request,
            assignee=assignee.pk if assignee else None, previous=previous,
        )  # fmt: skip


def change_status(
    actor: Membership, thread: SecretariatThread, status: str, request: HttpRequest | None = None
) -> None:
    if status not in SecretariatThread.Status.values:
        raise ActionRefused(_("Unknown status."))
    if thread.status == status:
        return
    with transaction.atomic():
        previous = thread.status
        thread.status = status
        thread.save(update_fields=["status"])
        audit(
            actor.network, actor.user, "secretariat_thread.status_changed", thread, request=request,
            status=status, previous=previous,
        )  # fmt: skip


def threads_of(alumnus: Membership) -> QuerySet[SecretariatThread]:
    return SecretariatThread.objects.filter(network_id=alumnus.network_id, alumnus=alumnus)


def inbox_threads(
    network_id: int, viewer: Membership, status: str = "", assignee: str = ""
) -> QuerySet[SecretariatThread]:
    """The staff inbox, newest activity first, filtered by status and by assignee ("mine",
    "unassigned" or a membership id)."""
    threads = SecretariatThread.objects.filter(network_id=network_id).select_related("alumnus__user", "assignee__user")
    if status == "open":
        threads = threads.exclude(status=SecretariatThread.Status.CLOSED)
    elif status in SecretariatThread.Status.values:
        threads = threads.filter(status=status)
    if assignee == "mine":
        threads = threads.filter(assignee=viewer)
    elif assignee == "unassigned":
        threads = threads.filter(assignee__isnull=True)
    elif assignee.isdigit():
        threads = threads.filter(assignee_id=int(assignee))
    return threads


def thread_messages(thread: SecretariatThread, *, with_notes: bool) -> QuerySet[SecretariatMessage]:
    rows = SecretariatMessage.objects.filter(network_id=thread.network_id, thread=thread).select_related("author__user")
    if not with_notes:
        rows = rows.exclude(kind=SecretariatMessage.Kind.NOTE)
    return rows.order_by("created_at", "id")


def mark_thread_read(thread: SecretariatThread, alumnus: Membership) -> None:
    if thread.alumnus_unread:
        SecretariatThread.objects.filter(pk=thread.pk).update(alumnus_unread=0)
        thread.alumnus_unread = 0
        mark_read_about(alumnus, f"secretariat_thread:{thread.pk}")


# --- Duplicate members merged (networks.signals.members_merged) -----------------------------------


def move_member_rows(kept: Membership, merged: Membership) -> None:
    """Give `kept` the conversations, blocks and inquiries of `merged` (a second account of the same
    person). Two conversations with the same person become one; a conversation or block between the
    two accounts disappears (one cannot talk to or block oneself)."""
    network_id = kept.network_id
    _move_blocks(network_id, kept, merged)
    conversations = Conversation.objects.filter(Q(member_low=merged) | Q(member_high=merged), network_id=network_id)
    for conversation in list(conversations):
        _move_conversation(conversation, kept, merged)
    Message.objects.filter(network_id=network_id, sender=merged).update(sender=kept)
    SecretariatThread.objects.filter(network_id=network_id, alumnus=merged).update(alumnus=kept)
    SecretariatThread.objects.filter(network_id=network_id, assignee=merged).update(assignee=kept)
    SecretariatMessage.objects.filter(network_id=network_id, author=merged).update(author=kept)


def _move_blocks(network_id: int, kept: Membership, merged: Membership) -> None:
    rows = Block.objects.filter(network_id=network_id)
    rows.filter(Q(blocker=merged, blocked=kept) | Q(blocker=kept, blocked=merged)).delete()
    for row in list(rows.filter(Q(blocker=merged) | Q(blocked=merged))):
        blocker = kept.pk if row.blocker_id == merged.pk else row.blocker_id
        blocked = kept.pk if row.blocked_id == merged.pk else row.blocked_id
        if rows.filter(blocker_id=blocker, blocked_id=blocked).exists():
            row.delete()
        else:
            Block.objects.filter(pk=row.pk).update(blocker_id=blocker, blocked_id=blocked)


def _move_conversation(conversation: Conversation, kept: Membership, merged: Membership) -> None:
    other_id = conversation.other_id(merged.pk)
    if other_id == kept.pk:
        conversation.delete()
        return
    unread = {merged.pk: conversation.unread_for(merged.pk), other_id: conversation.unread_for(other_id)}
    low, high = sorted((kept.pk, other_id))
    existing = Conversation.objects.filter(
        network_id=conversation.network_id, member_low_id=low, member_high_id=high
    ).first()
    if existing is not None:
        Message.objects.filter(network_id=conversation.network_id, conversation=conversation).update(
            conversation=existing
        )
        kept_side, other_side = ("low_unread", "high_unread") if kept.pk == low else ("high_unread", "low_unread")
        latest = max(existing, conversation, key=lambda talk: talk.last_message_at)
        Conversation.objects.filter(pk=existing.pk).update(
            last_message_at=latest.last_message_at,
            last_excerpt=latest.last_excerpt,
            last_sender_id=kept.pk if latest.last_sender_id == merged.pk else latest.last_sender_id,
            **{kept_side: F(kept_side) + unread[merged.pk], other_side: F(other_side) + unread[other_id]},
        )
        conversation.delete()
        return
    conversation.member_low_id, conversation.member_high_id = low, high
    conversation.low_unread = unread[merged.pk] if kept.pk == low else unread[other_id]
    conversation.high_unread = unread[other_id] if kept.pk == low else unread[merged.pk]
    if conversation.started_by_id == merged.pk:
        conversation.started_by_id = kept.pk
    if conversation.last_sender_id == merged.pk:
        conversation.last_sender_id = kept.pk
    conversation.save(
        update_fields=["member_low", "member_high", "low_unread", "high_unread", "started_by", "last_sender"]
    )
