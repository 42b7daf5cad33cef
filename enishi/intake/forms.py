from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enishi.intake.importing import IMPORT_FIELDS, field_label
from enishi.intake.models import EmploymentRecord, InvitationStatus, JoinChannel, LeaveReason
from enishi.intake.services import SelectionStatus
from enishi.networks.models import Company, Network


class EmploymentRecordForm(forms.ModelForm[EmploymentRecord]):
    # Declared rather than generated: a generated choice field would query companies at import
    # time, outside any network's scope. The network's companies are set per form.
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(label=_("Company"), queryset=None)
    field_order = ("company",)

    class Meta:
        model = EmploymentRecord
        fields = (
            "employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana",
            "private_email", "phone", "birth_date", "department", "job_title", "grade", "hire_date", "leave_date",
            "leave_reason", "rehire_eligibility", "hr_notes",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "hire_date": forms.DateInput(attrs={"type": "date"}),
            "leave_date": forms.DateInput(attrs={"type": "date"}),
            "hr_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("company", self.instance.company_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("company") is not None:
            self.instance.company = data["company"]
        hire, leave = data.get("hire_date"), data.get("leave_date")
        if hire and leave and leave < hire:
            self.add_error("leave_date", _("The leave date is before the hire date."))
        company, number = data.get("company"), data.get("employee_number")
        if company and number:
            clash = EmploymentRecord.objects.filter(network=self.network, company=company, employee_number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(
                    _("This company already has a record with employee number %(number)s."), params={"number": number}
                )
        return data


class RecordFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, reading or employee number"), max_length=100, required=False)
    # The queryset is the network's, set per form: a class-level query would run outside any scope.
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Company"), queryset=None, required=False, empty_label=_("All companies")
    )
    leave_year = forms.IntegerField(label=_("Leave year"), min_value=1900, max_value=2200, required=False)
    leave_reason = forms.ChoiceField(
        label=_("Leave reason"), choices=[("", _("All reasons")), *LeaveReason.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Invitation status"), choices=[("", _("All statuses")), *InvitationStatus.choices], required=False
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]


class InviteSelectionForm(forms.Form):
    """Which leavers to invite: the filters of the invitation page (all optional)."""

    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Company"), queryset=None, required=False, empty_label=_("All companies")
    )
    leave_year = forms.IntegerField(label=_("Leave year"), min_value=1900, max_value=2200, required=False)
    department = forms.CharField(label=_("Department contains"), max_length=120, required=False)
    status = forms.ChoiceField(
        label=_("Invitation status"), choices=[("", _("Any status")), *SelectionStatus.choices], required=False
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]


class JoinChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Where will you share it?"),
        choices=[(value, label) for value, label in JoinChannel.Kind.choices if value != JoinChannel.Kind.REFERRAL],
    )
    label = forms.CharField(
        label=_("Label"), max_length=120, required=False,
        help_text=_("For you: e.g. “Career fair Osaka 2025” or “Corporate site, alumni page”."),
    )  # fmt: skip
    expires_on = forms.DateField(
        label=_("Valid until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: valid until you revoke it."),
    )  # fmt: skip


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("HR file (CSV or Excel)"),
        help_text=_("CSV in UTF-8 or Shift_JIS, or .xlsx. The first row must hold the column names."),
    )


class ImportMappingForm(forms.Form):
    """One choice per column of the file: which record field it fills, or none."""

    def __init__(self, *args: Any, headers: list[str], mapping: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not imported)")), *[(name, field_label(name)) for name in IMPORT_FIELDS]]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices, required=False, initial=mapping.get(index, ""),
            )  # fmt: skip

    def mapping(self) -> dict[int, str]:
        return {int(name.removeprefix("column_")): value for name, value in self.cleaned_data.items() if value}
