"""Who may see which part of a profile: the one rule, shared by the profile page and the directory."""

from __future__ import annotations

from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, CONSOLE_SECTIONS
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import has_consent
from enishi.profiles.models import FIELD_GROUPS, Profile, Visibility

# Staff who read member records in the console (admin, HR) also read what alumni share with staff.
MEMBER_RECORD_ROLES = next(section.roles for section in CONSOLE_SECTIONS if section.key == "members")


def visible_groups(viewer: Membership, profile: Profile, *, listed: bool | None = None) -> frozenset[str] | None:
    """The field groups (FieldGroup values) of `profile` that `viewer` may see, or None when the
    viewer may not see the person at all (pages answer 404, the directory leaves them out).

    - The owner sees every group, "only me" included.
    - Staff whose role reaches the members section (admin, HR) see the groups set to "alumni" and
      to "staff", whether or not the person is listed in the directory. Every such view must be
      audit-logged by the caller ("profile.viewed").
    - Other alumni (supporter, alumnus) see the groups set to "alumni", and nothing at all (None) of a
      member who is not active or has not consented to the directory listing (or withdrew it).
    - Other staff (editor, analyst, coordinator) see nothing (None): they have no access to member data.
    - "Only me" is shown to nobody else. Email and phone are in no group: never shown to other alumni.

    Both memberships must be of the same network (anything else sees nothing). `listed` is the
    profile owner's directory consent when the caller already knows it (the directory filters on it
    in SQL); None reads it now, as consents must be checked right before each use.
    """
    if viewer.network_id != profile.network_id:
        return None
    if viewer.pk == profile.membership_id:
        return frozenset(FIELD_GROUPS)
    if viewer.role in MEMBER_RECORD_ROLES:
        allowed = {Visibility.ALUMNI.value, Visibility.STAFF.value}
    elif viewer.role in ALUMNI_ROLES:
        owner = profile.membership
        if not owner.is_active or owner.role not in ALUMNI_ROLES:
            return None
        if listed is None:
            listed = has_consent(owner, ConsentPurpose.DIRECTORY_LISTING)
        if not listed:
            return None
        allowed = {Visibility.ALUMNI.value}
    else:
        return None
    return frozenset(group for group in FIELD_GROUPS if profile.visibility_of(group) in allowed)
