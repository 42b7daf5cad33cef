from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from enishi.accounts.models import User
from enishi.directory.indexing import reindex_members
from enishi.intake.models import EmploymentRecord
from enishi.networks.models import Company, Membership, Network
from enishi.networks.roles import MembershipState, Role
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent
from enishi.profiles.models import CareerEntry, Profile, ProfileSkill, Skill

Person = Callable[..., Membership]


@pytest.fixture
def person(db: None) -> Person:
    """An active alumnus with a profile, indexed; listed in the directory unless consent=False."""
    counter = iter(range(1, 10_000))

    def make(
        network: Network,
        family: str,
        given: str,
        family_kana: str = "",
        given_kana: str = "",
        *,
        consent: bool = True,
        last_active_on: date | None = None,
        company: Company | None = None,
        leave_date: date | None = None,
        skills: tuple[str, ...] = (),
        career: tuple[tuple[str, str, str], ...] = (),
        **profile_fields: Any,
    ) -> Membership:
        number = next(counter)
        with scopes_disabled():
            user = User.objects.create_user(
                f"person{number}-{network.slug}@example.com",
                "x",
                family_name=family,
                given_name=given,
                family_name_kana=family_kana,
                given_name_kana=given_kana,
            )
            membership = Membership.objects.create(
                network=network,
                user=user,
                role=Role.ALUMNUS,
                state=MembershipState.ACTIVE,
                activated_at=timezone.now(),
                last_active_on=last_active_on or date(2024, 1, number % 28 + 1),
            )
            profile = Profile.objects.create(network=network, membership=membership, **profile_fields)
            for name in skills:
                skill, _created = Skill.objects.get_or_create(key=name.lower(), defaults={"name": name})
                ProfileSkill.objects.create(network=network, profile=profile, skill=skill)
            for organisation, role_title, description in career:
                CareerEntry.objects.create(
                    network=network,
                    profile=profile,
                    organisation=organisation,
                    role_title=role_title,
                    description=description,
                )
            if company is not None:
                EmploymentRecord.objects.create(
                    network=network,
                    company=company,
                    membership=membership,
                    employee_number=f"E{number}",
                    family_name=family,
                    given_name=given,
                    leave_date=leave_date,
                )
            if consent:
                grant_consent(membership, ConsentPurpose.DIRECTORY_LISTING)
            reindex_members(network, [membership.pk])
        return membership

    return make
