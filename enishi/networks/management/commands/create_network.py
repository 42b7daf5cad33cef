from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enishi.accounts.models import User
from enishi.networks.models import Network
from enishi.networks.services import create_network


class Command(BaseCommand):
    help = "Create an alumni network with its companies and a first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="address of the network: /n/<slug>/")
        parser.add_argument("name_ja", help="name in Japanese")
        parser.add_argument("--name-en", default="", help="name in English")
        parser.add_argument(
            "--company", action="append", default=[], metavar="NAME_JA[|NAME_EN]",
            help="a company of the group (repeat); default: one company named like the network",
        )  # fmt: skip
        parser.add_argument("--admin-email", required=True, help="first administrator's email")
        parser.add_argument("--admin-password", default=None, help="password if the account is new")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        if Network.objects.filter(slug=slug).exists():
            raise CommandError(f"A network with the address {slug!r} already exists.")
        email = options["admin_email"].lower()
        admin = User.objects.filter(email=email).first()
        if admin is None:
            admin = User.objects.create_user(email, options["admin_password"])
            self.stdout.write(f"Created account {email}" + ("" if options["admin_password"] else
                              " (no password: use 'forgot password' to set one)"))  # fmt: skip
        companies = [tuple([*spec.split("|", 1), ""][:2]) for spec in options["company"]] or None
        network = create_network(
            slug=slug, name_ja=options["name_ja"], name_en=options["name_en"],
            companies=companies, admin=admin,
        )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"Network {network.slug} created: /n/{network.slug}/"))
