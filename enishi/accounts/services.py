from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from enishi.accounts.models import User
from enishi.networks.models import Membership, Network, StaffInvitation
from enishi.networks.roles import MembershipState

if TYPE_CHECKING:
    from enishi.intake.models import Registration


def memberships_of(user: User) -> list[Membership]:
    """The networks a person may enter (active or awaiting approval), across all tenants.

    This is the one place that reads memberships across networks: the network picker and the
    switcher need every network of the person, by construction only the person's own rows.
    """
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, state__in=(MembershipState.ACTIVE, MembershipState.PENDING))
            .select_related("network")
            .order_by("network__slug")
        )


def open_staff_invitations_for(user: User) -> list[StaffInvitation]:
    """Staff invitations waiting for this person's address, in any network (for the picker)."""
    with scopes_disabled():  # the person's own invitations, found by their address across networks
        return list(
            StaffInvitation.objects.filter(
                email__iexact=user.email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).select_related("network")
        )


def unfinished_registration_of(user: User) -> Registration | None:
    """A registration the person started (or was asked to complete) and has not sent yet, in any network."""
    from enishi.intake.models import Registration

    with scopes_disabled():  # the person's own registrations, across networks
        return (
            Registration.objects.filter(
                user=user, status__in=(Registration.Status.DRAFT, Registration.Status.NEEDS_INFO)
            )
            .select_related("network")
            .order_by("-updated_at")
            .first()
        )


def language_for_email(email: str, network: Network | None = None) -> str:
    """The language to write to `email` in: theirs if they have an account, else the network's."""
    user = User.objects.filter(email__iexact=email).only("language").first()
    if user is not None:
        return user.language
    if network is not None and network.languages:
        return str(network.languages[0])
    return settings.LANGUAGE_CODE


def set_user_language(user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
