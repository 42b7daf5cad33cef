"""Staff console pages of intake (/n/<slug>/manage/intake/…): employment records, imports,
invitations (to a selection, flyers, one invitation's actions) and join links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.intake import services
from enishi.intake.access import get_alumni_invitation, get_employment_record, get_import_job, get_join_channel
from enishi.intake.forms import (
    EmploymentRecordForm,
    ImportMappingForm,
    ImportUploadForm,
    InviteSelectionForm,
    JoinChannelForm,
    RecordFilterForm,
)
from enishi.intake.importing import plan_import
from enishi.intake.models import AlumniInvitation, EmploymentRecord, ImportJob, InvitationStatus, JoinChannel
from enishi.lib.errors import ActionRefused
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.qr import qr_svg
from enishi.networks.access import covered_company_ids
from enishi.networks.decorators import console_section
from enishi.networks.models import Company
from enishi.privacy.services import audit


def filtered_records(request: NetworkRequest) -> QuerySet[EmploymentRecord]:
    """The network's records under the list's filters (shared by the list and its export)."""
    network = request.network
    form = RecordFilterForm(request.GET or None, network=network)
    queryset = services.search_records(network, "")
    if form.is_valid():
        data = form.cleaned_data
        queryset = services.search_records(network, data["q"])
        if data["company"]:
            queryset = queryset.filter(company=data["company"])
        if data["leave_year"]:
            queryset = queryset.filter(leave_date__year=data["leave_year"])
        if data["leave_reason"]:
            queryset = queryset.filter(leave_reason=data["leave_reason"])
    covered = covered_company_ids(request.membership)
    if covered is not None:  # hr restricted to the companies they cover
        queryset = queryset.filter(company_id__in=covered)
    queryset = services.with_invitation_status(queryset)
    if form.is_valid():
        queryset = services.filter_by_invitation_status(queryset, form.cleaned_data["status"])
    return queryset.select_related("company", "membership").order_by(
        "family_name_kana", "given_name_kana", "employee_number", "pk"
    )


@console_section("intake")
def records(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = RecordFilterForm(request.GET or None, network=network)
    page = paginate(request, filtered_records(request))
    audit(network, request.user, "employment_records.listed", request=request, query=request.GET.urlencode()[:300])
    return render(request, "intake/records.html", {"form": form, "page": page})


@console_section("intake")
def records_export(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The filtered records as CSV (UTF-8 with BOM, or Shift_JIS/CP932) or xlsx, formulas neutralised."""
    network = request.network
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    records = filtered_records(request)
    headers, rows = services.export_rows(records)
    audit(network, request.user, "employment_records.exported", request=request, rows=len(rows),
          format=export_format, query=request.GET.urlencode()[:300])  # fmt: skip
    filename = f"employment-records-{network.slug}-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(
        headers, rows, export_format, sheet_title=str(_("Employment records")), filename=filename
    )


@console_section("intake")
def record_detail(request: NetworkRequest, network_slug: str, record_id: int) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id, request.membership)
    audit(network, request.user, "employment_record.viewed", record, request=request)
    invitations = list(record.invitations.select_related("invited_by")[:RECORD_INVITATIONS])
    for invitation in invitations:
        invitation.status_label = InvitationStatus(invitation.status).label  # type: ignore[attr-defined]
    context = {"record": record, "assignments": record.assignments.all(), "invitations": invitations,
               "latest": invitations[0] if invitations else None}  # fmt: skip
    return render(request, "intake/record_detail.html", context)


RECORD_INVITATIONS = 20  # the record page's invitation history


@console_section("intake")
def record_edit(request: NetworkRequest, network_slug: str, record_id: int | None = None) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id, request.membership) if record_id is not None else None
    form = EmploymentRecordForm(request.POST or None, instance=record, network=network)
    covered = covered_company_ids(request.membership)
    if covered is not None:  # hr restricted to the companies they cover: only those are offered
        company_field = form.fields["company"]
        company_field.queryset = company_field.queryset.filter(pk__in=covered)  # type: ignore[attr-defined]
        company_field.error_messages["invalid_choice"] = _("Choose one of the companies you cover.")
    if request.method == "POST" and form.is_valid():
        saved = services.save_employment_record(
            network, request.user, form.save(commit=False), form.changed_data, request=request
        )
        messages.success(request, _("The employment record was saved."))
        return redirect("manage:intake_record", network_slug, saved.pk)
    return render(request, "intake/record_form.html", {"form": form, "record": record})


PREVIEW_ROWS = 200


@console_section("intake")
def import_upload(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.upload_import(network, request.user, form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("manage:intake_import", network_slug, job.pk)
    jobs = ImportJob.objects.filter(network=network).select_related("uploaded_by")[:10]
    return render(request, "intake/import_upload.html", {"form": form, "jobs": jobs})


@console_section("intake")
def import_preview(request: NetworkRequest, network_slug: str, job_id: int) -> HttpResponse:
    """The dry run: what the file would create, update or skip, row by row, before anything is written."""
    network = request.network
    job = get_import_job(network, job_id)
    form = ImportMappingForm(request.POST or None, headers=job.headers, mapping=job.column_mapping)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_import_mapping(job, form.mapping())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("manage:intake_import", network_slug, job.pk)
    plan, problem = None, None
    try:
        plan = plan_import(network, services.read_import_file(job), job.column_mapping)
    except ValidationError as error:
        problem = " ".join(error.messages)
    context = {"job": job, "form": form, "plan": plan, "problem": problem}
    if plan is not None:
        interesting = [o for o in plan.outcomes if o.action != "unchanged"]
        context.update(
            counts={
                "create": plan.count("create"), "update": plan.count("update"),
                "unchanged": plan.count("unchanged"), "skip": plan.count("skip"),
            },
            rows=interesting[:PREVIEW_ROWS], more_rows=max(0, len(interesting) - PREVIEW_ROWS),
        )  # fmt: skip
    return render(request, "intake/import_preview.html", context)


@require_POST
@console_section("intake")
def import_apply(request: NetworkRequest, network_slug: str, job_id: int) -> HttpResponse:
    network = request.network
    job = get_import_job(network, job_id)
    try:
        result = services.start_import(job, request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("manage:intake_import", network_slug, job.pk)
    if result is None:  # a large file: the worker imports it, the preview page shows the progress
        return redirect("manage:intake_import", network_slug, job.pk)
    messages.success(
        request,
        _("Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
           "skipped": result.skipped},
    )  # fmt: skip
    return redirect("manage:intake", network_slug)


@console_section("intake")
def import_progress(request: NetworkRequest, network_slug: str, job_id: int) -> HttpResponse:
    """The progress bar of a background import, polled by htmx from the preview page."""
    job = get_import_job(request.network, job_id)
    response = render(request, "intake/import_progress.html", {"job": job})
    if job.status in (ImportJob.Status.APPLIED, ImportJob.Status.FAILED) and request.htmx:
        response["HX-Refresh"] = "true"  # show the final state with the full page
    return response


@require_POST
@console_section("intake")
def record_invite(request: NetworkRequest, network_slug: str, record_id: int) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id, request.membership)
    try:
        invitation = services.invite_leaver(
            network, request.user, record, request.POST.get("email", ""), request=request
        )
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("manage:intake_record", network_slug, record.pk)


# --- Invitations -----------------------------------------------------------------------------------


@console_section("intake")
def invite_selection(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Invite a selection of leavers by email, or print their flyers: counts first, then one click."""
    network = request.network
    form = InviteSelectionForm(request.GET or None, network=network)
    if request.GET and not form.is_valid():
        return render(request, "intake/invite.html", {"form": form, "selection": None}, status=400)
    filters = form.cleaned_data if request.GET else {}
    selection = services.assess_selection(network, services.select_records(network, **filters))
    query = request.GET.urlencode()
    if request.method == "POST":
        if request.POST.get("action") == "flyers":
            return _print_selection(request, selection)
        return _send_selection(request, selection, query)
    audit(network, request.user, "employment_records.listed", request=request, query=query[:300], page="invite")
    context = {"form": form, "selection": selection, "query": query, "flyer_limit": services.FLYER_BATCH_LIMIT,
               "inline_limit": services.INLINE_INVITATIONS}  # fmt: skip
    return render(request, "intake/invite.html", context)


def _send_selection(request: NetworkRequest, selection: services.Selection, query: str) -> HttpResponse:
    if not selection.email_ids:
        messages.warning(request, _("No one in this selection can be invited by email now. See the counts below."))
    else:
        sent, queued = services.start_selected_invitations(
            request.network, request.user, selection.email_ids, request=request, query=query
        )
        if queued:
            messages.success(request, ngettext(
                "%(count)d invitation is being sent in the background. Statuses update as the emails go out.",
                "%(count)d invitations are being sent in the background. Statuses update as the emails go out.",
                queued) % {"count": queued})  # fmt: skip
        else:
            messages.success(request, ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent)
                             % {"count": sent})  # fmt: skip
    return redirect(reverse("manage:intake_invite", args=[request.network.slug]) + (f"?{query}" if query else ""))


def _print_selection(request: NetworkRequest, selection: services.Selection) -> HttpResponse:
    network = request.network
    if not selection.flyer_ids:
        messages.warning(request, _("No flyer to print for this selection. See the counts below."))
        return redirect(request.get_full_path())
    invitations = services.create_flyer_invitations(network, request.user, selection.flyer_ids, request=request)
    limit = services.FLYER_BATCH_LIMIT
    if len(selection.flyer_ids) > limit:
        messages.warning(request, _(
            "Flyers were prepared for the first %(limit)d of %(total)d people. Print them, then come back "
            "to this page for the next batch.") % {"limit": limit, "total": len(selection.flyer_ids)})  # fmt: skip
    ids = ",".join(str(invitation.pk) for invitation in invitations)
    return redirect(reverse("manage:intake_flyers", args=[network.slug]) + f"?ids={ids}")


@require_POST
@console_section("intake")
def record_flyer(request: NetworkRequest, network_slug: str, record_id: int) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id, request.membership)
    try:
        invitation = services.flyer_invitation(network, request.user, record, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("manage:intake_record", network_slug, record.pk)
    return redirect("manage:intake_invitation_flyer", network_slug, invitation.pk)


@console_section("intake")
def invitation_flyer(request: NetworkRequest, network_slug: str, invitation_id: int) -> HttpResponse:
    """The printable flyer of one personal invitation."""
    invitation = get_alumni_invitation(request.network, invitation_id)
    if invitation.delivery != AlumniInvitation.Delivery.FLYER:
        raise Http404
    return _flyers_page(
        request, [invitation], back=reverse("manage:intake_record", args=[network_slug, invitation.record_id])
    )


# A batch is at most FLYER_BATCH_LIMIT flyers; the query string can hold that many ids.
MAX_FLYER_IDS = 500


@console_section("intake")
def flyers(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Printable flyers of several invitations, `?ids=1,2,3`: ids of other networks, unknown ids and
    invitations that are not open flyers are left out."""
    network = request.network
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()][:MAX_FLYER_IDS]
    found = AlumniInvitation.objects.filter(network=network, pk__in=ids, delivery=AlumniInvitation.Delivery.FLYER)
    by_id = {invitation.pk: invitation for invitation in found.select_related("record", "record__company")}
    invitations = [by_id[pk] for pk in dict.fromkeys(ids) if pk in by_id]
    return _flyers_page(request, invitations, back=reverse("manage:intake_invite", args=[network_slug]))


def _flyers_page(request: NetworkRequest, invitations: list[AlumniInvitation], back: str) -> HttpResponse:
    network = request.network
    printable = [invitation for invitation in invitations if invitation.is_open]
    join_url = settings.SITE_URL + reverse("network:public_join", args=[network.slug])
    sheets = [_personal_flyer(network.slug, invitation, join_url) for invitation in printable]
    if printable:
        audit(network, request.user, "alumni.flyers_printed", printable[0].record if len(printable) == 1 else None,
              request=request, count=len(printable), invitations=[i.pk for i in printable])  # fmt: skip
    closed = len(invitations) - len(printable)
    return _render_flyers(request, sheets, back=back, closed=closed)


@dataclass
class Flyer:
    """What one printed flyer shows; a personal one has a code and a name, a join link's has neither."""

    url: str
    qr: SafeString
    expires_at: datetime | None
    code: str = ""
    code_url: str = ""
    name: str = ""
    company: Company | None = None  # named in the flyer's language by the template


def _personal_flyer(slug: str, invitation: AlumniInvitation, join_url: str) -> Flyer:
    url = settings.SITE_URL + reverse("network:join", args=[slug, invitation.token])
    record = invitation.record
    return Flyer(
        url=url,
        qr=qr_svg(url),
        expires_at=invitation.expires_at,
        code=invitation.display_code,
        code_url=join_url,
        name=f"{record.family_name} {record.given_name}",
        company=record.company,
    )


FLYER_SIZES = {"a4": "A4", "a5": "A5"}


def _render_flyers(request: NetworkRequest, sheets: list[Flyer], *, back: str, closed: int = 0) -> HttpResponse:
    network = request.network
    size = request.GET.get("size", "a4") if request.GET.get("size") in FLYER_SIZES else "a4"
    languages = [code for code, _name in settings.LANGUAGES]
    default_language = next((code for code in network.languages if code in languages), settings.LANGUAGE_CODE)
    language = request.GET.get("lang") if request.GET.get("lang") in languages else default_language
    params = request.GET.copy()
    context = {
        "flyers": sheets, "size": size, "page_size": FLYER_SIZES[size], "flyer_language": language,
        "back": back, "closed": closed,
        "size_links": {key: _with_param(request, params, "size", key) for key in FLYER_SIZES},
        "language_options": [(code, get_language_info(code)["name_local"], _with_param(request, params, "lang", code))
                             for code in languages],
    }  # fmt: skip
    response = render(request, "intake/flyers.html", context)
    response["Cache-Control"] = "private, no-store"  # personal links: never kept by a shared cache
    return response


def _with_param(request: NetworkRequest, params: QueryDict, name: str, value: str) -> str:
    changed = params.copy()
    changed[name] = value
    return f"{request.path}?{changed.urlencode()}"


def _invitation_action(
    request: NetworkRequest, network_slug: str, invitation_id: int, verb: Callable[..., AlumniInvitation], done: str
) -> HttpResponse:
    """Apply a service verb to one invitation and go back to its record, saying what happened."""
    network = request.network
    invitation = get_alumni_invitation(network, invitation_id)
    try:
        verb(network, request.user, invitation, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("manage:intake_record", network_slug, invitation.record_id)


@require_POST
@console_section("intake")
def invitation_resend(request: NetworkRequest, network_slug: str, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, network_slug, invitation_id, services.resend_invitation,
                              _("The invitation was sent again."))  # fmt: skip


@require_POST
@console_section("intake")
def invitation_revoke(request: NetworkRequest, network_slug: str, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, network_slug, invitation_id, services.revoke_invitation,
                              _("The invitation was revoked: its link and code no longer work."))  # fmt: skip


@require_POST
@console_section("intake")
def invitation_bounced(request: NetworkRequest, network_slug: str, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, network_slug, invitation_id, services.mark_invitation_bounced,
                              _("The invitation was marked as bounced. No reminder will be sent."))  # fmt: skip


# --- Join links ------------------------------------------------------------------------------------


@console_section("intake")
def channels(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Join links to share (homepage, press release, event, flyer stack) and alumni's referral links."""
    network = request.network
    form = JoinChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.create_join_channel(network, request.user, request=request, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The link “%(label)s” was created.") % {"label": channel})
            return redirect("manage:intake_channels", network_slug)
    links = services.join_channels_with_counts(network).select_related("created_by")
    referrals = paginate(request, links.filter(kind=JoinChannel.Kind.REFERRAL).select_related("referrer__user"))
    referrals.object_list = list(referrals.object_list)
    shared = list(links.exclude(kind=JoinChannel.Kind.REFERRAL))
    for link in [*shared, *referrals.object_list]:
        link.url = settings.SITE_URL + reverse("network:channel", args=[network_slug, link.token])
    context = {"form": form, "links": shared, "referrals": referrals}
    return render(request, "intake/channels.html", context, status=400 if form.errors else 200)


@require_POST
@console_section("intake")
def channel_revoke(request: NetworkRequest, network_slug: str, channel_id: int) -> HttpResponse:
    network = request.network
    channel = get_join_channel(network, channel_id)
    try:
        services.revoke_join_channel(network, request.user, channel, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The link “%(label)s” was revoked: it no longer opens the join page.")
                         % {"label": channel})  # fmt: skip
    return redirect("manage:intake_channels", network_slug)


@console_section("intake")
def channel_flyer(request: NetworkRequest, network_slug: str, channel_id: int) -> HttpResponse:
    """A flyer or poster for a join link: its QR code and address, for a stack at an event or a desk."""
    channel = get_join_channel(request.network, channel_id)
    back = reverse("manage:intake_channels", args=[network_slug])
    if not channel.is_open:
        return _render_flyers(request, [], back=back, closed=1)
    url = settings.SITE_URL + reverse("network:channel", args=[network_slug, channel.token])
    return _render_flyers(request, [Flyer(url=url, qr=qr_svg(url), expires_at=channel.expires_at)], back=back)
