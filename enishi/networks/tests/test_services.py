"""Business verbs of networks (services.py) and the pages that call them: staff invitations,
network settings, companies, and the audit log's filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from PIL import Image

from conftest import PersonaNetwork, give_totp
from enishi.accounts.models import User
from enishi.networks import services
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import MembershipState, Role
from enishi.notifications.models import OutboundEmail
from enishi.privacy.models import AuditEntry
from enishi.privacy.services import audit

NEW_STAFF_EMAIL = "new-staff@a.example"
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def in_a(net_a: PersonaNetwork) -> Iterator[PersonaNetwork]:
    """Network A, with the test body inside its scope (as services run under /n/alpha/), in English."""
    with scope(network=net_a.network), translation.override("en"):
        yield net_a


@pytest.fixture
def newcomer(db: None) -> User:
    """Someone with an account and no membership anywhere, invited to A's staff in these tests."""
    return User.objects.create_user(NEW_STAFF_EMAIL, "newcomer-password-1", family_name="新人")


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return english(client)


def rows(model: type[Any], network: Network, *fields: str) -> list[dict[str, Any]]:
    with scopes_disabled():
        return list(model.objects.filter(network=network).order_by("pk").values(*fields))


def network_row(network: Network) -> dict[str, Any]:
    return Network.objects.filter(pk=network.pk).values().get()


def invite(net: PersonaNetwork, email: str = NEW_STAFF_EMAIL, role: str = Role.EDITOR) -> StaffInvitation:
    with scope(network=net.network):
        return services.invite_staff(net.network, net.admin, email, role)


# --- invite_staff ------------------------------------------------------------------------------


def test_it_invites_staff_by_email(in_a: PersonaNetwork) -> None:
    network = in_a.network

    invitation = services.invite_staff(network, in_a.admin, "  New-Staff@A.example ", Role.EDITOR)

    assert (invitation.email, invitation.role, invitation.invited_by) == (NEW_STAFF_EMAIL, Role.EDITOR, in_a.admin)
    assert invitation.is_open
    assert len(invitation.token) >= 40
    [email] = OutboundEmail.objects.filter(network=network)
    assert (email.to, email.kind, email.status) == (NEW_STAFF_EMAIL, "staff-invitation", OutboundEmail.Status.QUEUED)
    assert f"/n/alpha/join/staff/{invitation.token}/" in email.text_body
    [entry] = AuditEntry.objects.filter(network=network)
    assert (entry.action, entry.actor, entry.target_id) == ("staff.invited", in_a.admin, str(invitation.pk))
    assert entry.data == {"role": Role.EDITOR}


def test_it_revokes_the_earlier_open_invitation_to_the_same_email(in_a: PersonaNetwork) -> None:
    first = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.EDITOR)

    second = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL.upper(), Role.HR)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert not first.is_open
    assert (second.is_open, second.role) == (True, Role.HR)
    assert [e.to for e in OutboundEmail.objects.filter(network=in_a.network).order_by("pk")] == [NEW_STAFF_EMAIL] * 2


def test_it_refuses_to_invite_an_existing_member(in_a: PersonaNetwork) -> None:
    with pytest.raises(services.ActionRefused, match="already a member"):
        services.invite_staff(in_a.network, in_a.admin, in_a.alumnus1.email.upper(), Role.HR)

    assert StaffInvitation.objects.filter(network=in_a.network).count() == 0
    assert OutboundEmail.objects.count() == 0
    assert AuditEntry.objects.filter(network=in_a.network).count() == 0


def test_it_refuses_a_staff_invitation_for_an_alumni_role(in_a: PersonaNetwork) -> None:
    with pytest.raises(services.ActionRefused, match="staff roles only"):
        services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.SUPPORTER)

    assert StaffInvitation.objects.filter(network=in_a.network).count() == 0
    assert OutboundEmail.objects.count() == 0


def test_it_shows_a_refused_invitation_inline(net_a: PersonaNetwork) -> None:
    client = english(net_a.client_for("admin"))
    url = reverse("manage:staff", args=[net_a.network.slug])

    response = client.post(url, {"email": net_a.alumnus1.email, "role": Role.HR})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": [f"{net_a.alumnus1.email} is already a member of this network. Change their role on the members page."]
    }
    assert rows(StaffInvitation, net_a.network) == []


def test_it_revokes_an_invitation_from_the_staff_page(net_a: PersonaNetwork) -> None:
    invitation = invite(net_a)
    url = reverse("manage:revoke_invitation", args=[net_a.network.slug, invitation.pk])

    response = net_a.client_for("admin").post(url)

    assert (response.status_code, response["Location"]) == (302, reverse("manage:staff", args=["alpha"]))
    with scopes_disabled():
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert AuditEntry.objects.filter(network=net_a.network, action="staff.invitation_revoked").count() == 1


# --- accept_staff_invitation -------------------------------------------------------------------


def test_it_makes_the_invited_person_staff_with_the_invited_role(in_a: PersonaNetwork, newcomer: User) -> None:
    invitation = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.ANALYST)

    membership = services.accept_staff_invitation(invitation, newcomer)

    assert (membership.network, membership.user) == (in_a.network, newcomer)
    assert (membership.role, membership.state) == (Role.ANALYST, MembershipState.ACTIVE)
    assert membership.activated_at is not None
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    entry = AuditEntry.objects.get(network=in_a.network, action="staff.invitation_accepted")
    assert (entry.actor, entry.target_id, entry.data) == (newcomer, str(membership.pk), {"role": Role.ANALYST})


def test_it_refuses_an_expired_invitation(in_a: PersonaNetwork, newcomer: User) -> None:
    invitation = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.EDITOR)
    StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()

    with pytest.raises(services.ActionRefused, match="expired"):
        services.accept_staff_invitation(invitation, newcomer)

    assert Membership.objects.filter(network=in_a.network, user=newcomer).count() == 0
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_refuses_a_revoked_invitation(in_a: PersonaNetwork, newcomer: User) -> None:
    invitation = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.EDITOR)
    services.revoke_staff_invitation(invitation, in_a.admin)

    with pytest.raises(services.ActionRefused, match="expired or has already been used"):
        services.accept_staff_invitation(invitation, newcomer)

    assert Membership.objects.filter(network=in_a.network, user=newcomer).count() == 0


def test_it_refuses_an_invitation_accepted_before(in_a: PersonaNetwork, newcomer: User) -> None:
    invitation = services.invite_staff(in_a.network, in_a.admin, NEW_STAFF_EMAIL, Role.EDITOR)
    services.accept_staff_invitation(invitation, newcomer)
    first_acceptance = StaffInvitation.objects.get(pk=invitation.pk).accepted_at

    with pytest.raises(services.ActionRefused, match="expired or has already been used"):
        services.accept_staff_invitation(invitation, newcomer)

    assert Membership.objects.filter(network=in_a.network, user=newcomer).count() == 1
    assert StaffInvitation.objects.get(pk=invitation.pk).accepted_at == first_acceptance
    assert AuditEntry.objects.filter(network=in_a.network, action="staff.invitation_accepted").count() == 1


# --- The accept page ---------------------------------------------------------------------------


def test_it_shows_the_invited_person_the_role_offered(net_a: PersonaNetwork, newcomer: User) -> None:
    invitation = invite(net_a, role=Role.EDITOR)

    response = client_of(newcomer).get(reverse("network:accept_staff_invitation", args=["alpha", invitation.token]))

    assert response.status_code == 200
    assert "as Communications / editor." in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(user=newcomer).count() == 0


def test_it_lets_the_invited_person_accept(net_a: PersonaNetwork, newcomer: User) -> None:
    invitation = invite(net_a, role=Role.EDITOR)
    client = client_of(newcomer)

    response = client.post(reverse("network:accept_staff_invitation", args=["alpha", invitation.token]))

    assert (response.status_code, response["Location"]) == (302, reverse("network:home", args=["alpha"]))
    with scopes_disabled():
        [membership] = Membership.objects.filter(user=newcomer)
    assert (membership.network, membership.role, membership.state) == (net_a.network, Role.EDITOR, "active")
    give_totp(newcomer)  # staff need MFA before the console opens
    assert client.get(reverse("manage:inbox", args=["alpha"])).status_code == 200  # an editor's console home


def test_it_explains_an_expired_invitation_with_410(net_a: PersonaNetwork, newcomer: User) -> None:
    invitation = invite(net_a)
    with scopes_disabled():
        StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    url = reverse("network:accept_staff_invitation", args=["alpha", invitation.token])
    client = client_of(newcomer)

    response = client.get(url)

    assert response.status_code == 410
    content = response.content.decode()
    assert "This invitation has expired or has already been used. Ask the secretariat for a new one." in content
    assert "Accept the invitation" not in content

    response = client.post(url)

    assert (response.status_code, response["Location"]) == (302, url)
    with scopes_disabled():
        assert Membership.objects.filter(user=newcomer).count() == 0


def test_it_hides_an_invitation_from_anyone_else(net_a: PersonaNetwork, newcomer: User) -> None:
    invitation = invite(net_a)
    url = reverse("network:accept_staff_invitation", args=["alpha", invitation.token])
    stranger = User.objects.create_user("stranger@elsewhere.example", "stranger-password-1")
    before = rows(Membership, net_a.network, "pk", "user", "role", "state")

    for user in (stranger, net_a.alumnus1, net_a.admin):
        client = client_of(user)
        assert (client.get(url).status_code, client.post(url).status_code) == (404, 404), user.email

    assert client_of(newcomer).get(reverse("network:accept_staff_invitation", args=["alpha", "wrong"])).status_code == (
        404
    )
    assert rows(Membership, net_a.network, "pk", "user", "role", "state") == before


# --- Network settings --------------------------------------------------------------------------


def settings_data(network: Network, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_ja": network.name_ja,
        "name_en": network.name_en,
        "accent_colour": network.accent_colour,
        "languages": list(network.languages),
        "staff_mfa_required": "on",
    }
    data.update(changes)
    return data


def post_settings(net: PersonaNetwork, **changes: Any) -> Any:
    client = english(net.client_for("admin"))
    return client.post(reverse("manage:settings", args=[net.network.slug]), settings_data(net.network, **changes))


def settings_audits(network: Network) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(network=network, action="network.settings_changed").count()


def image_upload(image_format: str, size: tuple[int, int], *, name: str, mode: str = "RGB", exif: bool = False) -> Any:
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    out = BytesIO()
    if exif:
        metadata = Image.Exif()
        metadata[0x010F] = "SecretCam"  # Make
        metadata[0x0131] = "Editor 1.0"  # Software
        image.save(out, format=image_format, exif=metadata)
    else:
        image.save(out, format=image_format)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{image_format.lower()}")


@pytest.mark.parametrize("colour", ["red", "#12345", "#GGGGGG", "#1234567", "#123456;}body{display:none"])
def test_it_refuses_a_bad_colour_inline(colour: str, net_a: PersonaNetwork) -> None:
    before = network_row(net_a.network)

    response = post_settings(net_a, accent_colour=colour, name_en="Changed")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["accent_colour"]
    content = response.content.decode()
    assert 'id="id_accent_colour_error"' in content
    # The page around the form still shows the saved network, not the rejected values.
    assert f"--accent:{before['accent_colour']};" in content
    assert "Changed" not in content.split("<main", 1)[0]
    assert network_row(net_a.network) == before
    assert settings_audits(net_a.network) == 0


def test_it_refuses_a_logo_that_is_not_an_image(net_a: PersonaNetwork, media_root: Path) -> None:
    before = network_row(net_a.network)
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", content_type="image/png")

    response = post_settings(net_a, logo=fake)

    assert response.status_code == 200
    [error] = response.context["form"].errors["logo"]
    assert "image" in error
    assert error in response.content.decode()
    assert network_row(net_a.network) == before
    assert list(media_root.rglob("*")) == []


def test_it_refuses_a_logo_that_is_too_large(net_a: PersonaNetwork, media_root: Path, settings: Any) -> None:
    settings.LOGO_MAX_BYTES = 100
    before = network_row(net_a.network)

    response = post_settings(net_a, logo=image_upload("PNG", (64, 64), name="big.png"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["logo"]
    assert error.startswith("The image is too large")
    assert network_row(net_a.network) == before
    assert list(media_root.rglob("*")) == []


def test_it_shrinks_a_photo_logo_and_strips_its_exif(net_a: PersonaNetwork, media_root: Path) -> None:
    upload = image_upload("JPEG", (1600, 1200), name="photo.jpg", exif=True)
    assert Image.open(BytesIO(upload.read())).getexif()[0x010F] == "SecretCam"
    upload.seek(0)

    response = post_settings(net_a, logo=upload)

    assert response.status_code == 302
    net_a.network.refresh_from_db()
    assert net_a.network.logo.name.startswith("networks/logos/photo")
    with Image.open(net_a.network.logo.path) as saved:
        assert (saved.format, saved.size) == ("JPEG", (512, 384))
        assert dict(saved.getexif()) == {}
        assert "exif" not in saved.info


def test_it_keeps_a_transparent_logo_as_png(net_a: PersonaNetwork, media_root: Path) -> None:
    response = post_settings(net_a, logo=image_upload("PNG", (600, 1200), name="mark.png", mode="RGBA"))

    assert response.status_code == 302
    net_a.network.refresh_from_db()
    with Image.open(net_a.network.logo.path) as saved:
        assert (saved.format, saved.mode, saved.size) == ("PNG", "RGBA", (256, 512))


def test_it_stores_hostile_names_as_text_and_escapes_them(net_a: PersonaNetwork) -> None:
    response = post_settings(net_a, name_ja=HOSTILE, name_en=HOSTILE)

    assert response.status_code == 302
    net_a.network.refresh_from_db()
    assert (net_a.network.name_ja, net_a.network.name_en) == (HOSTILE, HOSTILE)
    pages = {
        "alumni home": net_a.client_for("alumnus1").get(reverse("network:home", args=["alpha"])),
        "settings": net_a.client_for("admin").get(reverse("manage:settings", args=["alpha"])),
    }
    for page, page_response in pages.items():
        content = page_response.content.decode()
        assert HOSTILE not in content, page
        assert ESCAPED in content, page


def test_it_escapes_hostile_company_names(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")

    response = client.post(reverse("manage:company_new", args=["alpha"]), {"name_ja": HOSTILE, "position": 1})

    assert response.status_code == 302
    with scopes_disabled():
        assert Company.objects.filter(network=net_a.network, name_ja=HOSTILE).count() == 1
    for url in (reverse("manage:companies", args=["alpha"]), reverse("manage:dashboard", args=["alpha"])):
        content = client.get(url).content.decode()
        assert HOSTILE not in content, url
        assert ESCAPED in content, url


# --- Companies ---------------------------------------------------------------------------------


def test_it_adds_a_company_and_audits_it(net_a: PersonaNetwork) -> None:
    response = net_a.client_for("admin").post(
        reverse("manage:company_new", args=["alpha"]),
        {"name_ja": " アルファ商事 ", "name_en": "Alpha Trading", "position": 2},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("manage:companies", args=["alpha"]))
    with scopes_disabled():
        company = Company.objects.get(network=net_a.network, name_ja="アルファ商事")
        entry = AuditEntry.objects.get(network=net_a.network, action="company.created")
    assert (company.name_en, company.position) == ("Alpha Trading", 2)
    assert (entry.actor, entry.target_id) == (net_a.admin, str(company.pk))


def test_it_refuses_a_duplicate_company_name_on_create(net_a: PersonaNetwork) -> None:
    client = english(net_a.client_for("admin"))
    before = rows(Company, net_a.network)

    response = client.post(
        reverse("manage:company_new", args=["alpha"]), {"name_ja": f" {net_a.company.name_ja} ", "position": 1}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name_ja": ["A company with this name already exists in the network."]}
    assert rows(Company, net_a.network) == before


def test_it_refuses_a_duplicate_company_name_on_edit(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        other = Company.objects.create(network=net_a.network, name_ja="アルファ物流", position=1)
    client = english(net_a.client_for("admin"))
    before = rows(Company, net_a.network)

    response = client.post(
        reverse("manage:company_edit", args=["alpha", other.pk]), {"name_ja": net_a.company.name_ja, "position": 1}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name_ja": ["A company with this name already exists in the network."]}
    assert rows(Company, net_a.network) == before


def test_it_lets_a_company_keep_its_own_name_and_reuse_another_networks(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    client = net_a.client_for("admin")
    edit = client.post(
        reverse("manage:company_edit", args=["alpha", net_a.company.pk]),
        {"name_ja": net_a.company.name_ja, "name_en": "Renamed", "position": 0},
    )
    create = client.post(
        reverse("manage:company_new", args=["alpha"]), {"name_ja": net_b.company.name_ja, "position": 1}
    )

    assert (edit.status_code, create.status_code) == (302, 302)
    with scopes_disabled():
        assert list(Company.objects.filter(network=net_a.network).values_list("name_ja", "name_en")) == [
            (net_a.company.name_ja, "Renamed"),
            (net_b.company.name_ja, ""),
        ]


# --- Audit log filters -------------------------------------------------------------------------


def logged(network: Network, actor: User, action: str, when: datetime, target: Any = None) -> int:
    with scope(network=network):
        entry = audit(network, actor, action, target or network)
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry.pk


@pytest.fixture
def audit_trail(net_a: PersonaNetwork) -> tuple[Client, dict[str, int]]:
    client = english(net_a.client_for("admin"))
    with scopes_disabled():
        AuditEntry.objects.filter(network=net_a.network).delete()  # the login just written
    network = net_a.network
    trail = {
        "admin_created_0401": logged(network, net_a.admin, "company.created", datetime(2024, 4, 1, 10, tzinfo=TOKYO)),
        "admin_settings_0402_early": logged(
            network, net_a.admin, "network.settings_changed", datetime(2024, 4, 2, 8, tzinfo=TOKYO)
        ),
        "hr_viewed_0402": logged(
            network, net_a.hr, "member.viewed", datetime(2024, 4, 2, 20, tzinfo=TOKYO), net_a.memberships["alumnus1"]
        ),
        "hr_viewed_0405": logged(network, net_a.hr, "member.viewed", datetime(2024, 4, 5, 9, tzinfo=TOKYO)),
        "editor_created_0410": logged(network, net_a.editor, "company.created", datetime(2024, 4, 10, tzinfo=TOKYO)),
    }
    return client, trail


def shown(client: Client, **filters: str) -> list[int]:
    response = client.get(reverse("manage:audit", args=["alpha"]), filters)
    assert response.status_code == 200
    # Opening the log is itself recorded (after the page is rendered): leave those entries out.
    return [entry.pk for entry in response.context["page"].object_list if entry.action != "audit.viewed"]


def test_it_records_each_look_at_the_audit_log_after_showing_it(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, _trail = audit_trail
    first = client.get(reverse("manage:audit", args=["alpha"]))
    second = client.get(reverse("manage:audit", args=["alpha"]))

    assert [e.action for e in first.context["page"].object_list].count("audit.viewed") == 0
    assert [e.action for e in second.context["page"].object_list].count("audit.viewed") == 1


def test_it_shows_the_whole_audit_log_newest_first(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, trail = audit_trail

    assert shown(client) == list(reversed(trail.values()))


def test_it_filters_the_audit_log_by_action(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, trail = audit_trail

    assert shown(client, action="member.viewed") == [trail["hr_viewed_0405"], trail["hr_viewed_0402"]]
    assert shown(client, action="company.created") == [trail["editor_created_0410"], trail["admin_created_0401"]]
    assert shown(client, action="staff.invited") == []


def test_it_filters_the_audit_log_by_actor(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, trail = audit_trail

    assert shown(client, actor="HR@a.example") == [trail["hr_viewed_0405"], trail["hr_viewed_0402"]]
    assert shown(client, actor="editor") == [trail["editor_created_0410"]]


def test_it_filters_the_audit_log_by_what_it_is_about(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, trail = audit_trail

    assert shown(client, target="佐藤") == [trail["hr_viewed_0402"]]
    assert shown(client, target="no such thing") == []


def test_it_filters_the_audit_log_by_date_in_the_networks_time_zone(
    audit_trail: tuple[Client, dict[str, int]],
) -> None:
    client, trail = audit_trail
    # 2024-04-02 08:00 in Tokyo is still 2024-04-01 in UTC: the network's day counts.
    assert datetime(2024, 4, 2, 8, tzinfo=TOKYO).astimezone(ZoneInfo("UTC")).date() == date(2024, 4, 1)

    assert shown(client, since="2024-04-02", until="2024-04-02") == [
        trail["hr_viewed_0402"],
        trail["admin_settings_0402_early"],
    ]
    assert shown(client, since="2024-04-05") == [trail["editor_created_0410"], trail["hr_viewed_0405"]]
    assert shown(client, until="2024-04-01") == [trail["admin_created_0401"]]


def test_it_combines_audit_log_filters(audit_trail: tuple[Client, dict[str, int]]) -> None:
    client, trail = audit_trail

    assert shown(client, action="member.viewed", actor="hr", since="2024-04-03") == [trail["hr_viewed_0405"]]
    assert shown(client, action="company.created", actor="hr") == []


def test_it_welcomes_a_former_member_back_as_staff(net_a: PersonaNetwork) -> None:
    former = net_a.memberships["alumnus2"]
    with scope(network=net_a.network):
        Membership.objects.filter(pk=former.pk).update(state=MembershipState.LEFT)
        invitation = services.invite_staff(net_a.network, net_a.admin, net_a.alumnus2.email, "editor")
        membership = services.accept_staff_invitation(invitation, net_a.alumnus2)

        assert membership.pk == former.pk
        assert Membership.objects.filter(network=net_a.network, user=net_a.alumnus2).count() == 1
        former.refresh_from_db()
    assert (former.role, former.state) == ("editor", MembershipState.ACTIVE)


def test_it_lists_members_in_kana_order_and_follows_name_changes(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")

    def listed_names() -> list[str]:
        response = client.get("/n/alpha/manage/members/")
        return [m.user.family_name for m in response.context["page"].object_list]

    # Readings: ジム ジンジ コウホウ ブンセキ チョウセイ シエン サトウ スズキ, listed in kana order.
    assert listed_names() == ["広報", "佐藤", "支援", "事務", "人事", "鈴木", "調整", "分析"]

    net_a.alumnus2.family_name_kana = "アオキ"
    net_a.alumnus2.save()

    assert listed_names()[0] == "鈴木"
    with scopes_disabled():
        assert Membership.objects.get(pk=net_a.memberships["alumnus2"].pk).sort_name == "あおき ふたば"


def test_it_deletes_a_whole_network_with_its_records(net_a: PersonaNetwork) -> None:
    from enishi.intake.models import EmploymentRecord

    with scopes_disabled():
        EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="E1", family_name="佐藤", given_name="一郎"
        )
        network_id = net_a.network.pk
        net_a.network.delete()

        assert Network.objects.filter(pk=network_id).count() == 0
        assert EmploymentRecord.objects.count() == 0
        assert Company.objects.filter(network_id=network_id).count() == 0


def test_it_refuses_an_accent_too_light_to_read(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")
    data = {"name_ja": "アルファ", "name_en": "", "accent_colour": "#FFCC00", "languages": ["ja", "en"]}

    response = client.post(reverse("manage:settings", args=["alpha"]), data)

    assert response.status_code == 200
    assert "4.5:1" in response.content.decode()
    with scopes_disabled():
        assert Network.objects.get(pk=net_a.network.pk).accent_colour == "#1F5FA8"


def test_it_finds_members_by_reading_in_any_kana_or_width(net_a: PersonaNetwork) -> None:
    client = net_a.client_for("admin")
    url = reverse("manage:members", args=["alpha"])

    for query in ("すずき", "スズキ", "ｽｽﾞｷ", "鈴木"):
        response = client.get(url, {"q": query})
        assert [m.user.email for m in response.context["page"].object_list] == [net_a.alumnus2.email], query


def test_it_shows_no_trace_of_a_network_on_its_404(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    client = net_b.client_for("alumnus1")

    foreign = client.get("/n/alpha/")
    missing = client.get("/n/no-such-network/")

    def without_per_request_secrets(body: bytes) -> str:
        # Nonces, CSRF tokens and the language form's "next" (the path asked for) differ per request.
        text = re.sub(r'nonce="[^"]*"', "nonce", body.decode())
        text = re.sub(r'<input type="hidden"[^>]*>', "", text)
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)

    assert foreign.status_code == missing.status_code == 404
    assert without_per_request_secrets(foreign.content) == without_per_request_secrets(missing.content)
    assert "アルファ" not in foreign.content.decode()
