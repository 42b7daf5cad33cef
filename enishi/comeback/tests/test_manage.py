"""The comeback console: roles, the opportunity form and publication, scheme pages, candidates with
stage changes (one and bulk), notes, audit of every view, exports, and constant queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.accounts.models import User
from enishi.comeback import services
from enishi.comeback.models import Application, Candidate, CandidateNote, ComebackScheme, Opportunity, Stage
from enishi.comeback.tests.helpers import PDF, make_opportunity, membership
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState, Role
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.models import SavedSegment, Skill
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_only_admin_and_hr_reach_the_console(net_a: PersonaNetwork) -> None:
    url = reverse("manage:opportunities", args=[net_a.network.slug])
    for persona in ("admin", "hr"):
        assert client_for(net_a, persona).get(url).status_code == 200
    for persona in ("editor", "analyst", "coordinator", "alumnus1"):
        assert client_for(net_a, persona).get(url).status_code == 404


def test_create_sanitise_and_publish(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        skill, _created = Skill.objects.get_or_create(key="経理", defaults={"name": "経理"})
    client = client_for(net_a, "hr")
    data = {
        "title": "経理 副業", "kind": "side_job", "company": net_a.company.pk, "remote": "remote",
        "description": '<p>月10時間</p><script>alert(1)</script><a href="javascript:x">x</a>', "audience": "all",
        "required_skills": [skill.pk], "questions_text": "志望動機\n\n稼働可能な時間", "publish": "1",
    }  # fmt: skip
    response = client.post(reverse("manage:opportunity_new", args=[net_a.network.slug]), data)
    assert response.status_code == 302
    with scopes_disabled():
        opportunity = Opportunity.objects.get(title="経理 副業")
        assert opportunity.status == Opportunity.Status.OPEN
        assert "<script" not in opportunity.description
        assert "javascript:" not in opportunity.description
        assert opportunity.questions == ["志望動機", "稼働可能な時間"]
        assert list(opportunity.required_skills.all()) == [skill]
        assert AuditEntry.objects.filter(action="opportunity.status_changed", target_id=str(opportunity.pk)).exists()
    status = reverse("manage:opportunity_status", args=[net_a.network.slug, opportunity.pk])
    client.post(status, {"action": "pause"})
    with scopes_disabled():
        opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.PAUSED
    assert client.post(status, {"action": "nonsense"}).status_code == 404


def test_scheme_pages_are_edited_in_the_console(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")
    data = {"title": "カムバック制度", "body": "<p>ok</p><img src=x onerror=alert(1)>", "published": "on"}
    response = client.post(reverse("manage:comeback_scheme_new", args=[net_a.network.slug]), data)
    assert response.status_code == 302
    with scopes_disabled():
        scheme = ComebackScheme.objects.get()
    assert scheme.published
    assert "onerror" not in scheme.body


def _candidate(net: PersonaNetwork, opportunity: Opportunity, persona: str) -> Candidate:
    with scopes_disabled():
        services.express_interest(opportunity, membership(net, persona))
        return Candidate.objects.get(opportunity=opportunity, membership=membership(net, persona))


def test_stage_changes_tell_the_candidate_only_for_visible_stages(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    one, two = _candidate(net_a, opportunity, "alumnus1"), _candidate(net_a, opportunity, "alumnus2")
    with scopes_disabled():
        stages = {stage.name: stage for stage in services.stages_of(net_a.network)}
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_candidates_move", args=[net_a.network.slug, opportunity.pk])
    client.post(url, {"candidate": [one.pk, two.pk], "stage": stages["書類選考"].pk})  # internal
    with scopes_disabled():
        assert Notification.objects.filter(kind="opportunity_stage").count() == 0
        assert set(Candidate.objects.values_list("stage__name", flat=True)) == {"書類選考"}
    client.post(url, {"candidate": [one.pk, two.pk], "stage": stages["面接"].pk})  # bulk, visible
    with scopes_disabled():
        told = Notification.objects.filter(kind="opportunity_stage")
        assert sorted(told.values_list("recipient__user__email", flat=True)) == sorted(
            [net_a.alumnus1.email, net_a.alumnus2.email]
        )
        assert told.first().params["stage"] == "面接"  # type: ignore[union-attr]
    client.post(url, {"candidate": [one.pk], "stage": stages["入社"].pk, "hired_on": "2027-04-01"})
    with scopes_disabled():
        one.refresh_from_db()
    assert one.hired_on is not None
    assert one.hired_on.isoformat() == "2027-04-01"
    page = client_for(net_a, "alumnus1").get(reverse("network:my_applications", args=[net_a.network.slug]))
    assert "入社" in page.content.decode()


def test_another_networks_stage_or_candidate_is_refused(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    one = _candidate(net_a, opportunity, "alumnus1")
    other = make_opportunity(net_b)
    theirs = _candidate(net_b, other, "alumnus1")
    with scopes_disabled():
        b_stage = services.stages_of(net_b.network)[3]
        a_stage = services.stages_of(net_a.network)[3]
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_candidates_move", args=[net_a.network.slug, opportunity.pk])
    client.post(url, {"candidate": [one.pk], "stage": b_stage.pk})
    client.post(url, {"candidate": [theirs.pk], "stage": a_stage.pk})
    with scopes_disabled():
        one.refresh_from_db()
        theirs.refresh_from_db()
    assert one.stage.name == "興味あり"
    assert theirs.stage.name == "興味あり"


def test_viewing_a_candidate_is_audited_and_notes_are_kept(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    person = _candidate(net_a, opportunity, "alumnus1")
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_candidate", args=[net_a.network.slug, opportunity.pk, person.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"add_note": "1", "note-body": "12/10 カジュアル面談 設定済み"})
    client.post(url, {"save_candidate": "1", "candidate-next_step": "面談日程の調整", "candidate-next_step_on": ""})
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="candidate.viewed", target_id=str(person.pk)).count() == 1
        assert CandidateNote.objects.get(candidate=person).body == "12/10 カジュアル面談 設定済み"
        person.refresh_from_db()
    assert person.next_step == "面談日程の調整"
    assert "12/10 カジュアル面談" in client.get(url).content.decode()


def test_exports_neutralise_formulas_and_are_audited(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    with scopes_disabled():
        services.apply(opportunity, membership(net_a, "alumnus1"), {"志望動機": '=HYPERLINK("x")'}, None)
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_candidates_export", args=[net_a.network.slug, opportunity.pk])
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "志望動機"
    assert rows[1][-1] == '\'=HYPERLINK("x")'
    workbook = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    values = [cell.value for cell in next(workbook.active.iter_rows(min_row=2, max_row=2))]
    assert '\'=HYPERLINK("x")' in values
    assert client.get(url, {"format": "pdf"}).status_code == 404
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="candidates.exported").count() == 2


def _add_candidates(net: PersonaNetwork, opportunity: Opportunity, count: int) -> None:
    with scopes_disabled():
        start = User.objects.count()
        users = User.objects.bulk_create(
            User(email=f"cand{start + i}@bulk.example", password="!", family_name=f"候補{i}", given_name="者")
            for i in range(count)
        )
        members = Membership.objects.bulk_create(
            Membership(network=net.network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE)
            for user in users
        )
        stage = services.first_stage(net.network)
        Candidate.objects.bulk_create(
            Candidate(network=net.network, opportunity=opportunity, membership=member, stage=stage)
            for member in members
        )
        Application.objects.bulk_create(
            Application(network=net.network, opportunity=opportunity, membership=member) for member in members[::2]
        )


def test_lists_run_a_constant_number_of_queries(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")
    counts = {"candidates": [], "list": [], "export": []}  # type: dict[str, list[int]]
    for total in (10, 200):
        opportunity = make_opportunity(net_a, title=f"求人{total}")
        _add_candidates(net_a, opportunity, total)
        urls = {
            "candidates": reverse("manage:opportunity_candidates", args=[net_a.network.slug, opportunity.pk]),
            "list": reverse("manage:opportunities", args=[net_a.network.slug]),
            "export": reverse("manage:opportunity_candidates_export", args=[net_a.network.slug, opportunity.pk]),
        }
        client.get(urls["list"])
        for key, url in urls.items():
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
            assert response.status_code == 200
            counts[key].append(len(context.captured_queries))
        page = client.get(urls["candidates"]).content.decode()
        assert page.count('class="candidate-row"') == min(total, 50)
    for key, (small, large) in counts.items():
        assert small == large, (key, counts)


def test_stages_are_created_once_per_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        first = services.stages_of(net_a.network)
        again = services.stages_of(net_a.network)
        services.stages_of(net_b.network)
        assert [stage.pk for stage in first] == [stage.pk for stage in again]
        assert Stage.objects.filter(network=net_a.network).count() == 8
        kinds = [stage.kind for stage in first]
    assert kinds.count("hired") == 1
    assert kinds.count("declined") == 1
    assert kinds.count("withdrawn") == 1


def test_hr_downloads_the_resume_and_is_told_of_the_application(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    upload = SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf")
    response = client_for(net_a, "alumnus1").post(
        reverse("network:opportunity_apply", args=[net_a.network.slug, opportunity.pk]), {"q0": "x", "resume": upload}
    )
    assert response.status_code == 302
    with scopes_disabled():
        person = Candidate.objects.get(opportunity=opportunity)
        told = Notification.objects.filter(kind="opportunity_application")
        assert set(told.values_list("recipient__role", flat=True)) == {"admin", "hr"}
    url = reverse("manage:opportunity_candidate_resume", args=[net_a.network.slug, opportunity.pk, person.pk])
    download = client_for(net_a, "hr").get(url)
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert client_for(net_a, "alumnus1").get(url).status_code == 404
    assert client_for(net_a, "editor").get(url).status_code == 404
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="candidate.resume_downloaded", target_id=str(person.pk)).count() == 1


def test_publishing_for_a_segment_fixes_who_sees_it(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    with scopes_disabled():
        segment = SavedSegment.objects.create(network=net_a.network, name="経理出身", query={})
    opportunity = make_opportunity(net_a, status=Opportunity.Status.DRAFT, audience="segment", segment=segment)
    monkeypatch.setattr(services, "segment_member_ids", lambda found: [membership(net_a, "alumnus1").pk])
    client = client_for(net_a, "hr")
    client.post(reverse("manage:opportunity_status", args=[net_a.network.slug, opportunity.pk]), {"action": "open"})
    detail = reverse("network:opportunity_detail", args=[net_a.network.slug, opportunity.pk])
    assert client_for(net_a, "alumnus1").get(detail).status_code == 200
    assert client_for(net_a, "alumnus2").get(detail).status_code == 404
