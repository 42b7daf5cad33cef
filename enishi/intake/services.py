"""Business verbs of intake: employment records (and, later, imports, invitations, registration)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enishi.accounts.models import User
from enishi.intake.models import EmploymentRecord
from enishi.lib.japanese import normalise, to_hiragana
from enishi.networks.models import Network
from enishi.privacy.services import audit


@transaction.atomic
def save_employment_record(
    network: Network, actor: User, record: EmploymentRecord, changed: list[str], request: HttpRequest | None = None
) -> EmploymentRecord:
    """Create or update one record by hand in the console; the audit entry lists the changed fields."""
    created = record.pk is None
    record.network = network
    record.save()
    action = "employment_record.created" if created else "employment_record.changed"
    audit(network, actor, action, record, request=request, fields=sorted(changed))
    return record


EXPORT_FIELDS = (
    "employee_number", "family_name", "given_name", "family_name_kana", "given_name_kana", "department",
    "job_title", "grade", "hire_date", "leave_date", "leave_reason", "rehire_eligibility", "private_email",
    "phone", "birth_date", "hr_notes",
)  # fmt: skip


def export_rows(records: QuerySet[EmploymentRecord]) -> tuple[list[str], list[list[object]]]:
    """Headers (in the reader's language) and rows of an HR export, company first."""
    labels = [str(EmploymentRecord._meta.get_field(name).verbose_name) for name in EXPORT_FIELDS]  # type: ignore[union-attr]
    headers = [str(_("company")), *labels]
    rows = [
        [record.company.name_ja, *[getattr(record, name) for name in EXPORT_FIELDS]]
        for record in records.select_related("company").iterator(chunk_size=2000)
    ]
    return headers, rows


def search_records(network: Network, query: str) -> QuerySet[EmploymentRecord]:
    """Records whose name (kanji), reading (kana, any width) or employee number contains `query`."""
    records = EmploymentRecord.objects.filter(network=network)
    text = normalise(query)
    if not text:
        return records
    reading = to_hiragana(text)
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in reading)
    condition = Q(employee_number__icontains=text) | Q(private_email__icontains=text)
    for part in {text, reading, katakana}:
        condition |= (
            Q(family_name__contains=part)
            | Q(given_name__contains=part)
            | Q(family_name_kana__contains=part)
            | Q(given_name_kana__contains=part)
        )
    return records.filter(condition)
