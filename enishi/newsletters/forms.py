"""Forms of the newsletter console: compose, schedule, test send."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enishi.networks.models import Company, Network
from enishi.newsletters.models import Newsletter
from enishi.profiles.models import SavedSegment

RICH_TEXT_HELP = _(
    "Paragraphs, lists, links and headings (HTML such as <p>, <ul>, <a>, <h2>). Anything else is removed "
    "when saved. Links are counted when readers click them."
)


class NewsletterForm(forms.ModelForm[Newsletter]):
    body_ja = forms.CharField(label=_("Text (Japanese)"), widget=forms.Textarea(attrs={"rows": 14}),
                              help_text=RICH_TEXT_HELP)  # fmt: skip
    body_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 10}), required=False,
        help_text=_("Optional. Members who chose English get this version; everyone else gets the Japanese one."),
    )  # fmt: skip
    # Querysets of the network, set per form: a class-level query would run outside any scope.
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(label=_("Company"), queryset=None, required=False)
    segment: forms.ModelChoiceField[SavedSegment] = forms.ModelChoiceField(
        label=_("Segment"), queryset=None, required=False
    )

    class Meta:
        model = Newsletter
        fields = ("subject_ja", "body_ja", "subject_en", "body_en", "audience", "company", "segment")

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = SavedSegment.objects.filter(network=network)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        audience = cleaned.get("audience")
        if audience == Newsletter.Audience.COMPANY and not cleaned.get("company"):
            self.add_error("company", _("Choose the company whose alumni should get this."))
        if audience == Newsletter.Audience.SEGMENT and not cleaned.get("segment"):
            self.add_error("segment", _("Choose the segment that should get this."))
        if bool((cleaned.get("subject_en") or "").strip()) != bool((cleaned.get("body_en") or "").strip()):
            self.add_error("body_en", _("The English version needs both a subject and a text (or neither)."))
        return cleaned


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the network's time zone. The worker starts the send within a few minutes of this time."),
    )

    def clean_send_at(self) -> Any:
        value = self.cleaned_data["send_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or send now."))
        return value


class TestSendForm(forms.Form):
    to = forms.EmailField(label=_("Send the test to"))
    language = forms.ChoiceField(label=_("Language of the test"), choices=[("ja", _("Japanese")), ("en", _("English"))])
