"""The staff directory in the console (/n/<slug>/manage/directory/): the same search with the
staff facets, saved segments and exports. Admin and HR only (the members section)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.directory import services
from enishi.directory.access import get_segment
from enishi.directory.forms import SegmentNameForm, StaffDirectoryForm, segment_data
from enishi.directory.views import results_context
from enishi.lib.exports import EXPORT_FORMATS, spreadsheet_response
from enishi.lib.http import NetworkRequest
from enishi.networks.decorators import console_section
from enishi.privacy.services import audit
from enishi.profiles.models import SavedSegment


@console_section("members")
def directory(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    data: QueryDict = request.GET
    segment = None
    if "segment" in request.GET:
        segment = get_segment(network, request.GET["segment"])
        data = segment_data(segment.query)
    form = StaffDirectoryForm(data or None, network=network)
    context = results_context(request, form, allowed=True)
    context.update(segment=segment, segment_form=SegmentNameForm())
    # Staff see what alumni shared with staff: record who searched for what.
    audit(network, request.user, "members.listed", request=request, page=context["page_number"],
          query=data.urlencode()[:300])  # fmt: skip
    return render(request, "directory/manage_directory.html", context)


@console_section("members")
def export(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The whole search (not only the page) as CSV (UTF-8 with BOM, or CP932) or xlsx, formulas
    neutralised, at most EXPORT_MAX_ROWS people; audit-logged with the query and the row count."""
    network = request.network
    export_format = request.GET.get("format", "csv")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    form = StaffDirectoryForm(request.GET, network=network)
    if not form.is_valid():
        messages.error(request, _("The search could not be read; nothing was exported. Check the filters."))
        return redirect("manage:directory", network_slug)
    ids = services.matching_ids(network, request.membership, form)
    rows = list(services.export_rows(network, request.membership, ids))
    audit(network, request.user, "directory.exported", request=request, rows=len(rows), format=export_format,
          query=request.GET.urlencode()[:300])  # fmt: skip
    filename = f"directory-{network.slug}-{timezone.localdate():%Y%m%d}"
    return spreadsheet_response(
        services.export_headers(), rows, export_format, sheet_title=str(_("Directory")), filename=filename
    )


@console_section("members")
def segments(request: NetworkRequest, network_slug: str) -> HttpResponse:
    listed = SavedSegment.objects.filter(network=request.network).select_related("created_by")
    return render(request, "directory/segments.html", {"segments": listed})


@require_POST
@console_section("members")
def segment_save(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Save the search in the query string under a name (the form posts to ?<the search>)."""
    network = request.network
    search_form = StaffDirectoryForm(request.GET, network=network)
    name_form = SegmentNameForm(request.POST)
    if not search_form.is_valid() or not name_form.is_valid():
        messages.error(request, _("The segment was not saved: give it a name, and check the filters."))
        return redirect(f"{reverse('manage:directory', args=[network_slug])}?{request.GET.urlencode()}")
    segment = services.save_segment(network, request.user, name_form.cleaned_data["name"], search_form,
                                    request=request)  # fmt: skip
    messages.success(request, _("Segment saved: %(name)s") % {"name": segment.name})
    return redirect("manage:segments", network_slug)


@require_POST
@console_section("members")
def segment_delete(request: NetworkRequest, network_slug: str, segment_id: int) -> HttpResponse:
    segment = get_segment(request.network, segment_id)
    services.delete_segment(segment, request.user, request=request)
    messages.success(request, _("Segment deleted: %(name)s") % {"name": segment.name})
    return redirect("manage:segments", network_slug)
