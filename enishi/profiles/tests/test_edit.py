from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from conftest import PersonaNetwork
from enishi.privacy.models import AuditEntry
from enishi.profiles import services
from enishi.profiles.models import Profile, ProfileSkill
from enishi.profiles.tests.conftest import client_for

pytestmark = pytest.mark.django_db

VALID = {
    "display_name": "佐藤 一郎",
    "display_name_kana": "さとう いちろう",
    "headline": "データで事業を支えています",
    "organisation": "株式会社みらいデータ",
    "role_title": "データサイエンティスト",
    "industry": "it",
    "location": "東京都",
    "country": "",
    "now_text": "新しいチームを立ち上げています。",
    "skills_text": "パイソン、ＳＱＬ, 会計",
    "languages_text": "日本語, English",
    "links_text": "https://example.com/me\nhttp://blog.example.org/",
    **{f"visibility_{group}": "alumni" for group in ("basics", "work", "career", "skills", "now", "links")},
}


def edit_url(net: PersonaNetwork) -> str:
    return reverse("network:profile_edit", args=[net.network.slug])


def jpeg_with_exif(size: tuple[int, int] = (2000, 1500)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 0.0)}  # GPS latitude
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def stored_profile(net: PersonaNetwork, persona: str = "alumnus1") -> Profile | None:
    with scopes_disabled():
        return Profile.objects.filter(membership=net.memberships[persona]).first()


def test_it_saves_the_profile_with_normalised_skills_links_and_languages(net_a: PersonaNetwork) -> None:
    response = client_for(net_a, "alumnus1").post(edit_url(net_a), VALID)

    assert response.status_code == 302
    assert response["Location"] == reverse("network:my_profile", args=["alpha"])
    profile = stored_profile(net_a)
    assert profile is not None
    assert (profile.organisation, profile.location, profile.country) == ("株式会社みらいデータ", "東京都", "")
    assert profile.languages == ["日本語", "English"]
    assert profile.links == [
        {"label": "example.com", "url": "https://example.com/me"},
        {"label": "blog.example.org", "url": "http://blog.example.org/"},
    ]
    assert profile.confirmed_at is not None
    with scopes_disabled():
        names = sorted(tag.skill.name for tag in ProfileSkill.objects.filter(profile=profile).select_related("skill"))
        entry = AuditEntry.objects.get(action="profile.changed")
    assert names == ["Python", "SQL", "経理"]
    assert entry.actor == net_a.alumnus1
    assert "skills" in entry.data["fields"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("links_text", "javascript:alert(1)", "is not a web address"),
        ("links_text", "ftp://example.com/file", "is not a web address"),
        ("links_text", "\n".join(f"https://example.com/{n}" for n in range(6)), "At most 5 links."),
        ("links_text", "https://example.com/" + "a" * 400, "is not a web address"),
        ("headline", "見出し" * 100, "at most 120 characters"),
        ("now_text", "あ" * 5000, "at most 1000 characters"),
        ("skills_text", ", ".join(f"skill{n}" for n in range(31)), "At most 30 skills."),
        ("skills_text", "x" * 61, "at most 60 characters"),
        ("industry", "spaceflight", "Select a valid choice"),
        ("visibility_work", "everyone", "Select a valid choice"),
    ],
)
def test_it_refuses_bad_input_and_keeps_what_was_typed(
    net_a: PersonaNetwork, field: str, value: str, message: str
) -> None:
    client = client_for(net_a, "alumnus1")

    response = client.post(edit_url(net_a), {**VALID, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "株式会社みらいデータ" in response.content.decode()  # the other fields are still filled in
    assert stored_profile(net_a) is None


def test_it_resizes_the_photo_and_strips_its_metadata(net_a: PersonaNetwork) -> None:
    upload = SimpleUploadedFile("me.jpg", jpeg_with_exif(), content_type="image/jpeg")

    response = client_for(net_a, "alumnus1").post(edit_url(net_a), {**VALID, "photo": upload})

    assert response.status_code == 302
    profile = stored_profile(net_a)
    assert profile is not None
    with profile.photo.open("rb") as stored:
        data = stored.read()
    image = Image.open(BytesIO(data))
    assert max(image.size) == 512
    assert not image.getexif()
    assert b"SecretCameraMaker" not in data


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("me.jpg", b"%PDF-1.4 not an image", "Upload a valid image"),
        ("me.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "Upload a valid image"),
    ],
)
def test_it_refuses_a_file_that_is_not_an_image(net_a: PersonaNetwork, name: str, content: bytes, message: str) -> None:
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    response = client_for(net_a, "alumnus1").post(edit_url(net_a), {**VALID, "photo": upload})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored_profile(net_a) is None


def test_it_refuses_a_photo_too_large(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("enishi.profiles.forms.PHOTO_MAX_BYTES", 1000)
    upload = SimpleUploadedFile("me.jpg", jpeg_with_exif(), content_type="image/jpeg")

    response = client_for(net_a, "alumnus1").post(edit_url(net_a), {**VALID, "photo": upload})

    assert response.status_code == 200
    assert "The image is too large" in response.content.decode()
    assert stored_profile(net_a) is None


def test_it_shows_hostile_html_escaped(net_a: PersonaNetwork) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client = client_for(net_a, "alumnus1")
    client.post(edit_url(net_a), {**VALID, "headline": hostile[:120], "now_text": hostile})

    pages = [
        client.get(reverse("network:my_profile", args=["alpha"])),
        client.get(reverse("network:profile", args=["alpha", net_a.memberships["alumnus1"].pk])),
        client.get(edit_url(net_a)),
    ]

    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;alert" in body


def test_it_clears_the_country_unless_the_person_lives_abroad(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "alumnus1")
    client.post(edit_url(net_a), {**VALID, "location": "overseas", "country": "Singapore"})
    assert stored_profile(net_a).country == "Singapore"  # type: ignore[union-attr]

    client.post(edit_url(net_a), {**VALID, "location": "大阪府", "country": "Singapore"})

    assert stored_profile(net_a).country == ""  # type: ignore[union-attr]


def test_it_gives_staff_no_profile_to_edit(net_a: PersonaNetwork) -> None:
    client = client_for(net_a, "hr")

    assert client.get(edit_url(net_a)).status_code == 404
    assert client.post(edit_url(net_a), VALID).status_code == 404
    assert client.get(reverse("network:my_profile", args=["alpha"])).status_code == 200
    assert stored_profile(net_a, "hr") is None


def test_it_shows_the_employment_record_without_hr_only_fields(net_a: PersonaNetwork) -> None:
    from datetime import date

    from enishi.intake.models import Assignment, EmploymentRecord

    with scope(network=net_a.network):
        record = EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, membership=net_a.memberships["alumnus1"],
            employee_number="E-1", family_name="佐藤", given_name="一郎", department="経営企画部",
            hire_date=date(2012, 4, 1), leave_date=date(2020, 3, 31), hr_notes="HRNOTE-SECRET",
            private_email="private-secret@example.com", phone="090-SECRET", birth_date=date(1988, 7, 7),
            rehire_eligibility="not_eligible",
        )  # fmt: skip
        Assignment.objects.create(network=net_a.network, record=record, department="営業第一部",
                                  job_title="主任", started_on=date(2015, 4, 1))  # fmt: skip

    body = client_for(net_a, "alumnus1", "ja").get(reverse("network:my_profile", args=["alpha"])).content.decode()

    for fact in ("アルファ株式会社", "経営企画部", "営業第一部", "2012", "2020"):
        assert fact in body
    for secret in ("HRNOTE-SECRET", "private-secret@example.com", "090-SECRET", "1988", "Not eligible", "対象外"):
        assert secret not in body


def test_it_keeps_the_visibility_when_none_is_posted(net_a: PersonaNetwork) -> None:
    posted = {key: value for key, value in VALID.items() if not key.startswith("visibility_")}

    response = client_for(net_a, "alumnus1").post(edit_url(net_a), {**posted, "visibility_now": "me"})

    assert response.status_code == 302
    profile = stored_profile(net_a)
    assert profile is not None
    assert (profile.visibility_of("now"), profile.visibility_of("work"), profile.visibility_of("intent")) == (
        "me", "alumni", "staff",
    )  # fmt: skip


def test_it_keeps_the_directory_index_in_step(net_a: PersonaNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(services, "reindex_members", lambda network, ids: calls.append((network.slug, list(ids))))
    client = client_for(net_a, "alumnus1")
    me = net_a.memberships["alumnus1"].pk

    client.post(edit_url(net_a), VALID)
    client.post(reverse("network:career_new", args=["alpha"]), {"organisation": "北斗物流", "started_on": "2020-04"})
    client.post(reverse("network:intent_edit", args=["alpha"]), {"open_to_meet": "on", "visibility_intent": "staff"})

    assert calls == [("alpha", [me])] * 3
