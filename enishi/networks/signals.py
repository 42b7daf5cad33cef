"""Signals that networks sends to apps built on top of it.

The house rule is "no signals for internal flows": services call each other explicitly. The one
exception is an event that apps *later in the dependency order* must react to, where an explicit
call would make networks (or intake) import every app that keeps rows per member.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent by intake.approvals.merge_members, inside its transaction, after the employment records and
# registrations have moved and before `merged` is marked as left. Keyword arguments: `network`, `kept`
# and `merged` (both Membership). Receivers move their own rows of `merged` to `kept` (profiles,
# event RSVPs, applications…); an exception in a receiver rolls the whole merge back.
members_merged = Signal()

# Sent by directory.indexing.reindex_members, inside the caller's transaction, after the services
# changed what a member's derived rows hold (profile, intent, names, consents, state, employment
# records). Keyword arguments: `network` and `membership_ids` (a list). Receivers rebuild their own
# per-member indexes (comeback's matching terms).
members_reindexed = Signal()

# Sent by directory.indexing.touch after a member's first request of a day (`membership`, whose
# `last_active_on` is today).
member_touched = Signal()
