"""Demo messages: consent to messages from alumni for most listed alumni, a few conversations between
the named alumni, and the secretariat's shared inbox with inquiries in every status, some assigned,
some with internal notes. Built through the real verbs, so notifications and audit entries are real."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from enishi.demo.services import BATCH_SIZE, Target
from enishi.messaging import services
from enishi.messaging.models import Conversation, Message, SecretariatMessage, SecretariatThread
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES
from enishi.privacy.models import Consent, ConsentPurpose

# Every n-th listed alumnus did not tick "messages from other alumni" at registration.
NO_MESSAGES_EVERY = 5
# Named accounts who accept messages (alumni4 is not listed in the directory and accepts none).
ACCEPTING = ("supporter@demo.example", "alumni1@demo.example", "alumni2@demo.example", "alumni3@demo.example",
             "alumni5@demo.example")  # fmt: skip

# (sender, recipient, hours ago, text): in order; the first message of a pair starts its conversation.
CONVERSATIONS = (
    ("supporter@demo.example", "alumni1@demo.example", 240,
     "佐藤さん、アルムナイネットワークへようこそ！サポーターの吉田です。\n"
     "わからないことがあれば、いつでも聞いてください。"),
    ("alumni1@demo.example", "supporter@demo.example", 230, "ありがとうございます。これからよろしくお願いします。"),
    ("alumni2@demo.example", "alumni1@demo.example", 50,
     "佐藤さん、ご無沙汰しています。営業企画部で一緒だった鈴木です。\n"
     "来月の交流会、参加されますか？"),
    ("alumni1@demo.example", "alumni2@demo.example", 46,
     "鈴木さん、お久しぶりです！参加する予定です。会場は本社の新しい食堂だそうですね。"),
    ("alumni2@demo.example", "alumni1@demo.example", 3,
     "よかったです。当日はぜひ近況を聞かせてください。資料はこちらにまとめています https://example.com/kouryukai"),
    ("alumni3@demo.example", "alumni5@demo.example", 100,
     "渡辺さん、データ分析の勉強会で発表していただけませんか？30分ほどでお願いできればと思っています。"),
)  # fmt: skip

# (alumnus email or None for a generated alumnus, subject, days ago, [(who, text)], status, assignee email)
# who: "alumnus", "reply:<staff email>", "note:<staff email>"
HR, ADMIN, EDITOR = "hr@demo.example", "admin@demo.example", "editor@demo.example"
THREADS = (
    ("alumni1@demo.example", "住所変更のお願い", 6, (
        ("alumnus", "先月引っ越しました。新しい住所は東京都杉並区…です。郵送物の送付先の変更をお願いします。"),
        (f"reply:{HR}", "ご連絡ありがとうございます。送付先を変更しました。念のため、郵便番号も教えていただけますか。"),
    ), "waiting", HR),
    ("alumni2@demo.example", "源泉徴収票の再発行について", 1, (
        ("alumnus", "昨年分の源泉徴収票を紛失してしまいました。再発行していただくことは可能でしょうか。"),
    ), "new", None),
    ("alumni3@demo.example", "退職証明書の発行", 3, (
        ("alumnus", "転職先から退職証明書の提出を求められました。在籍期間と最終の役職を記載していただけますか。"),
        (f"note:{HR}", "人事システムで在籍期間を確認済み。総務の押印待ち（金曜までに発送予定）。"),
    ), "in_progress", HR),
    ("alumni1@demo.example", "カムバック制度について", 30, (
        ("alumnus", "カムバック採用の制度改定のお知らせを見ました。副業として関わる形でも応募できますか。"),
        (f"reply:{ADMIN}", "はい、副業・業務委託の形でもご応募いただけます。\n"
                           "詳しくは「求人・案件」のページをご覧ください。"),
        (f"note:{ADMIN}", "採用担当に共有済み。応募があれば優先的に面談を設定する。"),
        ("alumnus", "ありがとうございます。検討してみます。"),
    ), "closed", ADMIN),
    ("alumni5@demo.example", "交流会（イベント）の参加について", 2, (
        ("alumnus", "来月の交流会に家族を連れて参加してもよいでしょうか。"),
        (f"reply:{EDITOR}", "ご家族の参加も大歓迎です。申込フォームの備考欄に人数をご記入ください。"),
    ), "waiting", EDITOR),
    ("supporter@demo.example", "OB会の写真を共有したい", 5, (
        ("alumnus", "先日の関西OB会の写真を、ネットワークのお知らせで共有していただくことはできますか。"),
        (f"note:{EDITOR}", "写っている方全員の掲載許可が必要。サポーターの吉田さんに確認を依頼する。"),
    ), "in_progress", EDITOR),
    (None, "年金の加入記録について", 0, (
        ("alumnus", "在籍中の厚生年金の加入期間を確認したいのですが、どこに問い合わせればよいですか。"),
    ), "new", None),
    (None, "社内報の送付停止のお願い", 20, (
        ("alumnus", "紙の社内報が今も届いています。メールだけで十分なので、送付を止めてください。"),
        (f"reply:{HR}", "承知しました。次号から郵送を停止します。ご連絡ありがとうございました。"),
    ), "closed", HR),
)  # fmt: skip


def seed_messaging(target: Target) -> None:
    network = target.network
    with transaction.atomic(), scope(network=network):
        _consents(target)
        people = {
            member.user.email: member
            for member in Membership.objects.filter(network=network, user__email__endswith=".example")
            .exclude(user__email__contains="@alumni.")
            .select_related("user", "network")
        }
        _conversations(people)
        generated = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, user__email__contains="@alumni.")
            .select_related("user", "network")
            .order_by("pk")[:2]
        )
        _threads(people, generated)


def _consents(target: Target) -> None:
    """Most alumni listed in the directory also accept messages from other alumni."""
    network = target.network
    listed = Consent.objects.filter(
        network=network, purpose=ConsentPurpose.DIRECTORY_LISTING, withdrawn_at__isnull=True
    ).values_list("membership_id", "membership__user__email")
    now = timezone.now()
    Consent.objects.bulk_create(
        (
            Consent(network=network, membership_id=member_id, purpose=ConsentPurpose.ALUMNI_MESSAGES,
                    notice_version=1, granted_at=now)
            for index, (member_id, email) in enumerate(listed.iterator(chunk_size=BATCH_SIZE))
            if email in ACCEPTING or ("@alumni." in email and index % NO_MESSAGES_EVERY)
        ),
        batch_size=BATCH_SIZE,
    )  # fmt: skip
    for email in ACCEPTING:  # the named ones even if the intake demo did not list them
        member = Membership.objects.filter(network=network, user__email=email).first()
        if (
            member is not None
            and not Consent.objects.filter(
                network=network, membership=member, purpose=ConsentPurpose.ALUMNI_MESSAGES, withdrawn_at__isnull=True
            ).exists()
        ):
            Consent.objects.create(network=network, membership=member, purpose=ConsentPurpose.ALUMNI_MESSAGES)


def _conversations(people: dict[str, Membership]) -> None:
    now = timezone.now()
    for sender, recipient, hours_ago, text in CONVERSATIONS:
        if sender not in people or recipient not in people:
            return
        message = services.send_message(people[sender], people[recipient], text)
        at = now - timedelta(hours=hours_ago)
        Message.objects.filter(pk=message.pk).update(created_at=at)
        Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=at)
    # alumni1 has read the supporter's welcome long ago; alumni2's last message waits for them.
    supporter, alumnus = people.get("supporter@demo.example"), people.get("alumni1@demo.example")
    if supporter is not None and alumnus is not None:
        talk = services.conversation_between(supporter, alumnus)
        if talk is not None:
            services.mark_read(talk, alumnus)
            services.mark_read(talk, supporter)


def _threads(people: dict[str, Membership], generated: list[Membership]) -> None:
    if not all(email in people for email in (HR, ADMIN, EDITOR)):
        return  # the small second network has no secretariat staff of these names
    now = timezone.now()
    spare = iter(generated)
    for email, subject, days_ago, exchanges, status, assignee in THREADS:
        alumnus = people.get(email) if email else next(spare, None)
        if alumnus is None:
            continue
        started = now - timedelta(days=days_ago, hours=2)
        thread: SecretariatThread | None = None
        for position, (who, text) in enumerate(exchanges):
            if who == "alumnus":
                if thread is None:
                    thread = services.open_inquiry(alumnus, subject, text)
                else:
                    services.alumnus_reply(alumnus, thread, text)
            elif thread is not None:
                kind, staff_email = who.split(":", 1)
                staff = people[staff_email]
                if kind == "reply":
                    services.secretariat_reply(staff, thread, text)
                else:
                    services.add_note(staff, thread, text)
            if thread is not None:
                at = started + timedelta(hours=position * 3)
                SecretariatMessage.objects.filter(pk=_last_message_id(thread)).update(created_at=at)
                SecretariatThread.objects.filter(pk=thread.pk).update(last_message_at=at)
        if thread is None:
            continue
        thread.refresh_from_db()
        staff_member = people.get(assignee) if assignee else None
        actor = staff_member or people[ADMIN]
        services.assign(actor, thread, staff_member)
        services.change_status(actor, thread, status)
        SecretariatThread.objects.filter(pk=thread.pk).update(created_at=started)
        if status == SecretariatThread.Status.CLOSED:
            SecretariatThread.objects.filter(pk=thread.pk).update(alumnus_unread=0)  # read before it was closed


def _last_message_id(thread: SecretariatThread) -> int:
    return SecretariatMessage.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True)[0]
