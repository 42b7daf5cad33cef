"""The directory's search form: words, facets and order, for alumni and (with more facets) staff.

The cleaned form becomes `tokens.Filters`; a saved segment stores the form's data (lists of
strings, as in a query string) so that it replays exactly as the page showed it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import cache
from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from enishi.directory.tokens import LEAVE_YEAR_CEILING, LEAVE_YEAR_FLOOR, Filters
from enishi.intake.models import Assignment, EmploymentRecord, RehireEligibility
from enishi.intake.sources import RegistrationSource
from enishi.networks.models import Company, Network
from enishi.profiles.skills import find_skills
from enishi.profiles.vocabulary import PREFECTURES, Industry, IntentFacet

SORTS = [
    ("relevance", _("Best match")),
    ("recent", _("Recently active")),
    ("kana", _("Name (kana order)")),
]
DEPARTMENT_CHOICES = 60  # the most common former departments offered as a facet
DEPARTMENTS_CACHE_S = 600
MAX_SKILL_WORDS = 10


def department_choices(network: Network) -> list[str]:
    """The network's most common former departments (records and postings), cached for a while."""
    key = f"directory:departments:{network.pk}"
    cached = cache.get(key)
    if cached is None:
        counts: dict[str, int] = {}
        for queryset in (
            EmploymentRecord.objects.filter(network=network, membership__isnull=False).exclude(department=""),
            Assignment.objects.filter(network=network, record__membership__isnull=False).exclude(department=""),
        ):
            for name, total in (
                queryset.values_list("department").annotate(total=Count("pk")).order_by("-total")[:DEPARTMENT_CHOICES]
            ):
                counts[name] = counts.get(name, 0) + total
        cached = sorted(counts, key=lambda name: -counts[name])[:DEPARTMENT_CHOICES]
        cache.set(key, cached, DEPARTMENTS_CACHE_S)
    return list(cached)


class DirectoryForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        help_text=_("Names (kanji or kana), work, skills, career or 近況. Several words: all must match."),
    )
    sort = forms.ChoiceField(label=_("Order"), choices=SORTS, required=False)
    company = forms.TypedMultipleChoiceField(
        label=_("Company"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    department = forms.MultipleChoiceField(
        label=_("Former department"), required=False, widget=forms.CheckboxSelectMultiple
    )
    left_from = forms.IntegerField(
        label=_("Left in or after"), min_value=LEAVE_YEAR_FLOOR, max_value=LEAVE_YEAR_CEILING, required=False
    )
    left_to = forms.IntegerField(
        label=_("Left in or before"), min_value=LEAVE_YEAR_FLOOR, max_value=LEAVE_YEAR_CEILING, required=False
    )
    industry = forms.MultipleChoiceField(
        label=_("Current industry"), choices=Industry.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    prefecture = forms.MultipleChoiceField(
        label=_("Prefecture"),
        choices=[(name, name) for name in PREFECTURES],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    skills = forms.CharField(
        label=_("Skills"), max_length=300, required=False, help_text=_("Separate with commas, e.g. Python, 簿記")
    )
    intent = forms.MultipleChoiceField(
        label=_("Interests and intent"),
        choices=IntentFacet.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        company_field = self.fields["company"]
        assert isinstance(company_field, forms.TypedMultipleChoiceField)
        company_field.choices = [(company.pk, company.name) for company in Company.objects.filter(network=network)]
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.MultipleChoiceField)
        department_field.choices = [(name, name) for name in department_choices(network)]
        self.unknown_skills: list[str] = []

    def clean_skills(self) -> list[int]:
        words = [word.strip() for word in self.cleaned_data["skills"].replace("、", ",").split(",") if word.strip()]
        if len(words) > MAX_SKILL_WORDS:
            raise forms.ValidationError(_("At most %(count)d skills at a time.") % {"count": MAX_SKILL_WORDS})
        skills, self.unknown_skills = find_skills(words)
        return [skill.pk for skill in skills]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("left_from"), cleaned.get("left_to")
        if first is not None and last is not None and first > last:
            self.add_error("left_to", _("The end of the range is before its start."))
        return cleaned

    @property
    def searching(self) -> bool:
        """Whether anything was asked (an empty form lists everyone, most recently active first)."""
        if not self.is_bound:
            return False
        asked = any(value for name, value in self.cleaned_data.items() if name != "sort")
        return asked or bool(self.unknown_skills)

    @property
    def filter_count(self) -> int:
        """How many facets are set (anything but the words and the order): shown on the folded facets."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return 0
        return sum(1 for name, value in self.cleaned_data.items() if value and name not in ("q", "sort"))

    def filters(self) -> Filters:
        data = self.cleaned_data
        # A skill typed but unknown to the vocabulary can match nobody: an impossible skill id.
        skill_ids = tuple(data["skills"]) or ((0,) if self.unknown_skills else ())
        return Filters(
            company_ids=tuple(data["company"]),
            leave_year_from=data["left_from"],
            leave_year_to=data["left_to"],
            industries=tuple(data["industry"]),
            prefectures=tuple(data["prefecture"]),
            skill_ids=skill_ids,
            departments=tuple(data["department"]),
            intents=tuple(data["intent"]),
            **self.staff_filters(),
        )

    def staff_filters(self) -> dict[str, tuple[str, ...]]:
        return {}

    def order(self) -> str:
        return self.cleaned_data.get("sort") or ("relevance" if self.cleaned_data.get("q") else "recent")


class StaffDirectoryForm(DirectoryForm):
    """Staff who read member records also filter on what only they know."""

    rehire = forms.MultipleChoiceField(
        label=_("Rehire eligibility"),
        choices=RehireEligibility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.MultipleChoiceField(
        label=_("Registered through"),
        choices=RegistrationSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def staff_filters(self) -> dict[str, tuple[str, ...]]:
        return {"rehire": tuple(self.cleaned_data["rehire"]), "sources": tuple(self.cleaned_data["source"])}


def segment_query(form: DirectoryForm) -> dict[str, list[str]]:
    """What a saved segment stores: the submitted values of the form's own fields (no page number)."""
    data = form.data
    assert isinstance(data, QueryDict)
    return {name: [value for value in data.getlist(name) if value] for name in form.fields if any(data.getlist(name))}


def segment_data(query: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in query.items():
        if isinstance(values, list):
            data.setlist(name, [str(value) for value in values])
    return data


class SegmentNameForm(forms.Form):
    name = forms.CharField(label=_("Segment name"), max_length=120)
