"""Console pages of the secretariat's shared inbox (inbox section: admin, HR, editor).

There is deliberately no console page for alumni conversations: no staff role reads them.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.messaging import services
from enishi.messaging.access import get_thread
from enishi.messaging.forms import AssignForm, InboxFilterForm, StaffReplyForm, StatusForm
from enishi.networks.decorators import console_section
from enishi.privacy.services import audit

INBOX_PAGE_SIZE = 50


@console_section("inbox")
def inbox(request: NetworkRequest, network_slug: str) -> HttpResponse:
    staff = list(services.inbox_staff(request.network.pk))
    form = InboxFilterForm(request.GET or None, staff=staff)
    status, assignee = "open", ""
    if form.is_bound and form.is_valid():
        status, assignee = form.cleaned_data["status"] or "open", form.cleaned_data["assignee"]
    threads = services.inbox_threads(request.network.pk, request.membership, status=status, assignee=assignee)
    page = paginate(request, threads, per_page=INBOX_PAGE_SIZE)
    return render(request, "messaging/manage_inbox.html", {"page": page, "form": form})


@console_section("inbox")
def thread(request: NetworkRequest, network_slug: str, thread_id: int) -> HttpResponse:
    """One inquiry: the conversation with the internal notes, a reply or note box, assignment, status."""
    found = get_thread(request.network, thread_id)
    form = StaffReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        if form.cleaned_data["kind"] == "note":
            services.add_note(request.membership, found, text)
            messages.success(request, _("The note is saved. Only staff see it."))
        else:
            services.secretariat_reply(request.membership, found, text, request=request)
            messages.success(request, _("Your reply is sent to the alumnus."))
        return redirect("manage:inbox_thread", network_slug, found.pk)
    staff = list(services.inbox_staff(request.network.pk))
    context = {
        "thread": found,
        "posts": services.thread_messages(found, with_notes=True),
        "form": form,
        "assign_form": AssignForm(initial={"assignee": found.assignee_id or ""}, staff=staff),
        "status_form": StatusForm(initial={"status": found.status}),
    }
    response = render(request, "messaging/manage_thread.html", context)
    if request.method == "GET":
        audit(request.network, request.user, "secretariat_thread.viewed", found, request=request)
    return response


@require_POST
@console_section("inbox")
def assign(request: NetworkRequest, network_slug: str, thread_id: int) -> HttpResponse:
    found = get_thread(request.network, thread_id)
    staff = list(services.inbox_staff(request.network.pk))
    form = AssignForm(request.POST, staff=staff)
    if form.is_valid():
        chosen = next((member for member in staff if str(member.pk) == form.cleaned_data["assignee"]), None)
        try:
            services.assign(request.membership, found, chosen, request=request)
        except ActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a staff member of the inbox."))
    return redirect("manage:inbox_thread", network_slug, found.pk)


@require_POST
@console_section("inbox")
def change_status(request: NetworkRequest, network_slug: str, thread_id: int) -> HttpResponse:
    found = get_thread(request.network, thread_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.change_status(request.membership, found, form.cleaned_data["status"], request=request)
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("manage:inbox_thread", network_slug, found.pk)
