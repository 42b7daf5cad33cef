from typing import Any

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "enishi.messaging"
    label = "messaging"

    def ready(self) -> None:
        from enishi.networks.signals import members_merged

        members_merged.connect(_move_member_rows, dispatch_uid="messaging-members-merged")


def _move_member_rows(sender: type, *, kept: Any, merged: Any, **kwargs: Any) -> None:
    """Duplicate members merged (intake.approvals.merge_members): messages follow the kept member."""
    from enishi.messaging.services import move_member_rows

    move_member_rows(kept, merged)
