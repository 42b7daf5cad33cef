"""The invitation status of every record in the records list, its filter and its export column,
computed in the list's own query: the page's query count does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.intake.models import AlumniInvitation, EmploymentRecord
from enishi.intake.tests.invitation_helpers import days_ago, english_client, make_invitation, make_record
from enishi.lib.spreadsheets import read_table

RECORDS = reverse("manage:intake", args=["alpha"])
EXPORT = reverse("manage:intake_records_export", args=["alpha"])


@pytest.fixture
def statuses(net_a: PersonaNetwork) -> dict[str, EmploymentRecord]:
    """One record in each status (the key), in reading order."""
    records = {
        "registered": make_record(net_a, "S-1", membership=net_a.memberships["alumnus1"]),
        "bounced": make_record(net_a, "S-2"),
        "expired": make_record(net_a, "S-3"),
        "opened": make_record(net_a, "S-4"),
        "invited": make_record(net_a, "S-5"),
        "not_invited": make_record(net_a, "S-6"),
        "revoked": make_record(net_a, "S-7"),
    }
    make_invitation(records["registered"], accepted_at=timezone.now())
    make_invitation(records["bounced"], email="b@example.jp", bounced_at=timezone.now())
    make_invitation(records["expired"], expires_at=days_ago(1))
    make_invitation(records["opened"], opened_at=timezone.now())
    # The latest invitation decides: an old bounce does not hide the new invitation.
    make_invitation(records["invited"], bounced_at=timezone.now())
    make_invitation(records["invited"])
    make_invitation(records["revoked"], revoked_at=timezone.now())
    return records


def listed(client: Client, **query: str) -> dict[str, str]:
    response = client.get(RECORDS, query)
    assert response.status_code == 200
    return {r.employee_number: r.invitation_status for r in response.context["page"].object_list}


def test_it_shows_each_records_invitation_status(net_a: PersonaNetwork, statuses: dict[str, EmploymentRecord]) -> None:
    client = english_client(net_a, "hr")

    response = client.get(RECORDS)

    assert listed(client) == {
        "S-1": "registered", "S-2": "bounced", "S-3": "expired", "S-4": "opened", "S-5": "invited",
        "S-6": "not_invited", "S-7": "expired",
    }  # fmt: skip
    page = response.content.decode()
    for badge in ('badge-active">Registered', 'badge-bounced">Bounced', 'badge-expired">Expired',
                  'badge-opened">Opened', 'badge-invited">Invited', 'class="badge">Not invited'):  # fmt: skip
        assert badge in page, badge


@pytest.mark.parametrize(
    ("status", "expected"),
    [("bounced", ["S-2"]), ("expired", ["S-3", "S-7"]), ("not_invited", ["S-6"]), ("registered", ["S-1"]),
     ("opened", ["S-4"]), ("invited", ["S-5"]), ("", ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7"])],
)  # fmt: skip
def test_it_filters_records_by_invitation_status(
    status: str, expected: list[str], net_a: PersonaNetwork, statuses: dict[str, EmploymentRecord]
) -> None:
    assert list(listed(net_a.client_for("hr"), status=status)) == expected


def test_it_exports_the_status_column(net_a: PersonaNetwork, statuses: dict[str, EmploymentRecord]) -> None:
    response = english_client(net_a, "hr").get(EXPORT, {"format": "xlsx", "status": "expired"})

    table = read_table(response.content, "records.xlsx", max_bytes=10_000_000, max_rows=1000)
    assert table.headers[-1] == "invitation status"
    assert [(row[1], row[-1]) for row in table.rows] == [("S-3", "Expired"), ("S-7", "Expired")]
    everything = english_client(net_a, "hr").get(EXPORT, {"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert [line.rsplit(",", 1)[1] for line in everything[1:]] == [
        "Registered", "Bounced", "Expired", "Opened", "Invited", "Not invited", "Expired",
    ]  # fmt: skip


def add_records_with_invitations(net: PersonaNetwork, count: int) -> None:
    """`count` records, one in five with each kind of invitation."""
    with scopes_disabled():
        start = EmploymentRecord.objects.count()
        records = EmploymentRecord.objects.bulk_create(
            EmploymentRecord(network=net.network, company=net.company, employee_number=f"Q-{start + i:05d}",
                             family_name=f"姓{i}", given_name="名", family_name_kana=f"セイ{i:05d}",
                             private_email=f"q{start + i}@example.jp")
            for i in range(count)
        )  # fmt: skip
        kinds = [{}, {"opened_at": timezone.now()}, {"bounced_at": timezone.now()},
                 {"expires_at": timezone.now() - timedelta(days=1)}, None]  # fmt: skip
        AlumniInvitation.objects.bulk_create(
            AlumniInvitation(network=net.network, record=record, email=record.private_email, **kinds[i % 5])
            for i, record in enumerate(records)
            if kinds[i % 5] is not None
        )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [RECORDS, RECORDS + "?status=bounced", reverse("manage:intake_invite", args=["alpha"])])
def test_it_lists_ten_or_a_hundred_records_with_the_same_number_of_queries(
    url: str, net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    client = net_a.client_for("hr")
    add_records_with_invitations(net_a, 10)
    assert client.get(url).status_code == 200  # the first request of the day records activity
    few = queries_for(client, url)

    add_records_with_invitations(net_a, 90)
    add_records_with_invitations(net_b, 20)
    many = queries_for(client, url)

    print(f"{url}: {few} queries for 10 records, {many} for 100")
    assert few == many
