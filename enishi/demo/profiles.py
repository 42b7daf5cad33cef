"""Demo content for profiles: what alumni have written about themselves since leaving.

`seed_profiles` gives most of the first few thousand alumni of a freshly seeded network a profile
in their own words: where they work now, their role and industry, a headline, 近況, career entries,
skills from the shared vocabulary, languages, links, and their interests and intent — including
"not now" for childcare or caregiving, with a date to ask again. Some people keep groups to staff
or to themselves. Deterministic from the seed; a fixed maximum of profiles whatever the number of
alumni (`MAX_PROFILES`), so seeding a million alumni stays fast.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django_scopes import scope

from enishi.demo.catalogue import NETWORKS
from enishi.demo.services import BATCH_SIZE, Target
from enishi.directory.indexing import rebuild
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState, Role
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.profiles.models import (
    CareerEntry,
    FieldGroup,
    Intent,
    Profile,
    ProfileSkill,
    SavedSegment,
    Skill,
    Visibility,
    default_visibility,
)
from enishi.profiles.skills import skill_key
from enishi.profiles.vocabulary import PREFECTURES, Industry, NotNowReason, Remote, ReturnMode, Timing

MAX_PROFILES = 5000
PROFILE_SHARE = 0.7  # of alumni: many never fill in more than their name, as in real networks

# (organisation, industry) — fictional employers, so the demo names no real company.
EMPLOYERS = (
    ("株式会社みらいデータ", Industry.IT), ("青葉コンサルティング株式会社", Industry.PROFESSIONAL),
    ("さくら信用金庫", Industry.FINANCE), ("北斗物流株式会社", Industry.TRANSPORT),
    ("株式会社ひかりメディカル", Industry.HEALTHCARE), ("東雲商事株式会社", Industry.RETAIL),
    ("合同会社つむぎラボ", Industry.IT), ("若葉学園", Industry.EDUCATION),
    ("NPO法人こども未来ネット", Industry.NONPROFIT), ("株式会社湊エナジー", Industry.ENERGY),
    ("千歳不動産株式会社", Industry.REAL_ESTATE), ("株式会社かえでフーズ", Industry.MANUFACTURING),
    ("Globex Japan K.K.", Industry.IT), ("ブルーオーシャン・パートナーズ", Industry.PROFESSIONAL),
    ("市役所", Industry.PUBLIC), ("フリーランス", Industry.PROFESSIONAL),
)  # fmt: skip
# (role, skills that go with it)
ROLES = (
    ("データサイエンティスト", ("Python", "データ分析", "SQL", "機械学習")),
    ("営業マネージャー", ("営業", "法人営業", "マネジメント")),
    ("人事", ("人事労務", "採用", "労務管理")),
    ("経理", ("経理", "簿記", "Excel")),
    ("プロダクトマネージャー", ("プロジェクトマネジメント", "UXデザイン", "アジャイル")),
    ("ソフトウェアエンジニア", ("Python", "JavaScript", "AWS", "SQL")),
    ("マーケティング担当", ("マーケティング", "広報", "データ分析")),
    ("経営企画", ("経営企画", "財務", "Excel")),
    ("コンサルタント", ("戦略立案", "プロジェクトマネジメント", "英語")),
    ("看護師", ("看護", "医療事務")),
    ("教員", ("教育", "英語")),
    ("デザイナー", ("UXデザイン", "グラフィックデザイン")),
    ("法務", ("法務", "契約書レビュー", "英語")),
)  # fmt: skip
HEADLINES = (
    "{org}で{role}をしています", "{role}として{industry}の仕事に携わっています", "{role}／元{company}",
    "{org}の{role}。古巣の皆さんとまたご一緒できたら嬉しいです", "{role}。副業の相談も歓迎です",
)  # fmt: skip
NOW_TEXTS = (
    "転職して{years}年。{org}で新しいチームの立ち上げをしています。",
    "子育てが一段落したので、週3日から働ける仕事を探し始めました。",
    "地元の{pref}に戻り、リモートで{role}をしています。",
    "社会人大学院で学び直し中です。修了後の進路を考えています。",
    "親の介護のため、しばらくは短時間の仕事を中心にしています。",
    "{org}で{role}として働きつつ、休日はボランティアで地域のイベントを手伝っています。",
    "独立して{years}年目。{role}としていくつかの会社を支援しています。",
)  # fmt: skip
EXTRA_SKILLS = ("英語", "Excel", "プレゼンテーション")
LANGUAGES = (["日本語"], ["日本語", "English"], ["日本語", "English", "中文"], ["日本語", "English"])


def seed_profiles(target: Target, seed: int, today: date) -> int:
    """Profiles for the alumni of a freshly seeded network; returns how many were written."""
    network = target.network
    rng = random.Random(f"{seed}:{network.slug}:profiles")
    companies = [company.name_ja for company in target.companies]
    with transaction.atomic(), scope(network=network):
        members = list(
            Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
            .select_related("user")
            .order_by("pk")[:MAX_PROFILES]
        )
        skills = _vocabulary()
        profiles: list[Profile] = []
        plans: list[tuple[Profile, tuple[str, ...], bool]] = []
        for member in members:
            if rng.random() > PROFILE_SHARE:
                continue
            profile, role_skills, has_intent = _profile(network.pk, member, rng, companies, today)
            profiles.append(profile)
            plans.append((profile, role_skills, has_intent))
        Profile.objects.bulk_create(profiles, batch_size=BATCH_SIZE)
        careers: list[CareerEntry] = []
        tags: list[ProfileSkill] = []
        intents: list[Intent] = []
        for profile, role_skills, has_intent in plans:
            careers += _career(network.pk, profile, rng, today)
            chosen = rng.sample(role_skills, k=min(len(role_skills), rng.randint(1, 3)))
            if rng.random() < 0.4:
                chosen.append(rng.choice(EXTRA_SKILLS))
            tags += [
                ProfileSkill(network_id=network.pk, profile=profile, skill=skills[name])
                for name in dict.fromkeys(chosen)
            ]
            if has_intent:
                intents.append(_intent(network.pk, profile, rng, today))
        CareerEntry.objects.bulk_create(careers, batch_size=BATCH_SIZE)
        ProfileSkill.objects.bulk_create(tags, batch_size=BATCH_SIZE)
        Intent.objects.bulk_create(intents, batch_size=BATCH_SIZE)
        _directory_consents(network, members, rng)
        _segments(target)
    rebuild(network)  # the directory's search documents, from everything above
    return len(profiles)


def _directory_consents(network: Network, members: list[Membership], rng: random.Random) -> None:
    """Most generated alumni agreed to be listed in the directory when they registered; some did not.
    The named accounts keep the consents the intake demo gives them (alumni4 is not listed: the
    directory offers her the listing)."""
    listed = set(
        Consent.objects.filter(network=network, purpose=ConsentPurpose.DIRECTORY_LISTING).values_list(
            "membership_id", flat=True
        )
    )
    Consent.objects.bulk_create(
        [
            Consent(
                network_id=network.pk,
                membership=member,
                purpose=ConsentPurpose.DIRECTORY_LISTING,
                notice_version=1,
                granted_at=member.activated_at or timezone.now(),
            )
            for member in members
            if member.pk not in listed and _generated(member) and rng.random() < DIRECTORY_SHARE
        ],
        batch_size=BATCH_SIZE,
    )


def _generated(member: Membership) -> bool:
    return any(member.user.email.endswith(f"@{spec.bulk_email_domain}") for spec in NETWORKS)


def _segments(target: Target) -> None:
    """Two searches the secretariat saved: what later newsletters and invitations are sent to."""
    author = next((m.user for m in Membership.objects.filter(network=target.network, role=Role.HR)[:1]), None)
    SavedSegment.objects.bulk_create(
        [
            SavedSegment(network=target.network, name=name, query=query, created_by=author)
            for name, query in (
                ("副業・業務委託に関心のある方", {"intent": ["side_job", "project"]}),
                ("営業職の経験者（2018年以降の退職）", {"q": ["営業"], "left_from": ["2018"]}),
                ("再雇用可・いまは見送りの方", {"rehire": ["eligible"], "intent": ["not_now"]}),
            )
        ]
    )


DIRECTORY_SHARE = 0.85


def _in_japanese(label: object) -> str:
    """Demo texts are what the alumni typed, in Japanese, whatever language runs the command."""
    with translation.override("ja"):
        return str(label)


def _vocabulary() -> dict[str, Skill]:
    names = sorted({skill for _, role_skills in ROLES for skill in role_skills} | set(EXTRA_SKILLS))
    existing = {skill.key: skill for skill in Skill.objects.filter(key__in=[skill_key(name) for name in names])}
    missing = [Skill(name=name, key=skill_key(name)) for name in names if skill_key(name) not in existing]
    Skill.objects.bulk_create(missing, ignore_conflicts=True)
    stored = {skill.key: skill for skill in Skill.objects.filter(key__in=[skill_key(name) for name in names])}
    return {name: stored[skill_key(name)] for name in names}


def _profile(
    network_id: int, member: Membership, rng: random.Random, companies: list[str], today: date
) -> tuple[Profile, tuple[str, ...], bool]:
    user = member.user
    organisation, industry = rng.choice(EMPLOYERS)
    role, role_skills = rng.choice(ROLES)
    location = rng.choice(PREFECTURES[:13] * 3 + PREFECTURES)  # Tokyo area more often
    values = {"org": organisation, "role": role, "industry": _in_japanese(Industry(industry).label),
              "company": rng.choice(companies), "pref": location, "years": rng.randint(1, 8)}  # fmt: skip
    visibility = default_visibility()
    roll = rng.random()
    if roll < 0.12:
        visibility[FieldGroup.NOW] = Visibility.STAFF
    elif roll < 0.18:
        visibility[FieldGroup.WORK] = Visibility.ME
    if rng.random() < 0.1:
        visibility[FieldGroup.INTENT] = Visibility.ALUMNI
    confirmed = today - timedelta(days=rng.randint(0, 400))
    profile = Profile(
        network_id=network_id, membership=member,
        display_name=f"{user.family_name} {user.given_name}".strip(),
        display_name_kana=f"{user.family_name_kana} {user.given_name_kana}".strip(),
        headline=rng.choice(HEADLINES).format(**values)[:120],
        organisation=organisation, role_title=role, industry=industry,
        location=location if rng.random() > 0.05 else "overseas",
        now_text=rng.choice(NOW_TEXTS).format(**values) if rng.random() < 0.6 else "",
        languages=rng.choice(LANGUAGES),
        links=[{"label": "LinkedIn", "url": f"https://example.com/in/demo-{member.pk}"}] if rng.random() < 0.25 else [],
        visibility=visibility,
        confirmed_at=None if rng.random() < 0.3 else _aware(confirmed),
    )  # fmt: skip
    return profile, role_skills, rng.random() < 0.75


def _career(network_id: int, profile: Profile, rng: random.Random, today: date) -> list[CareerEntry]:
    entries = []
    start = today - timedelta(days=rng.randint(200, 3000))
    entries.append(CareerEntry(network_id=network_id, profile=profile, organisation=profile.organisation,
                               role_title=profile.role_title, started_on=start.replace(day=1),
                               description="チームの立ち上げと採用を担当。" if rng.random() < 0.3 else ""))  # fmt: skip
    if rng.random() < 0.4:
        organisation, _ = rng.choice(EMPLOYERS)
        earlier = start - timedelta(days=rng.randint(300, 1500))
        entries.append(CareerEntry(network_id=network_id, profile=profile, organisation=organisation,
                                   role_title=rng.choice(ROLES)[0], started_on=earlier.replace(day=1),
                                   ended_on=start - timedelta(days=1)))  # fmt: skip
    return entries


def _intent(network_id: int, profile: Profile, rng: random.Random, today: date) -> Intent:
    intent = Intent(network_id=network_id, profile=profile)
    if rng.random() < 0.2:  # "not now" is an answer
        intent.not_now = True
        intent.not_now_reason = rng.choice((NotNowReason.CHILDCARE, NotNowReason.CAREGIVING, NotNowReason.STUDY,
                                            NotNowReason.SETTLED))  # fmt: skip
        intent.ask_again_on = today + timedelta(days=rng.choice((90, 180, 365)))
    else:
        intent.return_modes = rng.sample(ReturnMode.values, k=rng.randint(1, 3))
        intent.earliest = rng.choice(Timing.values)
        intent.remote = rng.choice(Remote.values)
        intent.preferred_location = rng.choice(("東京都内", "関西", "フルリモート希望", ""))
        intent.hours = rng.choice(("週3日から", "フルタイム", "平日夜・週末のみ", ""))
    intent.open_to_meet = rng.random() < 0.6
    intent.open_to_mentor = rng.random() < 0.2
    intent.open_to_speak = rng.random() < 0.1
    intent.open_to_feedback = rng.random() < 0.5
    if rng.random() < 0.25:
        intent.collaboration_offer = rng.choice(("データ分析の支援ができます。", "地方自治体とのつながりがあります。",
                                                 "海外拠点の立ち上げ経験を活かせます。"))  # fmt: skip
    return intent


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))
