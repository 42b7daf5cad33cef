"""How each member came to register: the personal invitation they accepted, or the join link (or
bare join page) of their approved registration. Shown to staff as a directory facet."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from enishi.intake.models import AlumniInvitation, Registration
from enishi.networks.models import Network


class RegistrationSource(models.TextChoices):
    EMAIL = "email", _("Personal invitation by email")
    AUTOMATIC = "automatic", _("Automatic invitation after leaving")
    FLYER = "flyer", _("Invitation flyer")
    HOMEPAGE = "link_homepage", _("Join link: company homepage")
    PRESS = "link_press", _("Join link: press release")
    EVENT = "link_event", _("Join link: event")
    FLYER_STACK = "link_flyer", _("Join link: flyer stack")
    REFERRAL = "link_referral", _("Referral by an alumnus")
    OTHER_LINK = "link_other", _("Join link: other")
    PAGE = "page", _("Join page without a link")
    SECRETARIAT = "secretariat", _("Added by the secretariat")


def sources_of(network: Network, membership_ids: Iterable[int]) -> dict[int, str]:
    """RegistrationSource value per membership id, in two queries; an accepted invitation wins."""
    ids = list(membership_ids)
    sources = dict.fromkeys(ids, RegistrationSource.SECRETARIAT.value)
    for membership_id, channel_kind in Registration.objects.filter(
        network=network, membership_id__in=ids, status=Registration.Status.APPROVED
    ).values_list("membership_id", "channel__kind"):
        sources[membership_id] = f"link_{channel_kind}" if channel_kind else RegistrationSource.PAGE.value
    for membership_id, delivery, automatic in AlumniInvitation.objects.filter(
        network=network, record__membership_id__in=ids, accepted_at__isnull=False
    ).values_list("record__membership_id", "delivery", "automatic"):
        if delivery == AlumniInvitation.Delivery.FLYER:
            sources[membership_id] = RegistrationSource.FLYER.value
        else:
            sources[membership_id] = (RegistrationSource.AUTOMATIC if automatic else RegistrationSource.EMAIL).value
    return sources
