"""Console pages of the feedback box (section "feedback"): admin, editor and analyst read and export;
only FEEDBACK_TRIAGE_ROLES (admin, editor) change a status, write the internal note, reply, edit the
topics and publish "you said, we did" news.

Anonymous feedback shows no person and only its week here, in exports and in audit entries.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from enishi.feedback import services
from enishi.feedback.access import get_feedback, get_topic
from enishi.feedback.forms import ChangeForm, NoteForm, ReplyForm, StatusForm, TopicForm
from enishi.feedback.models import Feedback, FeedbackTopic
from enishi.lib.errors import ActionRefused
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import console_section
from enishi.networks.roles import FEEDBACK_TRIAGE_ROLES
from enishi.privacy.services import audit

PAGE_SIZE = 50
KINDS = ("named", "anonymous")

View = Callable[..., HttpResponse]


def triage_only(view: View) -> View:
    """Inside the feedback section, a page or action for FEEDBACK_TRIAGE_ROLES only (404 for the analyst)."""

    @wraps(view)
    def wrapper(request: NetworkRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.membership.role not in FEEDBACK_TRIAGE_ROLES:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _filtered(request: NetworkRequest) -> tuple[QuerySet[Feedback], dict[str, str]]:
    """The feedback of the network narrowed by the GET filters; values not offered are ignored."""
    network = request.network
    chosen = {name: request.GET.get(name, "") for name in ("status", "topic", "kind")}
    shown = Feedback.objects.filter(network=network)
    if chosen["status"] in Feedback.Status.values:
        shown = shown.filter(status=chosen["status"])
    else:
        chosen["status"] = ""
    if chosen["topic"].isdigit():
        shown = shown.filter(topic_id=int(chosen["topic"]))
    else:
        chosen["topic"] = ""
    if chosen["kind"] in KINDS:
        shown = shown.filter(anonymous=chosen["kind"] == "anonymous")
    else:
        chosen["kind"] = ""
    return shown, chosen


@console_section("feedback")
def feedback_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Every piece of feedback, newest first, with filters; a constant number of queries."""
    network = request.network
    shown, chosen = _filtered(request)
    shown = (
        shown.select_related("topic", "membership__user")
        .annotate(reply_count=Count("replies", distinct=True), news_count=Count("news_links", distinct=True))
        .order_by("-received_on", "-id")
    )
    page = paginate(request, shown, per_page=PAGE_SIZE)
    totals = dict(Feedback.objects.filter(network=network).values_list("status").annotate(n=Count("id")).order_by())
    audit(network, request.user, "feedback.listed", request=request)
    context = {
        "page": page,
        "items": page.object_list,
        "chosen": chosen,
        "statuses": [(value, label, totals.get(value, 0)) for value, label in Feedback.Status.choices],
        "topics": services.topics_of(network),
        "can_triage": request.membership.role in FEEDBACK_TRIAGE_ROLES,
        "formats": EXPORT_FORMATS,
        "query": request.GET.urlencode(),
    }
    return render(request, "feedback/manage_list.html", context)


@console_section("feedback")
def feedback_detail(request: NetworkRequest, network_slug: str, feedback_id: int) -> HttpResponse:
    """One piece of feedback; for the triage roles also its status, internal note and reply forms."""
    network = request.network
    item = get_feedback(network, feedback_id)
    can_triage = request.membership.role in FEEDBACK_TRIAGE_ROLES
    status_form = StatusForm(initial={"status": item.status}, prefix="status")
    note_form = NoteForm(initial={"note": item.staff_note}, prefix="note")
    reply_form = ReplyForm(prefix="reply")
    if request.method == "POST":
        if not can_triage:
            raise Http404
        if "set_status" in request.POST:
            status_form = StatusForm(request.POST, prefix="status")
            if status_form.is_valid():
                services.set_status(item, status_form.cleaned_data["status"], request.user, request=request)
                messages.success(request, _("The status is now: %(status)s.") % {"status": item.get_status_display()})
                return redirect("manage:feedback_detail", network_slug, item.pk)
        elif "save_note" in request.POST:
            note_form = NoteForm(request.POST, prefix="note")
            if note_form.is_valid():
                services.save_note(item, note_form.cleaned_data["note"], request.user, request=request)
                messages.success(request, _("The internal note was saved."))
                return redirect("manage:feedback_detail", network_slug, item.pk)
        elif "reply" in request.POST:
            reply_form = ReplyForm(request.POST, prefix="reply")
            if reply_form.is_valid():
                try:
                    services.reply(item, request.membership, reply_form.cleaned_data["text"], request=request)
                except ActionRefused as refusal:
                    reply_form.add_error(None, str(refusal))
                else:
                    messages.success(request, _("The reply was sent. The author reads it in “My feedback”."))
                    return redirect("manage:feedback_detail", network_slug, item.pk)
        else:
            raise Http404
    audit(network, request.user, "feedback.viewed", item, request=request)
    context = {
        "item": item,
        "replies": list(item.replies.select_related("author")),
        "news": services.news_links([item])[item.pk],
        "can_triage": can_triage,
        "status_form": status_form,
        "note_form": note_form,
        "reply_form": reply_form,
    }
    return render(request, "feedback/manage_detail.html", context, status=400 if request.method == "POST" else 200)


@console_section("feedback")
def feedback_export(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The filtered feedback as CSV or xlsx; anonymous rows carry no person and only their week."""
    network = request.network
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    shown, chosen = _filtered(request)
    items = list(shown.select_related("topic", "membership__user").order_by("-received_on", "-id"))
    links = services.news_links(items)
    reply_counts = dict(
        Feedback.objects.filter(network=network, pk__in=[item.pk for item in items])
        .values_list("pk")
        .annotate(n=Count("replies"))
        .order_by()
    )
    headers = [_("Received"), _("Topic"), _("Sender"), _("Name"), _("Email"), pgettext("feedback", "Status"),
               _("Feedback"), _("Replies"), _("You said, we did"), _("Internal note")]  # fmt: skip
    rows = [
        [
            item.received_on, item.topic.name if item.topic else "",
            _("Anonymous") if item.anonymous else _("Named"),
            "" if item.anonymous or item.membership is None else item.membership.user.full_name,
            "" if item.anonymous or item.membership is None else item.membership.user.email,
            item.get_status_display(), item.text, reply_counts.get(item.pk, 0),
            " / ".join(news.title for news in links[item.pk]), item.staff_note,
        ]
        for item in items
    ]  # fmt: skip
    audit(network, request.user, "feedback.exported", request=request, rows=len(rows), format=export_format,
          filters={name: value for name, value in chosen.items() if value})  # fmt: skip
    filename = f"feedback-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(headers, rows, export_format, sheet_title=str(_("Feedback")), filename=filename)


def _chosen_feedback(request: NetworkRequest, ids: list[str]) -> tuple[list[Feedback], bool]:
    """The feedback of this network among `ids`, and whether every id was found."""
    wanted = {int(value) for value in ids if value.isdigit()}
    found = list(
        Feedback.objects.filter(network=request.network, pk__in=wanted).select_related("topic").order_by("-received_on")
    )
    return found, bool(wanted) and len(found) == len(wanted) and len(wanted) == len(ids)


@console_section("feedback")
@triage_only
def feedback_change(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Write and publish a "you said, we did" (声から生まれた改善) post for the chosen feedback."""
    source = request.POST if request.method == "POST" else request.GET
    items, complete = _chosen_feedback(request, source.getlist("feedback"))
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not complete:
            form.add_error(None, _("Some of the chosen feedback could not be found. Choose it again from the list."))
        else:
            try:
                news = services.publish_you_said_we_did(request.network, request.membership, items,
                                                        form.cleaned_data["title"], form.cleaned_data["body"],
                                                        request=request)  # fmt: skip
            except ActionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request, _("“%(title)s” was published; the feedback is marked as acted on.") % {"title": news.title}
                )
                return redirect("manage:feedback", network_slug)
    if request.method == "GET" and not complete:
        messages.error(request, _("Choose the feedback this change answers."))
        return redirect("manage:feedback", network_slug)
    context = {"form": form, "items": items}
    return render(request, "feedback/manage_change.html", context, status=400 if form.is_bound else 200)


# --- Topics ----------------------------------------------------------------------------------------


@console_section("feedback")
@triage_only
def topic_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    topics = services.topics_of(network)
    form = TopicForm(request.POST or None, instance=FeedbackTopic(network=network), prefix="new")
    if request.method == "POST" and form.is_valid():
        services.save_topic(form.save(commit=False), request.user, request=request)
        messages.success(request, _("The topic was added."))
        return redirect("manage:feedback_topics", network_slug)
    used = set(Feedback.objects.filter(network=network).values_list("topic_id", flat=True).distinct().order_by())
    rows = [(topic, topic.pk in used) for topic in topics]
    return render(request, "feedback/manage_topics.html", {"rows": rows, "form": form},
                  status=400 if form.is_bound else 200)  # fmt: skip


@console_section("feedback")
@triage_only
def topic_edit(request: NetworkRequest, network_slug: str, topic_id: int) -> HttpResponse:
    topic = get_topic(request.network, topic_id)
    form = TopicForm(request.POST or None, instance=topic)
    if request.method == "POST" and form.is_valid():
        services.save_topic(form.save(commit=False), request.user, request=request)
        messages.success(request, _("The topic was saved."))
        return redirect("manage:feedback_topics", network_slug)
    return render(request, "feedback/manage_topic_form.html", {"form": form, "topic": topic},
                  status=400 if form.is_bound else 200)  # fmt: skip


@require_POST
@console_section("feedback")
@triage_only
def topic_delete(request: NetworkRequest, network_slug: str, topic_id: int) -> HttpResponse:
    topic = get_topic(request.network, topic_id)
    try:
        services.delete_topic(topic, request.user, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The topic was deleted."))
    return redirect("manage:feedback_topics", network_slug)
