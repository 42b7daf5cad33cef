"""Forms of the approval queue and of the duplicates page (staff console)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enishi.intake.models import EmploymentRecord, Registration, normalise_employee_number
from enishi.networks.models import Network

NO_RECORD = "none"
OTHER_RECORD = "other"
MESSAGE_MAX_LENGTH = 2000


class ApproveForm(forms.Form):
    """Which employment record the new member is linked to: a candidate, another one found by its
    employee number, or none (HR has no record of a person the secretariat knows)."""

    record = forms.ChoiceField(label=_("Employment record"), widget=forms.RadioSelect)
    employee_number = forms.CharField(label=_("Employee number of another record"), max_length=40, required=False)

    def __init__(
        self, *args: Any, network: Network, registration: Registration, candidates: list[EmploymentRecord],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.network, self.registration = network, registration
        self.candidates = {str(record.pk): record for record in candidates}
        self.fields["record"].choices = [  # type: ignore[attr-defined]
            *[(key, str(record)) for key, record in self.candidates.items()],
            (OTHER_RECORD, _("Another record")),
            (NO_RECORD, _("No employment record")),
        ]
        self.chosen_record: EmploymentRecord | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("record")
        if choice == OTHER_RECORD:
            self.chosen_record = self._record_by_number(data.get("employee_number", ""))
        elif choice and choice != NO_RECORD:
            self.chosen_record = self.candidates[choice]
        return data

    def _record_by_number(self, number: str) -> EmploymentRecord | None:
        wanted = normalise_employee_number(number)
        if not wanted:
            self.add_error("employee_number", _("Enter the employee number of the record to link."))
            return None
        found = list(
            EmploymentRecord.objects.filter(network=self.network, employee_number__iexact=wanted)
            .select_related("company")
            .order_by("pk")[:10]
        )
        if len(found) > 1:  # the same number at two group companies: the applicant's company decides
            in_company = [record for record in found if record.company_id == self.registration.company_id]
            if len(in_company) == 1:
                return in_company[0]
            self.add_error("employee_number", _("Several group companies have a record with this number."))
            return None
        if not found:
            self.add_error("employee_number", _("No employment record of this network has this employee number."))
            return None
        return found[0]


class AskForMoreForm(forms.Form):
    message = forms.CharField(
        label=_("What should the applicant add or correct?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent by email with a link to their registration, which they can edit and send again."),
    )


# Common reasons, offered as quick choices. Staff read them in their language; the applicant receives
# the chosen one in theirs (reason_in), which is why the key is posted rather than the text.
REJECTION_REASONS = {
    "not_found": _(
        "We could not confirm from our records that you worked at a company of this network. The network is "
        "open only to former employees."
    ),
    "not_eligible": _("Under this network's membership rules, your former employment does not qualify."),
    "already_member": _(
        "You are already a member of this network with another account. Please log in with the address you "
        "registered with first."
    ),
}


class RejectForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Common reasons"),
        choices=[("", _("None: I write my own")), *REJECTION_REASONS.items()],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Sent in the applicant's language."),
    )
    reason = forms.CharField(
        label=_("Reason sent to the applicant"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless you choose a common reason; added after it if you do."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("preset") and not data.get("reason", "").strip():
            self.add_error("reason", _("Choose a common reason or write one: the applicant receives it."))
        return data

    def reason_in(self, language: str) -> str:
        """The reason as the applicant reads it: the common reason in their language, then staff's words."""
        parts = []
        if self.cleaned_data.get("preset"):
            with translation.override(language):
                parts.append(str(REJECTION_REASONS[self.cleaned_data["preset"]]))
        if self.cleaned_data.get("reason", "").strip():
            parts.append(self.cleaned_data["reason"].strip())
        return "\n\n".join(parts)


class MergeForm(forms.Form):
    keep = forms.IntegerField(label=_("Account to keep"), min_value=1)
    other = forms.IntegerField(label=_("Account merged into it"), min_value=1)
