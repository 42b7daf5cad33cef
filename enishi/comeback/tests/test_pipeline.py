"""hr's pipeline board (columns per stage, a stage change from each card, constant queries) and the
network's stage settings (add, rename, reorder, the visible flag, delete only when unused)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import services
from enishi.comeback.models import Candidate, Opportunity, Stage
from enishi.comeback.tests.helpers import make_opportunity, membership
from enishi.comeback.tests.test_manage import _add_candidates
from enishi.messaging.models import SecretariatMessage, SecretariatThread
from enishi.networks.models import Membership
from enishi.networks.roles import MembershipState
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _candidate(net: PersonaNetwork, opportunity: Opportunity, persona: str) -> Candidate:
    with scopes_disabled():
        services.express_interest(opportunity, membership(net, persona))
        return Candidate.objects.get(opportunity=opportunity, membership=membership(net, persona))


def _stages(net: PersonaNetwork) -> dict[str, Stage]:
    with scopes_disabled():
        return {stage.name: stage for stage in services.stages_of(net.network)}


def test_the_board_shows_a_column_per_stage_and_moves_a_card(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    one = _candidate(net_a, opportunity, "alumnus1")
    _candidate(net_a, opportunity, "alumnus2")
    stages = _stages(net_a)
    client = client_for(net_a, "hr")
    url = reverse("manage:opportunity_board", args=[net_a.network.slug, opportunity.pk])
    list_page = client.get(reverse("manage:opportunity_candidates", args=[net_a.network.slug, opportunity.pk]))
    assert url in list_page.content.decode()
    page = client.get(url).content.decode()
    assert page.count('class="card board-column"') == len(stages)
    assert page.count('class="board-card"') == 2
    first, second = net_a.alumnus1.full_name, net_a.alumnus2.full_name
    assert first in page
    assert second in page
    response = client.post(
        reverse("manage:opportunity_candidates_move", args=[net_a.network.slug, opportunity.pk]),
        {"candidate": one.pk, "stage": stages["面接"].pk, "back": "board"},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    with scopes_disabled():
        one.refresh_from_db()
        assert one.stage_id == stages["面接"].pk
        assert Notification.objects.filter(kind="opportunity_stage", recipient=membership(net_a, "alumnus1")).exists()
        assert AuditEntry.objects.filter(action="candidates.listed", target_id=str(opportunity.pk)).exists()
    page = client.get(url).content.decode()
    interview_column = page.split(f'id="stage-{stages["面接"].pk}"')[1].split("</section>")[0]
    assert first in interview_column
    assert second not in interview_column


def test_the_board_is_for_hr_only(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    url = reverse("manage:opportunity_board", args=[net_a.network.slug, opportunity.pk])
    for persona in ("editor", "analyst", "coordinator", "alumnus1"):
        assert client_for(net_a, persona).get(url).status_code == 404
    other = reverse("manage:opportunity_board", args=[net_b.network.slug, opportunity.pk])
    assert client_for(net_b, "hr").get(other).status_code == 404


def test_the_board_runs_a_constant_number_of_queries(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")
    counts = []
    for total in (10, 200):
        opportunity = make_opportunity(net_a, title=f"求人{total}")
        _add_candidates(net_a, opportunity, total)
        url = reverse("manage:opportunity_board", args=[net_a.network.slug, opportunity.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.content.decode().count('class="board-card"') == total
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1], counts


def test_hr_adds_renames_hides_and_reorders_stages(net_a: PersonaNetwork) -> None:
    stages = _stages(net_a)
    client = client_for(net_a, "hr")
    slug = net_a.network.slug
    listing = reverse("manage:comeback_stages", args=[slug])
    assert client.get(listing).status_code == 200
    client.post(listing, {"new-name": "最終面接", "new-kind": "open", "new-visible": "on"})
    with scopes_disabled():
        added = Stage.objects.get(network=net_a.network, name="最終面接")
        assert added.position == max(stage.position for stage in stages.values()) + 1
        assert added.visible
    edit = reverse("manage:comeback_stage_edit", args=[slug, added.pk])
    client.post(edit, {"name": "役員面接", "kind": "open"})  # visible unchecked: internal
    client.post(reverse("manage:comeback_stage_move", args=[slug, added.pk]), {"direction": "up"})
    with scopes_disabled():
        added.refresh_from_db()
        assert added.name == "役員面接"
        assert not added.visible
        names = [stage.name for stage in services.stages_of(net_a.network)]
        assert names[-2:] == ["役員面接", "辞退"]
        assert [stage.position for stage in services.stages_of(net_a.network)] == list(range(len(names)))
        actions = set(AuditEntry.objects.filter(target_id=str(added.pk)).values_list("action", flat=True))
    assert actions == {"stage.saved", "stage.reordered"}
    # An internal stage is read as "in progress" by the candidate and nobody is told.
    opportunity = make_opportunity(net_a)
    one = _candidate(net_a, opportunity, "alumnus1")
    client.post(reverse("manage:opportunity_candidates_move", args=[slug, opportunity.pk]),
                {"candidate": one.pk, "stage": added.pk})  # fmt: skip
    with scopes_disabled():
        assert not Notification.objects.filter(kind="opportunity_stage").exists()


def test_a_stage_in_use_or_the_last_in_progress_is_not_deleted(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    _candidate(net_a, opportunity, "alumnus1")  # in 興味あり
    stages = _stages(net_a)
    client = client_for(net_a, "hr")
    slug = net_a.network.slug
    client.post(reverse("manage:comeback_stage_delete", args=[slug, stages["興味あり"].pk]))
    client.post(reverse("manage:comeback_stage_delete", args=[slug, stages["書類選考"].pk]))
    with scopes_disabled():
        assert Stage.objects.filter(pk=stages["興味あり"].pk).exists()
        assert not Stage.objects.filter(pk=stages["書類選考"].pk).exists()
        assert AuditEntry.objects.filter(action="stage.deleted", target_id=str(stages["書類選考"].pk)).exists()
        # Turning the other "in progress" stages into ends leaves 興味あり the only one: it stays.
        for name in ("カジュアル面談", "面接", "内定"):
            Stage.objects.filter(pk=stages[name].pk).delete()
        Candidate.objects.all().delete()
    client.post(reverse("manage:comeback_stage_delete", args=[slug, stages["興味あり"].pk]))
    response = client.post(reverse("manage:comeback_stage_edit", args=[slug, stages["興味あり"].pk]),
                           {"name": "興味あり", "kind": "declined"})  # fmt: skip
    assert response.status_code == 200  # the form refuses
    with scopes_disabled():
        assert Stage.objects.get(pk=stages["興味あり"].pk).kind == Stage.Kind.OPEN


def test_stages_of_another_network_and_other_roles_are_refused(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    stages = _stages(net_a)
    target = stages["書類選考"]
    slug_b = net_b.network.slug
    client_b = client_for(net_b, "hr")
    assert client_b.get(reverse("manage:comeback_stage_edit", args=[slug_b, target.pk])).status_code == 404
    assert client_b.post(reverse("manage:comeback_stage_delete", args=[slug_b, target.pk])).status_code == 404
    listing = reverse("manage:comeback_stages", args=[net_a.network.slug])
    for persona in ("editor", "analyst", "alumnus1"):
        assert client_for(net_a, persona).get(listing).status_code == 404
    with scopes_disabled():
        assert Stage.objects.filter(pk=target.pk).exists()


def test_hr_writes_to_a_candidate_through_the_secretariat_inbox(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    one = _candidate(net_a, opportunity, "alumnus1")
    slug = net_a.network.slug
    hr = client_for(net_a, "hr")
    send = reverse("manage:opportunity_candidate_message", args=[slug, opportunity.pk, one.pk])
    assert hr.get(send).status_code == 405
    hr.post(send, {"text": "カジュアル面談の日程を相談させてください。"})
    hr.post(send, {"text": "来週はいかがでしょうか。"})
    with scopes_disabled():
        one.refresh_from_db()
        thread = SecretariatThread.objects.get(pk=one.thread_id)
        assert thread.alumnus_id == membership(net_a, "alumnus1").pk
        assert thread.subject == opportunity.title
        kinds = list(SecretariatMessage.objects.filter(thread=thread).values_list("kind", flat=True))
        assert kinds == [SecretariatMessage.Kind.FROM_SECRETARIAT] * 2  # one thread, two messages
        assert Notification.objects.filter(kind="secretariat_message",
                                           recipient=membership(net_a, "alumnus1")).exists()  # fmt: skip
        assert AuditEntry.objects.filter(action="candidate.messaged", target_id=str(one.pk)).count() == 2
    page = hr.get(reverse("manage:opportunity_candidate", args=[slug, opportunity.pk, one.pk])).content.decode()
    assert reverse("manage:inbox_thread", args=[slug, thread.pk]) in page
    # The alumnus reads it in their inbox and answers there; hr reads the answer in the inbox.
    alumnus = client_for(net_a, "alumnus1")
    alumni_url = reverse("network:secretariat_thread", args=[slug, thread.pk])
    assert "来週はいかがでしょうか。" in alumnus.get(alumni_url).content.decode()
    alumnus.post(alumni_url, {"text": "来週火曜なら大丈夫です。"})
    inbox = hr.get(reverse("manage:inbox_thread", args=[slug, thread.pk])).content.decode()
    assert "来週火曜なら大丈夫です。" in inbox
    # Another alumnus never sees the thread.
    assert client_for(net_a, "alumnus2").get(alumni_url).status_code == 404


def test_no_message_to_a_candidate_who_is_no_longer_an_active_alumnus(net_a: PersonaNetwork) -> None:
    opportunity = make_opportunity(net_a)
    one = _candidate(net_a, opportunity, "alumnus1")
    with scopes_disabled():
        Membership.objects.filter(pk=one.membership_id).update(state=MembershipState.SUSPENDED)
    send = reverse("manage:opportunity_candidate_message", args=[net_a.network.slug, opportunity.pk, one.pk])
    client_for(net_a, "hr").post(send, {"text": "ご連絡です。"})
    with scopes_disabled():
        assert not SecretariatThread.objects.filter(network=net_a.network).exists()
        assert not AuditEntry.objects.filter(action="candidate.messaged").exists()


def _form_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {"title": "招待制 プロジェクト", "kind": "project", "remote": "remote",
                               "audience": "invited"}  # fmt: skip
    data.update(extra)
    return data


def test_invited_people_only_matches_addresses_to_members(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")
    new = reverse("manage:opportunity_new", args=[net_a.network.slug])
    outsider = net_b.users["admin"].email
    typed = f"{net_a.alumnus1.email.upper()}\nnobody@example.com, {outsider}"
    response = client.post(new, _form_data(invited_emails=typed, publish="1"))
    assert response.status_code == 200  # refused: nothing saved, nothing lost
    page = response.content.decode()
    assert "nobody@example.com" in page
    assert outsider in page
    assert typed.split("\n")[1] in page  # the textarea keeps what was typed
    with scopes_disabled():
        assert not Opportunity.objects.filter(title="招待制 プロジェクト").exists()
    response = client.post(new, _form_data(invited_emails=f"{net_a.alumnus1.email.upper()}", publish="1"))
    assert response.status_code == 302
    with scopes_disabled():
        opportunity = Opportunity.objects.get(title="招待制 プロジェクト")
        assert list(opportunity.invitees.values_list("membership_id", flat=True)) == [membership(net_a, "alumnus1").pk]
    detail = reverse("network:opportunity_detail", args=[net_a.network.slug, opportunity.pk])
    assert client_for(net_a, "alumnus1").get(detail).status_code == 200
    assert client_for(net_a, "alumnus2").get(detail).status_code == 404
    # The form shows the invited addresses again; changing them moves who may see it.
    edit = reverse("manage:opportunity_edit", args=[net_a.network.slug, opportunity.pk])
    assert net_a.alumnus1.email in client.get(edit).content.decode()
    client.post(edit, _form_data(invited_emails=net_a.alumnus2.email))
    assert client_for(net_a, "alumnus1").get(detail).status_code == 404
    assert client_for(net_a, "alumnus2").get(detail).status_code == 200
    assert client.post(edit, _form_data(invited_emails="")).status_code == 200  # nobody: refused
