from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django_scopes import scope

from conftest import PersonaNetwork
from enishi.privacy.models import AuditEntry, Consent, ConsentPurpose, NoticeAcceptance, PrivacyNotice
from enishi.privacy.notices import (
    accept_notice,
    current_notice,
    grant_consent,
    has_consent,
    needs_acceptance,
    publish_notice,
    withdraw_consent,
)

pytestmark = pytest.mark.django_db


def test_it_numbers_versions_per_network(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        a1 = publish_notice(net_a.network, net_a.admin, "目的1", "Purpose 1")
        a2 = publish_notice(net_a.network, net_a.admin, "目的2", "Purpose 2")
    with scope(network=net_b.network):
        b1 = publish_notice(net_b.network, net_b.admin, "目的", "Purpose")
        assert current_notice(net_b.network) == b1
    assert (a1.version, a2.version, b1.version) == (1, 2, 1)
    assert a2.published_at is not None
    assert a2.created_by == net_a.admin
    with scope(network=net_a.network):
        assert current_notice(net_a.network) == a2
        entries = list(AuditEntry.objects.filter(network=net_a.network).values_list("action", "target_id", "data"))
        assert entries == [
            ("privacy_notice.published", str(a2.pk), {"version": 2}),
            ("privacy_notice.published", str(a1.pk), {"version": 1}),
        ]


def test_it_does_not_treat_a_draft_as_current(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        assert current_notice(net_a.network) is None
        assert needs_acceptance(net_a.memberships["alumnus1"]) is False
        published = publish_notice(net_a.network, net_a.admin, "公開版", "Published")
        PrivacyNotice.objects.create(network=net_a.network, version=2, body_ja="下書き", body_en="Draft")
        assert current_notice(net_a.network) == published
        # The next published version comes after the draft.
        assert publish_notice(net_a.network, net_a.admin, "第3版", "v3").version == 3


def test_it_asks_again_after_a_new_version(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        v1 = publish_notice(net_a.network, net_a.admin, "第1版", "v1")
        assert needs_acceptance(member) is True
        acceptance = accept_notice(member, v1)
        assert (acceptance.membership, acceptance.notice, acceptance.network) == (member, v1, net_a.network)
        assert needs_acceptance(member) is False
        assert needs_acceptance(net_a.memberships["alumnus2"]) is True
        publish_notice(net_a.network, net_a.admin, "第2版", "v2")
        assert needs_acceptance(member) is True


def test_it_records_an_acceptance_once(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        notice = publish_notice(net_a.network, net_a.admin, "第1版", "v1")
        first = accept_notice(member, notice)
        second = accept_notice(member, notice)
        assert second.pk == first.pk
        assert NoticeAcceptance.objects.filter(network=net_a.network).count() == 1
        accepted = AuditEntry.objects.filter(network=net_a.network, action="privacy_notice.accepted")
        assert list(accepted.values_list("actor", "target_id", "data")) == [
            (net_a.alumnus1.pk, str(notice.pk), {"version": 1})
        ]


def test_it_refuses_another_networks_notice(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scope(network=net_b.network):
        b_notice = publish_notice(net_b.network, net_b.admin, "B", "B")
    with scope(network=net_a.network):
        with pytest.raises(ValueError, match="another network"):
            accept_notice(net_a.memberships["alumnus1"], b_notice)
        assert NoticeAcceptance.objects.count() == 0
        assert AuditEntry.objects.filter(network=net_a.network).count() == 0
    with scope(network=net_b.network):
        assert NoticeAcceptance.objects.count() == 0
        assert list(AuditEntry.objects.values_list("action", flat=True)) == ["privacy_notice.published"]


def test_it_refuses_a_draft(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        draft = PrivacyNotice.objects.create(network=net_a.network, version=1, body_ja="下書き", body_en="")
        with pytest.raises(ValueError, match="draft"):
            accept_notice(net_a.memberships["alumnus1"], draft)
        assert NoticeAcceptance.objects.count() == 0
        assert AuditEntry.objects.count() == 0


def test_it_keeps_the_consent_history(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    purpose = ConsentPurpose.REHIRE_CONTACT
    with scope(network=net_a.network):
        publish_notice(net_a.network, net_a.admin, "第1版", "v1")
        assert has_consent(member, purpose) is False

        first = grant_consent(member, purpose)
        assert has_consent(member, purpose) is True
        assert grant_consent(member, purpose).pk == first.pk
        assert first.notice_version == 1
        assert has_consent(member, ConsentPurpose.DIRECTORY_LISTING) is False
        assert has_consent(net_a.memberships["alumnus2"], purpose) is False

        assert withdraw_consent(member, purpose) is True
        assert has_consent(member, purpose) is False

        publish_notice(net_a.network, net_a.admin, "第2版", "v2")
        second = grant_consent(member, purpose)
        assert has_consent(member, purpose) is True
        assert second.pk != first.pk
        assert second.notice_version == 2

        rows = [(c.pk, c.purpose, c.withdrawn_at is None) for c in Consent.objects.order_by("id")]
        assert rows == [(first.pk, "rehire_contact", False), (second.pk, "rehire_contact", True)]
        actions = list(
            AuditEntry.objects.filter(action__startswith="consent.")
            .order_by("id")
            .values_list("action", "actor", "target_id", "data")
        )
        assert actions == [
            ("consent.granted", net_a.alumnus1.pk, str(first.pk), {"purpose": "rehire_contact"}),
            ("consent.withdrawn", net_a.alumnus1.pk, str(first.pk), {"purpose": "rehire_contact"}),
            ("consent.granted", net_a.alumnus1.pk, str(second.pk), {"purpose": "rehire_contact"}),
        ]


def test_it_records_no_notice_version_without_a_notice(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        consent = grant_consent(net_a.memberships["alumnus1"], ConsentPurpose.DIRECTORY_LISTING)
        assert consent.notice_version is None


def test_it_withdraws_nothing_without_a_consent(net_a: PersonaNetwork) -> None:
    member = net_a.memberships["alumnus1"]
    with scope(network=net_a.network):
        assert withdraw_consent(member, ConsentPurpose.COORDINATOR_RELAY) is False
        assert Consent.objects.count() == 0
        assert AuditEntry.objects.count() == 0
        grant_consent(member, ConsentPurpose.COORDINATOR_RELAY)
        assert withdraw_consent(member, ConsentPurpose.COORDINATOR_RELAY) is True
        assert withdraw_consent(member, ConsentPurpose.COORDINATOR_RELAY) is False
        assert Consent.objects.filter(withdrawn_at__isnull=False).count() == 1
        assert AuditEntry.objects.filter(action="consent.withdrawn").count() == 1


def test_it_refuses_an_unknown_purpose(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        with pytest.raises(ValueError, match="Unknown consent purpose"):
            grant_consent(net_a.memberships["alumnus1"], "marketing")
        assert Consent.objects.count() == 0
        assert AuditEntry.objects.count() == 0


def test_it_keeps_an_accepted_notice(net_a: PersonaNetwork) -> None:
    with scope(network=net_a.network):
        notice = publish_notice(net_a.network, net_a.admin, "第1版", "v1")
        accept_notice(net_a.memberships["alumnus1"], notice)
        with pytest.raises(ProtectedError):
            notice.delete()
        assert PrivacyNotice.objects.filter(pk=notice.pk).count() == 1
        assert NoticeAcceptance.objects.count() == 1
