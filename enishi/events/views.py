"""Alumni pages of events: the list, one event with its RSVP, the ticket (QR code), the attendees,
calendars (.ics and the personal feed) and events proposed by alumni.

Staff who open these pages see them too (they may attend when the event lets current employees in).
The online link is shown only where services.can_see_online_url allows it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.events import calendar, services
from enishi.events.access import get_hosted_event, get_visible_event
from enishi.events.forms import EventFilterForm, ProposalForm, RsvpForm
from enishi.events.models import Event, EventPhoto, EventQuestion, Rsvp
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.qr import qr_svg
from enishi.lib.richtext import clean_html
from enishi.networks.decorators import allows_anonymous
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.notifications.services import mark_read_about

EVENTS_PAGE_SIZE = 20
LIST_TABS = ("upcoming", "past", "mine")


def _questions(event: Event) -> list[EventQuestion]:
    return list(EventQuestion.objects.filter(network_id=event.network_id, event=event))


def _seats_left(event: Event, taken: int) -> int | None:
    return None if event.capacity is None else max(event.capacity - taken, 0)


def event_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Upcoming events (default), past ones (?when=past), or those I proposed (?when=mine)."""
    membership = request.membership
    when = request.GET.get("when", "upcoming")
    when = when if when in LIST_TABS else "upcoming"
    filters = None
    events: QuerySet[Event]
    if when == "mine":
        events = Event.objects.filter(network=request.network, host=membership).select_related("host_company")
        events = events.order_by("-starts_at", "-id")
    else:
        filters = EventFilterForm(request.GET, network=request.network)
        now = timezone.now()
        shown = services.events_for(membership)
        if when == "past":
            events = filters.apply(shown.filter(ends_at__lte=now)).order_by("-starts_at", "-id")
        else:
            events = filters.apply(shown.filter(ends_at__gt=now)).order_by("starts_at", "id")
    page = paginate(request, events, per_page=EVENTS_PAGE_SIZE)
    rows = list(page.object_list)
    counts = services.counts_for(rows)
    mine = services.rsvps_by_event(membership, rows)
    for event in rows:
        event.my_rsvp = mine.get(event.pk)
        event.seats_left = _seats_left(event, counts[event.pk].confirmed)
    context = {"page": page, "events": rows, "when": when, "filters": filters, "link_to_proposal": when == "mine",
               "may_propose": membership.role in ALUMNI_ROLES}  # fmt: skip
    return render(request, "events/list.html", context)


def event_detail(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    membership = request.membership
    event = get_visible_event(membership, event_id)
    answer = services.rsvps_by_event(membership, [event]).get(event.pk)
    live = answer is not None and answer.status != Rsvp.Status.CANCELLED
    questions = _questions(event)
    mark_read_about(membership, services.event_reference(event.pk))
    confirmed = answer is not None and answer.status == Rsvp.Status.CONFIRMED
    context = {
        "event": event,
        # Cleaned when saved (services.save_event); cleaned again here because rows can come from elsewhere.
        "description": clean_html(event.description),
        "answer": answer if live else None,
        "may_register": event.registration_open and not live and services.may_attend(event, membership),
        "one_tap": not questions and event.max_plus_ones == 0,
        "has_choices": bool(questions) or event.max_plus_ones > 0 or event.attendees_visible,
        "online_url": event.online_url if services.can_see_online_url(event, membership, answer) else "",
        "seats_left": _seats_left(event, services.seats_taken(event)),
        "photos": list(EventPhoto.objects.filter(network_id=event.network_id, event=event)) if event.is_past else [],
        "show_thanks": event.is_past and (confirmed or membership.role not in ALUMNI_ROLES),
        "attendees_link": services.may_see_attendees(event, membership, answer if live else None),
    }
    return render(request, "events/detail.html", context)


def _rsvp_message(event: Event, membership: Membership, answer: Rsvp, was_live: bool) -> str:
    if answer.status == Rsvp.Status.WAITLISTED:
        position = services.rsvps_by_event(membership, [event])[event.pk].waitlist_position  # type: ignore[attr-defined]
        if was_live:
            return _("Your answers are saved. You are number %(position)d on the waitlist.") % {"position": position}
        return _("You are on the waitlist (number %(position)d).") % {"position": position}
    if was_live:
        return _("Your answers are saved.")
    return _("Your place is confirmed.")


def event_rsvp(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """The RSVP form (the event's questions, plus-ones, being shown to the others); a refusal is
    shown on the form with everything typed still there."""
    membership = request.membership
    event = get_visible_event(membership, event_id)
    current = services.rsvp_of(event, membership)
    was_live = current is not None and current.status != Rsvp.Status.CANCELLED
    form = RsvpForm(request.POST if request.method == "POST" else None, event=event, questions=_questions(event),
                    answer=current)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            answer = services.rsvp(event, membership, plus_ones=form.plus_ones(), answers=form.answers(),
                                   share_with_attendees=form.share_with_attendees())  # fmt: skip
        except services.RsvpRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _rsvp_message(event, membership, answer, was_live))
            return redirect("network:event_detail", network_slug, event.pk)
    context = {"event": event, "form": form, "was_live": was_live,
               "may_attend": event.registration_open and services.may_attend(event, membership)}  # fmt: skip
    return render(request, "events/rsvp.html", context)


@require_POST
def event_cancel_rsvp(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = get_visible_event(request.membership, event_id)
    answer = services.rsvp_of(event, request.membership)
    if answer is None or answer.status == Rsvp.Status.CANCELLED:
        messages.info(request, _("You were not registered for this event."))
    elif event.is_past:
        messages.error(request, _("This event is over: its registrations stay as they are."))
    else:
        services.cancel_rsvp(answer)
        messages.success(request, _("Your registration is cancelled. Thank you for letting us know."))
    return redirect("network:event_detail", network_slug, event.pk)


def event_ticket(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """The QR code the reception scans: the address of this RSVP's check-in in the staff console."""
    event = get_visible_event(request.membership, event_id)
    answer = services.rsvp_of(event, request.membership)
    if answer is None or answer.status != Rsvp.Status.CONFIRMED or event.status != Event.Status.PUBLISHED:
        return render(request, "events/ticket.html", {"event": event, "answer": None}, status=404)
    check_in = reverse("manage:event_check_in_token", args=[network_slug, event.pk, answer.check_in_token])
    qr = qr_svg(settings.SITE_URL + check_in, title=_("Check-in code"))
    return render(request, "events/ticket.html", {"event": event, "answer": answer, "qr": qr})


def event_attendees(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """Attendees who agreed to be shown, for confirmed attendees who show themselves too (and staff)."""
    membership = request.membership
    event = get_visible_event(membership, event_id)
    if not services.may_see_attendees(event, membership, services.rsvp_of(event, membership)):
        raise Http404
    people = list(services.attendees_shown_to(event, membership))
    return render(request, "events/attendees.html", {"event": event, "people": people})


def event_ics(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    event = get_visible_event(request.membership, event_id)
    body = calendar.event_ics(event, request.membership, services.rsvp_of(event, request.membership))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


# --- The personal calendar feed ------------------------------------------------------------------


def calendar_settings(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The member's secret feed address; POST makes a new one (the old one stops working)."""
    feed = calendar.feed_of(request.membership)
    if request.method == "POST":
        calendar.renew_feed(feed)
        messages.success(request, _("Your calendar has a new address. The old one no longer works."))
        return redirect("network:event_calendar", network_slug)
    url = calendar.feed_url(feed, request.network)
    return render(request, "events/calendar.html", {"feed": feed, "url": url, "webcal": calendar.webcal(url)})


@allows_anonymous
def calendar_feed(request: HttpRequest, network_slug: str, feed_token: str) -> HttpResponse:
    """What a calendar app fetches, without logging in: the token is the key. Unknown token: 404."""
    feed = calendar.find_feed(request.network, feed_token)  # type: ignore[attr-defined]
    if feed is None:
        raise Http404
    response = HttpResponse(calendar.feed_ics(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


# A calendar app cannot accept the privacy notice; the feed shows nothing the member did not choose.
calendar_feed.skips_notice_gate = True  # type: ignore[attr-defined]


# --- Proposals -----------------------------------------------------------------------------------


def event_propose(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """An alumnus or supporter proposes an event; the secretariat approves, edits or declines it."""
    membership = request.membership
    if membership.role not in ALUMNI_ROLES:
        raise Http404
    form = ProposalForm(request.POST or None, instance=Event(network=request.network))
    if request.method == "POST" and form.is_valid():
        event = services.propose(form.save(commit=False), membership)
        messages.success(request, _("Thank you. The secretariat will look at your proposal and tell you."))
        return redirect("network:event_proposal", network_slug, event.pk)
    return render(request, "events/propose.html", {"form": form})


def event_proposal(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """My proposal: its status, the reason if declined, and the form while it waits."""
    event = get_hosted_event(request.membership, event_id)
    editable = event.status == Event.Status.PROPOSED
    form = ProposalForm(request.POST or None, instance=event) if editable else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This proposal can no longer be changed. Write to the secretariat instead."))
            return redirect("network:event_proposal", network_slug, event.pk)
        if form.is_valid():
            services.save_event(form.save(commit=False), request.user, form.changed_data, request=request)
            messages.success(request, _("Your proposal is updated."))
            return redirect("network:event_proposal", network_slug, event.pk)
    counts = services.counts_for([event])[event.pk]
    return render(request, "events/proposal.html", {"event": event, "form": form, "counts": counts,
                                                    "description": clean_html(event.description)})  # fmt: skip


def hosted_attendees(request: NetworkRequest, network_slug: str, event_id: int) -> HttpResponse:
    """The host's own list of their event: names, status, plus-ones and answers."""
    event = get_hosted_event(request.membership, event_id)
    questions = _questions(event)
    rows = list(services.hosted_rsvps(event))
    for row in rows:
        row.answer_list = [row.answers.get(str(question.pk), "") for question in questions]  # type: ignore[attr-defined]
    counts = services.counts_for([event])[event.pk]
    context = {"event": event, "questions": questions, "rows": rows, "counts": counts}
    return render(request, "events/hosted_attendees.html", context)
