"""Forms of the message pages: a message, an inquiry to the secretariat, the console's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enishi.messaging.models import MESSAGE_MAX_LENGTH, SecretariatThread
from enishi.networks.models import Membership

TOO_LONG = _("A message can be at most %(limit_value)d characters; this one has %(show_value)d.")


def message_field(label: Any = None, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label or _("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={"max_length": TOO_LONG, "required": _("Write a message first.")},
        help_text=_("Plain text; links are made clickable."),
    )


class MessageForm(forms.Form):
    text = message_field()


class InquiryForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=120)
    text = message_field(_("Your message to the secretariat"), rows=6)


class StaffReplyForm(forms.Form):
    KIND_CHOICES = (("reply", _("Reply to the alumnus")), ("note", _("Internal note (staff only)")))

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect)
    text = message_field(_("Text"), rows=5)


class InboxFilterForm(forms.Form):
    STATUS_CHOICES = (("open", _("Open (not closed)")), *SecretariatThread.Status.choices, ("all", _("All")))

    status = forms.ChoiceField(label=_("Inquiry status"), choices=STATUS_CHOICES, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, staff: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("mine", _("Me")),
            ("unassigned", _("Nobody yet")),
            *[(str(member.pk), member.user.full_name or member.user.email) for member in staff],
        ]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, staff: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody")),
            *[(str(member.pk), member.user.full_name or member.user.email) for member in staff],
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Inquiry status"), choices=SecretariatThread.Status.choices)
