from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enishi.analytics.rollups import rebuild
from enishi.networks.models import Network


class Command(BaseCommand):
    help = "Recompute the dashboard's rollups from the stored facts (every network, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", help="slug of the network to rebuild (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        networks = Network.objects.order_by("pk")
        if options["network"]:
            networks = networks.filter(slug=options["network"])
        for network in networks:
            started = time.perf_counter()
            rebuild(network)
            self.stdout.write(f"{network.slug}: rollups rebuilt in {time.perf_counter() - started:.1f} s")
