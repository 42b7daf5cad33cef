"""Fixtures shared by every app's tests.

Personas (DESIGN.md, "Testing"): two networks, A and B, each with an admin, hr, editor, analyst,
coordinator, supporter and two alumni. `outsider` is an alumnus of B only. Staff personas have a
TOTP authenticator (secret `TOTP_SECRET`), so the staff-MFA rule is satisfied unless a test says
otherwise. Everyone's password is `PASSWORD` and their email address is verified, so they can log
in through the real form.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from enishi.accounts.models import User
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import STAFF_ROLES, MembershipState, Role

# Browser journeys' fixtures (Chromium via Playwright), for any app's tests.
pytest_plugins = ["browser_fixtures"]

PASSWORD = "persona-password-2024"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# (attribute, role, family name, given name, family kana, given kana)
PERSONAS = [
    ("admin", Role.ADMIN, "事務", "局子", "ジム", "キョクコ"),
    ("hr", Role.HR, "人事", "太郎", "ジンジ", "タロウ"),
    ("editor", Role.EDITOR, "広報", "花子", "コウホウ", "ハナコ"),
    ("analyst", Role.ANALYST, "分析", "次郎", "ブンセキ", "ジロウ"),
    ("coordinator", Role.COORDINATOR, "調整", "三郎", "チョウセイ", "サブロウ"),
    ("supporter", Role.SUPPORTER, "支援", "美咲", "シエン", "ミサキ"),
    ("alumnus1", Role.ALUMNUS, "佐藤", "一郎", "サトウ", "イチロウ"),
    ("alumnus2", Role.ALUMNUS, "鈴木", "二葉", "スズキ", "フタバ"),
]


@dataclass
class PersonaNetwork:
    """A network with one member per persona, reachable as attributes (`a.admin`, `a.hr`…)."""

    network: Network
    company: Company
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def client_for(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.users[persona])
        return client


def current_totp_code(secret: str = TOTP_SECRET) -> str:
    counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter))


def give_totp(user: User, secret: str = TOTP_SECRET) -> Authenticator:
    return TOTP.activate(user, secret).instance


def build_persona_network(slug: str, name_ja: str, *, email_domain: str) -> PersonaNetwork:
    with scopes_disabled():
        network = Network.objects.create(slug=slug, name_ja=name_ja, name_en=f"{slug.upper()} Network")
        company = Company.objects.create(network=network, name_ja=f"{name_ja}株式会社", name_en=f"{slug.upper()} Inc.")
        result = PersonaNetwork(network=network, company=company)
        for attribute, role, family, given, family_kana, given_kana in PERSONAS:
            user = User.objects.create_user(
                f"{attribute}@{email_domain}",
                PASSWORD,
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            if role in STAFF_ROLES:
                give_totp(user)
            membership = Membership.objects.create(
                network=network, user=user, role=role, state=MembershipState.ACTIVE, activated_at=timezone.now()
            )
            result.users[attribute] = user
            result.memberships[attribute] = membership
    return result


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: one test's failed logins must not block the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def net_a(db: None) -> PersonaNetwork:
    return build_persona_network("alpha", "アルファ", email_domain="a.example")


@pytest.fixture
def net_b(db: None) -> PersonaNetwork:
    return build_persona_network("beta", "ベータ", email_domain="b.example")


@pytest.fixture
def outsider(net_b: PersonaNetwork) -> User:
    """A member of network B only: must never see anything of network A."""
    return net_b.alumnus1


@pytest.fixture
def scope_a(net_a: PersonaNetwork) -> Iterator[Network]:
    """Run the test body inside network A's scope, as a request under /n/alpha/ would."""
    with scope(network=net_a.network):
        yield net_a.network
