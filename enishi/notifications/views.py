"""The member's notifications: the list, opening one, "mark all read", the settings, and the
one-click unsubscribe page that works without logging in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import allows_anonymous
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.notifications import services
from enishi.notifications.access import get_notification
from enishi.notifications.forms import NotificationSettingsForm
from enishi.notifications.models import Notification
from enishi.notifications.topics import DIGEST_TOPIC, ON_OFF_TOPICS, Topic
from enishi.privacy.services import audit

PAGE_SIZE = 20


def notifications(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Newest first; opening one (notification_open) marks it read."""
    items = Notification.objects.filter(network=request.network, recipient=request.membership).select_related(
        "actor__user"
    )
    page = paginate(request, items.order_by("-id"), per_page=PAGE_SIZE)
    rows = list(page.object_list)
    for item in rows:
        item.sentence = services.sentence(item)
    return render(request, "notifications/list.html", {"page": page, "items": rows})


def notification_open(request: NetworkRequest, network_slug: str, notification_id: int) -> HttpResponse:
    """Mark one notification read and go where it points (a local path; anything else → the list)."""
    item = get_notification(request.membership, notification_id)
    services.mark_read(item)
    if url_has_allowed_host_and_scheme(item.url, allowed_hosts=None) and item.url.startswith("/"):
        return HttpResponseRedirect(item.url)
    return redirect("network:notifications", network_slug)


@require_POST
def read_all(request: NetworkRequest, network_slug: str) -> HttpResponse:
    count = services.mark_all_read(request.membership)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("network:notifications", network_slug)


def notification_settings(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = request.membership
    categories = services.news_categories(request.network)
    form = NotificationSettingsForm(request.POST or None, membership=membership, categories=categories)
    if request.method == "POST" and form.is_valid():
        if form.save():
            audit(request.network, request.user, "notifications.settings_changed", membership, request=request)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("network:notification_settings", network_slug)
    return render(request, "notifications/settings.html", {"form": form})


@csrf_exempt  # RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click" with no session or token
@allows_anonymous
def unsubscribe(request: HttpRequest, network_slug: str, unsubscribe_token: str) -> HttpResponse:
    """GET: say what will stop, with one button; POST: stop it. GET never changes anything, because
    mail scanners follow links. A tampered token is a 400; another network's token is a 404."""
    network = request.network  # type: ignore[attr-defined]
    try:
        data = services.read_unsubscribe_token(unsubscribe_token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if data["n"] != network.pk:
        raise Http404
    membership = Membership.objects.filter(network=network, pk=data["m"]).select_related("user").first()
    if membership is None or membership.state == MembershipState.LEFT:
        raise Http404
    topic, subtopic = str(data["t"]), str(data["s"])
    if topic != DIGEST_TOPIC and topic not in Topic.values:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {
        "topic": topic,
        "topic_label": _("Digest") if topic == DIGEST_TOPIC else Topic(topic).label,
        "is_digest": topic == DIGEST_TOPIC,
        "is_on_off": topic in ON_OFF_TOPICS,
        "token": unsubscribe_token,
    }
    # Someone who chose no language here reads the page in the language of the email they came from.
    chose = settings.LANGUAGE_COOKIE_NAME in request.COOKIES or request.user.is_authenticated
    with translation.override(translation.get_language() if chose else membership.user.language):
        if request.method == "POST":
            services.unsubscribe(membership, topic, subtopic, request=request)
            return render(request, "notifications/unsubscribe_done.html", context)
        return render(request, "notifications/unsubscribe.html", context)


unsubscribe.skips_notice_gate = True  # type: ignore[attr-defined]
