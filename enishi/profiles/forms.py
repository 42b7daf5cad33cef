"""Forms of the alumni's own profile pages: phone-first, every field optional but checked."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from enishi.lib.images import clean_image
from enishi.profiles.models import CareerEntry, FieldGroup, Intent, Profile, ProfileSettings, Visibility
from enishi.profiles.services import MAX_SKILLS
from enishi.profiles.skills import SKILL_MAX_LENGTH
from enishi.profiles.vocabulary import OVERSEAS, ReturnMode

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 512
MAX_LINKS = 5
MAX_LINK_LENGTH = 300
MAX_LANGUAGES = 10
LANGUAGE_MAX_LENGTH = 30
# Tags are separated by commas (ASCII or Japanese), the ideographic full stop, slashes or new lines.
_TAG_SEPARATORS = re.compile(r"[,、，;；/／\n]+")
_https_only = URLValidator(schemes=["http", "https"])

PROFILE_GROUPS = [group for group in FieldGroup if group != FieldGroup.INTENT]


def split_tags(text: str) -> list[str]:
    return [tag.strip() for tag in _TAG_SEPARATORS.split(text) if tag.strip()]


def visibility_field(group: FieldGroup) -> forms.ChoiceField:
    # Not required: a radio group always has a choice checked, and a missing answer keeps the current one.
    return forms.ChoiceField(label=group.label, choices=Visibility.choices, widget=forms.RadioSelect, required=False)


class ProfileForm(forms.ModelForm[Profile]):
    skills_text = forms.CharField(
        label=_("Skills"), required=False, max_length=2000,
        help_text=_("Separate them with commas, e.g. 営業, Python, 経理. Different spellings become one skill."),
    )  # fmt: skip
    languages_text = forms.CharField(
        label=_("Languages"), required=False, max_length=400, help_text=_("e.g. 日本語, English")
    )
    links_text = forms.CharField(
        label=_("Links"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line (https://…), at most 5: a portfolio, a blog, a social profile."),
    )  # fmt: skip
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Profile
        fields = ("display_name", "display_name_kana", "photo", "headline", "organisation", "role_title",
                  "industry", "location", "country", "now_text")  # fmt: skip
        widgets = {
            "now_text": forms.Textarea(attrs={"rows": 4}),
            "photo": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance
        for group in PROFILE_GROUPS:
            self.fields[f"visibility_{group.value}"] = visibility_field(group)
            self.initial.setdefault(f"visibility_{group.value}", profile.visibility_of(group))
        if profile.pk is not None:
            names = [tag.skill.name for tag in profile.skills.select_related("skill").order_by("skill__name")]
            self.initial.setdefault("skills_text", ", ".join(names))
        self.initial.setdefault("languages_text", ", ".join(profile.languages or []))
        self.initial.setdefault("links_text", "\n".join(link.get("url", "") for link in profile.links or []))
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        self.fields["country"].help_text = _("Only when you live outside Japan.")

    def visibility_fields(self) -> list[forms.BoundField]:
        return [self[f"visibility_{group.value}"] for group in PROFILE_GROUPS]

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return clean_image(photo, max_bytes=PHOTO_MAX_BYTES, max_side=PHOTO_MAX_SIDE)
        return photo

    def clean_skills_text(self) -> list[str]:
        tags = split_tags(self.cleaned_data["skills_text"])
        if len(tags) > MAX_SKILLS:
            raise ValidationError(_("At most %(count)d skills.") % {"count": MAX_SKILLS})
        if any(len(tag) > SKILL_MAX_LENGTH for tag in tags):
            raise ValidationError(_("A skill is at most %(count)d characters long.") % {"count": SKILL_MAX_LENGTH})
        return tags

    def clean_languages_text(self) -> list[str]:
        languages = list(dict.fromkeys(split_tags(self.cleaned_data["languages_text"])))
        if len(languages) > MAX_LANGUAGES or any(len(language) > LANGUAGE_MAX_LENGTH for language in languages):
            raise ValidationError(
                _("At most %(count)d languages of %(length)d characters each.")
                % {"count": MAX_LANGUAGES, "length": LANGUAGE_MAX_LENGTH}
            )
        return languages

    def clean_links_text(self) -> list[dict[str, str]]:
        urls = list(
            dict.fromkeys(line.strip() for line in self.cleaned_data["links_text"].splitlines() if line.strip())
        )
        if len(urls) > MAX_LINKS:
            raise ValidationError(_("At most %(count)d links.") % {"count": MAX_LINKS})
        links = []
        for url in urls:
            try:
                if len(url) > MAX_LINK_LENGTH:
                    raise ValidationError("too long")
                _https_only(url)
            except ValidationError:
                raise ValidationError(
                    _("“%(url)s” is not a web address starting with https:// or http://.") % {"url": url[:80]}
                ) from None
            links.append({"label": urlsplit(url).hostname or url, "url": url})
        return links

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("location") != OVERSEAS:
            cleaned["country"] = ""
        return cleaned

    def save(self, commit: bool = True) -> Profile:
        profile = super().save(commit=False)
        if self.cleaned_data.get("remove_photo") and "photo" not in self.files:
            profile.photo = ""
        profile.languages = self.cleaned_data["languages_text"]
        profile.links = self.cleaned_data["links_text"]
        visibility = dict(profile.visibility or {})
        for group in PROFILE_GROUPS:
            visibility[group.value] = self.cleaned_data[f"visibility_{group.value}"] or profile.visibility_of(group)
        profile.visibility = visibility
        if commit:
            profile.save()
        return profile

    def changed_fields(self) -> list[str]:
        return [name.removesuffix("_text") for name in self.changed_data if name != "skills_text"]


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return super().format_value(value)


class CareerEntryForm(forms.ModelForm[CareerEntry]):
    class Meta:
        model = CareerEntry
        fields = ("organisation", "role_title", "started_on", "ended_on", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("started_on", "ended_on"):
            field = self.fields[name]
            assert isinstance(field, forms.DateField)
            field.widget = MonthInput()
            field.input_formats = ["%Y-%m", "%Y/%m", "%Y-%m-%d", "%Y/%m/%d"]
        self.fields["ended_on"].help_text = _("Leave empty if you are still there.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        today = date.today()
        if started and started.year < 1940:
            self.add_error("started_on", _("Enter a year after 1940."))
        if started and started > today:
            self.add_error("started_on", _("The start cannot be in the future."))
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end comes before the start."))
        return cleaned


class IntentForm(forms.ModelForm[Intent]):
    return_modes = forms.MultipleChoiceField(
        label=_("Open to working with the company again as"), required=False,
        choices=ReturnMode.choices, widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    visibility_intent = forms.ChoiceField(
        label=_("Who may see my interests and intent"), choices=Visibility.choices, widget=forms.RadioSelect,
        required=False,
    )  # fmt: skip

    class Meta:
        model = Intent
        fields = ("not_now", "not_now_reason", "ask_again_on", "return_modes", "earliest", "preferred_location",
                  "remote", "hours", "collaboration_offer", "collaboration_seek", "open_to_meet", "open_to_mentor",
                  "open_to_speak", "open_to_feedback")  # fmt: skip
        widgets = {
            "ask_again_on": forms.DateInput(attrs={"type": "date"}),
            "collaboration_offer": forms.Textarea(attrs={"rows": 3}),
            "collaboration_seek": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"not_now": _("Not now: I am not looking for anything at the moment")}

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.initial.setdefault("visibility_intent", profile.visibility_of(FieldGroup.INTENT))
        self.fields["ask_again_on"].help_text = _("Until then, the company will not ask about your situation.")

    def clean_ask_again_on(self) -> date | None:
        ask_again_on: date | None = self.cleaned_data.get("ask_again_on")
        if ask_again_on is not None and not date.today() < ask_again_on <= date(date.today().year + 10, 12, 31):
            raise ValidationError(_("Choose a date in the future, within ten years."))
        return ask_again_on

    def save(self, commit: bool = True) -> Intent:
        intent = super().save(commit=False)
        self.profile.visibility = {
            **(self.profile.visibility or {}),
            FieldGroup.INTENT.value: self.cleaned_data["visibility_intent"]
            or self.profile.visibility_of(FieldGroup.INTENT),
        }
        if commit:
            intent.save()
        return intent


class ProfileSettingsForm(forms.ModelForm[ProfileSettings]):
    class Meta:
        model = ProfileSettings
        fields = ("checkin_months",)
