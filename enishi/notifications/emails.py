"""One function per email. Templates live in templates/emails/<kind>-{subject,body}.*"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from enishi.accounts.services import language_for_email
from enishi.intake.models import AlumniInvitation, Registration
from enishi.networks.models import Membership, StaffInvitation
from enishi.notifications.models import Notification, OutboundEmail
from enishi.notifications.services import queue_email
from enishi.notifications.topics import DIGEST_TOPIC, Topic
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


def _person_language(membership: Membership) -> str:
    return membership.user.language or language_for_email(membership.user.email, membership.network)


def notification(item: Notification) -> OutboundEmail:
    """One notification emailed at once (topics set to "email now"), with one-click unsubscribe."""
    from enishi.notifications import services

    recipient = item.recipient
    network = recipient.network
    language = _person_language(recipient)
    with translation.override(language):
        sentence = services.sentence(item)
        topic = str(Topic(item.topic).label) if item.topic in Topic.values else item.topic
    return queue_email(
        kind="notification",
        to=recipient.user.email,
        language=language,
        context={
            "person": recipient.user,
            "sentence": sentence,
            "excerpt": item.text,
            "topic": topic,
            "open_path": reverse("network:notification_open", args=[network.slug, item.pk]),
            "settings_path": reverse("network:notification_settings", args=[network.slug]),
            "unsubscribe_url": services.unsubscribe_url(recipient, item.topic, item.subtopic),
        },
        network=network,
        headers=services.unsubscribe_headers(recipient, item.topic, item.subtopic),
        reference=f"notification:{item.pk}",
    )


def digest(recipient: Membership, items: list[Notification], total: int) -> OutboundEmail:
    """The weekly or monthly digest: what waited for it, newest first (at most DIGEST_LIMIT shown)."""
    from enishi.notifications import services

    network = recipient.network
    language = _person_language(recipient)
    with translation.override(language):
        lines = [
            {
                "sentence": services.sentence(item),
                "excerpt": item.text,
                "open_path": reverse("network:notification_open", args=[network.slug, item.pk]),
            }
            for item in items
        ]
    return queue_email(
        kind="digest",
        to=recipient.user.email,
        language=language,
        context={
            "person": recipient.user,
            "items": lines,
            "total": total,
            "more": max(total - len(lines), 0),
            "list_path": reverse("network:notifications", args=[network.slug]),
            "settings_path": reverse("network:notification_settings", args=[network.slug]),
            "unsubscribe_url": services.unsubscribe_url(recipient, DIGEST_TOPIC),
        },
        network=network,
        headers=services.unsubscribe_headers(recipient, DIGEST_TOPIC),
        reference=f"digest:{recipient.pk}",
    )
