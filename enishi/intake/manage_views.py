"""Staff console pages of intake (/n/<slug>/manage/intake/…): employment records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.intake import services
from enishi.intake.access import get_employment_record, get_import_job
from enishi.intake.forms import EmploymentRecordForm, ImportMappingForm, ImportUploadForm, RecordFilterForm
from enishi.intake.importing import plan_import
from enishi.intake.models import EmploymentRecord, ImportJob
from enishi.lib.errors import ActionRefused
from enishi.lib.exports import csv_response_bytes, xlsx_bytes
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.decorators import console_section
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


EXPORT_FORMATS = {
    # format: (content type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-sjis": ("text/csv; charset=shift_jis", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@console_section("intake")
def records_export(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The filtered records as CSV (UTF-8 with BOM, or Shift_JIS/CP932) or xlsx, formulas neutralised."""
    network = request.network
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    records = filtered_records(request)
    headers, rows = services.export_rows(records)
    if export_format == "xlsx":
        body = xlsx_bytes(headers, rows, sheet_title=str(_("Employment records")))
    else:
        body = csv_response_bytes(headers, rows, encoding="cp932" if export_format == "csv-sjis" else "utf-8-sig")
    content_type, extension = EXPORT_FORMATS[export_format]
    audit(network, request.user, "employment_records.exported", request=request, rows=len(rows),
          format=export_format, query=request.GET.urlencode()[:300])  # fmt: skip
    response = HttpResponse(body, content_type=content_type)
    filename = f"employment-records-{network.slug}-{timezone.localdate():%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@console_section("intake")
def record_detail(request: NetworkRequest, network_slug: str, record_id: int) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id)
    audit(network, request.user, "employment_record.viewed", record, request=request)
    context = {"record": record, "assignments": record.assignments.all(), "invitations": record.invitations.all()[:5]}
    return render(request, "intake/record_detail.html", context)


@console_section("intake")
def record_edit(request: NetworkRequest, network_slug: str, record_id: int | None = None) -> HttpResponse:
    network = request.network
    record = get_employment_record(network, record_id) if record_id is not None else None
    form = EmploymentRecordForm(request.POST or None, instance=record, network=network)
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
    record = get_employment_record(network, record_id)
    try:
        invitation = services.invite_leaver(
            network, request.user, record, request.POST.get("email", ""), request=request
        )
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("manage:intake_record", network_slug, record.pk)
