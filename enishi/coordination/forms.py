from __future__ import annotations

from typing import ClassVar

from django import forms

from enishi.coordination.models import Interview, Relay


class InterviewForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Interview
        fields = ("scheduled_at", "held_at", "current_work", "intent", "conditions", "timing", "notes")
        widgets: ClassVar = {
            "scheduled_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "held_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "current_work": forms.Textarea(attrs={"rows": 2}),
            "intent": forms.Textarea(attrs={"rows": 2}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 8}),
        }


class RelayForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Relay
        fields = ("summary",)
        widgets: ClassVar = {"summary": forms.Textarea(attrs={"rows": 6})}
