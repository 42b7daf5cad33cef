"""Demo community: news categories and a year of news, alumni posts with comments, likes, a picture and
a mention, groups, a report waiting for the moderators."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_scopes import scope
from PIL import Image, ImageDraw

from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    NewsCategory,
    NewsItem,
    NewsRead,
    Post,
    Reaction,
    Report,
)
from enishi.community.services import add_comment, save_post
from enishi.demo.services import Target
from enishi.lib.richtext import text_to_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, Role

CATEGORIES = (("事業ニュース", "Business news"), ("社内制度の変化", "New rules and schemes"),
              ("職場の今", "The workplace today"), ("インタビュー", "Interviews"))  # fmt: skip
# (days ago, category index, title, paragraphs, pinned)
NEWS = (
    (3, 1, "カムバック採用の制度を改定しました",
     ("退職から10年以内であれば、正社員・契約社員・副業のいずれでも再入社の選考を受けられるようになりました。",
      "育児や介護で退職された方には、短時間勤務から始められる「キャリア・カムバック制度」もあります。"
      "気になる方は事務局までご連絡ください。"), True),
    (18, 2, "本社の食堂がリニューアルしました",
     ("本社5階の食堂が全面改装され、テラス席と地元の食材を使った日替わりメニューが加わりました。",
      "アルムナイ交流会の会場としても使う予定です。"), False),
    (40, 0, "グループ中期経営計画を発表しました",
     ("2027年度までの中期経営計画を発表しました。デジタル化と地域の物流網への投資が柱です。",
      "新しい事業では、外部の知見を持つアルムナイの皆さんとの協業も検討しています。"), False),
    (75, 3, "社員インタビュー：カムバック入社から1年",
     ("5年間の他社勤務を経て戻ってきた営業企画部の社員に、戻って感じた変化を聞きました。",
      "「会議が短くなり、リモートワークが当たり前になった」とのことです。"), False),
    (110, 1, "副業の届出制度を始めました",
     ("社員の副業が届出制になりました。アルムナイの皆さんとの業務委託の機会も増えていく見込みです。",), False),
    (150, 2, "在宅勤務とフレックスタイムの今",
     ("全社の約6割が週2日以上の在宅勤務をしています。コアタイムのないフレックスタイム制も導入しました。",), False),
    (200, 0, "新しい物流センターが稼働しました",
     ("関東で3か所目となる物流センターが稼働しました。自動倉庫とAIによる配車計画を取り入れています。",), False),
    (260, 3, "アルムナイインタビュー：起業した元同僚",
     ("人事部出身で、いまは採用支援の会社を経営する元社員に、在籍中の経験がどう生きているかを聞きました。",), False),
    (330, 0, "創業50周年を迎えました",
     ("おかげさまで創業50周年を迎えました。記念イベントにはアルムナイの皆さんもご招待する予定です。",), False),
)  # fmt: skip
# (hours ago, author index among the alumni, text, activity in days from today or None, comments)
POSTS = (
    (5, 0, "来月、中小企業向けのDX勉強会で登壇します。元同僚の皆さんもぜひ！\n申し込みはこちら https://example.com/dx-seminar",
     12, ("楽しみにしています！", "オンラインでも参加できますか？")),
    (20, 3, "地元の長野に戻って、家業の旅館を継ぎました。近くに来たら声をかけてください。", None,
     ("素敵ですね。夏に伺います！",)),
    (48, 5, "育休から復帰しました。時短勤務ですが、副業で経理のお手伝いもできます。", None, ()),
    (90, 8, "本社の食堂リニューアルのお知らせを見て懐かしくなりました。カレーは今もありますか？", None,
     ("ありますよ！金曜日限定になりました。", "懐かしい…")),
    (160, 11, "データ分析の勉強会を毎月やっています。興味のある方はコメントください。", 30, ("参加したいです",)),
    (300, 2, "転職して3年、物流のスタートアップで働いています。物流センターのニュース、すごいですね。", None, ()),
)  # fmt: skip
READ_SHARE = (0.55, 0.4, 0.35, 0.3, 0.25, 0.2, 0.2, 0.15, 0.15)


def seed_community(target: Target, today: date) -> int:
    """Categories and news of a freshly seeded network, with reads by some alumni; returns the news count."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        categories = NewsCategory.objects.bulk_create(
            NewsCategory(network=network, name_ja=ja, name_en=en, position=index)
            for index, (ja, en) in enumerate(CATEGORIES)
        )
        editor = next((m.user for m in Membership.objects.filter(network=network, role=Role.EDITOR)[:1]), None)
        items = NewsItem.objects.bulk_create(
            NewsItem(
                network=network, title=title, category=categories[category],
                body="".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
                status=NewsItem.Status.PUBLISHED, pinned=pinned, author=editor,
                publish_at=(published := timezone.make_aware(datetime.combine(today - timedelta(days=days_ago),
                                                                              time(10)))),
                announced_at=published,  # told long ago: the worker does not announce a year of news now
            )
            for days_ago, category, title, paragraphs, pinned in NEWS
        )  # fmt: skip
        cafeteria = items[1]  # the renewed cafeteria, with a picture of it
        cafeteria.image_alt = "改装後の食堂。窓の大きな明るい部屋にテーブルが並んでいる"
        cafeteria.image.save("cafeteria.jpg", _picture("cafeteria", (250, 214, 150), (150, 96, 52)))
        NewsItem.objects.create(network=network, title="（下書き）アルムナイ交流会のお知らせ", author=editor,
                                body="<p>日程を調整中です。</p>", category=categories[2])  # fmt: skip
        members = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        reads = [
            NewsRead(network=network, item=item, membership_id=member_id)
            for item, share in zip(items, READ_SHARE, strict=True)
            for member_id in members[: int(len(members) * share)]
        ]
        NewsRead.objects.bulk_create(reads, batch_size=5000)
        _posts(target, members)
    return len(items)


def _posts(target: Target, members: list[int]) -> None:
    """Alumni posts with comments and likes, one of them a seminar the author gives."""
    network = target.network
    if len(members) < 20:
        return
    now = timezone.now()
    today = timezone.localdate()
    for hours_ago, author, text, activity_in, comments in POSTS:
        post = Post.objects.create(
            network=network, author_id=members[author], text=text, html=text_to_html(text),
            activity_on=today + timedelta(days=activity_in) if activity_in is not None else None,
            activity_url="https://example.com/dx-seminar" if activity_in is not None else "",
        )  # fmt: skip
        Post.objects.filter(pk=post.pk).update(created_at=now - timedelta(hours=hours_ago))
        Comment.objects.bulk_create(
            Comment(network=network, post=post, author_id=members[(author + offset + 1) % len(members)], text=comment,
                    html=text_to_html(comment))
            for offset, comment in enumerate(comments)
        )  # fmt: skip
        Reaction.objects.bulk_create(
            Reaction(network=network, post=post, membership_id=member_id)
            for member_id in members[author + 1 : author + 4 + len(comments) * 3]
        )
    _groups(target, members)
    _told(target, members)
    # One post waiting in the moderators' queue.
    text = "副業で稼げる投資の話があります。興味のある方はDMください！"
    reported = Post.objects.create(network=network, author_id=members[15], text=text, html=text_to_html(text))
    Post.objects.filter(pk=reported.pk).update(created_at=now - timedelta(hours=30))
    Report.objects.create(network=network, post=reported, reporter_id=members[16], reason=Report.Reason.SPAM,
                          note="勧誘のようです。")  # fmt: skip


GROUPS = (
    ("関西アルムナイの会", Group.Kind.REGION, Group.Policy.OPEN,
     "関西在住・関西勤務のアルムナイで、年に数回集まっています。",
     "来月、大阪で食事会をします。参加できる方はコメントください。"),
    ("データ・AI勉強会", Group.Kind.INTEREST, Group.Policy.OPEN, "データ分析やAIの話題を共有する会です。",
     "生成AIの社内活用について、最近の事例を共有します。"),
    ("元人事部の会", Group.Kind.DEPARTMENT, Group.Policy.APPROVAL, "人事部に在籍していた方の会です。参加は承認制です。",
     "採用市場の近況を交換しませんか。"),
)  # fmt: skip


def _groups(target: Target, members: list[int]) -> None:
    """Three groups started by the supporter, with members, a post each, and one request waiting."""
    network = target.network
    supporter = Membership.objects.filter(network=network, role=Role.SUPPORTER).first()
    if supporter is None:
        return
    for index, (name, kind, policy, description, first_post) in enumerate(GROUPS):
        group = Group.objects.create(network=network, name=name, kind=kind, policy=policy, description=description,
                                     created_by=supporter)  # fmt: skip
        GroupMember.objects.create(network=network, group=group, membership=supporter, organiser=True)
        GroupMember.objects.bulk_create(
            GroupMember(network=network, group=group, membership_id=member_id)
            for member_id in members[20 + index * 7 : 32 + index * 7]
            if member_id != supporter.pk
        )
        Post.objects.create(network=network, author=supporter, group=group, text=first_post,
                            html=text_to_html(first_post))  # fmt: skip
        if policy == Group.Policy.APPROVAL:
            GroupMember.objects.create(network=network, group=group, membership_id=members[60],
                                       status=GroupMember.Status.PENDING)  # fmt: skip


def _told(target: Target, members: list[int]) -> None:
    """The demo alumnus (alumni1@demo.example) finds comments and a mention in the bell, through the
    same verbs as the pages (so the notifications, and the emails of those who want them at once,
    are the real ones); a post with a picture."""
    network = target.network
    alumnus = Membership.objects.filter(network=network, user__email="alumni1@demo.example").first()
    others = list(Membership.objects.filter(network=network, pk__in=members[1:10]).select_related("user"))
    if alumnus is None or len(others) < 3:
        return
    text = "久しぶりに本社の近くを通りました。新しい食堂、外からも明るくなっていて驚きました。"
    own = save_post(Post(text=text), alumnus, images=[_picture("shokudo", (236, 170, 90), (120, 70, 40))])
    add_comment(own, others[0], "テラス席、気持ちいいですよ。交流会もあそこでやるそうです。")
    add_comment(own, others[1], "懐かしいですね！今度ランチしましょう。")
    name = "".join(alumnus.user.full_name.split())
    save_post(Post(text=f"@{name} さん、先日の勉強会ではありがとうございました。資料を共有します。"), others[2])


def _picture(name: str, light: tuple[int, int, int], dark: tuple[int, int, int]) -> ContentFile[bytes]:
    """A small generated picture (a sunny room with tables), so the demo needs no image files."""
    image = Image.new("RGB", (960, 640), light)
    draw = ImageDraw.Draw(image)
    for row in range(640):  # a soft gradient from the window down to the floor
        shade = tuple(int(c + (d - c) * row / 1280) for c, d in zip(light, dark, strict=True))
        draw.line([(0, row), (960, row)], fill=shade)
    for x in (80, 380, 680):
        draw.rectangle([x, 420, x + 200, 440], fill=dark)
        draw.rectangle([x + 20, 440, x + 30, 560], fill=dark)
        draw.rectangle([x + 170, 440, x + 180, 560], fill=dark)
    draw.rectangle([60, 60, 900, 300], outline=(255, 255, 255), width=8)
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{name}.jpg")
