"""Console forms of surveys: the survey's settings and one question. (The answer page is built from
the questions themselves, see views.answer, so that branching works without a form class per survey.)"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enishi.events.models import Event
from enishi.lib.richtext import clean_html
from enishi.networks.models import Company, Network
from enishi.profiles.models import SavedSegment
from enishi.surveys.models import Question, Survey
from enishi.surveys.services import MAX_CHOICES

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Fixed once the survey is open: the people asked and how their answers are kept.
FROZEN_WHEN_OPEN = ("anonymous", "audience", "company", "segment", "event")
CHOICE_MAX_LENGTH = 200


class SurveyForm(forms.ModelForm[Survey]):
    description = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown above the questions. Paragraphs, lists and links; anything else is removed when saved."),
    )
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Company"), queryset=None, required=False, help_text=_("For “Alumni of one group company”.")
    )
    segment: forms.ModelChoiceField[SavedSegment] = forms.ModelChoiceField(
        label=_("Segment"), queryset=None, required=False,
        help_text=_("For “A saved segment”: the people it finds when the survey opens are asked."),
    )  # fmt: skip
    event: forms.ModelChoiceField[Event] = forms.ModelChoiceField(
        label=_("Event"), queryset=None, required=False,
        help_text=_("For “Attendees of an event”: those checked in (or, before anyone is, those confirmed)."),
    )  # fmt: skip

    class Meta:
        model = Survey
        fields = ("title", "description", "anonymous", "audience", "company", "segment", "event", "closes_at",
                  "reminder_days")  # fmt: skip
        widgets: ClassVar = {
            "audience": forms.RadioSelect,
            "closes_at": LOCAL_DATETIME,
            "reminder_days": forms.NumberInput(attrs={"min": 0, "max": 30, "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = SavedSegment.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["event"].queryset = Event.objects.filter(  # type: ignore[attr-defined]
            network=network, status=Event.Status.PUBLISHED
        ).order_by("-starts_at")
        self.fields["closes_at"].required = True
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        if self.instance.pk is not None and not self.instance.is_draft:
            for name in FROZEN_WHEN_OPEN:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the survey is open.")

    def clean_description(self) -> str:
        return str(clean_html(self.cleaned_data.get("description") or ""))

    def clean_closes_at(self) -> Any:
        closes_at = self.cleaned_data.get("closes_at")
        if closes_at is not None and closes_at <= timezone.now() and closes_at != self.instance.closes_at:
            raise forms.ValidationError(_("Choose a closing time in the future."))
        return closes_at

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        needed = {
            Survey.Audience.COMPANY: "company",
            Survey.Audience.SEGMENT: "segment",
            Survey.Audience.EVENT: "event",
        }
        for kind, name in needed.items():
            if audience == kind and not data.get(name):
                self.add_error(name, _("Choose one for this audience."))
            elif audience != kind and name not in self.errors and not self.fields[name].disabled:
                data[name] = None
        return data


class QuestionForm(forms.ModelForm[Question]):
    choices_text = forms.CharField(
        label=_("Choices (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For single and multiple choice questions."),
    )
    show_if: forms.ModelChoiceField[Question] = forms.ModelChoiceField(
        label=_("Show only if the answer to"), queryset=None, required=False,
        help_text=_("Leave empty to always show the question."),
    )  # fmt: skip

    class Meta:
        model = Question
        fields = ("label", "kind", "required", "show_if", "show_if_value")
        labels: ClassVar = {"show_if_value": _("is (or, for a multiple choice, includes)")}
        widgets: ClassVar = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        earlier = Question.objects.filter(network_id=survey.network_id, survey=survey).exclude(kind=Question.Kind.TEXT)
        if self.instance.pk is not None:
            earlier = earlier.filter(position__lt=self.instance.position)
        self.fields["show_if"].queryset = earlier.order_by("position", "id")  # type: ignore[attr-defined]
        self.fields["choices_text"].initial = "\n".join(str(choice) for choice in self.instance.choices or [])

    def clean_choices_text(self) -> list[str]:
        lines = [line.strip() for line in (self.cleaned_data.get("choices_text") or "").splitlines()]
        unique = list(dict.fromkeys(line for line in lines if line))
        if any(len(line) > CHOICE_MAX_LENGTH for line in unique):
            raise forms.ValidationError(_("A choice has at most %(count)d characters.") % {"count": CHOICE_MAX_LENGTH})
        if len(unique) > MAX_CHOICES:
            raise forms.ValidationError(_("At most %(count)d choices.") % {"count": MAX_CHOICES})
        return unique

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        choices = data.get("choices_text") or []
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(choices) < 2:
            self.add_error("choices_text", _("Give at least two choices, one per line."))
        condition = data.get("show_if")
        value = (data.get("show_if_value") or "").strip()
        data["show_if_value"] = value
        if condition is not None and value not in condition.options():
            self.add_error(
                "show_if_value",
                _("Write one of its answers exactly: %(options)s") % {"options": ", ".join(condition.options())},
            )
        return data

    def save(self, commit: bool = True) -> Question:
        question = super().save(commit=False)
        kind = self.cleaned_data.get("kind")
        question.choices = self.cleaned_data.get("choices_text") or [] if kind in ("single", "multiple") else []
        if question.show_if is None:
            question.show_if_value = ""
        if commit:
            question.save()
        return question
