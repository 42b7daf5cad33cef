"""THE must-hold of the comeback coordinator (issue 7): a unique marker written into an interview's
notes and "latest situation" appears in no response of any network route for any staff role or
alumnus, in no email, no audit entry, no log line and no directory search — with and without an
approved relay (which carries only the approved summary). The routes are those of the isolation
sweep, discovered from the URL resolver, so a page added tomorrow is swept too."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from django.contrib import admin
from django.core import mail
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.coordination.models import Interview, ProvisionRecord, Relay
from enishi.coordination.tests.helpers import agree, engage
from enishi.networks.tests.test_isolation_sweep import (
    NETWORK_KWARG,
    fillings,
    network_routes,
    prepare_targets,
    unknown_kwargs,
    url_for,
)
from enishi.notifications.models import Notification, OutboundEmail
from enishi.privacy.models import AuditEntry
from enishi.profiles.tests.conftest import client_for, list_in_directory

pytestmark = pytest.mark.django_db
MARKER = "QZ7-HIDDEN-0f9e3c"
SUMMARY = "副業での復帰に関心あり。2027年4月以降を希望。"
# Everyone of the network but the coordinator (alumnus2 is suspended by the sweep's targets).
READERS = ["admin", "hr", "editor", "analyst", "supporter", "alumnus1"]


def body_of(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")


def fresh_client(net: PersonaNetwork, persona: str) -> Client:
    client = Client(raise_request_exception=False)  # a crashing page leaks nothing: the sweep of routes says so
    client.force_login(net.users[persona])
    return client


def write_interview(net: PersonaNetwork, *, relay: bool) -> tuple[Interview, Relay | None]:
    """The coordinator writes the marker in every field through the real pages; with `relay`, a summary
    (without the marker) is approved by the alumnus."""
    coordinator = client_for(net, "coordinator")
    url = reverse("manage:interview_new", args=[net.network.slug, net.memberships["alumnus1"].pk])
    fields = {"notes": f"{MARKER} notes", "current_work": f"{MARKER} work", "intent": f"{MARKER} intent",
              "conditions": f"{MARKER} conditions", "timing": f"{MARKER} timing",
              "scheduled_at": "2026-12-10T10:00"}  # fmt: skip
    assert coordinator.post(url, fields).status_code == 302
    with scopes_disabled():
        interview = Interview.objects.get(notes__contains=MARKER)
    # The positive control: the coordinator does read it.
    assert MARKER in body_of(coordinator.get(reverse("manage:interview_edit", args=[net.network.slug, interview.pk])))
    if not relay:
        return interview, None
    relay_url = reverse("manage:interview_relay", args=[net.network.slug, interview.pk])
    assert coordinator.post(relay_url, {"summary": SUMMARY}).status_code == 302
    with scopes_disabled():
        proposed = Relay.objects.get(summary=SUMMARY)
    approve = reverse("network:coordinator_relay_action", args=[net.network.slug, proposed.pk, "approve"])
    assert client_for(net, "alumnus1").post(approve, {"digest": proposed.digest}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == Relay.Status.APPROVED
    return interview, proposed


def stored_text(net: PersonaNetwork) -> dict[str, str]:
    """Every place outside the interview where a leak would be written down."""
    with scopes_disabled():
        return {
            "audit": str(list(AuditEntry.objects.filter(network=net.network).values())),
            "outbound emails": str(list(OutboundEmail.objects.values())),
            "notifications": str(list(Notification.objects.values())),
            "provision records": str(list(ProvisionRecord.objects.values())),
            "relays": str(list(Relay.objects.values("summary"))),
            "mail outbox": str([(m.subject, m.body, getattr(m, "alternatives", [])) for m in mail.outbox]),
        }


@pytest.mark.parametrize("with_relay", [False, True], ids=["no relay", "approved relay"])
def test_the_marker_of_the_notes_reaches_nobody_but_the_coordinator(
    with_relay: bool,
    net_a: PersonaNetwork,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    caplog.set_level(logging.DEBUG)
    targets = prepare_targets(net_a)  # every kind of object of A, so every route has something to show
    agree(net_a, "alumnus1")
    list_in_directory(net_a, "alumnus1")
    with django_capture_on_commit_callbacks(execute=True):  # emails really go out (mail.outbox)
        interview, relay = write_interview(net_a, relay=with_relay)
    targets = dataclasses.replace(targets, interview_id=interview.pk, relay_id=relay.pk if relay else targets.relay_id)
    leaks: list[str] = []
    requests = 0

    for persona in READERS:
        client = fresh_client(net_a, persona)
        for route in network_routes():
            if unknown_kwargs(route):  # the isolation sweep's own test fails for it: no need to fail twice
                continue
            for filling in fillings(route, targets):
                url = url_for(route, {NETWORK_KWARG: net_a.network.slug, **filling})
                if MARKER in body_of(client.get(url)):
                    leaks.append(f"{persona}: GET {url} ({route.name})")
                requests += 1

    assert leaks == []
    assert requests >= len(READERS) * len(network_routes())
    for place, text in stored_text(net_a).items():
        assert MARKER not in text, place
    records = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert records  # the request log did capture the sweep
    assert MARKER not in records
    if with_relay:  # hr sees the approved summary, and only it
        relays_page = body_of(client_for(net_a, "hr").get(reverse("manage:relays", args=["alpha"])))
        assert SUMMARY in relays_page
        assert MARKER not in relays_page


@pytest.mark.parametrize("persona", ["admin", "hr", "alumnus1"])
def test_a_directory_search_for_the_marker_finds_nobody(persona: str, net_a: PersonaNetwork) -> None:
    engage(net_a)
    agree(net_a, "alumnus1")
    list_in_directory(net_a, "alumnus1", "supporter")
    write_interview(net_a, relay=True)
    route = "manage:directory" if persona != "alumnus1" else "network:directory"
    client = client_for(net_a, persona)

    found_by_name = body_of(client.get(reverse(route, args=["alpha"]), {"q": "支援"}))
    found_by_marker = body_of(client.get(reverse(route, args=["alpha"]), {"q": MARKER}))

    assert "美咲" in found_by_name  # the search works: the supporter is found by name
    assert "美咲" not in found_by_marker
    assert "一郎" not in found_by_marker.replace(net_a.alumnus1.given_name if persona == "alumnus1" else "\0", "")


def test_the_operator_admin_does_not_register_interviews_or_relays() -> None:
    registered = {model._meta.label for model in admin.site._registry}

    assert not {"coordination.Interview", "coordination.Relay", "coordination.ProvisionRecord"} & registered
    for model_admin in admin.site._registry.values():  # no inline of another admin shows them either
        inlines = {inline.model._meta.label for inline in model_admin.inlines}
        assert "coordination.Interview" not in inlines
