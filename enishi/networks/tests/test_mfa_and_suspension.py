"""Who gets into a network: staff MFA, suspended, pending, invited and departed members, visitors."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from conftest import PERSONAS, PersonaNetwork
from enishi.networks import services
from enishi.networks.models import Membership
from enishi.networks.roles import STAFF_ROLES, MembershipState, sections_for
from enishi.networks.tests.test_isolation_sweep import network_routes

STAFF_PERSONAS = [name for name, role, *_ in PERSONAS if role in STAFF_ROLES]
ALUMNI_PAGES = ["network:directory", "network:events", "network:opportunities", "network:surveys", "network:my_profile"]


def remove_authenticators(net: PersonaNetwork, persona: str) -> None:
    Authenticator.objects.filter(user=net.users[persona]).delete()


def section_urls(net: PersonaNetwork, persona: str) -> list[str]:
    role = net.memberships[persona].role
    return [reverse(section.url_name, args=[net.network.slug]) for section in sections_for(role)]


def alumni_urls(net: PersonaNetwork) -> list[str]:
    return [reverse(name, args=[net.network.slug]) for name in ["network:home", *ALUMNI_PAGES]]


def set_state(membership: Membership, state: str) -> None:
    with scopes_disabled():
        Membership.objects.filter(pk=membership.pk).update(state=state)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Staff MFA ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_it_sends_staff_without_mfa_to_set_it_up(persona: str, net_a: PersonaNetwork) -> None:
    remove_authenticators(net_a, persona)
    client = net_a.client_for(persona)
    urls = section_urls(net_a, persona)

    responses = {url: client.get(url) for url in urls}

    assert len(urls) >= 1
    assert {url: (r.status_code, r["Location"]) for url, r in responses.items()} == dict.fromkeys(
        urls, (302, reverse("mfa_index"))
    )


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_it_lets_staff_without_mfa_in_when_the_network_does_not_require_it(persona: str, net_a: PersonaNetwork) -> None:
    remove_authenticators(net_a, persona)
    net_a.network.staff_mfa_required = False
    net_a.network.save(update_fields=["staff_mfa_required"])
    client = net_a.client_for(persona)
    urls = section_urls(net_a, persona)

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_it_lets_staff_with_mfa_in(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")
    urls = section_urls(net_a, "admin")

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_it_explains_why_staff_are_sent_to_mfa(net_a: PersonaNetwork) -> None:
    remove_authenticators(net_a, "hr")
    client = net_a.client_for("hr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("manage:members", args=[net_a.network.slug]))

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This network requires two-factor authentication for staff. Set it up to continue."
    ]


def test_it_does_not_ask_staff_for_mfa_on_the_alumni_pages(net_a: PersonaNetwork) -> None:
    remove_authenticators(net_a, "hr")
    client = net_a.client_for("hr")
    # Admin and HR are sent from the alumni directory to the console's, which asks for MFA.
    urls = [reverse(name, args=[net_a.network.slug]) for name in ALUMNI_PAGES if name != "network:directory"]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("persona", ["supporter", "alumnus1"])
def test_it_never_asks_alumni_for_mfa(persona: str, net_a: PersonaNetwork) -> None:
    assert not Authenticator.objects.filter(user=net_a.users[persona]).exists()
    client = net_a.client_for(persona)
    urls = alumni_urls(net_a)

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


# --- Suspension ----------------------------------------------------------------------------------


def suspend(net: PersonaNetwork, persona: str) -> None:
    with scope(network=net.network):
        services.suspend_member(net.memberships[persona], net.admin, "test")


def assert_logged_out_to_login(client: Client, response: HttpResponse) -> None:
    assert (response.status_code, response["Location"]) == (302, reverse("account_login"))
    assert not is_signed_in(client)
    landing = client.get("/")
    assert landing.status_code == 200
    assert landing.templates[0].name == "accounts/landing.html"


@pytest.mark.parametrize("persona", ["alumnus1", "supporter", "hr"])
def test_it_logs_a_suspended_member_out_of_every_page(persona: str, net_a: PersonaNetwork) -> None:
    suspend(net_a, persona)
    urls = alumni_urls(net_a) + section_urls(net_a, persona)

    for url in urls:
        client = net_a.client_for(persona)
        response = client.get(url)
        assert_logged_out_to_login(client, response)


def test_it_logs_a_suspended_member_out_on_a_post_too(net_a: PersonaNetwork) -> None:
    suspend(net_a, "alumnus1")
    client = net_a.client_for("alumnus1")

    response = client.post(reverse("network:my_profile", args=[net_a.network.slug]), {})

    assert_logged_out_to_login(client, response)


def test_it_tells_a_suspended_member_why_on_the_login_page(net_a: PersonaNetwork) -> None:
    suspend(net_a, "alumnus1")
    client = net_a.client_for("alumnus1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("network:home", args=[net_a.network.slug]), follow=True)

    assert response.redirect_chain == [(reverse("account_login"), 302)]
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"Your membership of {net_a.network.name} is suspended. Please contact its secretariat."
    ]


def test_it_lets_a_reactivated_member_in_again(net_a: PersonaNetwork) -> None:
    suspend(net_a, "alumnus1")
    client = net_a.client_for("alumnus1")
    assert client.get(reverse("network:home", args=[net_a.network.slug])).status_code == 302

    with scope(network=net_a.network):
        services.reactivate_member(net_a.memberships["alumnus1"], net_a.admin)
    client = net_a.client_for("alumnus1")
    urls = alumni_urls(net_a)

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)
    assert is_signed_in(client)


def test_it_leaves_a_suspended_member_their_other_networks_after_signing_in_again(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    with scopes_disabled():
        Membership.objects.create(network=net_b.network, user=net_a.alumnus1, state=MembershipState.ACTIVE)
    suspend(net_a, "alumnus1")

    client = net_a.client_for("alumnus1")
    assert client.get(reverse("network:home", args=["alpha"])).status_code == 302
    client = net_a.client_for("alumnus1")

    assert client.get(reverse("network:home", args=["beta"])).status_code == 200


# --- Pending, invited and departed memberships ---------------------------------------------------


def test_it_shows_a_pending_member_the_pending_page_and_nothing_else(net_a: PersonaNetwork) -> None:
    set_state(net_a.memberships["alumnus1"], MembershipState.PENDING)
    client = net_a.client_for("alumnus1")
    urls = alumni_urls(net_a)

    responses = {url: client.get(url) for url in urls}

    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(urls, 403)
    for response in responses.values():
        names = [t.name for t in response.templates]
        assert names[0] == "networks/pending.html"
        assert "networks/home.html" not in names


def test_it_gives_a_pending_staff_member_no_console(net_a: PersonaNetwork) -> None:
    set_state(net_a.memberships["hr"], MembershipState.PENDING)
    client = net_a.client_for("hr")
    urls = section_urls(net_a, "hr")

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)


@pytest.mark.parametrize("state", [MembershipState.INVITED, MembershipState.LEFT])
def test_it_hides_the_network_from_invited_and_departed_members(state: str, net_a: PersonaNetwork) -> None:
    set_state(net_a.memberships["alumnus1"], state)
    set_state(net_a.memberships["hr"], state)
    urls = alumni_urls(net_a) + section_urls(net_a, "hr")

    for persona in ("alumnus1", "hr"):
        client = net_a.client_for(persona)
        assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404), persona


# --- Visitors ------------------------------------------------------------------------------------


def network_paths(slug: str, *, anonymous_allowed: bool = False) -> list[str]:
    """Network routes of the resolver, filled with placeholder values: those for members only
    (default) or those a visitor who is not logged in may open (invitation links)."""
    placeholders = {
        "membership_id": 1,
        "company_id": 1,
        "invitation_id": 1,
        "record_id": 1,
        "job_id": 1,
        "channel_id": 1,
        "registration_id": 1,
        "entry_id": 1,
        "segment_id": 1,
        "news_id": 1,
        "post_id": 1,
        "comment_id": 1,
        "report_id": 1,
        "group_id": 1,
        "member_id": 1,
        "conversation_id": 1,
        "thread_id": 1,
        "notification_id": 1,
        "newsletter_id": 1,
        "event_id": 1,
        "rsvp_id": 1,
        "photo_id": 1,
        "opportunity_id": 1,
        "scheme_id": 1,
        "candidate_id": 1,
        "stage_id": 1,
        "subscription_id": 1,
        "interview_id": 1,
        "relay_id": 1,
        "feedback_id": 1,
        "topic_id": 1,
        "survey_id": 1,
        "question_id": 1,
        "feed_token": "x",
        # Not "x": a malformed unsubscribe link answers a clear 400 (its own tests), not an invitation's 404.
        "unsubscribe_token": "not-a-signed-token",
        "purpose": "rehire_contact",
        "token": "x",
        "action": "role",
    }
    paths = []
    for route in network_routes():
        if getattr(route.callback, "allows_anonymous", False) != anonymous_allowed:
            continue
        values = {kwarg: placeholders.get(kwarg, "x") for kwarg in route.kwargs if kwarg != "network_slug"}
        paths.append(reverse(route.name or "", kwargs={"network_slug": slug, **values}))
    return paths


def test_it_answers_visitors_404_for_a_bad_invitation_link_of_any_network(net_a: PersonaNetwork) -> None:
    client = Client()
    existing = [path for path in network_paths("alpha", anonymous_allowed=True) if path.endswith("/x/")]
    missing = [path for path in network_paths("no-such-network", anonymous_allowed=True) if path.endswith("/x/")]
    assert len(existing) == len(missing) >= 1

    for path in existing + missing:
        assert client.get(path).status_code == 404, path


def test_it_sends_visitors_to_log_in_whether_or_not_the_network_exists(net_a: PersonaNetwork) -> None:
    client = Client()
    login = reverse("account_login")
    existing, missing = network_paths("alpha"), network_paths("no-such-network")

    for method in ("get", "post"):
        for real, fake in zip(existing, missing, strict=True):
            answers = [getattr(client, method)(path) for path in (real, fake)]
            assert [(r.status_code, r["Location"]) for r in answers] == [
                (302, f"{login}?next={quote(real)}"),
                (302, f"{login}?next={quote(fake)}"),
            ], method


def test_it_answers_visitors_the_same_for_an_unknown_page_of_any_network(net_a: PersonaNetwork) -> None:
    client = Client()

    real = client.get("/n/alpha/no-such-page/")
    fake = client.get("/n/no-such-network/no-such-page/")

    assert (real.status_code, fake.status_code) == (404, 404)
    assert [t.name for t in real.templates] == [t.name for t in fake.templates]


def test_it_shows_visitors_the_join_page_of_a_real_network_only(net_a: PersonaNetwork) -> None:
    client = Client()

    assert client.get(reverse("network:public_join", args=["alpha"])).status_code == 200
    assert client.get(reverse("network:public_join", args=["no-such-network"])).status_code == 404
