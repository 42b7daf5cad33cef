"""Alumni pages of messages: conversations with other alumni, blocks, and inquiries to the secretariat.

Only alumni and supporters have these pages; staff get 404 (they answer the secretariat's inbox in
the console and never read alumni conversations).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.messaging import services
from enishi.messaging.access import get_alumni_member, get_conversation, get_own_thread
from enishi.messaging.forms import InquiryForm, MessageForm
from enishi.messaging.models import Block, Conversation
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import has_consent
from enishi.profiles.models import Profile
from enishi.profiles.visibility import visible_groups

CONVERSATIONS_PAGE_SIZE = 30
MESSAGES_PAGE_SIZE = 50
THREADS_PAGE_SIZE = 30


def _alumni_only(request: NetworkRequest) -> Membership:
    if request.membership.role not in ALUMNI_ROLES:
        raise Http404
    return request.membership


def inbox(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The member's conversations, newest first, each with the other person and an unread marker."""
    me = _alumni_only(request)
    page = paginate(request, services.conversations_of(me), per_page=CONVERSATIONS_PAGE_SIZE)
    rows = [_row(conversation, me) for conversation in page.object_list]
    return render(request, "messaging/inbox.html", {"page": page, "rows": rows})


def _row(conversation: Conversation, me: Membership) -> dict[str, Any]:
    other = conversation.member_high if conversation.member_low_id == me.pk else conversation.member_low
    return {
        "conversation": conversation,
        "other": other,
        "unread": conversation.unread_for(me.pk),
        "mine_last": conversation.last_sender_id == me.pk,
    }


def start(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    """Write to someone: their conversation if there is one, else the first message."""
    me = _alumni_only(request)
    recipient = get_alumni_member(request.network, membership_id)
    if recipient.pk == me.pk:
        raise Http404
    existing = services.conversation_between(me, recipient)
    if existing is not None:
        return redirect("network:conversation", network_slug, existing.pk)
    # Someone whose profile the member may not see (not listed in the directory) is not there at
    # all: the page would otherwise tell their name to anyone trying ids.
    if visible_groups(me, Profile(network=request.network, membership=recipient)) is None:
        raise Http404
    form = MessageForm(request.POST or None)
    refusal = services.message_refusal(me, recipient)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            message = services.send_message(me, recipient, form.cleaned_data["text"])
        except ActionRefused as refused:
            form.add_error(None, str(refused))
            status = 403
        else:
            messages.success(request, _("Your message is sent."))
            return redirect("network:conversation", network_slug, message.conversation_id)
    elif request.method == "POST" and refusal is not None:
        status = 403
    context = {"recipient": recipient, "form": form, "refusal": refusal}
    return render(request, "messaging/start.html", context, status=status)


def conversation(request: NetworkRequest, network_slug: str, conversation_id: int) -> HttpResponse:
    """The messages, oldest to newest (the last page first), and the reply box."""
    me = _alumni_only(request)
    talk = get_conversation(me, conversation_id)
    other = talk.member_high if talk.member_low_id == me.pk else talk.member_low
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.send_message(me, other, form.cleaned_data["text"])
        except ActionRefused as refused:
            form.add_error(None, str(refused))
            status = 403
        else:
            return redirect(f"{request.path}#latest")
    services.mark_read(talk, me)
    paginator = Paginator(services.messages_of(talk).select_related("sender__user"), MESSAGES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    context = {
        "talk": talk,
        "other": other,
        "page": page,
        "form": form,
        "refusal": services.message_refusal(me, other, talk),
        "i_blocked": Block.objects.filter(network=request.network, blocker=me, blocked=other).exists(),
    }
    return render(request, "messaging/conversation.html", context, status=status)


def _back(request: NetworkRequest, network_slug: str, fallback: str) -> HttpResponse:
    back = request.POST.get("next", "")
    if back.startswith(f"/n/{network_slug}/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(fallback, network_slug)


@require_POST
def block(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    me = _alumni_only(request)
    other = get_alumni_member(request.network, membership_id)
    try:
        services.block(me, other)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(name)s is blocked: neither of you can send the other messages. You can undo this in Settings.")
            % {"name": other.user.full_name or _("This member")},
        )
    return _back(request, network_slug, "network:message_settings")


@require_POST
def unblock(request: NetworkRequest, network_slug: str, membership_id: int) -> HttpResponse:
    me = _alumni_only(request)
    # Anyone the member blocked, even if they have left since: the list must be clearable.
    row = get_object_or_404(Block, network=request.network, blocker=me, blocked_id=membership_id)
    services.unblock(me, row.blocked)
    messages.success(request, _("Unblocked."))
    return _back(request, network_slug, "network:message_settings")


def settings_page(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Whether other alumni may write to me, and the people I blocked."""
    me = _alumni_only(request)
    context = {
        "blocks": list(services.blocks_of(me)),
        "consents_to_messages": has_consent(me, ConsentPurpose.ALUMNI_MESSAGES),
        "purpose": ConsentPurpose.ALUMNI_MESSAGES,
    }
    return render(request, "messaging/settings.html", context)


# --- Inquiries to the secretariat -----------------------------------------------------------------


def secretariat_threads(request: NetworkRequest, network_slug: str) -> HttpResponse:
    me = _alumni_only(request)
    page = paginate(request, services.threads_of(me), per_page=THREADS_PAGE_SIZE)
    return render(request, "messaging/secretariat_threads.html", {"page": page})


def secretariat_new(request: NetworkRequest, network_slug: str) -> HttpResponse:
    me = _alumni_only(request)
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        thread = services.open_inquiry(me, form.cleaned_data["subject"], form.cleaned_data["text"])
        messages.success(request, _("Your message is with the secretariat. You will be notified of the reply."))
        return redirect("network:secretariat_thread", network_slug, thread.pk)
    return render(request, "messaging/secretariat_new.html", {"form": form})


def secretariat_thread(request: NetworkRequest, network_slug: str, thread_id: int) -> HttpResponse:
    """The alumnus's side: their messages and the secretariat's replies (never the internal notes)."""
    me = _alumni_only(request)
    thread = get_own_thread(me, thread_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.alumnus_reply(me, thread, form.cleaned_data["text"])
        return redirect(f"{request.path}#latest")
    services.mark_thread_read(thread, me)
    listed = services.thread_messages(thread, with_notes=False)
    return render(request, "messaging/secretariat_thread.html", {"thread": thread, "posts": listed, "form": form})
