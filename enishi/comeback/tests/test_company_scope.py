"""A group network that restricts hr to the companies they cover (Network.hr_restricted_to_companies,
Membership.covered_companies): restricted hr reaches only their companies' opportunities, candidates,
employment records and relays; admin and unrestricted hr reach all; turning the setting off restores."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import services
from enishi.comeback.models import Candidate, Opportunity, Stage
from enishi.comeback.tests.helpers import make_opportunity, membership
from enishi.coordination.models import CoordinatorOrganisation, Relay
from enishi.intake.models import EmploymentRecord
from enishi.networks.access import covered_company_ids
from enishi.networks.models import Company, Membership
from enishi.notifications.models import Notification
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db


class Group:
    """net_a as a group of two companies: hr covers `ours` only; alumnus1 left `ours`, alumnus2 `theirs`."""

    def __init__(self, net: PersonaNetwork) -> None:
        self.net = net
        with scopes_disabled():
            self.ours = net.company
            self.theirs = Company.objects.create(network=net.network, name_ja="ベータ商事", name_en="Beta Trading")
            net.network.hr_restricted_to_companies = True
            net.network.save(update_fields=["hr_restricted_to_companies"])
            membership(net, "hr").covered_companies.set([self.ours])
            self.record_ours = self._record("alumnus1", self.ours, "HR-OURS-記録")
            self.record_theirs = self._record("alumnus2", self.theirs, "HR-THEIRS-記録")
            self.mine = make_opportunity(net, title="自社の求人", company=self.ours)
            self.other = make_opportunity(net, title="他社の求人", company=self.theirs)
            self.orphan = make_opportunity(net, title="会社なしの求人", company=None)
            for opportunity in (self.mine, self.other, self.orphan):
                services.express_interest(opportunity, membership(net, "alumnus1"))
                services.express_interest(opportunity, membership(net, "alumnus2"))
            self.candidate_other = Candidate.objects.get(opportunity=self.other, membership=membership(net, "alumnus1"))
            self.candidate_mine = Candidate.objects.get(opportunity=self.mine, membership=membership(net, "alumnus2"))

    def _record(self, persona: str, company: Company, marker: str) -> EmploymentRecord:
        return EmploymentRecord.objects.create(
            network=self.net.network, company=company, membership=membership(self.net, persona),
            employee_number=f"E-{persona}", family_name="退職", given_name=persona, hr_notes=marker,
            leave_date=date(2023, 3, 31),
        )  # fmt: skip

    def urls_of(self, opportunity: Opportunity, candidate: Candidate) -> dict[str, str]:
        slug, pk = self.net.network.slug, opportunity.pk
        return {
            "edit": reverse("manage:opportunity_edit", args=[slug, pk]),
            "candidates": reverse("manage:opportunity_candidates", args=[slug, pk]),
            "board": reverse("manage:opportunity_board", args=[slug, pk]),
            "export": reverse("manage:opportunity_candidates_export", args=[slug, pk]) + "?format=csv",
            "candidate": reverse("manage:opportunity_candidate", args=[slug, pk, candidate.pk]),
        }


@pytest.fixture
def group(net_a: PersonaNetwork) -> Group:
    return Group(net_a)


def test_the_helper_says_who_is_restricted(group: Group) -> None:
    net = group.net
    with scopes_disabled():
        hr = Membership.objects.get(pk=membership(net, "hr").pk)
        admin = Membership.objects.get(pk=membership(net, "admin").pk)
        assert covered_company_ids(hr) == {group.ours.pk}
        assert covered_company_ids(admin) is None
        net.network.hr_restricted_to_companies = False
        net.network.save(update_fields=["hr_restricted_to_companies"])
        assert covered_company_ids(Membership.objects.get(pk=hr.pk)) is None


def test_restricted_hr_lists_only_their_companies_opportunities(group: Group) -> None:
    page = client_for(group.net, "hr").get(reverse("manage:opportunities", args=[group.net.network.slug]))
    body = page.content.decode()
    assert "自社の求人" in body
    assert "他社の求人" not in body
    assert "会社なしの求人" not in body
    admin_body = client_for(group.net, "admin").get(reverse("manage:opportunities", args=[group.net.network.slug]))
    for title in ("自社の求人", "他社の求人", "会社なしの求人"):
        assert title in admin_body.content.decode()


def test_restricted_hr_cannot_open_export_move_or_message_another_companys_candidates(group: Group) -> None:
    net = group.net
    client = client_for(net, "hr")
    for name, url in group.urls_of(group.other, group.candidate_other).items():
        assert client.get(url).status_code == 404, name
    slug = net.network.slug
    with scopes_disabled():
        interview = Stage.objects.get(network=net.network, name="面接")
        before = list(Candidate.objects.filter(network=net.network).order_by("pk").values_list("stage_id", flat=True))
        audit_before = AuditEntry.objects.count()
    move = client.post(reverse("manage:opportunity_candidates_move", args=[slug, group.other.pk]),
                       {"candidate": group.candidate_other.pk, "stage": interview.pk})  # fmt: skip
    message = client.post(
        reverse("manage:opportunity_candidate_message", args=[slug, group.other.pk, group.candidate_other.pk]),
        {"text": "こんにちは"},
    )
    status = client.post(reverse("manage:opportunity_status", args=[slug, group.other.pk]), {"action": "close"})
    assert (move.status_code, message.status_code, status.status_code) == (404, 404, 404)
    with scopes_disabled():
        after = list(Candidate.objects.filter(network=net.network).order_by("pk").values_list("stage_id", flat=True))
        assert after == before
        assert Opportunity.objects.get(pk=group.other.pk).status == Opportunity.Status.OPEN
        assert Candidate.objects.get(pk=group.candidate_other.pk).thread_id is None
        assert AuditEntry.objects.count() == audit_before
    # Their own company's opportunity still works, and the orphan one (no company) is unrestricted staff's.
    for name, url in group.urls_of(group.mine, group.candidate_mine).items():
        assert client.get(url).status_code == 200, name
    orphan = reverse("manage:opportunity_edit", args=[slug, group.orphan.pk])
    assert client.get(orphan).status_code == 404


def test_admin_and_unrestricted_hr_still_reach_everything(group: Group) -> None:
    for name, url in group.urls_of(group.other, group.candidate_other).items():
        assert client_for(group.net, "admin").get(url).status_code == 200, name
    with scopes_disabled():
        group.net.network.hr_restricted_to_companies = False
        group.net.network.save(update_fields=["hr_restricted_to_companies"])
    client = client_for(group.net, "hr")
    for name, url in group.urls_of(group.other, group.candidate_other).items():
        assert client.get(url).status_code == 200, name
    orphan = reverse("manage:opportunity_edit", args=[group.net.network.slug, group.orphan.pk])
    assert client.get(orphan).status_code == 200


def test_the_records_beside_a_candidate_are_only_of_covered_companies(group: Group) -> None:
    net = group.net
    with scopes_disabled():
        # alumnus2 left `theirs` and also worked at `ours` earlier.
        EmploymentRecord.objects.create(
            network=net.network, company=group.ours, membership=membership(net, "alumnus2"), employee_number="E-2b",
            family_name="退職", given_name="二", hr_notes="HR-OURS-二人目", leave_date=date(2018, 3, 31),
        )  # fmt: skip
    client = client_for(net, "hr")
    urls = group.urls_of(group.mine, group.candidate_mine)
    page = client.get(urls["candidate"]).content.decode()
    assert "HR-OURS-二人目" in page
    assert "HR-THEIRS-記録" not in page
    listing = client.get(urls["candidates"]).content.decode()
    assert "ALPHA Inc." in listing
    assert "Beta Trading" not in listing
    admin_page = client_for(net, "admin").get(urls["candidate"]).content.decode()
    assert "HR-THEIRS-記録" in admin_page


def test_restricted_hr_creates_opportunities_only_for_their_companies(group: Group) -> None:
    net = group.net
    client = client_for(net, "hr")
    url = reverse("manage:opportunity_new", args=[net.network.slug])
    form = client.get(url).content.decode()
    assert "ALPHA Inc." in form
    assert "Beta Trading" not in form
    base = {"title": "新しい求人", "kind": "full_time", "remote": "onsite", "audience": "all"}
    with scopes_disabled():
        count = Opportunity.objects.count()
    with translation.override("en"):
        refused = client.post(url, {**base, "company": group.theirs.pk})
        assert refused.status_code == 200
        assert "Choose one of the companies you cover." in refused.content.decode()
        missing = client.post(url, {**base, "company": ""})
        assert "Choose one of the companies you cover." in missing.content.decode()
    with scopes_disabled():
        assert Opportunity.objects.count() == count
    saved = client.post(url, {**base, "company": group.ours.pk})
    assert saved.status_code == 302
    with scopes_disabled():
        assert Opportunity.objects.filter(title="新しい求人", company=group.ours).count() == 1


def test_restricted_hr_is_told_only_of_interest_in_their_companies(group: Group) -> None:
    net = group.net
    hr, admin = membership(net, "hr"), membership(net, "admin")
    with scopes_disabled():
        Notification.objects.all().delete()
        services.express_interest(group.other, membership(net, "supporter"))
        services.express_interest(group.mine, membership(net, "supporter"))
        told_hr = list(Notification.objects.filter(recipient=hr, kind="opportunity_interest")
                       .values_list("params__title", flat=True))  # fmt: skip
        told_admin = Notification.objects.filter(recipient=admin, kind="opportunity_interest").count()
    assert told_hr == ["自社の求人"]
    assert told_admin == 2


def test_relays_list_only_alumni_of_covered_companies(group: Group) -> None:
    net = group.net
    with scopes_disabled():
        organisation = CoordinatorOrganisation.objects.create(name="調整会社")
        for persona, summary in (("alumnus1", "RELAY-OURS"), ("alumnus2", "RELAY-THEIRS")):
            Relay.objects.create(network=net.network, organisation=organisation, alumnus=membership(net, persona),
                                 summary=summary, status=Relay.Status.APPROVED)  # fmt: skip
    url = reverse("manage:relays", args=[net.network.slug])
    page = client_for(net, "hr").get(url).content.decode()
    assert "RELAY-OURS" in page
    assert "RELAY-THEIRS" not in page
    admin_page = client_for(net, "admin").get(url).content.decode()
    assert "RELAY-OURS" in admin_page
    assert "RELAY-THEIRS" in admin_page


def test_intake_records_follow_the_same_rule(group: Group) -> None:
    net = group.net
    slug = net.network.slug
    client = client_for(net, "hr")
    listing = client.get(reverse("manage:intake", args=[slug])).content.decode()
    assert "E-alumnus1" in listing
    assert "E-alumnus2" not in listing
    export = client.get(reverse("manage:intake_records_export", args=[slug]) + "?format=csv")
    text = export.content.decode("utf-8-sig")
    assert "E-alumnus1" in text
    assert "E-alumnus2" not in text
    assert client.get(reverse("manage:intake_record", args=[slug, group.record_theirs.pk])).status_code == 404
    assert client.get(reverse("manage:intake_record_edit", args=[slug, group.record_theirs.pk])).status_code == 404
    assert client.get(reverse("manage:intake_record", args=[slug, group.record_ours.pk])).status_code == 200
    admin = client_for(net, "admin")
    assert admin.get(reverse("manage:intake_record", args=[slug, group.record_theirs.pk])).status_code == 200


def test_the_admin_sets_the_companies_covered_and_the_setting(group: Group) -> None:
    net = group.net
    slug = net.network.slug
    hr = membership(net, "hr")
    admin = client_for(net, "admin")
    page = admin.get(reverse("manage:member_detail", args=[slug, hr.pk])).content.decode()
    assert "Beta Trading" in page  # the checkbox of the other company
    url = reverse("manage:member_action", args=[slug, hr.pk, "companies"])
    response = admin.post(url, {"companies": [group.ours.pk, group.theirs.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        assert set(hr.covered_companies.values_list("pk", flat=True)) == {group.ours.pk, group.theirs.pk}
        entry = AuditEntry.objects.filter(action="member.companies_changed").get()
        assert entry.data["new"] == sorted([group.ours.pk, group.theirs.pk])
    assert client_for(net, "hr").get(group.urls_of(group.other, group.candidate_other)["candidate"]).status_code == 200
    # hr itself may not change what it covers (the settings section is the administrator's).
    assert client_for(net, "hr").post(url, {"companies": []}).status_code == 404


def test_another_networks_company_is_refused(group: Group, net_b: PersonaNetwork) -> None:
    net = group.net
    hr = membership(net, "hr")
    url = reverse("manage:member_action", args=[net.network.slug, hr.pk, "companies"])
    with translation.override("en"):
        response = client_for(net, "admin").post(url, {"companies": [net_b.company.pk]}, follow=True)
    assert "Choose companies of this network from the list." in response.content.decode()
    with scopes_disabled():
        assert list(hr.covered_companies.values_list("pk", flat=True)) == [group.ours.pk]


def test_the_network_setting_is_edited_and_audited(net_a: PersonaNetwork) -> None:
    slug = net_a.network.slug
    admin = client_for(net_a, "admin")
    data = {"name_ja": net_a.network.name_ja, "name_en": "", "accent_colour": "#1F5FA8", "languages": ["ja", "en"],
            "staff_mfa_required": "on", "hr_restricted_to_companies": "on"}  # fmt: skip
    assert admin.post(reverse("manage:settings", args=[slug]), data).status_code == 302
    net_a.network.refresh_from_db()
    assert net_a.network.hr_restricted_to_companies is True
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="network.settings_changed").get()
        assert "hr_restricted_to_companies" in entry.data["fields"]
