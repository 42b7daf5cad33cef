"""Forms of the alumni event pages: the list's filters, the RSVP with the event's questions, and a
proposal by an alumnus or supporter."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enishi.events.models import Event, EventQuestion, Rsvp
from enishi.lib.richtext import text_to_html
from enishi.networks.models import Company, Network

ANSWER_MAX_LENGTH = 1000
PROPOSAL_DESCRIPTION_MAX_LENGTH = 10_000
PROPOSAL_MAX_PLUS_ONES = 5
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


class EventFilterForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Any format")), *Event.Format.choices]
    )
    # The network's companies, set per form: a class-level query would run outside any scope.
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Host company"), queryset=None, required=False, empty_label=_("Any company")
    )
    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        match = _MONTH.fullmatch(value.strip())
        # A year a datetime (and its time zone shift) can hold: 0000-01 or 9999-12 would crash the query.
        if match is None or not 1900 <= int(match.group(1)) <= 9000:
            raise forms.ValidationError(_("Choose a month, e.g. 2026-12."))
        return int(match.group(1)), int(match.group(2))

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """The events that pass the filters (all of them when the filters are not valid)."""
        if not self.is_valid():
            return events
        chosen = self.cleaned_data
        if chosen.get("format"):
            events = events.filter(format=chosen["format"])
        if chosen.get("company"):
            events = events.filter(host_company=chosen["company"])
        if chosen.get("month"):
            year, month = chosen["month"]
            # The month of the network's calendar (the active time zone), not UTC's.
            start = timezone.make_aware(datetime(year, month, 1))
            end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
            events = events.filter(starts_at__gte=start, starts_at__lt=end)
        return events


def question_field_name(question: EventQuestion) -> str:
    return f"question_{question.pk}"


class RsvpForm(forms.Form):
    """The event's questions (a choice question as radio buttons), plus-ones when the event allows
    them, and whether the other attendees may see me."""

    def __init__(self, *args: Any, event: Event, questions: list[EventQuestion], answer: Rsvp | None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.questions = questions
        live = answer is not None and answer.status != Rsvp.Status.CANCELLED
        given = answer.answers if answer is not None and live else {}
        for question in questions:
            field: forms.Field
            if question.choice_list:
                field = forms.ChoiceField(choices=[(choice, choice) for choice in question.choice_list],
                                          widget=forms.RadioSelect)  # fmt: skip
            else:
                field = forms.CharField(max_length=ANSWER_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
            field.label = question.label
            field.required = question.required
            field.initial = given.get(str(question.pk), "")
            self.fields[question_field_name(question)] = field
        if event.max_plus_ones:
            self.fields["plus_ones"] = forms.TypedChoiceField(
                label=_("People coming with you"),
                coerce=int,
                choices=[(count, str(count)) for count in range(event.max_plus_ones + 1)],
                initial=answer.plus_ones if answer is not None and live else 0,
                help_text=_("Each takes a seat. At most %(count)d.") % {"count": event.max_plus_ones},
            )
        if event.attendees_visible:
            self.fields["share_with_attendees"] = forms.BooleanField(
                label=_("Show my name to the other attendees who show theirs"),
                required=False,
                initial=answer.share_with_attendees if answer is not None and live else False,
            )

    def answers(self) -> dict[str, str]:
        found = {}
        for question in self.questions:
            value = str(self.cleaned_data.get(question_field_name(question)) or "").strip()
            if value:
                found[str(question.pk)] = value
        return found

    def plus_ones(self) -> int:
        return int(self.cleaned_data.get("plus_ones") or 0)

    def share_with_attendees(self) -> bool:
        return bool(self.cleaned_data.get("share_with_attendees"))


class _TextOfHtml(HTMLParser):
    """Rich text back to the plain text it was made from: paragraphs apart, line breaks kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.chunks.append("\n")
        elif tag in {"p", "li", "h2", "h3", "h4", "blockquote", "pre", "tr"} and self.chunks:
            self.chunks.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data.replace("\n", ""))


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.chunks)).strip()


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProposalForm(forms.ModelForm[Event]):
    """An event an alumnus or supporter proposes; the description is plain text (links made
    clickable), stored as the same sanitised rich text as the staff's."""

    description = forms.CharField(
        label=_("Description"),
        max_length=PROPOSAL_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What will happen, for whom, and what to bring. A blank line starts a new paragraph."),
    )
    online_url = forms.URLField(label=_("Online meeting link"), required=False, max_length=500, assume_scheme="https",
                                help_text=_("Only confirmed attendees will see it."))  # fmt: skip
    max_plus_ones = forms.TypedChoiceField(
        label=_("People each attendee may bring"),
        coerce=int,
        choices=[(count, str(count)) for count in range(PROPOSAL_MAX_PLUS_ONES + 1)],
        initial=0,
    )

    class Meta:
        model = Event
        fields = ("title", "description", "format", "venue_name", "venue_address", "online_url", "starts_at",
                  "ends_at", "capacity", "max_plus_ones", "registration_deadline")  # fmt: skip
        widgets: ClassVar = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_deadline": DATETIME_WIDGET,
            "format": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["description"] = html_to_text(self.instance.description)
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean_description(self) -> str:
        return str(text_to_html(self.cleaned_data["description"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        deadline = cleaned.get("registration_deadline")
        if starts is not None and starts <= timezone.now():
            self.add_error("starts_at", _("The event must start in the future."))
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if starts is not None and deadline is not None and deadline > starts:
            self.add_error("registration_deadline", _("Registration must close before the event starts."))
        if cleaned.get("format") in (Event.Format.OFFLINE, Event.Format.HYBRID) and not cleaned.get("venue_name"):
            self.add_error("venue_name", _("Say where the event takes place."))
        if cleaned.get("capacity") == 0:
            self.add_error("capacity", _("Leave it empty for no limit, or give at least one seat."))
        return cleaned
