from __future__ import annotations

from django_scopes import scope

from conftest import PersonaNetwork
from enishi.intake.access import get_employment_record
from enishi.intake.models import HR_ONLY_FIELDS, Assignment, EmploymentRecord, RehireEligibility


def test_it_keeps_several_postings_per_employment_and_defaults_to_unassessed(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        record = EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="A-001", family_name="佐藤", given_name="一郎"
        )
        Assignment.objects.create(network=net_a.network, record=record, department="営業部", job_title="主任")
        Assignment.objects.create(network=net_a.network, record=record, department="人事部", job_title="課長")

        assert record.rehire_eligibility == RehireEligibility.UNKNOWN
        assert [str(a) for a in record.assignments.all()] == ["営業部 / 主任", "人事部 / 課長"]
        assert get_employment_record(net_a.network, record.pk) == record


def test_it_names_the_hr_only_fields_that_exist_on_the_model() -> None:
    model_fields = {field.name for field in EmploymentRecord._meta.get_fields()}
    assert model_fields >= HR_ONLY_FIELDS
    assert {"rehire_eligibility", "hr_notes"} <= HR_ONLY_FIELDS
