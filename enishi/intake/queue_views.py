"""Staff console: the approval queue (/n/<slug>/manage/intake/queue/…) and duplicate members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enishi.accounts.services import language_for_email
from enishi.intake import approvals
from enishi.intake.access import get_registration
from enishi.intake.approvals import CandidateReview
from enishi.intake.models import EmploymentRecord, MatchField, Registration, RegistrationFlag
from enishi.intake.queue_forms import ApproveForm, AskForMoreForm, MergeForm, RejectForm
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.networks.access import get_membership
from enishi.networks.decorators import console_section
from enishi.networks.models import Membership
from enishi.privacy.services import audit

QUEUE_TABS = {
    "pending": (Registration.Status.PENDING,),
    "needs_info": (Registration.Status.NEEDS_INFO,),
    "decided": approvals.DECIDED_STATUSES,
}

# What each flag means for the person deciding, and what to look at.
FLAG_EXPLANATIONS = {
    RegistrationFlag.NO_CANDIDATE: gettext_lazy(
        "No employment record of the chosen company carries this name. Look for the person in the records "
        "(a name change, another group company), ask the applicant for more, or approve without a record if "
        "you know them."
    ),
    RegistrationFlag.SEVERAL_CANDIDATES: gettext_lazy(
        "More than one record agrees with what the applicant declared. Compare them below and choose the right one."
    ),
    RegistrationFlag.PARTIAL_MATCH: gettext_lazy(
        "A record carries the name, but other facts the applicant gave differ (marked “differs” below)."
    ),
    RegistrationFlag.RECORD_TAKEN: gettext_lazy(
        "The matching record already belongs to another member. It may be the same person with a second "
        "account: see the member below and the duplicates page."
    ),
    RegistrationFlag.POSSIBLE_DUPLICATE: gettext_lazy(
        "A member with the same name at the same company already exists. Check that this is not the same person."
    ),
    RegistrationFlag.NOT_ELIGIBLE: gettext_lazy(
        "The matching record falls outside the network's membership rules (the problems are listed under it)."
    ),
    RegistrationFlag.STILL_EMPLOYED: gettext_lazy(
        "HR's record has no past leave date: the person may still be employed, or their leave is not imported yet."
    ),
    RegistrationFlag.MANUAL_REVIEW: gettext_lazy(
        "Automatic approval is switched off in the intake rules: a person checks every registration."
    ),
}


# Short words for the list's badges; the full label is their tooltip and the detail page explains.
FLAG_BADGES = {
    RegistrationFlag.NO_CANDIDATE: gettext_lazy("No record"),
    RegistrationFlag.SEVERAL_CANDIDATES: gettext_lazy("Several records"),
    RegistrationFlag.PARTIAL_MATCH: gettext_lazy("Partial match"),
    RegistrationFlag.RECORD_TAKEN: gettext_lazy("Record taken"),
    RegistrationFlag.POSSIBLE_DUPLICATE: gettext_lazy("Possible duplicate"),
    RegistrationFlag.NOT_ELIGIBLE: gettext_lazy("Outside the rules"),
    RegistrationFlag.STILL_EMPLOYED: gettext_lazy("No leave date"),
    RegistrationFlag.MANUAL_REVIEW: gettext_lazy("Manual review"),
}


def flag_badges(registration: Registration) -> list[tuple[str, str]]:
    """(short word, full label) of each flag, for the list."""
    return [
        (str(FLAG_BADGES[RegistrationFlag(flag)]), str(RegistrationFlag(flag).label))
        for flag in registration.flags
        if flag in RegistrationFlag.values
    ]


@console_section("intake")
def queue(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    tab = request.GET.get("tab", "pending")
    if tab not in QUEUE_TABS:
        tab = "pending"
    registrations = Registration.objects.filter(network=network, status__in=QUEUE_TABS[tab]).select_related(
        "user", "company", "channel__referrer__user", "decided_by"
    )
    if tab == "decided":
        registrations = registrations.order_by("-decided_at", "-pk")
    else:
        registrations = registrations.order_by("submitted_at", "pk")  # oldest first: first come, first served
    counts = dict(
        Registration.objects.filter(network=network, status__in=[s for tab in QUEUE_TABS.values() for s in tab])
        .values_list("status")
        .annotate(total=Count("pk"))
        .order_by()
    )
    tabs = [
        ("pending", _("Waiting for you"), counts.get(Registration.Status.PENDING, 0)),
        ("needs_info", _("Waiting for the applicant"), counts.get(Registration.Status.NEEDS_INFO, 0)),
        ("decided", _("Decided"), sum(counts.get(status, 0) for status in approvals.DECIDED_STATUSES)),
    ]
    page = paginate(request, registrations)
    audit(network, request.user, "registrations.listed", request=request, tab=tab, page=page.number)
    rows = [(registration, flag_badges(registration)) for registration in page.object_list]
    return render(request, "intake/queue.html", {"page": page, "rows": rows, "tab": tab, "tabs": tabs})


@console_section("intake")
def registration_detail(request: NetworkRequest, network_slug: str, registration_id: int) -> HttpResponse:
    registration = get_registration(request.network, registration_id)
    return _render_detail(request, registration)


@require_POST
@console_section("intake")
def registration_approve(request: NetworkRequest, network_slug: str, registration_id: int) -> HttpResponse:
    network = request.network
    registration = get_registration(network, registration_id)
    reviews = approvals.review_candidates(network, registration)
    form = ApproveForm(request.POST, network=network, registration=registration,
                       candidates=[review.record for review in reviews])  # fmt: skip
    if not form.is_valid():
        return _render_detail(request, registration, approve_form=form)
    try:
        approvals.approve(network, request.user, registration, form.chosen_record, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("manage:intake_registration", network_slug, registration.pk)
    messages.success(request, _("%(name)s is now a member.") % {"name": _applicant(registration)})
    return redirect("manage:intake_queue", network_slug)


@require_POST
@console_section("intake")
def registration_ask(request: NetworkRequest, network_slug: str, registration_id: int) -> HttpResponse:
    network = request.network
    registration = get_registration(network, registration_id)
    form = AskForMoreForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, registration, ask_form=form)
    try:
        approvals.ask_for_more(network, request.user, registration, form.cleaned_data["message"], request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("manage:intake_registration", network_slug, registration.pk)
    messages.success(request, _("Your question was sent to %(name)s.") % {"name": _applicant(registration)})
    return redirect("manage:intake_queue", network_slug)


@require_POST
@console_section("intake")
def registration_reject(request: NetworkRequest, network_slug: str, registration_id: int) -> HttpResponse:
    network = request.network
    registration = get_registration(network, registration_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, registration, reject_form=form)
    reason = form.reason_in(language_for_email(registration.user.email, network))
    try:
        approvals.reject(network, request.user, registration, reason, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("manage:intake_registration", network_slug, registration.pk)
    messages.success(request, _("The registration of %(name)s was rejected.") % {"name": _applicant(registration)})
    return redirect("manage:intake_queue", network_slug)


def _applicant(registration: Registration) -> str:
    return f"{registration.family_name}\u3000{registration.given_name}".strip() or registration.user.email


def _render_detail(request: NetworkRequest, registration: Registration, **forms: Any) -> HttpResponse:
    """The registration page (also shown again, with the errors, when a decision's form is invalid)."""
    network = request.network
    reviews = approvals.review_candidates(network, registration)
    # Preselect only a clear choice: an eligible full match nobody holds. Otherwise staff choose deliberately.
    clear = [str(r.record.pk) for r in reviews if not r.missing and not r.problems and r.holder is None]
    initial = {"record": clear[0] if len(clear) == 1 else None}
    candidates = [review.record for review in reviews]
    forms.setdefault(
        "approve_form", ApproveForm(network=network, registration=registration, candidates=candidates, initial=initial)
    )
    forms.setdefault("ask_form", AskForMoreForm())
    forms.setdefault("reject_form", RejectForm())
    context = {
        "registration": registration,
        "waiting": registration.status in approvals.WAITING_STATUSES,
        "flags": [
            (RegistrationFlag(flag).label, FLAG_EXPLANATIONS[RegistrationFlag(flag)])
            for flag in registration.flags
            if flag in RegistrationFlag.values
        ],
        "candidates": [(review, compared_fields(registration, review)) for review in reviews],
        "duplicates": approvals.possible_duplicate_members(network, registration),
        **forms,
    }
    response = render(request, "intake/registration_detail.html", context)
    audit(network, request.user, "registration.viewed", registration, request=request)
    return response


# The side-by-side comparison ----------------------------------------------------------------------


@dataclass
class ComparedField:
    label: str
    declared: str
    recorded: str
    agrees: bool | None  # None: nothing to compare (one side unknown, or not asked of the applicant)
    hr_only: bool = False


def _date(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _around(year: int | None) -> str:
    return _("around %(year)d") % {"year": year} if year else ""


def compared_fields(registration: Registration, review: CandidateReview) -> list[ComparedField]:
    """What the applicant declared next to what HR recorded, with the fields matching found to agree."""
    record = review.record
    matched, missing = set(review.matched), set(review.missing)

    def agreement(match_field: str, declared: str, recorded: str) -> bool | None:
        if match_field in matched:
            return True
        if match_field in missing or (declared and recorded):
            return False
        return None

    rows = [
        ComparedField(_("Company"), registration.company.name if registration.company else "", record.company.name,
                      registration.company_id == record.company_id if registration.company_id else None),
    ]  # fmt: skip
    pairs = [
        (MatchField.EMPLOYEE_NUMBER, _("Employee number"), registration.employee_number, record.employee_number),
        (MatchField.NAME_KANJI, _("Name"), f"{registration.family_name}\u3000{registration.given_name}".strip(),
         f"{record.family_name}\u3000{record.given_name}".strip()),
        (MatchField.NAME_KANA, _("Reading"), f"{registration.family_name_kana}\u3000{registration.given_name_kana}"
         .strip(), f"{record.family_name_kana}\u3000{record.given_name_kana}".strip()),
        (MatchField.HIRE_YEAR, _("Hire date"), _around(registration.hire_year), _date(record.hire_date)),
        (MatchField.LEAVE_YEAR, _("Leave date"), _around(registration.leave_year), _date(record.leave_date)),
    ]  # fmt: skip
    rows += [ComparedField(label, declared, recorded, agreement(field, declared, recorded))
             for field, label, declared, recorded in pairs]  # fmt: skip
    if registration.former_family_name:
        rows.insert(3, ComparedField(_("Family name while employed"), registration.former_family_name, "", None))
    birth = (_date(registration.birth_date), _date(record.birth_date))
    rows.append(ComparedField(_("Birth date"), *birth, agreement(MatchField.BIRTH_DATE, *birth), hr_only=True))
    rows.append(ComparedField(_("Department"), "", record.department, None))
    rows.append(ComparedField(_("Leave reason"), "", record.get_leave_reason_display(), None))
    return rows


# Duplicate members ------------------------------------------------------------------------------


@console_section("intake")
def duplicates(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    groups = approvals.find_duplicate_groups(network)
    cards = [(group, [DuplicateCard.of(member) for member in group.members]) for group in groups]
    context = {"groups": cards, "limit": approvals.DUPLICATE_GROUP_LIMIT}
    response = render(request, "intake/duplicates.html", context)
    audit(network, request.user, "members.listed", request=request, page="duplicates", groups=len(groups))
    return response


@dataclass
class DuplicateCard:
    """What tells two accounts apart: the HR facts behind each (records prefetched, no query)."""

    member: Membership
    records: list[EmploymentRecord]
    birth_dates: list[str]
    record_names: list[str]  # names in HR records that differ from the account's name

    @classmethod
    def of(cls, member: Membership) -> DuplicateCard:
        records = list(member.employment_records.all())
        births = sorted({record.birth_date for record in records if record.birth_date})
        names = {f"{record.family_name}\u3000{record.given_name}".strip() for record in records}
        return cls(member, records, [_date(born) for born in births], sorted(names - {member.user.full_name}))


@require_POST
@console_section("intake")
def duplicates_merge(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the account to keep and the account to merge into it."))
        return redirect("manage:intake_duplicates", network_slug)
    keep = get_membership(network, form.cleaned_data["keep"])
    other = get_membership(network, form.cleaned_data["other"])
    try:
        approvals.merge_members(network, request.user, keep, other, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(other)s was merged into %(keep)s.") % {"other": other.user, "keep": keep.user})
    return redirect("manage:intake_duplicates", network_slug)
