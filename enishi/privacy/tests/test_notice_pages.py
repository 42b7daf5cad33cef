"""Publishing the purpose-of-use notice, accepting it, and managing one's consents."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PersonaNetwork
from enishi.privacy import notices
from enishi.privacy.models import NoticeAcceptance, PrivacyNotice

NOTICE = {
    "body_ja": "当ネットワークは、再雇用と協業のご案内のために情報を利用します。",
    "body_en": "We use your data for…",
}


def publish(net: PersonaNetwork) -> None:
    response = net.client_for("admin").post(reverse("manage:notice", args=[net.network.slug]), NOTICE)
    assert response.status_code == 302


def test_it_asks_alumni_to_accept_a_published_notice_once(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("alumnus1")
    assert client.get("/n/alpha/").status_code == 200

    publish(net_a)
    gated = client.get("/n/alpha/")
    page = client.get(gated["Location"])
    accepted = client.post(reverse("network:accept_notice", args=["alpha"]))

    assert gated.status_code == 302
    assert gated["Location"] == reverse("network:accept_notice", args=["alpha"])
    assert NOTICE["body_ja"] in page.content.decode()
    assert accepted["Location"] == "/n/alpha/"
    assert client.get("/n/alpha/").status_code == 200
    with scopes_disabled():
        assert NoticeAcceptance.objects.filter(membership=net_a.memberships["alumnus1"]).count() == 1


def test_it_asks_again_for_a_new_version_and_never_gates_staff(net_a: PersonaNetwork) -> None:
    alumnus = net_a.client_for("alumnus2")
    publish(net_a)
    alumnus.post(reverse("network:accept_notice", args=["alpha"]))

    publish(net_a)

    assert alumnus.get("/n/alpha/").status_code == 302
    assert net_a.client_for("hr").get("/n/alpha/manage/").status_code == 200
    with scopes_disabled():
        assert list(PrivacyNotice.objects.filter(network=net_a.network).values_list("version", flat=True)) == [2, 1]


def test_it_lets_only_administrators_publish(net_a: PersonaNetwork) -> None:
    for persona in ("hr", "editor", "analyst", "alumnus1"):
        response = net_a.client_for(persona).post(reverse("manage:notice", args=["alpha"]), NOTICE)
        assert response.status_code == 404, persona
    with scopes_disabled():
        assert PrivacyNotice.objects.count() == 0


def test_it_gives_and_withdraws_consent_at_once(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("alumnus1")
    membership = net_a.memberships["alumnus1"]
    url = reverse("network:set_consent", args=["alpha", "rehire_contact"])

    client.post(url, {"given": "1"})
    with scope(network=net_a.network):
        assert notices.has_consent(membership, "rehire_contact") is True
        assert notices.has_consent(membership, "directory_listing") is False

    client.post(url, {"given": "0"})
    with scope(network=net_a.network):
        assert notices.has_consent(membership, "rehire_contact") is False

    assert "rehire_contact" in client.get(reverse("network:privacy", args=["alpha"])).content.decode()


def test_it_refuses_an_unknown_purpose(net_a: PersonaNetwork) -> None:
    response = net_a.client_for("alumnus1").post(
        reverse("network:set_consent", args=["alpha", "marketing"]), {"given": "1"}
    )

    assert response.status_code == 404
