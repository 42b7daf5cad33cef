"""Console pages of events (section "events": admin, editor): the list with counts, the event form with
its RSVP questions, proposals, attendees and their export, check-in at the door, and photos."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Replace
from django.forms import BaseInlineFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from enishi.events import services
from enishi.events.access import get_event, get_photo, get_rsvp
from enishi.events.attribution import attribution_for
from enishi.events.manage_forms import (
    MAX_PHOTOS,
    EventForm,
    PhotoForm,
    QuestionForm,
    QuestionFormSet,
    ReasonForm,
    WalkInForm,
)
from enishi.events.models import Event, EventPhoto, EventQuestion, Rsvp
from enishi.events.services import CheckInResult
from enishi.lib.errors import ActionRefused
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.lib.japanese import normalise, to_hiragana
from enishi.lib.pages import paginate
from enishi.lib.richtext import clean_html
from enishi.networks.decorators import console_section
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.privacy.services import audit

TABS = ("upcoming", "past", "proposals", "drafts")
LIVE = (Event.Status.PUBLISHED, Event.Status.CANCELLED)
SEARCH_LIMIT = 50
WALK_IN_CANDIDATES = 20


# --- The list --------------------------------------------------------------------------------------


@console_section("events")
def event_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Upcoming, past, proposals and drafts; each row with its seats, waitlist, arrivals and the
    registrations it brought (a constant number of queries for any number of events)."""
    network = request.network
    tab = request.GET.get("tab", "upcoming")
    if tab not in TABS:
        tab = "upcoming"
    now = timezone.now()
    events = Event.objects.filter(network=network)
    shown = {
        "upcoming": Q(status__in=LIVE, ends_at__gt=now),
        "past": Q(status__in=LIVE, ends_at__lte=now),
        "proposals": Q(status__in=(Event.Status.PROPOSED, Event.Status.DECLINED)),
        "drafts": Q(status=Event.Status.DRAFT),
    }
    tab_counts = events.aggregate(
        upcoming=Count("pk", filter=shown["upcoming"]),
        past=Count("pk", filter=shown["past"]),
        proposals=Count("pk", filter=Q(status=Event.Status.PROPOSED)),  # those waiting for an answer
        drafts=Count("pk", filter=shown["drafts"]),
    )
    ordering: dict[str, tuple[str, ...]] = {
        "upcoming": ("starts_at", "id"),
        "past": ("-starts_at", "-id"),
        "proposals": ("-status", "starts_at", "id"),  # "proposed" sorts before "declined" descending
        "drafts": ("-updated_at", "-id"),
    }
    queryset = events.filter(shown[tab]).select_related("host_company", "host__user").order_by(*ordering[tab])
    page = paginate(request, queryset)
    listed = list(page.object_list)
    counts = services.counts_for(listed)
    attributed = attribution_for(listed)
    rows = [(event, counts[event.pk], attributed[event.pk]) for event in listed]
    tabs = [(key, label, tab_counts[key]) for key, label in _tab_labels()]
    context = {"page": page, "rows": rows, "tab": tab, "tabs": tabs}
    return render(request, "events/manage_events.html", context)


def _tab_labels() -> list[tuple[str, str]]:
    return [("upcoming", _("Upcoming")), ("past", _("Past")), ("proposals", _("Proposals")), ("drafts", _("Drafts"))]


# --- The event form --------------------------------------------------------------------------------


@console_section("events")
def event_edit(request: NetworkRequest, network_slug: str, event_id: int | None = None) -> HttpResponse:
    network = request.network
    event = get_event(network, event_id) if event_id is not None else Event(network=network)
    form = EventForm(request.POST or None, request.FILES or None, instance=event, network=network)
    questions = QuestionFormSet(
        request.POST or None,
        instance=event,
        prefix="questions",
        queryset=EventQuestion.objects.filter(network=network, event_id=event.pk),
    )
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        with transaction.atomic():
            saved = services.save_event(form.save(commit=False), request.user, form.changed_data, request=request)
            form.save_m2m()
            if saved.audience == Event.Audience.INVITED:
                services.fix_invitees(saved, form.invited_ids)
            _save_questions(questions, saved)
            if "publish" in request.POST:
                return _publish(request, saved)
        messages.success(request, _("Saved.") if saved.status != Event.Status.DRAFT else _("The draft is saved."))
        return redirect("manage:event_edit", network_slug, saved.pk)
    preview = clean_html(form.data.get("description", "")) if form.is_bound else event.description
    context = {"form": form, "questions": questions, "event": event, "preview": preview}
    return render(request, "events/manage_event_form.html", context)


def _save_questions(questions: BaseInlineFormSet[EventQuestion, Event, QuestionForm], event: Event) -> None:
    questions.instance = event
    questions.save()
    kept = [form.instance for form in questions.forms if form.instance.pk and form not in questions.deleted_forms]
    for position, question in enumerate(kept):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


def _publish(request: NetworkRequest, event: Event) -> HttpResponse:
    """Publishing a proposal approves it (its host is told); a draft or a declined event is published."""
    if event.status == Event.Status.PROPOSED:
        services.approve(event, request.user, request=request)
        messages.success(request, _("The proposal is approved and published."))
    elif event.status in (Event.Status.DRAFT, Event.Status.DECLINED):
        services.publish(event, request.user, request=request)
        messages.success(request, _("The event is published."))
    elif event.status == Event.Status.PUBLISHED:
        messages.info(request, _("The event is already published."))
    else:
        messages.error(request, _("A cancelled event cannot be published again."))
    return redirect("manage:event_edit", request.network.slug, event.pk)


# --- Actions on an event ---------------------------------------------------------------------------


def _cancel(request: NetworkRequest, event: Event) -> HttpResponse:
    if event.status != Event.Status.PUBLISHED:
        messages.error(request, _("Only a published event can be cancelled."))
        return redirect("manage:event_edit", request.network.slug, event.pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason: everyone registered reads it. Nothing was changed."))
        return redirect("manage:event_edit", request.network.slug, event.pk)
    told = services.cancel_event(event, request.user, form.cleaned_data["reason"], request=request)
    text = ngettext(
        "The event is cancelled; %(count)d person was told.",
        "The event is cancelled; %(count)d people were told.",
        told,
    )
    messages.success(request, text % {"count": told})
    return redirect("manage:event_edit", request.network.slug, event.pk)


def _delete(request: NetworkRequest, event: Event) -> HttpResponse:
    try:
        services.delete_event(event, request.user, request=request)
    except ValueError:
        messages.error(request, _("A published event is not deleted: cancel it, so that everyone registered is told."))
        return redirect("manage:event_edit", request.network.slug, event.pk)
    messages.success(request, _("The event is deleted."))
    return redirect("manage:events", request.network.slug)


def _approve(request: NetworkRequest, event: Event) -> HttpResponse:
    if event.status != Event.Status.PROPOSED:
        messages.error(request, _("This event is not waiting for an answer."))
    else:
        services.approve(event, request.user, request=request)
        messages.success(request, _("The proposal is approved and published."))
    return redirect("manage:event_edit", request.network.slug, event.pk)


def _decline(request: NetworkRequest, event: Event) -> HttpResponse:
    if event.status != Event.Status.PROPOSED:
        messages.error(request, _("This event is not waiting for an answer."))
        return redirect("manage:event_edit", request.network.slug, event.pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason: the proposer reads it. Nothing was changed."))
        return redirect("manage:event_edit", request.network.slug, event.pk)
    services.decline(event, request.user, form.cleaned_data["reason"], request=request)
    messages.success(request, _("The proposal is declined; the proposer is told why."))
    return redirect("manage:event_edit", request.network.slug, event.pk)


def _thank(request: NetworkRequest, event: Event) -> HttpResponse:
    if event.status != Event.Status.PUBLISHED or not event.is_past:
        messages.error(request, _("The thank-you is sent once the event has ended."))
    elif event.thanked_at is not None:
        messages.info(request, _("The thank-you was already sent."))
    else:
        from enishi.events.tasks import schedule_thanks

        schedule_thanks(event)  # enqueued once the request's transaction commits
        messages.success(request, _("The thank-you is on its way to everyone who came."))
    return redirect("manage:event_edit", request.network.slug, event.pk)


def _publish_action(request: NetworkRequest, event: Event) -> HttpResponse:
    return _publish(request, event)


EVENT_ACTIONS: dict[str, Callable[[NetworkRequest, Event], HttpResponse]] = {
    "publish": _publish_action,
    "cancel": _cancel,
    "delete": _delete,
    "approve": _approve,
    "decline": _decline,
    "thank": _thank,
}


@require_POST
@console_section("events")
def event_action(request: NetworkRequest, network_slug: str, event_id: int, action: str) -> HttpResponse:
    if action not in EVENT_ACTIONS:
        raise Http404
    event = get_event(request.network, event_id)
    return EVENT_ACTIONS[action](request, event)


# --- Attendees -------------------------------------------------------------------------------------


def _attendee_rows(event: Event) -> tuple[list[EventQuestion], list[tuple[Rsvp, list[str]]]]:
    """The event's questions and every RSVP with its answers in the questions' order (two queries)."""
    questions = list(EventQuestion.objects.filter(network_id=event.network_id, event=event))
    rsvps = Rsvp.objects.filter(network_id=event.network_id, event=event).select_related("membership__user")
    rows = [(rsvp, [str(rsvp.answers.get(str(question.pk), "")) for question in questions]) for rsvp in rsvps]
    return questions, rows


def _name(rsvp: Rsvp) -> str:
    if rsvp.membership is None:
        return rsvp.guest_name
    user = rsvp.membership.user
    return user.full_name or user.email


def _sort_key(rsvp: Rsvp) -> tuple[str, int]:
    return (rsvp.membership.sort_name if rsvp.membership else f"\uffff{rsvp.guest_name}", rsvp.pk)


@console_section("events")
def attendees(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """Confirmed (by name), waitlisted (in line) and cancelled, with plus-ones, answers and arrivals."""
    network = request.network
    event = get_event(network, event_id)
    questions, answered = _attendee_rows(event)
    labels = [question.label for question in questions]
    rows = [(rsvp, list(zip(labels, answers, strict=True))) for rsvp, answers in answered]
    confirmed = sorted((row for row in rows if row[0].status == Rsvp.Status.CONFIRMED), key=lambda r: _sort_key(r[0]))
    waitlisted = [row for row in rows if row[0].status == Rsvp.Status.WAITLISTED]
    cancelled = [row for row in rows if row[0].status == Rsvp.Status.CANCELLED]
    counts = services.counts_for([event])[event.pk]
    audit(network, request.user, "event.attendees_viewed", event, request=request)
    context = {
        "event": event, "questions": questions, "counts": counts,
        "groups": [("confirmed", _("Confirmed"), confirmed), ("waitlisted", _("On the waitlist"), waitlisted),
                   ("cancelled", pgettext("rsvp", "Cancelled"), cancelled)],
        "export_formats": list(EXPORT_FORMATS),
    }  # fmt: skip
    return render(request, "events/manage_attendees.html", context)


@console_section("events")
def attendees_export(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    network = request.network
    event = get_event(network, event_id)
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    questions, rows = _attendee_rows(event)
    headers = [
        _("Name"), _("Reading"), _("Email"), pgettext("rsvp", "Status"), _("Plus-ones"), _("Walk-in"),
        pgettext("event", "Check-in"), _("Checked in at"), _("Registered at"),
        *(question.label for question in questions),
    ]  # fmt: skip
    statuses: dict[str, str] = {Rsvp.Status.CONFIRMED: _("Confirmed"), Rsvp.Status.WAITLISTED: _("On the waitlist"),
                                Rsvp.Status.CANCELLED: pgettext("rsvp", "Cancelled")}  # fmt: skip
    check_ins: dict[str, str] = {Rsvp.CheckIn.VENUE: _("Arrived"), Rsvp.CheckIn.ONLINE: _("Attended online")}
    table = [
        [
            _name(rsvp),
            rsvp.membership.user.full_name_kana if rsvp.membership else "",
            rsvp.membership.user.email if rsvp.membership else "",
            statuses.get(rsvp.status, rsvp.status),
            rsvp.plus_ones,
            _("Yes") if rsvp.walk_in else "",
            check_ins.get(rsvp.checked_in, ""),
            timezone.localtime(rsvp.checked_in_at) if rsvp.checked_in_at else None,
            timezone.localtime(rsvp.created_at),
            *answers,
        ]
        for rsvp, answers in rows
    ]
    audit(network, request.user, "event.attendees_exported", event, request=request, rows=len(table),
          format=export_format)  # fmt: skip
    filename = f"event-{event.pk}-attendees-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(headers, table, export_format, sheet_title=str(_("Attendees")), filename=filename)


# --- Check-in at the door --------------------------------------------------------------------------


_CONFIRMED_FIRST = Case(
    When(status=Rsvp.Status.CONFIRMED, then=Value(0)),
    When(status=Rsvp.Status.WAITLISTED, then=Value(1)),
    default=Value(2),
)


def _people(event: Event, query: str) -> QuerySet[Rsvp]:
    """RSVPs of the event whose name (kanji or kana, any width, with or without a space) or address
    holds `query`; without a query, everyone confirmed."""
    rsvps = Rsvp.objects.filter(network_id=event.network_id, event=event).select_related("membership__user")
    if not query:
        return rsvps.filter(status=Rsvp.Status.CONFIRMED).order_by("membership__sort_name", "guest_name", "pk")
    text = normalise(query).replace(" ", "")
    kana = to_hiragana(text)
    rsvps = rsvps.annotate(
        kanji=Concat("membership__user__family_name", "membership__user__given_name"),
        reading=Replace("membership__sort_name", Value(" "), Value("")),
    )
    return rsvps.filter(
        Q(kanji__icontains=text) | Q(reading__contains=kana) | Q(guest_name__icontains=query)
        | Q(membership__user__email__icontains=text)
    ).order_by(_CONFIRMED_FIRST, "membership__sort_name", "pk")[:SEARCH_LIMIT]  # fmt: skip


def _walk_in_candidates(event: Event, query: str) -> list[Membership]:
    """Active members matching the search who have no RSVP to this event (those who have one are in
    the RSVP results, with a walk-in button if they are not confirmed)."""
    if not query:
        return []
    text = normalise(query).replace(" ", "")
    members = (
        Membership.objects.filter(network_id=event.network_id, state=MembershipState.ACTIVE)
        .exclude(pk__in=Rsvp.objects.filter(event=event, membership__isnull=False).values("membership_id"))
        .annotate(
            kanji=Concat("user__family_name", "user__given_name"), reading=Replace("sort_name", Value(" "), Value(""))
        )
        .filter(Q(kanji__icontains=text) | Q(reading__contains=to_hiragana(text)) | Q(user__email__icontains=text))
        .select_related("user")
        .order_by("sort_name", "pk")
    )
    return list(members[:WALK_IN_CANDIDATES])


@console_section("events")
def check_in(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """The reception desk on a phone: the live count, the camera scanner, a name search with an
    "arrived" button per person, walk-ins."""
    event = get_event(request.network, event_id)
    query = request.GET.get("q", "").strip()[:60]
    context = {
        "event": event, "query": query, "people": list(_people(event, query)),
        "candidates": _walk_in_candidates(event, query), "counts": services.counts_for([event])[event.pk],
        "walk_in_form": WalkInForm(),
    }  # fmt: skip
    if request.htmx and request.htmx.target == "check-in-people":
        return render(request, "events/manage_check_in_people.html", context)
    return render(request, "events/manage_check_in.html", context)


@console_section("events")
def check_in_count(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = get_event(request.network, event_id)
    counts = services.counts_for([event])[event.pk]
    return render(request, "events/manage_check_in_count.html", {"event": event, "counts": counts})


_TOKEN_IN_PATH = re.compile(r"/check-in/t/([^/]+)/?$")


def token_from(value: str) -> str:
    """The token a QR code carries: the last part of a manage:event_check_in_token URL, or the token
    typed as it is."""
    value = value.strip()
    if "/" not in value:
        return value
    try:
        found = _TOKEN_IN_PATH.search(urlsplit(value).path)
    except ValueError:  # a malformed link (e.g. "https://[…") is no ticket
        return ""
    return found.group(1) if found else ""


def _result_context(event: Event, rsvp: Rsvp | None, result: str) -> dict[str, object]:
    if result == CheckInResult.CHECKED_IN:
        headline, tone = _("Checked in"), "success"
    elif result == CheckInResult.ALREADY and rsvp is not None and rsvp.checked_in_at is not None:
        when = time_format(timezone.localtime(rsvp.checked_in_at), "H:i")
        headline, tone = _("Already checked in (%(time)s)") % {"time": when}, "warning"
    elif result == CheckInResult.NOT_CONFIRMED and rsvp is not None:
        headline, tone = _("Not confirmed: %(status)s") % {"status": rsvp.get_status_display()}, "error"
    else:
        headline, tone = _("Unknown code: not a ticket of this event"), "error"
    return {"event": event, "rsvp": rsvp, "name": _name(rsvp) if rsvp else "", "result": result,
            "headline": headline, "tone": tone}  # fmt: skip


@require_POST
@console_section("events")
def check_in_scan(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """A scanned (or typed) ticket: checks the person in. Scanning twice only says when they came."""
    event = get_event(request.network, event_id)
    rsvp = services.find_by_token(event, token_from(request.POST.get("token", "")))
    result = CheckInResult.UNKNOWN if rsvp is None else services.check_in(rsvp, request.user)
    context = _result_context(event, rsvp, result)
    if request.htmx:
        response = render(request, "events/manage_check_in_result.html", context)
        response["HX-Trigger"] = "checkin-changed"  # the count refreshes at once
        return response
    return render(request, "events/manage_check_in_token.html", context)


@console_section("events")
def check_in_token(request: NetworkRequest, network_slug: str, event_id: int, token: str) -> HttpResponse:
    """What a phone's own camera app opens from a ticket: who it is, and a button to check them in
    (opening the page changes nothing)."""
    event = get_event(request.network, event_id)
    rsvp = services.find_by_token(event, token)
    if rsvp is None:
        context = _result_context(event, None, CheckInResult.UNKNOWN)
        return render(request, "events/manage_check_in_token.html", context, status=404)
    if rsvp.status != Rsvp.Status.CONFIRMED:
        result = CheckInResult.NOT_CONFIRMED
    elif rsvp.checked_in:
        result = CheckInResult.ALREADY
    else:
        result = ""  # not yet: the page offers the button
    context = _result_context(event, rsvp, result) if result else {"event": event, "rsvp": rsvp, "name": _name(rsvp)}
    context["token"] = token
    return render(request, "events/manage_check_in_token.html", context)


CHECK_IN_ACTIONS = ("arrive", "online", "undo")


@require_POST
@console_section("events")
def check_in_action(
    request: NetworkRequest, network_slug: str, event_id: int, rsvp_id: int, action: str
) -> HttpResponse:
    if action not in CHECK_IN_ACTIONS:
        raise Http404
    event = get_event(request.network, event_id)
    rsvp = get_rsvp(event, rsvp_id)
    if action == "undo":
        services.undo_check_in(rsvp)
        rsvp.refresh_from_db()
        result = ""
    else:
        mode = Rsvp.CheckIn.ONLINE if action == "online" else Rsvp.CheckIn.VENUE
        result = services.check_in(rsvp, request.user, mode=mode)
    if request.htmx:
        response = render(request, "events/manage_check_in_person.html", {"event": event, "rsvp": rsvp, "query": ""})
        response["HX-Trigger"] = "checkin-changed"
        return response
    if result == CheckInResult.NOT_CONFIRMED:
        messages.error(request, _("%(name)s is not confirmed: register them as a walk-in if there is room.")
                       % {"name": _name(rsvp)})  # fmt: skip
    elif result == CheckInResult.CHECKED_IN:
        messages.success(request, _("%(name)s: checked in.") % {"name": _name(rsvp)})
    elif action == "undo":
        messages.success(request, _("%(name)s: check-in undone.") % {"name": _name(rsvp)})
    return _back_to_check_in(event, request.POST.get("q", ""))


def _back_to_check_in(event: Event, query: str) -> HttpResponse:
    url = reverse("manage:event_check_in", args=[event.network.slug, event.pk])
    return redirect(f"{url}?{urlencode({'q': query[:60]})}" if query else url)


@require_POST
@console_section("events")
def walk_in(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """Someone at the door without a seat: a member found by the search, or a guest by name."""
    event = get_event(request.network, event_id)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
        return _back_to_check_in(event, request.POST.get("q", ""))
    membership: Membership | None = None
    if form.cleaned_data["membership"]:
        membership = get_object_or_404(Membership.objects.select_related("user"), network=request.network,
                                       pk=form.cleaned_data["membership"], state=MembershipState.ACTIVE)  # fmt: skip
    answer = services.walk_in(event, request.user, membership=membership, guest_name=form.cleaned_data["guest_name"])
    messages.success(request, _("%(name)s is registered and checked in.") % {"name": _name(answer)})
    return _back_to_check_in(event, "")


# --- Photos ----------------------------------------------------------------------------------------


@console_section("events")
def photos(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """Photos added once the event has started (shown on its page and linked from the thank-you)."""
    network = request.network
    event = get_event(network, event_id)
    listed = EventPhoto.objects.filter(network=network, event=event)
    started = event.starts_at <= timezone.now()
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not started:
            messages.error(request, _("Photos are added once the event has started."))
            return redirect("manage:event_photos", network_slug, event.pk)
        if form.is_valid():
            uploads = form.cleaned_data["photos"]
            try:
                added = services.add_photos(event, uploads, form.cleaned_data["caption"], MAX_PHOTOS)
            except ActionRefused as refusal:
                form.add_error("photos", str(refusal))
            else:
                text = ngettext("%(count)d photo added.", "%(count)d photos added.", added)
                messages.success(request, text % {"count": added})
                return redirect("manage:event_photos", network_slug, event.pk)
    context = {"event": event, "photos": list(listed), "form": form, "started": started, "max_photos": MAX_PHOTOS}
    return render(request, "events/manage_photos.html", context)


@require_POST
@console_section("events")
def photo_delete(request: NetworkRequest, network_slug: str, event_id: int, photo_id: int) -> HttpResponse:
    event = get_event(request.network, event_id)
    photo = get_photo(event, photo_id)
    services.delete_photo(photo)
    messages.success(request, _("The photo is deleted."))
    return redirect("manage:event_photos", network_slug, event.pk)
