from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enishi.privacy.actions import AUDIT_ACTIONS


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *AUDIT_ACTIONS.items()]
    )
    actor = forms.CharField(label=_("Who (email)"), max_length=254, required=False)
    target = forms.CharField(label=_("About"), max_length=100, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class NoticeForm(forms.Form):
    body_ja = forms.CharField(label=_("Notice (Japanese)"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000)
    body_en = forms.CharField(
        label=_("Notice (English)"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000, required=False
    )
