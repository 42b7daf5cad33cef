"""Forms of the events console: the event itself, its RSVP questions, cancel / decline reasons, photos."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enishi.events.models import DEFAULT_REMINDERS, REMINDER_CHOICES, Event, EventQuestion
from enishi.lib.images import IMAGE_ACCEPT, MultipleImageField, clean_image
from enishi.networks.models import Company, Membership, Network
from enishi.networks.services import members_by_email
from enishi.profiles.models import SavedSegment

IMAGE_MAX_BYTES = 10 * 1024 * 1024
COVER_MAX_SIDE = 1600
PHOTO_MAX_SIDE = 2000
MAX_PHOTOS = 20
LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EventForm(forms.ModelForm[Event]):
    """Every field of an event. Datetimes are read and shown in the network's time zone (the
    middleware activates it); the invited list is a textarea of email addresses of members."""

    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Paragraphs, lists, links and headings (HTML such as <p>, <ul>, <a>, <h2>). Anything else is "
            "removed when saved."
        ),
    )
    reminders = forms.TypedMultipleChoiceField(
        label=_("Reminders"),
        choices=REMINDER_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sent to everyone confirmed, with the venue or the online link and their QR code."),
    )
    invited_emails = forms.CharField(
        label=_("Invited people (email addresses)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("For “Invited people only”: one address per line (commas work too), members of this network only."),
    )
    # Querysets of the network, set per form: a class-level query would run outside any scope.
    host_company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Host company"), queryset=None, required=False
    )
    companies: forms.ModelMultipleChoiceField[Company] = forms.ModelMultipleChoiceField(
        label=_("Companies"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “Alumni of some companies”: whose alumni may come."),
    )
    segment: forms.ModelChoiceField[SavedSegment] = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=None,
        required=False,
        help_text=_("For “A saved segment”: the people it finds when the event is published may come."),
    )

    class Meta:
        model = Event
        formfield_callback = _formfield
        fields = (
            "title", "description", "cover", "cover_alt", "format", "venue_name", "venue_address", "map_url",
            "online_url", "starts_at", "ends_at", "host_company", "staff_guests", "staff_may_attend", "audience",
            "companies", "segment", "capacity", "registration_deadline", "max_plus_ones", "attendees_visible",
            "reminders", "survey_url", "thank_you_text",
        )  # fmt: skip
        labels: ClassVar = {"venue_address": _("Venue address")}
        widgets: ClassVar = {
            "cover": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
            "format": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "starts_at": LOCAL_DATETIME,
            "ends_at": LOCAL_DATETIME,
            "registration_deadline": LOCAL_DATETIME,
            "thank_you_text": forms.Textarea(attrs={"rows": 4}),
            "capacity": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
            "max_plus_ones": forms.NumberInput(attrs={"min": 0, "max": 9, "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        companies = Company.objects.filter(network=network)
        self.fields["host_company"].queryset = companies  # type: ignore[attr-defined]
        self.fields["companies"].queryset = companies  # type: ignore[attr-defined]
        self.fields["segment"].queryset = SavedSegment.objects.filter(network=network)  # type: ignore[attr-defined]
        for name in ("starts_at", "ends_at", "registration_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        self.fields["max_plus_ones"].max_value = 9  # type: ignore[attr-defined]
        if self.instance.pk is None:
            self.initial.setdefault("reminders", list(DEFAULT_REMINDERS))
        elif self.instance.audience == Event.Audience.INVITED:
            self.initial.setdefault("invited_emails", "\n".join(invited_emails(self.instance)))
        self.invited_ids: list[int] = []

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the sections the page shows them in."""
        sections = (
            (_("The event"), ("title", "description", "cover", "cover_alt", "host_company", "staff_guests")),
            (_("When and where"), ("format", "starts_at", "ends_at", "venue_name", "venue_address", "map_url",
                                   "online_url")),
            (pgettext_lazy("event", "Audience"), ("audience", "companies", "segment", "invited_emails",
                                                  "staff_may_attend", "attendees_visible")),
            (_("Registration"), ("capacity", "registration_deadline", "max_plus_ones", "reminders")),
            (_("After the event"), ("thank_you_text", "survey_url")),
        )  # fmt: skip
        return [(str(legend), [self[name] for name in names]) for legend, names in sections]

    def clean_cover(self) -> Any:
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "content_type"):  # a new upload, not the stored file
            return clean_image(cover, max_bytes=IMAGE_MAX_BYTES, max_side=COVER_MAX_SIDE)
        return cover

    def clean_invited_emails(self) -> str:
        return str(self.cleaned_data.get("invited_emails") or "").strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends, deadline = cleaned.get("starts_at"), cleaned.get("ends_at"), cleaned.get("registration_deadline")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        if starts and deadline and deadline > starts:
            self.add_error("registration_deadline", _("Registration must close before the event starts."))
        event_format = cleaned.get("format")
        if event_format in (Event.Format.OFFLINE, Event.Format.HYBRID) and not cleaned.get("venue_name"):
            self.add_error("venue_name", _("Say where the event takes place."))
        audience = cleaned.get("audience")
        if audience == Event.Audience.COMPANIES and not cleaned.get("companies"):
            self.add_error("companies", _("Choose the companies whose alumni may come."))
        if audience != Event.Audience.COMPANIES:
            cleaned["companies"] = []  # save_m2m would otherwise put back what save_event cleared
        if audience == Event.Audience.SEGMENT and not cleaned.get("segment"):
            self.add_error("segment", _("Choose the segment that may come."))
        if audience == Event.Audience.INVITED:
            self._match_invited(cleaned.get("invited_emails", ""))
        return cleaned

    def _match_invited(self, text: str) -> None:
        """Every address must be a member of this network; unknown ones are listed back and nothing is
        saved (the textarea keeps all that was typed)."""
        ids, problem = members_by_email(self.network, text)
        if problem:
            self.add_error("invited_emails", problem)
            return
        self.invited_ids = ids


def invited_emails(event: Event) -> list[str]:
    return list(
        Membership.objects.filter(network_id=event.network_id, pk__in=event.invitees.values("membership_id"))
        .order_by("sort_name", "pk")
        .values_list("user__email", flat=True)
    )


class QuestionForm(forms.ModelForm[EventQuestion]):
    class Meta:
        model = EventQuestion
        fields = ("label", "choices", "required")
        widgets: ClassVar = {"choices": forms.Textarea(attrs={"rows": 3})}


class BaseQuestionFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def save_new(self, form: forms.ModelForm[Any], commit: bool = True) -> Any:
        question = form.save(commit=False)
        question.network_id = self.instance.network_id
        question.event = self.instance
        if commit:
            question.save()
        return question


QuestionFormSet = forms.inlineformset_factory(
    Event, EventQuestion, form=QuestionForm, formset=BaseQuestionFormSet, extra=2, max_num=20, validate_max=True,
    can_delete=True,
)  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(forms.Form):
    photos = MultipleImageField(
        label=_("Photos"),
        required=True,
        max_files=MAX_PHOTOS,
        max_bytes=IMAGE_MAX_BYTES,
        max_side=PHOTO_MAX_SIDE,
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translated per request (a class-level "%" would fix the language at import).
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos at a time (PNG, JPEG, WebP or GIF). Location data is removed."
        ) % {"count": MAX_PHOTOS}


class WalkInForm(forms.Form):
    membership = forms.IntegerField(required=False, widget=forms.HiddenInput)
    guest_name = forms.CharField(label=_("Name of a guest who is not a member"), max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("membership") and not (cleaned.get("guest_name") or "").strip():
            raise forms.ValidationError(_("Write the guest's name."))
        return cleaned
