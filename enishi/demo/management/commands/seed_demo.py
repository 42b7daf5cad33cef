from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enishi.demo import services
from enishi.demo.catalogue import NETWORKS
from enishi.networks.models import Network

DEFAULT_ALUMNI = 2000
DEFAULT_SEED = 42


class Command(BaseCommand):
    help = (
        "Create the demo: network 'demo' (a corporate group with many alumni and one account per role) "
        "and a small second network 'other'. Same seed, same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alumni", type=int, default=DEFAULT_ALUMNI,
                            help=f"generated alumni in 'demo' (default {DEFAULT_ALUMNI})")  # fmt: skip
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any network exists")
        parser.add_argument("--reset", action="store_true", help="delete the demo networks and their people first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["alumni"] < 0:
            raise CommandError("--alumni must be 0 or more.")
        if options["if_empty"] and Network.objects.exists():
            self.stdout.write("Networks already exist: the demo was not seeded.")
            return
        if options["reset"] and services.demo_exists():
            self.stdout.write("Removing the previous demo…")
            services.reset_demo(progress=self.stdout.write)
        started = time.monotonic()
        try:
            summary = services.seed_demo(alumni=options["alumni"], seed=options["seed"], progress=self.stdout.write)
        except services.DemoRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready in {time.monotonic() - started:.1f} s: {summary.networks} networks, "
            f"{summary.users:,} people, {summary.employment_records:,} employment records, "
            f"{summary.active_days:,} active days."
        ))  # fmt: skip
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Log in with password {settings.ENISHI_DEMO_PASSWORD!r}:")
        for spec in NETWORKS:
            accounts = ", ".join(f"{account.email} ({account.role.value})" for account in spec.accounts)
            self.stdout.write(f"  /n/{spec.slug}/  {accounts}")
