"""The directory pages: alumni and staff search, visibility of every card, segments and exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from conftest import PersonaNetwork
from enishi.directory import views as directory_views
from enishi.directory.indexing import reindex_members
from enishi.directory.services import segment_member_ids
from enishi.directory.tests.conftest import Person
from enishi.privacy.models import AuditEntry, ConsentPurpose
from enishi.privacy.notices import withdraw_consent
from enishi.profiles.models import SavedSegment
from enishi.profiles.tests.conftest import client_for
from enishi.profiles.tests.test_visibility import everything, plant_markers

pytestmark = pytest.mark.django_db


def directory_url(net: PersonaNetwork, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("network:directory", args=[net.network.slug]) + (f"?{query}" if query else "")


def results(body: str) -> str:
    """The cards of a directory page (the form echoes the query, so look only at the results)."""
    start = body.find('class="card-list person-list"')
    return body[start : body.find("</ul>", start)] if start >= 0 else ""


def staff_url(net: PersonaNetwork, name: str = "manage:directory") -> str:
    return reverse(name, args=[net.network.slug])


@pytest.fixture
def sales(net_a: PersonaNetwork, person: Person) -> dict[str, int]:
    network = net_a.network
    return {
        "yamamoto": person(
            network, "山本", "彩", "ヤマモト", "アヤ", headline="営業企画マネージャー", organisation="株式会社みらい",
            skills=("Python",), company=net_a.company, leave_date=date(2019, 3, 31),
        ).pk,
        "kobayashi": person(
            network, "小林", "健", "コバヤシ", "ケン", headline="=HYPERLINK(\"http://evil.example\")",
            now_text="営業の仕事を続けています", company=net_a.company, leave_date=date(2021, 3, 31),
        ).pk,
        "hidden": person(network, "中村", "花子", "ナカムラ", "ハナコ", headline="営業部長", consent=False).pk,
    }  # fmt: skip


def test_alumni_find_each_other_in_japanese(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "alumnus2")

    body = results(client.get(directory_url(net_a, q="営業")).content.decode())

    assert "山本" in body
    assert "小林" in body
    assert "中村" not in body  # not listed in the directory
    assert reverse("network:profile", args=["alpha", sales["yamamoto"]]) in body
    only_kana = results(client.get(directory_url(net_a, q="やまもと")).content.decode())
    assert "山本" in only_kana
    assert "小林" not in only_kana


def test_facets_and_an_unknown_skill(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "alumnus2")

    after_2020 = client.get(directory_url(net_a, left_from="2020")).content.decode()
    by_skill = client.get(directory_url(net_a, skills="パイソン")).content.decode()
    unknown = client.get(directory_url(net_a, skills="Fortran")).content.decode()

    assert "小林" in after_2020
    assert "山本" not in after_2020
    assert "山本" in by_skill
    assert "小林" not in by_skill
    assert "Fortran" in unknown
    assert "山本" not in unknown
    assert "小林" not in unknown


def test_a_bad_range_is_refused_with_a_message(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    body = client_for(net_a, "alumnus2").get(directory_url(net_a, left_from="2022", left_to="2010")).content.decode()

    assert "The end of the range is before its start." in body
    assert "山本" not in body


def test_a_withdrawn_consent_leaves_the_results_at_once(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "alumnus2")
    assert "山本" in results(client.get(directory_url(net_a, q="山本")).content.decode())
    with scopes_disabled():
        from enishi.networks.models import Membership

        yamamoto = Membership.objects.get(pk=sales["yamamoto"])
    with scope(network=net_a.network):
        withdraw_consent(yamamoto, ConsentPurpose.DIRECTORY_LISTING)

    assert "山本" not in results(client.get(directory_url(net_a, q="山本")).content.decode())
    assert "山本" in results(client_for(net_a, "hr").get(staff_url(net_a) + "?q=山本").content.decode())


def test_an_unlisted_alumnus_is_offered_a_listing_and_comes_back(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "alumnus2")
    page = client.get(directory_url(net_a)).content.decode()
    assert "List me in the directory" in page

    response = client.post(
        reverse("network:set_consent", args=["alpha", "directory_listing"]),
        {"given": "1", "next": directory_url(net_a)},
    )

    assert response.status_code == 302
    assert response["Location"] == directory_url(net_a)
    assert "List me in the directory" not in client.get(directory_url(net_a)).content.decode()
    hostile = client.post(
        reverse("network:set_consent", args=["alpha", "directory_listing"]),
        {"given": "1", "next": "https://evil.example/n/alpha/"},
    )
    assert hostile["Location"] == reverse("network:privacy", args=["alpha"])


@pytest.mark.parametrize("visibility", ["staff", "me"])
def test_cards_and_searches_never_show_other_alumni_a_hidden_field(net_a: PersonaNetwork, visibility: str) -> None:
    markers = plant_markers(net_a, visibility)
    with scope(network=net_a.network):
        from enishi.privacy.notices import grant_consent

        grant_consent(net_a.memberships["alumnus1"], ConsentPurpose.DIRECTORY_LISTING, notice=None)
    client = client_for(net_a, "alumnus2")
    urls = [
        directory_url(net_a),
        directory_url(net_a, q="佐藤", sort="kana"),
        directory_url(net_a, intent="side_job"),
        directory_url(net_a, q="一郎", page="1"),
    ]
    bodies = [client.get(url).content.decode() for url in urls]

    assert "佐藤" in bodies[1]  # the person is found by name: only the hidden fields are missing
    pairs = zip(urls, bodies, strict=True)
    assert [f"{marker} in {url}" for url, body in pairs for marker in everything(markers) if marker in body] == []


def test_staff_see_what_is_shared_with_staff_and_never_what_is_private(net_a: PersonaNetwork) -> None:
    shared = plant_markers(net_a, "staff")
    reindex_members(net_a.network, [net_a.memberships["alumnus1"].pk])
    client = client_for(net_a, "hr")
    page = client.get(staff_url(net_a) + "?q=佐藤").content.decode()
    assert "MARKSTAFFBASICSHEADLINEZ" in page
    assert "MARKSTAFFWORKORGANISATIONZ" in page
    export = client.get(staff_url(net_a, "manage:directory_export") + "?q=佐藤&format=csv").content.decode("utf-8-sig")
    assert [marker for marker in ("MARKSTAFFWORKORGANISATIONZ", "MARKSTAFFSKILLSSKILLZ") if marker not in export] == []
    assert shared

    with scopes_disabled():
        from enishi.profiles.models import Profile

        Profile.objects.filter(membership=net_a.memberships["alumnus1"]).delete()
    private = plant_markers(net_a, "me")
    reindex_members(net_a.network, [net_a.memberships["alumnus1"].pk])
    bodies = [
        client.get(staff_url(net_a) + "?q=佐藤").content.decode(),
        client.get(staff_url(net_a) + "?intent=side_job").content.decode(),
        client.get(staff_url(net_a, "manage:directory_export") + "?q=佐藤&format=csv").content.decode("utf-8-sig"),
    ]
    assert "佐藤" in bodies[0]
    assert "佐藤" in bodies[2]
    assert [marker for body in bodies for marker in everything(private) if marker in body] == []


def test_staff_redirect_and_other_staff_see_nobody(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    response = client_for(net_a, "hr").get(directory_url(net_a))
    assert response.status_code == 302
    assert response["Location"] == staff_url(net_a)

    editor = client_for(net_a, "editor")
    assert "山本" not in editor.get(directory_url(net_a)).content.decode()
    assert editor.get(staff_url(net_a)).status_code in (403, 404)


def test_staff_facets_find_by_rehire_eligibility(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    with scopes_disabled():
        from enishi.intake.models import EmploymentRecord

        EmploymentRecord.objects.filter(membership_id=sales["yamamoto"]).update(rehire_eligibility="eligible")
    reindex_members(net_a.network, [sales["yamamoto"]])
    body = client_for(net_a, "hr").get(staff_url(net_a) + "?rehire=eligible").content.decode()
    alumni = client_for(net_a, "alumnus2").get(directory_url(net_a, rehire="eligible")).content.decode()

    assert "山本" in body
    assert "小林" not in body
    assert "小林" in alumni  # the alumni form has no such facet: the parameter is ignored


@pytest.mark.parametrize(("export_format", "encoding"), [("csv", "utf-8-sig"), ("csv-sjis", "cp932"), ("xlsx", None)])
def test_exports_are_complete_neutralised_and_audited(
    net_a: PersonaNetwork, sales: dict[str, int], export_format: str, encoding: str | None
) -> None:
    client = client_for(net_a, "hr")

    response = client.get(staff_url(net_a, "manage:directory_export") + f"?q=営業&format={export_format}")

    assert response.status_code == 200
    if encoding is None:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        rows = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    else:
        if encoding == "utf-8-sig":
            assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode(encoding))))
    names = {row[0] for row in rows[1:]}
    assert names == {"山本\u3000彩", "小林\u3000健", "中村\u3000花子"}  # staff also find the unlisted member
    headlines = [str(row[6]) for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in headlines
    with scopes_disabled():
        entry = AuditEntry.objects.filter(network=net_a.network, action="directory.exported").get()
    assert entry.data["rows"] == 3
    assert entry.data["format"] == export_format


def test_export_of_an_unreadable_search_changes_nothing(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "hr")
    response = client.get(staff_url(net_a, "manage:directory_export") + "?left_from=abc&format=csv", follow=True)
    assert "nothing was exported" in response.content.decode()
    assert client.get(staff_url(net_a, "manage:directory_export") + "?format=pdf").status_code == 404
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="directory.exported").exists()


def test_segments_are_saved_replayed_and_deleted(net_a: PersonaNetwork, sales: dict[str, int]) -> None:
    client = client_for(net_a, "hr")
    save = reverse("manage:segment_save", args=["alpha"]) + f"?q=営業&company={net_a.company.pk}&left_from=2020"

    assert client.post(save, {"name": ""}).status_code == 302
    with scopes_disabled():
        assert not SavedSegment.objects.exists()
    response = client.post(save, {"name": "2020年以降に退職した営業"})

    assert response.status_code == 302
    with scopes_disabled():
        segment = SavedSegment.objects.get()
        assert segment.query == {"q": ["営業"], "company": [str(net_a.company.pk)], "left_from": ["2020"]}
        assert segment_member_ids(segment) == [sales["kobayashi"]]
        assert AuditEntry.objects.filter(action="segment.saved").count() == 1
    assert "2020年以降に退職した営業" in client.get(staff_url(net_a, "manage:segments")).content.decode()
    replay = client.get(staff_url(net_a) + f"?segment={segment.pk}").content.decode()
    assert "小林" in replay
    assert "山本" not in replay
    assert client.get(staff_url(net_a) + "?segment=abc").status_code == 404

    client.post(reverse("manage:segment_delete", args=["alpha", segment.pk]))
    with scopes_disabled():
        assert not SavedSegment.objects.exists()
        assert AuditEntry.objects.filter(action="segment.deleted").count() == 1


def test_pages_follow_each_other_with_every_facet_kept(
    net_a: PersonaNetwork, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory_views, "PAGE_SIZE", 2)
    for number in range(5):
        person(net_a.network, "営業", f"太郎{number}", industry="it", location="東京都")
    client = client_for(net_a, "alumnus2")

    first = client.get(directory_url(net_a, industry="it") + "&industry=finance").content.decode()

    assert "page=2" in first
    assert "industry=it&amp;industry=finance" in first


def add_people(net: PersonaNetwork, person: Person, count: int) -> None:
    for number in range(count):
        person(net.network, "高橋", f"{number}", "タカハシ", "", headline="営業", skills=("Python", "SQL"),
               company=net.company, leave_date=date(2020, 1, 1), industry="it")  # fmt: skip


@pytest.mark.parametrize("page", ["network:directory", "manage:directory"])
def test_the_page_runs_a_constant_number_of_queries(
    net_a: PersonaNetwork, person: Person, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setattr(directory_views, "PAGE_SIZE", 200)
    client = client_for(net_a, "alumnus2" if page.startswith("network") else "hr")
    url = reverse(page, args=["alpha"]) + "?q=高橋"
    assert client.get(url).status_code == 200  # the day's first request records activity

    counts = []
    for total in (10, 200):
        add_people(net_a, person, total - ((counts and 10) or 0))
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.content.decode().count('class="card person-card"') == total
        counts.append(len(context.captured_queries))

    assert counts[0] == counts[1]


def test_another_networks_segment_is_not_found(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    with scopes_disabled():
        segment = SavedSegment.objects.create(network=net_a.network, name="A", query={"q": ["営業"]})
    client = client_for(net_b, "hr")

    assert client.get(reverse("manage:directory", args=["beta"]) + f"?segment={segment.pk}").status_code == 404
    assert client.post(reverse("manage:segment_delete", args=["beta", segment.pk])).status_code == 404
    with scopes_disabled():
        assert SavedSegment.objects.filter(pk=segment.pk).exists()
