"""One function per email. Templates live in templates/emails/<kind>-{subject,body}.*"""

from __future__ import annotations

from django.urls import reverse

from enishi.accounts.services import language_for_email
from enishi.intake.models import AlumniInvitation
from enishi.networks.models import StaffInvitation
from enishi.notifications.models import OutboundEmail
from enishi.notifications.services import queue_email


def staff_invitation(invitation: StaffInvitation) -> OutboundEmail:
    network = invitation.network
    url = reverse("network:accept_staff_invitation", args=[network.slug, invitation.token])
    return queue_email(
        kind="staff-invitation",
        to=invitation.email,
        language=language_for_email(invitation.email, network),
        context={"invitation": invitation, "accept_path": url},
        network=network,
    )


def alumni_invitation(invitation: AlumniInvitation) -> OutboundEmail:
    network = invitation.network
    url = reverse("network:join", args=[network.slug, invitation.token])
    return queue_email(
        kind="alumni-invitation",
        to=invitation.email,
        language=language_for_email(invitation.email, network),
        context={"invitation": invitation, "record": invitation.record, "join_path": url},
        network=network,
    )
