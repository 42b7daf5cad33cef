"""Purpose-of-use notices (利用目的の通知), their acceptance, and consents per purpose.

Every lookup is filtered by the membership's (or the given) network. Later features must call
`has_consent` right before each use of personal data for a purpose: a withdrawal takes effect at
once, so a consent must never be cached across uses.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from enishi.accounts.models import User
from enishi.networks.models import Membership, Network
from enishi.privacy.models import Consent, ConsentPurpose, NoticeAcceptance, PrivacyNotice
from enishi.privacy.services import audit

_LOOK_UP = object()  # grant_consent: read the notice in force itself


def current_notice(network: Network) -> PrivacyNotice | None:
    """The network's notice in force: the published one with the highest version, if any."""
    return PrivacyNotice.objects.filter(network=network, published_at__isnull=False).order_by("-version").first()


def publish_notice(network: Network, actor: User | None, body_ja: str, body_en: str) -> PrivacyNotice:
    """Publish a new version of the network's notice, numbered after every existing one (drafts too)."""
    with transaction.atomic():
        # Lock the network row so two publishers cannot take the same version number.
        Network.objects.select_for_update().filter(pk=network.pk).exists()
        highest = PrivacyNotice.objects.filter(network=network).aggregate(highest=Max("version"))["highest"]
        notice = PrivacyNotice.objects.create(
            network=network,
            version=(highest or 0) + 1,
            body_ja=body_ja,
            body_en=body_en,
            published_at=timezone.now(),
            created_by=actor,
        )
        audit(network, actor, "privacy_notice.published", notice, version=notice.version)
    return notice


def needs_acceptance(membership: Membership) -> bool:
    """Whether the network has a notice in force that this member has not yet accepted."""
    notice = current_notice(membership.network)
    if notice is None:
        return False
    return not NoticeAcceptance.objects.filter(
        network_id=membership.network_id, membership=membership, notice=notice
    ).exists()


def accept_notice(membership: Membership, notice: PrivacyNotice) -> NoticeAcceptance:
    """Record that the member accepted `notice`. Accepting again returns the first record.

    Raises ValueError for a draft or for another network's notice, and then writes nothing.
    """
    if notice.network_id != membership.network_id:
        raise ValueError("The notice belongs to another network.")
    if notice.published_at is None:
        raise ValueError("A draft notice cannot be accepted.")
    with transaction.atomic():
        acceptance, created = NoticeAcceptance.objects.get_or_create(
            network_id=membership.network_id, membership=membership, notice=notice
        )
        if created:
            audit(membership.network, membership.user, "privacy_notice.accepted", notice, version=notice.version)
    return acceptance


def _active_consents(membership: Membership, purpose: str) -> QuerySet[Consent]:
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"Unknown consent purpose {purpose!r}.")
    return Consent.objects.filter(
        network_id=membership.network_id, membership=membership, purpose=purpose, withdrawn_at__isnull=True
    )


def grant_consent(
    membership: Membership, purpose: ConsentPurpose | str, notice: PrivacyNotice | object | None = _LOOK_UP
) -> Consent:
    """Record the member's consent to `purpose`; while one is in force, return it unchanged.

    The consent remembers the version of the notice in force (None if the network has none yet);
    a caller that has just read it passes it as `notice` to save the query.
    """
    with transaction.atomic():
        # Serialise grants and withdrawals of one member, so at most one consent is in force.
        Membership.objects.select_for_update().filter(pk=membership.pk).exists()
        existing = _active_consents(membership, purpose).first()
        if existing is not None:
            return existing
        in_force = current_notice(membership.network) if notice is _LOOK_UP else notice
        consent = Consent.objects.create(
            network_id=membership.network_id,
            membership=membership,
            purpose=purpose,
            notice_version=in_force.version if isinstance(in_force, PrivacyNotice) else None,
        )
        audit(membership.network, membership.user, "consent.granted", consent, purpose=str(purpose))
        _reindex_if_directory(membership, purpose)
    return consent


def withdraw_consent(membership: Membership, purpose: ConsentPurpose | str) -> bool:
    """Withdraw the member's consent to `purpose` at once. False (and nothing written) if none was in force."""
    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=membership.pk).exists()
        consent = _active_consents(membership, purpose).first()
        if consent is None:
            return False
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit(membership.network, membership.user, "consent.withdrawn", consent, purpose=str(purpose))
        _reindex_if_directory(membership, purpose)
    return True


def _reindex_if_directory(membership: Membership, purpose: ConsentPurpose | str) -> None:
    """The directory consent decides whether other alumni find the person, the rehire-contact one
    whether hr's matches offer them: update the indexes now, in the same transaction, so a
    withdrawal takes effect at once."""
    if purpose in (ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.REHIRE_CONTACT):
        from enishi.directory.indexing import reindex_members

        reindex_members(membership.network, [membership.pk])


def has_consent(membership: Membership, purpose: ConsentPurpose | str) -> bool:
    """Whether the member's consent to `purpose` is in force now. Call it before each use."""
    return _active_consents(membership, purpose).exists()


NOTICE_SESSION_KEY = "enishi_notice_accepted"


def notice_accepted(request: HttpRequest, membership: Membership) -> bool:
    """Whether the member has accepted the notice in force, cheaply: one small query per request
    (the version in force), the acceptance itself remembered in the session once found."""
    version = PrivacyNotice.objects.filter(network=membership.network, published_at__isnull=False).aggregate(
        version=Max("version")
    )["version"]
    if version is None:
        return True
    remembered = request.session.get(NOTICE_SESSION_KEY, {})
    if remembered.get(str(membership.network_id)) == version:
        return True
    if needs_acceptance(membership):
        return False
    request.session[NOTICE_SESSION_KEY] = {**remembered, str(membership.network_id): version}
    return True
