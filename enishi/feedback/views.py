"""Alumni pages of the feedback box: the always-open form with the latest "you said, we did" news,
and "My feedback" (named feedback with its status, replies and the news it led to)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enishi.feedback import services
from enishi.feedback.forms import FeedbackForm
from enishi.feedback.models import Feedback
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.roles import ALUMNI_ROLES

MY_FEEDBACK_PAGE_SIZE = 20


def _alumni_only(request: NetworkRequest) -> None:
    if request.membership.role not in ALUMNI_ROLES:
        raise Http404


def feedback(request: NetworkRequest, network_slug: str) -> HttpResponse:
    _alumni_only(request)
    membership = request.membership
    topics = services.topics_of(request.network)
    form = FeedbackForm(request.POST or None, topics=topics)
    if request.method == "POST":
        # The request log line would tie the person to the minute anonymous feedback arrived.
        request.log_without_user = True  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.send_feedback(membership, data["topic"], data["text"], data["anonymous"])
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if sent.anonymous:
                messages.success(request, _("Thank you. Your feedback was sent anonymously."))
                return redirect("network:feedback", network_slug)
            messages.success(request, _("Thank you. Your feedback was sent; you can follow it in “My feedback”."))
            return redirect("network:my_feedback", network_slug)
    context = {"form": form, "changes": services.latest_changes(membership)}
    return render(request, "feedback/form.html", context, status=400 if form.is_bound else 200)


def my_feedback(request: NetworkRequest, network_slug: str) -> HttpResponse:
    _alumni_only(request)
    page = paginate(request, services.feedback_of(request.membership).prefetch_related("replies"),
                    per_page=MY_FEEDBACK_PAGE_SIZE)  # fmt: skip
    items: list[Feedback] = list(page.object_list)
    links = services.news_links(items, live_only=True)
    context = {"page": page, "rows": [(item, links[item.pk]) for item in items]}
    return render(request, "feedback/mine.html", context)
