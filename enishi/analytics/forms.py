"""The dashboard's filters: a date range (presets or from/to) and a company, kept in the querystring."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enishi.analytics.figures import Filters

# A range longer than this is refused: the monthly figures would no longer fit a chart.
MAX_RANGE_DAYS = 10 * 366
EARLIEST = date(2000, 1, 1)
LAST_12_MONTHS = "last_12_months"
THIS_FISCAL_YEAR = "this_fiscal_year"
LAST_FISCAL_YEAR = "last_fiscal_year"
CUSTOM = "custom"
RANGE_CHOICES = [
    (LAST_12_MONTHS, _("Last 12 months")),
    (THIS_FISCAL_YEAR, _("This fiscal year (April–March)")),
    (LAST_FISCAL_YEAR, _("Last fiscal year")),
    (CUSTOM, _("Custom dates")),
]


def fiscal_year_start(day: date) -> date:
    """The first day of the Japanese fiscal year (April to March) that holds `day`."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """First and last day of a preset range; ranges that reach into the future stop at `today`."""
    if preset == THIS_FISCAL_YEAR:
        return fiscal_year_start(today), today
    if preset == LAST_FISCAL_YEAR:
        start = fiscal_year_start(today)
        return date(start.year - 1, 4, 1), start - timedelta(days=1)
    # Last 12 months: this month (so far) and the eleven before it.
    month_index = today.year * 12 + today.month - 1 - 11
    return date(month_index // 12, month_index % 12 + 1, 1), today


class DashboardFilterForm(forms.Form):
    range = forms.ChoiceField(label=_("Period"), choices=RANGE_CHOICES, required=False, initial=LAST_12_MONTHS)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    company = forms.TypedChoiceField(label=_("Company"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        data: Any,
        *,
        companies: list[tuple[int, str]],
        today: date,
        all_companies: bool = True,
    ) -> None:
        super().__init__(data)
        self.today = today
        self.all_companies = all_companies
        choices: list[tuple[int | str, str]] = [("", str(_("All companies")))] if all_companies else []
        self.fields["company"].choices = choices + list(companies)  # type: ignore[attr-defined]
        if not all_companies:
            self.fields["company"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("range") != CUSTOM:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start is None or end is None:
            raise forms.ValidationError(_("For custom dates, give both the first and the last day."))
        if start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        if start < EARLIEST or start > self.today:
            raise forms.ValidationError(
                _("The first day must be between %(earliest)s and today.") % {"earliest": EARLIEST.isoformat()}
            )
        if (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        return cleaned

    def filters(self, default_company: int | None = None) -> Filters:
        """The filters asked for, or the default (the last 12 months, every company) when the form is
        unbound or invalid: the page then shows the default figures beside the form's message."""
        valid = self.is_bound and self.is_valid()
        preset = self.cleaned_data.get("range") if valid else LAST_12_MONTHS
        if valid and preset == CUSTOM:
            start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        else:
            start, end = preset_range(preset or LAST_12_MONTHS, self.today)
        company = self.cleaned_data.get("company") if valid else None
        return Filters(start=start, end=end, company_id=company if company is not None else default_company)
