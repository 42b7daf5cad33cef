"""Forms of the feedback box: the alumni form, and the console's reply, note, topic and "you said,
we did" forms. Every text is plain text, shown escaped."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enishi.feedback.models import MAX_FEEDBACK_CHARS, MAX_REPLY_CHARS, Feedback, FeedbackTopic


class TopicChoiceField(forms.ModelChoiceField[FeedbackTopic]):
    def label_from_instance(self, obj: FeedbackTopic) -> str:
        return obj.name


class FeedbackForm(forms.Form):
    topic = TopicChoiceField(label=_("Topic"), queryset=FeedbackTopic.objects.none(), empty_label=None,
                             error_messages={"invalid_choice": _("Choose a topic from the list.")})  # fmt: skip
    text = forms.CharField(
        label=_("What would you like to tell us?"),
        max_length=MAX_FEEDBACK_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, up to %(count)d characters.") % {"count": MAX_FEEDBACK_CHARS},
        error_messages={"required": _("Write what you would like to tell us.")},
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        help_text=_("No name, only the week; nobody can reply."),
    )

    def __init__(self, *args: Any, topics: list[FeedbackTopic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topic"]
        assert isinstance(field, TopicChoiceField)
        field.queryset = FeedbackTopic.objects.filter(pk__in=[topic.pk for topic in topics])
        if topics and not self.is_bound:
            self.initial.setdefault("topic", topics[0].pk)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=MAX_REPLY_CHARS, widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": _("Write the reply.")})  # fmt: skip


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_FEEDBACK_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the secretariat reads it."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("feedback", "Status"), choices=Feedback.Status.choices)


class TopicForm(forms.ModelForm[FeedbackTopic]):
    class Meta:
        model = FeedbackTopic
        fields = ("name_ja", "name_en", "position")

    def clean_name_ja(self) -> str:
        # The unique constraint includes the network, which is not a field of the form: check it here.
        name: str = self.cleaned_data["name_ja"].strip()
        taken = FeedbackTopic.objects.filter(network_id=self.instance.network_id, name_ja=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A topic of this name exists already."))
        return name


class ChangeForm(forms.Form):
    """A "you said, we did" post: published at once as news to the whole network."""

    title = forms.CharField(label=_("Title"), max_length=200,
                            error_messages={"required": _("Give the post a title.")})  # fmt: skip
    body = forms.CharField(
        label=_("What changed"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; links and paragraphs are kept. Do not name the people who gave the feedback."),
        error_messages={"required": _("Write what changed.")},
    )
