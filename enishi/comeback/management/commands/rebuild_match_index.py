from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_scopes import scope

from enishi.comeback.matching import rebuild
from enishi.networks.models import Network


class Command(BaseCommand):
    help = "Recompute the matching terms of alumni and opportunities (every network, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--network", help="slug of the network to rebuild (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        networks = Network.objects.order_by("pk")
        if options["network"]:
            networks = networks.filter(slug=options["network"])
        for network in networks:
            with scope(network=network):
                count = rebuild(network)
            self.stdout.write(f"{network.slug}: {count} members indexed")
