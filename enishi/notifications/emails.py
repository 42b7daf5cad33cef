"""One function per email. Templates live in templates/emails/<kind>-{subject,body}.*"""

from __future__ import annotations

from django.urls import reverse

from enishi.accounts.services import language_for_email
from enishi.intake.models import AlumniInvitation, Registration
from enishi.networks.models import StaffInvitation
from enishi.notifications.models import OutboundEmail
from enishi.notifications.services import queue_email
from enishi.profiles.models import Profile


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
        reference=alumni_invitation_reference(invitation),
    )


def alumni_invitation_reminder(invitation: AlumniInvitation) -> OutboundEmail:
    network = invitation.network
    url = reverse("network:join", args=[network.slug, invitation.token])
    return queue_email(
        kind="alumni-invitation-reminder",
        to=invitation.email,
        language=language_for_email(invitation.email, network),
        context={"invitation": invitation, "record": invitation.record, "join_path": url},
        network=network,
        reference=alumni_invitation_reference(invitation),
    )


ALUMNI_INVITATION_REFERENCE = "alumni_invitation"


def alumni_invitation_reference(invitation: AlumniInvitation) -> str:
    """What a bounce of this email points back to (read by intake.signals)."""
    return f"{ALUMNI_INVITATION_REFERENCE}:{invitation.pk}"


def _registration_email(registration: Registration, *, kind: str, **context: object) -> OutboundEmail:
    """The applicant's emails about their registration: approved, more information asked, rejected."""
    network, to = registration.network, registration.user.email
    return queue_email(kind=kind, to=to, language=language_for_email(to, network),
                       context={"registration": registration, **context}, network=network)  # fmt: skip


def registration_approved(registration: Registration) -> OutboundEmail:
    home = reverse("network:home", args=[registration.network.slug])
    return _registration_email(registration, kind="registration-approved", home_path=home)


def registration_needs_info(registration: Registration) -> OutboundEmail:
    join = reverse("network:public_join", args=[registration.network.slug])
    return _registration_email(registration, kind="registration-needs-info", join_path=join)


def registration_rejected(registration: Registration) -> OutboundEmail:
    return _registration_email(registration, kind="registration-rejected")


def profile_checkin(profile: Profile) -> OutboundEmail:
    """The periodic check-in ("is this still right?") of an alumnus's profile and intent."""
    network, to = profile.network, profile.membership.user.email
    return queue_email(
        kind="profile-checkin",
        to=to,
        language=language_for_email(to, network),
        context={
            "person": profile.membership.user,
            "profile_path": reverse("network:my_profile", args=[network.slug]),
            "intent_path": reverse("network:intent_edit", args=[network.slug]),
        },
        network=network,
        reference=f"profile_checkin:{profile.pk}",
    )
