"""Demo comeback: open and closed opportunities of every kind across the group's companies, a comeback
scheme page (childcare and caregiving), interests and applications in every stage of the pipeline, and
two comeback hires with their start dates.

Interests and applications go through comeback.services (so hr's bell and the candidates are the real
ones); stage changes through services.move, which tells the candidate when the stage is one they see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django_scopes import scope

from enishi.comeback import matching, services
from enishi.comeback.models import Candidate, ComebackScheme, Opportunity, Stage
from enishi.demo.services import Target
from enishi.lib.richtext import text_to_html
from enishi.networks.models import Membership
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.profiles import services as profiles
from enishi.profiles.models import Skill
from enishi.profiles.vocabulary import ReturnMode

K, R, S = Opportunity.Kind, Opportunity.Remote, Opportunity.Status


@dataclass(frozen=True)
class Spec:
    title: str
    kind: str
    company: int  # index into the network's companies (wrapped for a one-company network)
    department: str
    location: str
    remote: str
    hours: str
    pay: str
    text: str
    skills: tuple[str, ...] = ()
    status: str = S.OPEN
    closes_in: int | None = 45


SPECS = (
    Spec(
        "【カムバック採用】法人営業（正社員）",
        K.FULL_TIME,
        1,
        "法人営業部",
        "東京都千代田区",
        R.HYBRID,
        "9:00〜17:30（フレックス制）",
        "年収600万〜900万円（経験による）",
        "中堅企業のお客さまへの融資・事業承継のご提案をお任せします。\n当行での経験を活かし、再びご活躍ください。",
        ("英語", "Excel"),
    ),
    Spec(
        "【契約社員】数理部 アクチュアリー補佐",
        K.CONTRACT,
        2,
        "数理部",
        "東京都港区",
        R.HYBRID,
        "週4日〜 相談可",
        "時給2,500円〜",
        "商品開発に伴う数理計算・検証業務です。育児・介護との両立も相談できます。",
        ("Excel", "データ分析"),
    ),
    Spec(
        "【副業】物流DXプロジェクトのデータ分析",
        K.SIDE_JOB,
        3,
        "物流企画部",
        "リモート",
        R.REMOTE,
        "月20時間程度・平日夜や週末も可",
        "時給4,000円",
        "自動倉庫とAI配車のデータを分析し、改善案をまとめていただきます。",
        ("Python", "SQL", "データ分析"),
    ),
    Spec(
        "【業務委託】グループ広報誌の記事制作",
        K.PROJECT,
        0,
        "広報部",
        "リモート（取材時のみ都内）",
        R.REMOTE,
        "1記事あたり2〜3日",
        "1記事 8万円〜",
        "アルムナイの皆さまの視点で、グループの取り組みを取材・執筆していただく案件です。",
        ("プレゼンテーション",),
    ),
    Spec(
        "【協業募集】スタートアップ支援プログラム 事業説明会",
        K.COLLABORATION_CALL,
        0,
        "経営企画部",
        "東京都千代田区・オンライン",
        R.HYBRID,
        "説明会 約2時間",
        "",
        "起業されたアルムナイの皆さまとの協業を募集します。まずは説明会で話を聞いてみませんか。",
    ),
    Spec(
        "【カムバック採用】システム開発部 エンジニア",
        K.FULL_TIME,
        2,
        "システム開発部",
        "東京都港区",
        R.HYBRID,
        "9:00〜17:30",
        "年収700万〜1,000万円",
        "契約管理システムの刷新を担うエンジニアを募集しています。",
        ("Python", "AWS", "SQL"),
        status=S.CLOSED,
        closes_in=-10,
    ),
    Spec(
        "【副業】新人研修の講師（営業）",
        K.SIDE_JOB,
        1,
        "人事部",
        "東京都新宿区",
        R.ONSITE,
        "4月の3日間",
        "日当5万円",
        "新入行員研修で営業の実際を話していただく講師を募集しました。",
        status=S.CLOSED,
        closes_in=-30,
    ),
    Spec(
        "【契約社員】関西物流センター 安全品質管理",
        K.CONTRACT,
        3,
        "安全品質管理部",
        "大阪府大阪市",
        R.ONSITE,
        "8:30〜17:15",
        "月給32万円〜",
        "センターの安全品質を改善するリーダー職です。",
        status=S.PAUSED,
    ),
)

SCHEME_TITLE = "育児・介護によるご退職者のためのカムバック制度"
SCHEME_TEXT = (
    "育児や介護のためにご退職された方が、退職から10年以内であれば、以前の等級を基本に再入社できる制度です。\n"
    "短時間勤務・在宅勤務からの再スタートも相談できます。ご家族の状況に合わせて、働き方を一緒に考えます。\n"
    "「まだ先のことだけど話を聞きたい」という方も歓迎です。求人の「話を聞いてみたい」からご連絡ください。"
)
# Where the crowd's candidates stand on the first open opportunity, by stage name (how many in each).
PIPELINE = (("興味あり", 6), ("カジュアル面談", 4), ("書類選考", 3), ("面接", 2), ("内定", 1), ("見送り", 2),
            ("辞退", 1))  # fmt: skip


def seed_comeback(target: Target, today: date) -> int:
    """The comeback content of a freshly seeded network; returns how many opportunities were created."""
    network = target.network
    with transaction.atomic(), scope(network=network):
        hr = Membership.objects.filter(network=network, role__in=(Role.HR, Role.ADMIN)).order_by("role").first()
        alumni = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
            .select_related("user")
            .order_by("pk")[:60]
        )
        if hr is None or len(alumni) < 30:
            return 0
        skills = {skill.name: skill for skill in Skill.objects.filter(name__in={n for s in SPECS for n in s.skills})}
        made = []
        for spec in SPECS:
            company = target.companies[spec.company % len(target.companies)]
            opportunity = Opportunity(
                network=network, title=spec.title, kind=spec.kind, company=company, department=spec.department,
                location=spec.location, remote=spec.remote, hours=spec.hours, pay_range=spec.pay,
                description=text_to_html(spec.text), questions=["志望動機・ご関心のある点", "ご希望の働き方・開始時期"],
                opens_on=today - timedelta(days=30),
                closes_on=today + timedelta(days=spec.closes_in) if spec.closes_in is not None else None,
            )  # fmt: skip
            services.save_opportunity(opportunity, hr.user)
            opportunity.required_skills.set([skills[name] for name in spec.skills[:1] if name in skills])
            opportunity.welcome_skills.set([skills[name] for name in spec.skills[1:] if name in skills])
            services.set_status(opportunity, S.OPEN, hr.user)  # every one was open once
            made.append((spec, opportunity))
        ComebackScheme.objects.create(network=network, title=SCHEME_TITLE, body=text_to_html(SCHEME_TEXT),
                                      company=target.companies[0], published=True)  # fmt: skip
        stages = {stage.name: stage for stage in services.stages_of(network)}
        _pipeline(made[0][1], alumni[10:], stages, hr)
        for index, (_spec, opportunity) in enumerate(made[1:5], start=1):
            for number, person in enumerate(alumni[30 + index * 4 : 33 + index * 4]):
                if number % 2:
                    services.apply(
                        opportunity, person, {"志望動機・ご関心のある点": "以前の経験を活かしたいです。"}, None
                    )
                else:
                    services.express_interest(opportunity, person, "まずはカジュアルにお話を伺えればと思います。")
        # Two comeback hires on the closed opportunities, with their start dates.
        for (_spec, opportunity), person, started in zip(made[5:7], alumni[50:52], (60, 120), strict=True):
            services.apply(
                opportunity, person, {"志望動機・ご関心のある点": "もう一度この会社で働きたいと思いました。"}, None
            )
            candidate = Candidate.objects.get(opportunity=opportunity, membership=person)
            services.move([candidate], stages["入社"], hr, hired_on=today - timedelta(days=started))
        # The named alumni: 佐藤 is at the casual talk of the side job; 鈴木 showed interest in the contract.
        named = {m.user.email: m for m in alumni}
        sato, suzuki = named.get("alumni1@demo.example"), named.get("alumni2@demo.example")
        if sato is not None:
            _fit_for_recommendation(sato)  # 「あなたへのおすすめ」 shows him the 法人営業 opening
            services.express_interest(made[2][1], sato, "平日の夜なら時間が取れます。")
            candidate = Candidate.objects.get(opportunity=made[2][1], membership=sato)
            services.move([candidate], stages["カジュアル面談"], hr)
        if suzuki is not None:
            services.express_interest(made[1][1], suzuki)
        for spec, opportunity in made:
            if spec.status != S.OPEN:
                services.set_status(opportunity, spec.status, hr.user)
    return len(made)


def _pipeline(opportunity: Opportunity, crowd: list[Membership], stages: dict[str, Stage], hr: Membership) -> None:
    position = 0
    for name, count in PIPELINE:
        for person in crowd[position : position + count]:
            if position % 2:
                services.apply(
                    opportunity, person, {"志望動機・ご関心のある点": "経験を活かして貢献したいです。"}, None
                )
            else:
                services.express_interest(opportunity, person)
            candidate = Candidate.objects.get(opportunity=opportunity, membership=person)
            if name != "興味あり":
                services.move([candidate], stages[name], hr)
            position += 1


def refresh_matching(target: Target) -> int:
    """Recompute the matching terms once everything is seeded (consents and active days are written in
    bulk, without the services that keep the terms in step)."""
    with scope(network=target.network):
        return matching.rebuild(target.network)


def _fit_for_recommendation(member: Membership) -> None:
    """The demo alumnus knows 英語 and Excel and is open to full-time work again, so the list of
    opportunities recommends him the full-time 法人営業 opening, with its reasons."""
    profile = profiles.profile_of(member)
    held = list(profile.skills.values_list("skill__name", flat=True)) if profile.pk else []
    profiles.save_profile(profile, member.user, [], skills=[*held, "英語", "Excel"])
    intent = profiles.intent_of(profile)
    intent.return_modes = sorted({*intent.return_modes, ReturnMode.FULL_TIME.value})
    intent.not_now = False
    profiles.save_intent(profile, member.user, intent, ["return_modes"])
