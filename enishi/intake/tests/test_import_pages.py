"""Importing an HR file from the console: upload, preview (dry run), columns, import."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import EmploymentRecord, ImportJob
from enishi.privacy.models import AuditEntry

CSV = (
    "社員番号,氏名,フリガナ,部署,入社日,退職日,退職理由,再雇用可否\r\n"
    "A-001,佐藤 一郎,サトウ イチロウ,営業部,2010/4/1,2020年3月31日,転職,可\r\n"
    "A-002,鈴木 花子,すずき はなこ,人事部,2012-04-01,令和3年9月30日,育児,条件付き\r\n"
    "A-003,高橋 健太,タカハシ ケンタ,経理部,2015/4/1,2024/13/01,転職,可\r\n"
)


@pytest.fixture(autouse=True)
def _media(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def upload(client: Client, content: bytes, name: str = "leavers.csv") -> object:
    return client.post(
        reverse("manage:intake_imports", args=["alpha"]), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def test_it_previews_then_imports_a_shift_jis_file(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")

    response = upload(client, CSV.encode("cp932"))

    with scopes_disabled():
        job = ImportJob.objects.get()
        assert EmploymentRecord.objects.count() == 0
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:intake_import", args=["alpha", job.pk])
    preview = client.get(response["Location"])
    assert preview.context["counts"] == {"create": 2, "update": 0, "unchanged": 0, "skip": 1}
    assert "2024/13/01" in preview.content.decode()

    done = client.post(reverse("manage:intake_import_apply", args=["alpha", job.pk]))

    assert done.status_code == 302
    with scopes_disabled():
        assert sorted(EmploymentRecord.objects.values_list("employee_number", flat=True)) == ["A-001", "A-002"]
        assert EmploymentRecord.objects.get(employee_number="A-002").family_name_kana == "スズキ"
        job.refresh_from_db()
        assert (job.status, job.created, job.skipped) == ("applied", 2, 1)
        assert AuditEntry.objects.filter(action="employment_records.imported").count() == 1


def test_it_changes_nothing_when_the_same_file_is_imported_again(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")
    for _ in range(2):
        upload(client, CSV.encode("utf-8-sig"))
        with scopes_disabled():
            job = ImportJob.objects.first()
        assert job is not None
        client.post(reverse("manage:intake_import_apply", args=["alpha", job.pk]))

    with scopes_disabled():
        assert EmploymentRecord.objects.count() == 2
        assert list(ImportJob.objects.values_list("created", "updated", "unchanged")) == [(0, 0, 2), (2, 0, 0)]


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "empty.csv"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.csv"), (b"\x00\x01\x02" * 100, "x.xlsx")],
)
def test_it_refuses_a_broken_file_with_a_message_and_keeps_nothing(
    net_a: PersonaNetwork, content: bytes, name: str
) -> None:
    response = upload(net_a.client_for("hr"), content, name)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_it_refuses_a_file_over_the_limit(net_a: PersonaNetwork, settings: pytest.FixtureRequest) -> None:
    settings.IMPORT_MAX_BYTES = 1024  # type: ignore[attr-defined]

    response = upload(net_a.client_for("hr"), CSV.encode() * 20)

    assert "1.0\xa0KB" in response.context["form"].errors["file"][0]
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_it_remembers_the_columns_chosen_for_a_file(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("hr")
    upload(client, CSV.encode())
    with scopes_disabled():
        first = ImportJob.objects.get()
    assert first.column_mapping[3] == "department"
    choices = {f"column_{index}": name for index, name in first.column_mapping.items()}
    choices["column_3"] = "job_title"

    client.post(reverse("manage:intake_import", args=["alpha", first.pk]), choices)
    upload(client, CSV.encode())

    with scopes_disabled():
        second = ImportJob.objects.exclude(pk=first.pk).get()
    assert second.column_mapping[3] == "job_title"


@pytest.mark.parametrize("persona", ["editor", "analyst", "coordinator", "alumnus1"])
def test_it_keeps_imports_to_hr_and_admins(net_a: PersonaNetwork, persona: str) -> None:
    response = upload(net_a.client_for(persona), CSV.encode())

    assert response.status_code == 404
    with scopes_disabled():
        assert ImportJob.objects.count() == 0


def test_it_imports_a_large_file_in_the_background_and_shows_progress(
    net_a: PersonaNetwork, settings: pytest.FixtureRequest, django_capture_on_commit_callbacks: object
) -> None:
    from enishi.intake.tasks import run_import

    settings.IMPORT_INLINE_ROWS = 1  # type: ignore[attr-defined]
    client = net_a.client_for("hr")
    upload(client, CSV.encode())
    with scopes_disabled():
        job = ImportJob.objects.get()
    apply_url = reverse("manage:intake_import_apply", args=["alpha", job.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        response = client.post(apply_url)
    with scopes_disabled():
        job.refresh_from_db()
    assert response["Location"] == reverse("manage:intake_import", args=["alpha", job.pk])
    assert (job.status, job.total_rows, len(callbacks)) == ("queued", 3, 1)
    page = client.get(reverse("manage:intake_import", args=["alpha", job.pk]))
    assert 'hx-trigger="every 2s"' in page.content.decode()

    assert run_import.call(net_a.network.pk, job.pk, net_a.hr.pk) == "applied"
    assert run_import.call(net_a.network.pk, job.pk, net_a.hr.pk) == "skipped"

    progress = client.get(reverse("manage:intake_import_progress", args=["alpha", job.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    with scopes_disabled():
        job.refresh_from_db()
        assert (job.status, job.created, job.processed_rows) == ("applied", 2, 2)
        assert EmploymentRecord.objects.count() == 2


def test_it_marks_a_background_import_that_fails(net_a: PersonaNetwork) -> None:
    from enishi.intake.tasks import run_import

    client = net_a.client_for("hr")
    upload(client, CSV.encode())
    with scopes_disabled():
        job = ImportJob.objects.get()
        ImportJob.objects.filter(pk=job.pk).update(status="queued", mapping={"0": "employee_number"})

    assert run_import.call(net_a.network.pk, job.pk, None) == "failed"

    with scopes_disabled():
        job.refresh_from_db()
        assert job.status == "failed"
        assert job.error
        assert EmploymentRecord.objects.count() == 0
