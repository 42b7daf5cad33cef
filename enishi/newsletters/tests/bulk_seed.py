"""A network with many alumni and a newsletter being sent to them, for the worker-kill test and the
newsletter benchmark. Runs in a process of its own (`python -c ...`) against the database named by
DATABASE_URL, and prints the newsletter's id."""

from __future__ import annotations

import sys

BATCH_SIZE = 5000


def seed(count: int, slug: str = "nl-bulk") -> int:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from enishi.accounts.models import User
    from enishi.networks.models import Membership, Network
    from enishi.networks.roles import MembershipState, Role
    from enishi.newsletters import services
    from enishi.newsletters.models import Newsletter

    with scopes_disabled():
        network = Network.objects.create(slug=slug, name_ja="一括送信テスト", name_en="Bulk test")
        staff = User.objects.create_user(f"editor@{slug}.example", "unused-password-123", family_name="広報")
        Membership.objects.create(network=network, user=staff, role=Role.EDITOR, state=MembershipState.ACTIVE)
        now = timezone.now()
        for start in range(0, count, BATCH_SIZE):
            numbers = range(start, min(start + BATCH_SIZE, count))
            users = User.objects.bulk_create(
                [
                    User(email=f"alumnus{number}@{slug}.example", family_name="卒業", given_name=f"{number}号",
                         language="en" if number % 5 == 0 else "ja", password="!")
                    for number in numbers
                ]
            )  # fmt: skip
            if users[0].pk is None:  # a backend without RETURNING: read the ids back
                emails = [user.email for user in users]
                users = list(User.objects.filter(email__in=emails))
            Membership.objects.bulk_create(
                [
                    Membership(network=network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE,
                               activated_at=now, sort_name=user.email)
                    for user in users
                ]
            )  # fmt: skip
    with scope(network=network), transaction.atomic():
        newsletter = services.save_newsletter(
            Newsletter(
                network=network,
                subject_ja="アルムナイ通信 2026年秋号",
                body_ja=_BODY_JA,
                subject_en="Alumni letter, autumn 2026",
                body_en=_BODY_EN,
            ),
            staff,
            [],
        )
        services.start_sending(newsletter, staff)
    return newsletter.pk


_BODY_JA = (
    "<h2>秋の交流会のご案内</h2><p>いつもアルムナイネットワークをご利用いただきありがとうございます。"
    "今年も秋の交流会を開催します。懐かしい仲間との再会や、現役社員との意見交換の場として、ぜひご参加ください。</p>"
    '<p><a href="https://example.com/events/autumn">交流会の詳細と申し込み</a></p>'
    "<h2>社内制度の変化</h2><ul><li>副業の届出が簡単になりました</li><li>リモートワークの対象が全部署に広がりました</li>"
    "<li>カムバック採用の窓口を新設しました</li></ul>"
    '<p>求人情報は<a href="https://example.com/careers">こちら</a>からご覧いただけます。</p>'
) * 3
_BODY_EN = (
    "<h2>Autumn get-together</h2><p>Thank you for being part of our alumni network. This year again we hold an "
    "autumn get-together: meet former colleagues and talk with today's teams.</p>"
    '<p><a href="https://example.com/events/autumn">Details and registration</a></p>'
    '<p>Open positions are <a href="https://example.com/careers">here</a>.</p>'
) * 3


if __name__ == "__main__":
    print(seed(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "nl-bulk"))
