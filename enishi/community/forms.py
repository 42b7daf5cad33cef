"""Forms of the community pages: a news item for editors."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from enishi.community.models import MAX_POST_IMAGES, Comment, Group, NewsCategory, NewsItem, Post, Report
from enishi.lib.images import IMAGE_ACCEPT, MultipleImageField, clean_image
from enishi.networks.models import Company, Network
from enishi.profiles.models import SavedSegment

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_SIDE = 1600


class NewsForm(forms.ModelForm[NewsItem]):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paragraphs, lists, links and headings (HTML such as <p>, <ul>, <a>, <h2>). Anything else is "
            "removed when saved."
        ),
    )

    # Querysets of the network, set per form: a class-level query would run outside any scope.
    category: forms.ModelChoiceField[NewsCategory] = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False
    )
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(label=_("Company"), queryset=None, required=False)
    segment: forms.ModelChoiceField[SavedSegment] = forms.ModelChoiceField(
        label=_("Segment"), queryset=None, required=False
    )

    class Meta:
        model = NewsItem
        fields = ("title", "category", "body", "image", "image_alt", "audience", "company", "segment", "pinned")
        widgets: ClassVar = {"image": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT})}

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = NewsCategory.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]
        self.fields["segment"].queryset = SavedSegment.objects.filter(network=network)  # type: ignore[attr-defined]

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_image(image, max_bytes=IMAGE_MAX_BYTES, max_side=IMAGE_MAX_SIDE)
        return image

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        audience = cleaned.get("audience")
        if audience == NewsItem.Audience.COMPANY and not cleaned.get("company"):
            self.add_error("company", _("Choose the company whose alumni should read this."))
        if audience == NewsItem.Audience.SEGMENT and not cleaned.get("segment"):
            self.add_error("segment", _("Choose the segment that should read this."))
        return cleaned


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish now."),
    )


class CategoryForm(forms.ModelForm[NewsCategory]):
    class Meta:
        model = NewsCategory
        fields = ("name_ja", "name_en", "position")


class PostForm(forms.ModelForm[Post]):
    activity_url = forms.URLField(label=_("link to the activity"), required=False, assume_scheme="https")
    images = MultipleImageField(
        label=_("Pictures"),
        max_files=MAX_POST_IMAGES,
        max_bytes=IMAGE_MAX_BYTES,
        max_side=IMAGE_MAX_SIDE,
        help_text=_("Up to %(count)d pictures (PNG, JPEG, WebP or GIF). Location data is removed.")
        % {"count": MAX_POST_IMAGES},
    )
    remove_images = forms.BooleanField(label=_("Remove the pictures"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or not self.instance.images.exists():
            del self.fields["remove_images"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kept = 0 if cleaned.get("remove_images") or self.instance.pk is None else self.instance.images.count()
        if kept + len(cleaned.get("images") or []) > MAX_POST_IMAGES:
            self.add_error("images", _("A post has at most %(count)d pictures: remove the ones it has first.")
                           % {"count": MAX_POST_IMAGES})  # fmt: skip
        return cleaned

    class Meta:
        model = Post
        fields = ("text", "activity_on", "activity_url")
        widgets: ClassVar = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "activity_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts: ClassVar = {
            "text": _(
                "Links are made clickable; @ and a name (no space, e.g. @佐藤一郎) mentions someone listed in the "
                "directory. Announcing a seminar or a talk? Add its date and link below."
            ),
        }


class CommentForm(forms.ModelForm[Comment]):
    class Meta:
        model = Comment
        fields = ("text",)
        widgets: ClassVar = {"text": forms.Textarea(attrs={"rows": 2})}


class ReportForm(forms.ModelForm[Report]):
    class Meta:
        model = Report
        fields = ("reason", "note")
        widgets: ClassVar = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}


class GroupForm(forms.ModelForm[Group]):
    class Meta:
        model = Group
        fields = ("name", "kind", "policy", "description")
        widgets: ClassVar = {"description": forms.Textarea(attrs={"rows": 4})}
