"""Business verbs of networks: creating them, their companies, staff and members' roles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from enishi.accounts.models import User
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import STAFF_ROLES, MembershipState, Role
from enishi.privacy.services import audit


@transaction.atomic
def create_network(
    *,
    slug: str,
    name_ja: str,
    name_en: str = "",
    companies: list[tuple[str, str]] | None = None,
    admin: User | None = None,
    actor: User | None = None,
) -> Network:
    network = Network.objects.create(slug=slug, name_ja=name_ja, name_en=name_en)
    with scope(network=network):
        for position, (company_ja, company_en) in enumerate(companies or [(name_ja, name_en)]):
            Company.objects.create(network=network, name_ja=company_ja, name_en=company_en, position=position)
        if admin is not None:
            Membership.objects.create(
                network=network, user=admin, role=Role.ADMIN,
                state=MembershipState.ACTIVE, activated_at=timezone.now(),
            )  # fmt: skip
        audit(network, actor, "network.created", network)
    return network


def update_network_settings(
    network: Network, actor: User, changed: list[str], request: HttpRequest | None = None
) -> None:
    """Save a settings form's changes (already applied to `network`) and log which fields moved."""
    if not changed:
        return
    network.save(update_fields=list(changed))
    audit(network, actor, "network.settings_changed", network, request=request,
          fields=sorted(changed))  # fmt: skip


def save_company(network: Network, actor: User, company: Company, request: HttpRequest | None = None) -> Company:
    created = company.pk is None
    company.network = network
    company.save()
    audit(network, actor, "company.created" if created else "company.changed", company, request=request)
    return company


def _is_last_active_admin(membership: Membership) -> bool:
    if membership.role != Role.ADMIN or membership.state != MembershipState.ACTIVE:
        return False
    # Lock the active admins' rows: two admins demoting each other at once must not both succeed.
    active_admins = Membership.objects.select_for_update().filter(
        network=membership.network, role=Role.ADMIN, state=MembershipState.ACTIVE
    )
    return len(list(active_admins)) <= 1


def _reindex(membership: Membership) -> None:
    from enishi.directory.indexing import reindex_members

    reindex_members(membership.network, [membership.pk])


@transaction.atomic
def change_role(membership: Membership, actor: User, role: str, request: HttpRequest | None = None) -> None:
    if role not in Role.values:
        raise ActionRefused(_("Unknown role."))
    if membership.role == role:
        return
    if membership.user_id == actor.pk:
        raise ActionRefused(_("You cannot change your own role. Ask another administrator."))
    if _is_last_active_admin(membership):
        raise ActionRefused(_("A network needs at least one active administrator."))
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _reindex(membership)
    audit(membership.network, actor, "member.role_changed", membership, request=request,
          previous=previous, new=role)  # fmt: skip


@transaction.atomic
def set_covered_companies(
    membership: Membership, actor: User, companies: Iterable[Company], request: HttpRequest | None = None
) -> bool:
    """Set the companies a staff member covers (see Network.hr_restricted_to_companies); audited as a
    permission change. Returns False (nothing written) when the set is unchanged."""
    chosen = list(companies)
    if any(company.network_id != membership.network_id for company in chosen):
        raise ValueError("A company never crosses networks.")
    previous = sorted(membership.covered_companies.values_list("pk", flat=True))
    new = sorted(company.pk for company in chosen)
    if previous == new:
        return False
    membership.covered_companies.set(chosen)
    audit(membership.network, actor, "member.companies_changed", membership, request=request,
          previous=previous, new=new)  # fmt: skip
    return True


@transaction.atomic
def suspend_member(membership: Membership, actor: User, reason: str = "", request: HttpRequest | None = None) -> None:
    if membership.user_id == actor.pk:
        raise ActionRefused(_("You cannot suspend yourself."))
    if membership.state == MembershipState.SUSPENDED:
        return
    if _is_last_active_admin(membership):
        raise ActionRefused(_("A network needs at least one active administrator."))
    previous = membership.state
    membership.state = MembershipState.SUSPENDED
    membership.suspended_at = timezone.now()
    membership.save(update_fields=["state", "suspended_at"])
    _reindex(membership)
    audit(membership.network, actor, "member.suspended", membership, request=request,
          previous=previous, reason=reason[:500])  # fmt: skip


@transaction.atomic
def reactivate_member(membership: Membership, actor: User, request: HttpRequest | None = None) -> None:
    if membership.state != MembershipState.SUSPENDED:
        return
    membership.state = MembershipState.ACTIVE
    membership.suspended_at = None
    membership.save(update_fields=["state", "suspended_at"])
    _reindex(membership)
    audit(membership.network, actor, "member.reactivated", membership, request=request)


@transaction.atomic
def invite_staff(
    network: Network, actor: User, email: str, role: str, request: HttpRequest | None = None
) -> StaffInvitation:
    from enishi.notifications import emails

    if role not in STAFF_ROLES:
        raise ActionRefused(_("Staff invitations are for staff roles only."))
    email = email.strip().lower()
    existing = Membership.objects.filter(network=network, user__email__iexact=email).first()
    if existing is not None and existing.state != MembershipState.LEFT:
        raise ActionRefused(
            _("%(email)s is already a member of this network. Change their role on the members page.")
            % {"email": email}
        )
    StaffInvitation.objects.filter(network=network, email__iexact=email, accepted_at__isnull=True,
                                   revoked_at__isnull=True).update(revoked_at=timezone.now())  # fmt: skip
    invitation = StaffInvitation.objects.create(network=network, email=email, role=role, invited_by=actor)
    audit(network, actor, "staff.invited", invitation, request=request, role=role)
    emails.staff_invitation(invitation)
    return invitation


@transaction.atomic
def revoke_staff_invitation(invitation: StaffInvitation, actor: User, request: HttpRequest | None = None) -> None:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(invitation.network, actor, "staff.invitation_revoked", invitation, request=request)


@transaction.atomic
def accept_staff_invitation(invitation: StaffInvitation, user: User, request: HttpRequest | None = None) -> Membership:
    # Re-read under a lock: a double tap, or a revocation in flight, must not win.
    invitation = StaffInvitation.objects.select_for_update().select_related("network").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ActionRefused(
            _("This invitation has expired or has already been used. Ask the secretariat for a new one.")
        )
    network = invitation.network
    membership = Membership.objects.filter(network=network, user=user).first()
    if membership is not None and membership.state != MembershipState.LEFT:
        raise ActionRefused(_("You are already a member of this network. An administrator can change your role."))
    if membership is None:
        membership = Membership(network=network, user=user)
    # A former member who comes back as staff keeps one row per person and network.
    membership.role = invitation.role
    membership.state = MembershipState.ACTIVE
    membership.activated_at = timezone.now()
    membership.left_at = None
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit(network, user, "staff.invitation_accepted", membership, request=request, role=invitation.role)
    return membership


MAX_INVITED = 2000
_ADDRESS_SEPARATORS = re.compile(r"[\s,;、，；]+")


def members_by_email(network: Network, text: str) -> tuple[list[int], str]:
    """The members of `network` named by the email addresses in `text` (one per line, or separated
    by commas or spaces), in the order typed: (membership ids, ""), or ([], the reason to show) when
    the list is empty, too long, or names anyone who is not a member (all of them listed back).
    Used by the "invited people only" audiences of events and opportunities."""
    addresses = list(dict.fromkeys(part.lower() for part in _ADDRESS_SEPARATORS.split(text) if part))
    if not addresses:
        return [], _("Write the email addresses of the people invited.")
    if len(addresses) > MAX_INVITED:
        return [], _("At most %(count)d addresses.") % {"count": MAX_INVITED}
    query = Q()
    for address in addresses:
        query |= Q(user__email__iexact=address)
    found = (
        Membership.objects.filter(query, network=network)
        .exclude(state=MembershipState.LEFT)
        .values_list("user__email", "pk")
    )
    known = {email.lower(): pk for email, pk in found}
    unknown = [address for address in addresses if address not in known]
    if unknown:
        message = _("Not members of this network: %(addresses)s. Remove them (or invite them to the network first).")
        return [], message % {"addresses": ", ".join(unknown)}
    return [known[address] for address in addresses], ""


def keep_exactly_members(
    rows: QuerySet[Any], make: Callable[[int], Any], network_id: int, membership_ids: Iterable[int]
) -> int:
    """Make `rows` (one row per member: an event's or an opportunity's invitees) hold exactly these
    members of the network; `make(membership_id)` builds a missing row. Another network's ids are
    dropped. Returns how many members the rows now hold."""
    kept = set(
        Membership.objects.filter(network_id=network_id, pk__in=set(membership_ids)).values_list("pk", flat=True)
    )
    rows.exclude(membership_id__in=kept).delete()
    existing = set(rows.values_list("membership_id", flat=True))
    rows.bulk_create([make(pk) for pk in kept - existing], batch_size=INVITEE_BATCH_SIZE)
    return len(kept)


INVITEE_BATCH_SIZE = 5000
