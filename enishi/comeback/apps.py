from __future__ import annotations

from django.apps import AppConfig


class ComebackConfig(AppConfig):
    name = "enishi.comeback"
    verbose_name = "Comeback"

    def ready(self) -> None:
        from enishi.comeback.attribution import opportunity_actions
        from enishi.events.attribution import register_source

        register_source(opportunity_actions)

        from enishi.comeback import receivers
        from enishi.networks.signals import member_touched, members_reindexed

        members_reindexed.connect(receivers.reindex_matching, dispatch_uid="comeback.matching")
        member_touched.connect(receivers.touch_matching, dispatch_uid="comeback.matching")
