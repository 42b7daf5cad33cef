"""Forms of comeback: the alumni filters, interest and application; the console's opportunity,
scheme, stage-change and note forms."""

from __future__ import annotations

import zipfile
from typing import Any, ClassVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from enishi.comeback.models import Candidate, ComebackScheme, Opportunity, Stage
from enishi.lib.richtext import clean_html
from enishi.networks.models import Company, Membership, Network
from enishi.networks.services import members_by_email
from enishi.profiles.models import SavedSegment, Skill

RESUME_MAX_BYTES = 5 * 1024 * 1024
RESUME_ACCEPT = ".pdf,.doc,.docx,application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document"  # noqa: E501
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Word (.doc) container
MAX_QUESTIONS = 10
RICH_TEXT_HELP = _("Paragraphs, lists, links and headings. Anything else is removed when saved.")


def resume_kind(upload: UploadedFile) -> str | None:
    """ "pdf", "doc" or "docx" judged by the content (not the name), or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head == _OLE:
        return "doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return "docx"
    return None


def clean_resume(upload: UploadedFile | None) -> UploadedFile | None:
    if not upload:
        return None
    if upload.size is None or upload.size > RESUME_MAX_BYTES:
        raise forms.ValidationError(_("The file is too large: at most 5 MB."))
    kind = resume_kind(upload)
    if kind is None:
        raise forms.ValidationError(_("Upload a PDF or Word file."))
    upload.name = f"resume.{kind}"  # the stored name follows the content
    return upload


# --- Alumni --------------------------------------------------------------------------------------


class OpportunityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Opportunity.Kind.choices])
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(
        label=_("Company"), queryset=None, required=False, empty_label=_("Any company")
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=60)
    remote = forms.ChoiceField(
        label=_("Remote work"), required=False, choices=[("", _("Any")), *Opportunity.Remote.choices]
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]

    def apply(self, opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
        if not self.is_valid():
            return opportunities
        chosen = self.cleaned_data
        if chosen.get("kind"):
            opportunities = opportunities.filter(kind=chosen["kind"])
        if chosen.get("company"):
            opportunities = opportunities.filter(company=chosen["company"])
        if chosen.get("location"):
            opportunities = opportunities.filter(location__icontains=chosen["location"].strip())
        if chosen.get("remote"):
            opportunities = opportunities.filter(remote=chosen["remote"])
        return opportunities


class InterestForm(forms.Form):
    note = forms.CharField(
        label=_("A note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. when you could talk, or what you would like to know."),
    )


class ApplicationForm(forms.Form):
    resume = forms.FileField(
        label=_("Résumé (PDF or Word, up to 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": RESUME_ACCEPT}),
    )

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for index, label in enumerate(questions):
            self.fields[f"q{index}"] = forms.CharField(
                label=label, required=True, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
            )

    def clean_resume(self) -> UploadedFile | None:
        return clean_resume(self.cleaned_data.get("resume"))

    def answers(self) -> dict[str, str]:
        return {label: self.cleaned_data[f"q{index}"] for index, label in enumerate(self.questions)}


# --- Console -------------------------------------------------------------------------------------


class OpportunityForm(forms.ModelForm[Opportunity]):
    # The network's own, set per form: a class-level query would run outside any scope.
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(label=_("Company"), queryset=None, required=False)
    segment: forms.ModelChoiceField[SavedSegment] = forms.ModelChoiceField(
        label=_("Segment"), queryset=None, required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 10}), help_text=RICH_TEXT_HELP
    )
    questions_text = forms.CharField(
        label=_("Application questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line, e.g. 志望動機. At most 10."),
    )
    invited_emails = forms.CharField(
        label=_("Invited people (email addresses)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("For “Invited people only”: one address per line (commas work too), members of this network only."),
    )

    class Meta:
        model = Opportunity
        fields: ClassVar = [
            "title", "kind", "company", "department", "location", "remote", "hours", "pay_range", "description",
            "required_skills", "welcome_skills", "audience", "segment", "opens_on", "closes_on",
        ]  # fmt: skip
        widgets: ClassVar = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "required_skills": forms.SelectMultiple(attrs={"size": 6}),
            "welcome_skills": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, network: Network, covered_companies: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        companies = Company.objects.filter(network=network)
        if covered_companies is not None:
            # hr restricted to the companies they cover: only those are offered, and one is required
            # (an opportunity without a company is for unrestricted staff only).
            company_field = self.fields["company"]
            companies = companies.filter(pk__in=covered_companies)
            company_field.required = True
            company_field.error_messages["invalid_choice"] = _("Choose one of the companies you cover.")
            company_field.error_messages["required"] = _("Choose one of the companies you cover.")
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        self.fields["segment"].queryset = SavedSegment.objects.filter(network=network)  # type: ignore[attr-defined]
        for name in ("required_skills", "welcome_skills"):
            self.fields[name].queryset = Skill.objects.all()  # type: ignore[attr-defined]
        self.fields["questions_text"].initial = "\n".join(self.instance.questions or [])
        order = list(self.fields)
        order.remove("invited_emails")
        order.insert(order.index("segment") + 1, "invited_emails")
        self.order_fields(order)
        self.invited_ids: list[int] = []
        if self.instance.pk is not None and self.instance.audience == Opportunity.Audience.INVITED:
            self.fields["invited_emails"].initial = "\n".join(invited_emails(self.instance))

    def clean_description(self) -> str:
        return str(clean_html(self.cleaned_data.get("description") or ""))

    def clean_questions_text(self) -> list[str]:
        lines = [line.strip()[:200] for line in (self.cleaned_data.get("questions_text") or "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_QUESTIONS:
            raise forms.ValidationError(_("At most 10 questions."))
        return lines

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date comes after the opening date."))
        if data.get("audience") == Opportunity.Audience.SEGMENT and not data.get("segment"):
            self.add_error("segment", _("Choose the segment."))
        if data.get("audience") == Opportunity.Audience.INVITED:
            self._match_invited(str(data.get("invited_emails") or ""))
        return data

    def _match_invited(self, text: str) -> None:
        """Every address must be a member of this network; unknown ones are listed back and nothing is
        saved (the textarea keeps all that was typed)."""
        ids, problem = members_by_email(self.network, text)
        if problem:
            self.add_error("invited_emails", problem)
            return
        self.invited_ids = ids

    def save(self, commit: bool = True) -> Opportunity:
        self.instance.questions = self.cleaned_data.get("questions_text") or []
        return super().save(commit=commit)


def invited_emails(opportunity: Opportunity) -> list[str]:
    return list(
        Membership.objects.filter(network_id=opportunity.network_id,
                                  pk__in=opportunity.invitees.values("membership_id"))
        .order_by("sort_name", "pk")
        .values_list("user__email", flat=True)
    )  # fmt: skip


class SchemeForm(forms.ModelForm[ComebackScheme]):
    company: forms.ModelChoiceField[Company] = forms.ModelChoiceField(label=_("Company"), queryset=None, required=False)
    body = forms.CharField(
        label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 12}), help_text=RICH_TEXT_HELP
    )

    class Meta:
        model = ComebackScheme
        fields: ClassVar = ["title", "company", "body", "published"]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(network=network)  # type: ignore[attr-defined]

    def clean_body(self) -> str:
        return str(clean_html(self.cleaned_data.get("body") or ""))


class StageForm(forms.Form):
    """Moving one or many candidates (the list's checkboxes send `candidate` ids)."""

    stage: forms.ModelChoiceField[Stage] = forms.ModelChoiceField(label=_("Move to"), queryset=None)
    hired_on = forms.DateField(
        label=_("Start date (for a hire)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, stages: list[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(pk__in=[stage.pk for stage in stages])  # type: ignore[attr-defined]


class CandidateForm(forms.ModelForm[Candidate]):
    class Meta:
        model = Candidate
        fields: ClassVar = ["next_step", "next_step_on", "hired_on"]
        widgets: ClassVar = {
            "next_step_on": forms.DateInput(attrs={"type": "date"}),
            "hired_on": forms.DateInput(attrs={"type": "date"}),
        }


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class StageEditForm(forms.ModelForm[Stage]):
    """A pipeline stage of the network: its name, what it means, and whether candidates see its name.
    The network keeps at least one stage "in progress" (new candidates start in the first one)."""

    class Meta:
        model = Stage
        fields: ClassVar = ["name", "kind", "visible"]

    def clean_kind(self) -> str:
        kind: str = self.cleaned_data["kind"]
        stage = self.instance
        if stage.pk is not None and stage.kind == Stage.Kind.OPEN and kind != Stage.Kind.OPEN:
            others = Stage.objects.filter(network_id=stage.network_id, kind=Stage.Kind.OPEN).exclude(pk=stage.pk)
            if not others.exists():
                raise forms.ValidationError(_("Keep at least one stage in progress: new candidates start there."))
        return kind


class CandidateMessageForm(forms.Form):
    text = forms.CharField(label=_("Message to the candidate"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip


# --- Subscriptions to new openings (subscriptions.py) ------------------------------------------------


class OpeningSubscriptionForm(forms.Form):
    """hr's choice of whom to subscribe: the kinds, and optionally the companies (none = every one)."""

    kinds = forms.MultipleChoiceField(label=_("Kinds of opportunity"), choices=Opportunity.Kind.choices,
                                      widget=forms.CheckboxSelectMultiple)  # fmt: skip
    companies: forms.ModelMultipleChoiceField[Company] = forms.ModelMultipleChoiceField(
        label=_("Companies"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: openings of every company of the network."),
    )  # fmt: skip

    def __init__(self, *args: Any, network: Network, covered_companies: set[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        companies = Company.objects.filter(network=network)
        field = self.fields["companies"]
        if covered_companies is not None:  # hr restricted to some companies: theirs only, at least one
            companies = companies.filter(pk__in=covered_companies)
            field.required = True
            field.help_text = ""
            field.error_messages["required"] = _("Choose one of the companies you cover.")
            field.error_messages["invalid_choice"] = _("Choose one of the companies you cover.")
            field.error_messages["invalid_pk_value"] = _("Choose one of the companies you cover.")
        field.queryset = companies  # type: ignore[attr-defined]


class StartNewsForm(forms.Form):
    """The alumnus's own choice of news of new openings, among the kinds their intent is open to."""

    kinds = forms.MultipleChoiceField(label=_("Tell me about new openings of"), choices=(),
                                      widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args: Any, fitting: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Opportunity.Kind.choices)
        self.fields["kinds"].choices = [(kind, labels[kind]) for kind in fitting]  # type: ignore[attr-defined]
