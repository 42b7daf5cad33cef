from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enishi.lib.images import clean_image
from enishi.networks.models import Company, Network, contrast_with_white
from enishi.networks.roles import STAFF_ROLES, MembershipState, Role

LOGO_MAX_SIDE = 512
MIN_ACCENT_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class NetworkSettingsForm(forms.ModelForm[Network]):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first language is used for people whose language is not known yet."),
    )

    class Meta:
        model = Network
        fields = (
            "name_ja", "name_en", "logo", "accent_colour", "languages", "staff_mfa_required",
            "hr_restricted_to_companies",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {"accent_colour": forms.TextInput(attrs={"type": "color"})}

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            return clean_image(logo, max_bytes=settings.LOGO_MAX_BYTES, max_side=LOGO_MAX_SIDE)
        return logo

    def clean_accent_colour(self) -> str:
        colour = self.cleaned_data["accent_colour"]
        if not HEX_COLOUR.fullmatch(colour):
            return colour  # the model's validator reports the format
        # Links and focus rings use the accent on white: it must read (WCAG AA, 4.5:1).
        if contrast_with_white(colour) < MIN_ACCENT_CONTRAST:
            raise ValidationError(
                _("This colour is too light to read on white (contrast %(ratio).1f:1, at least 4.5:1 is needed).")
                % {"ratio": contrast_with_white(colour)}
            )
        return colour

    def clean_languages(self) -> list[str]:
        chosen = self.cleaned_data["languages"]
        # Keep Japanese first when chosen: it is the default for unknown recipients.
        return sorted(chosen, key=lambda code: [c for c, _ in settings.LANGUAGES].index(code))


class CompanyForm(forms.ModelForm[Company]):
    class Meta:
        model = Company
        fields = ("name_ja", "name_en", "short_name", "position")

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network

    def clean_name_ja(self) -> str:
        name = self.cleaned_data["name_ja"].strip()
        clash = Company.objects.filter(network=self.network, name_ja=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("A company with this name already exists in the network."))
        return name


STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class StaffInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    # No preselected role: the most powerful one must be a deliberate choice, never a default.
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *STAFF_ROLE_CHOICES])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class CoveredCompaniesForm(forms.Form):
    """The companies an hr staff member covers (used when the network restricts hr to them)."""

    companies: forms.ModelMultipleChoiceField[Company] = forms.ModelMultipleChoiceField(
        label=_("Companies covered"),
        queryset=None,  # the network's own, set per form: a class-level query would run outside any scope
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: this person sees no company's opportunities or candidates while the network "
                    "restricts HR staff."),
    )  # fmt: skip

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=500, required=False)


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *MembershipState.choices], required=False
    )
