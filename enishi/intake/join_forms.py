"""Forms of the pages people outside the network fill in: the registration and the invitation code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enishi.intake.models import IntakeSettings, LeaveReason, MatchField, Registration, normalise_short_code
from enishi.intake.registration import eligible_company_ids
from enishi.lib.japanese import normalise
from enishi.networks.models import Company, Network
from enishi.privacy.models import ConsentPurpose, PrivacyNotice

KANA = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u30fb\s\u3000ー-]+$")
EARLIEST_YEAR = 1950


class RegistrationForm(forms.ModelForm[Registration]):
    """Screen 3 of a self-registration: who you were at the company, and the notice with consents."""

    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Company you worked for"), queryset=None, empty_label=_("Choose…")
    )
    accept_notice = forms.BooleanField(label=_("I have read the purpose-of-use notice and accept it"))
    consents = forms.MultipleChoiceField(
        label=_("I also agree to (optional, can be changed at any time)"),
        choices=ConsentPurpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = (
        "family_name", "given_name", "family_name_kana", "given_name_kana", "former_family_name", "company",
        "hire_year", "leave_year", "employee_number", "birth_date", "note", "accept_notice", "consents",
    )  # fmt: skip

    class Meta:
        model = Registration
        fields = (
            "family_name", "given_name", "family_name_kana", "given_name_kana", "former_family_name", "company",
            "hire_year", "leave_year", "employee_number", "birth_date", "note",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name_kana": forms.TextInput(attrs={"placeholder": "ヤマダ"}),
            "given_name_kana": forms.TextInput(attrs={"placeholder": "ハナコ"}),
            "hire_year": forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "2015"}),
            "leave_year": forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "2023"}),
            "employee_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_date": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, network: Network, rules: IntakeSettings, notice: PrivacyNotice | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        companies = Company.objects.filter(network=network)
        allowed = eligible_company_ids(rules)
        if allowed:
            companies = companies.filter(pk__in=allowed)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        self.company_choices = list(companies)
        if len(self.company_choices) == 1:  # nothing to choose: the one company, shown as text
            self.initial["company"] = self.company_choices[0].pk
            self.fields["company"].widget = forms.HiddenInput()
        for name in ("family_name", "given_name", "family_name_kana", "given_name_kana", "hire_year", "leave_year"):
            self.fields[name].required = True
        self.fields["hire_year"].label = _("Year you joined (approximately)")
        self.fields["leave_year"].label = _("Year you left (approximately)")
        self.fields["employee_number"].help_text = _("Optional. It helps us find your record faster.")
        self.fields["birth_date"].help_text = _("Optional. Used only to confirm who you are.")
        self.fields["former_family_name"].help_text = _("For example your family name before marriage.")
        self.fields["note"].help_text = _("Optional. Anything that helps the secretariat recognise you.")
        self.notice = notice
        if notice is None:
            del self.fields["accept_notice"]

    def clean_family_name_kana(self) -> str:
        return self._kana("family_name_kana")

    def clean_given_name_kana(self) -> str:
        return self._kana("given_name_kana")

    def _kana(self, name: str) -> str:
        value = normalise(self.cleaned_data.get(name) or "").replace(" ", "")
        if value and not KANA.match(value):
            raise ValidationError(_("Write the reading in kana (katakana or hiragana)."))
        return value

    def _year(self, name: str) -> int | None:
        year: int | None = self.cleaned_data.get(name)
        if year is not None and not EARLIEST_YEAR <= year <= timezone.localdate().year:
            raise ValidationError(
                _("Enter a year between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": timezone.localdate().year}
            )
        return year

    def clean_hire_year(self) -> int | None:
        return self._year("hire_year")

    def clean_leave_year(self) -> int | None:
        return self._year("leave_year")

    def clean_birth_date(self) -> date | None:
        born: date | None = self.cleaned_data.get("birth_date")
        if born is not None and not date(1900, 1, 1) <= born <= timezone.localdate():
            raise ValidationError(_("Enter a real birth date."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hired, left = data.get("hire_year"), data.get("leave_year")
        if hired and left and hired > left:
            self.add_error("leave_year", _("The year you left comes after the year you joined."))
        return data

    def keep_draft(self) -> Registration:
        """Copy the fields that are valid so far onto the registration, without requiring the rest."""
        registration = self.instance
        cleaned = getattr(self, "cleaned_data", {})
        for name in self._meta.fields or ():
            if name in cleaned and name not in self.errors:
                setattr(registration, name, cleaned[name])
        return registration

    @property
    def has_content(self) -> bool:
        return any(str(value).strip() for key, value in self.data.items() if key in (self._meta.fields or ()))


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "placeholder": "ABCDE-FGHJK"}
        ),
        help_text=_("The code printed on the flyer you received, e.g. ABCDE-FGHJK."),
    )

    def clean_code(self) -> str:
        return normalise_short_code(self.cleaned_data["code"])


class IntakeRulesForm(forms.ModelForm[IntakeSettings]):
    """The network's rules for letting people in (console: Intake → Rules)."""

    match_fields = forms.MultipleChoiceField(
        label=_("Fields that must match an employment record"),
        choices=MatchField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The company always has to match, and the name in kana or kanji. Each field ticked here "
                    "must match too for an automatic approval."),
    )  # fmt: skip
    excluded_leave_reasons = forms.MultipleChoiceField(
        label=_("Leave reasons that are not eligible"),
        choices=LeaveReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    eligible_companies: forms.ModelMultipleChoiceField[Company] = forms.ModelMultipleChoiceField(
        label=_("Only people who worked at"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked for every company of the network."),
    )

    class Meta:
        model = IntakeSettings
        fields = (
            "public_join", "auto_approve", "match_fields", "year_tolerance", "min_tenure_months",
            "excluded_leave_reasons", "eligible_companies", "reminder_days", "auto_invite_days",
        )  # fmt: skip

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eligible_companies"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["year_tolerance"].widget.attrs.update(min=0, max=5)
        self.fields["auto_invite_days"].widget.attrs.update(min=0, max=365)
        self.fields["reminder_days"].widget.attrs.update(min=0, max=90)

    def clean_year_tolerance(self) -> int:
        value: int = self.cleaned_data["year_tolerance"]
        if value > 5:
            raise ValidationError(_("Use 0 to 5 years."))
        return value
