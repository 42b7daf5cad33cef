"""Matching (issue 7), both ways: the alumni who fit an opportunity best, and the opportunities that
fit an alumnus best, with a score from 0 to 100 and its reasons in words.

The score is the sum of six parts, each explainable on its own:

- skills (45): 45 × (2 × required skills held + welcome skills held) / (2 × required + welcome);
- past department (15) or, failing that, the same line of work (10): from the employment records
  (last department, postings, job titles) and the profile's roles, mapped to FAMILIES;
- kind of work (15): the kind is one the person said they are open to (Intent.return_modes, or a
  collaboration offer/seek for projects and collaboration calls); 5 when they said nothing yet;
- timing (5): how soon they said they could start;
- place (10): a fully remote opportunity, or the person's prefecture in the opportunity's location
  (10); partly remote (4); nothing for an on-site place elsewhere or an on-site job for a person
  who wants remote only;
- recent activity (10): active in the last 30 days (10), 90 days (6) or year (3).

Decision: a match needs a reason of substance, a skill, a department or a line of work in common;
kind, timing, place and activity only order those. Somebody who shares none of them is not offered.

Privacy: for hr, a member's features come only from what staff may see (the employment records and
the profile groups set to "alumni" or "staff", never "only me"); people who said "not now" (until
their ask-again date) or do not hold the REHIRE_CONTACT consent are left out of hr's matches, so of
any outreach. For the alumnus's own recommendations their whole profile is used.

Storage: MatchTerm rows (one per term a member holds, with the member's modifiers) and
OpportunityTerm rows; ranking is one grouped read of the terms in common through a covering index,
in SQL that both SQLite and PostgreSQL run (docs/ARCHITECTURE.md "Matching").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enishi.comeback.models import (
    Candidate,
    MatchTerm,
    Opportunity,
    OpportunityInvitee,
    OpportunityTerm,
    PersonalInvitation,
)
from enishi.intake.models import EmploymentRecord
from enishi.lib.japanese import normalise
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.services import notify
from enishi.notifications.topics import Topic
from enishi.privacy.models import Consent, ConsentPurpose
from enishi.privacy.services import audit
from enishi.profiles.models import FIELD_GROUPS, FieldGroup, Intent, Profile, Skill, Visibility, default_visibility
from enishi.profiles.vocabulary import OVERSEAS, PREFECTURES, Remote, ReturnMode, Timing

OPPORTUNITY_LIMIT = 50  # matches listed for an opportunity
MEMBER_LIMIT = 20  # opportunities listed for an alumnus
RECOMMENDED_MIN_SCORE = 40  # "recommended for you" shows only fits at least this good
RECOMMENDED_COUNT = 3  # and at most this many
INVITATION_INTERVAL_DAYS = 14  # a person gets at most one personal invitation in this many days
ACTIVITY_REFRESH_DAYS = 7  # MatchTerm.active_on is rewritten at most this often
NOT_NOW_FOREVER = date(9999, 12, 31)

# Kinds of work, as bits (MatchTerm.kinds / OpportunityTerm.kinds).
KIND_FULL_TIME, KIND_CONTRACT, KIND_SIDE_JOB, KIND_PROJECT, KIND_COLLABORATION, KIND_STATED = 1, 2, 4, 8, 16, 32
RETURN_MODE_BITS = {
    ReturnMode.FULL_TIME.value: KIND_FULL_TIME,
    ReturnMode.CONTRACT.value: KIND_CONTRACT,
    ReturnMode.SIDE_JOB.value: KIND_SIDE_JOB,
    ReturnMode.PROJECT.value: KIND_PROJECT,
}
OPPORTUNITY_KIND_BITS = {
    Opportunity.Kind.FULL_TIME.value: KIND_FULL_TIME,
    Opportunity.Kind.CONTRACT.value: KIND_CONTRACT,
    Opportunity.Kind.SIDE_JOB.value: KIND_SIDE_JOB,
    Opportunity.Kind.PROJECT.value: KIND_PROJECT | KIND_COLLABORATION,
    Opportunity.Kind.COLLABORATION_CALL.value: KIND_COLLABORATION | KIND_PROJECT,
}

# Remote work, one scale for wishes and opportunities.
REMOTE_UNKNOWN, REMOTE_ONLY, REMOTE_PARTLY, REMOTE_ON_SITE = 0, 1, 2, 3
WISH_REMOTE = {
    Remote.REMOTE.value: REMOTE_ONLY,
    Remote.HYBRID.value: REMOTE_PARTLY,
    Remote.ON_SITE.value: REMOTE_ON_SITE,
}
OPPORTUNITY_REMOTE = {
    Opportunity.Remote.REMOTE.value: REMOTE_ONLY,
    Opportunity.Remote.HYBRID.value: REMOTE_PARTLY,
    Opportunity.Remote.ONSITE.value: REMOTE_ON_SITE,
}
TIMING_POINTS = {
    Timing.NOW.value: 5,
    Timing.SIX_MONTHS.value: 4,
    Timing.YEAR.value: 3,
    Timing.LATER.value: 1,
    Timing.UNDECIDED.value: 1,
}

# Lines of work (職種), recognised in departments and job titles by keywords (normalised text;
# Latin keywords must be whole words). A department can belong to several (営業企画部).
FAMILIES: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("sales", gettext_lazy("sales"), ("営業", "セールス", "販売", "渉外", "sales")),
    ("marketing", gettext_lazy("marketing and PR"), ("マーケ", "広報", "宣伝", "販促", "ブランド", "marketing", "pr")),
    ("engineering", gettext_lazy("engineering and IT"),
     ("エンジニア", "開発", "システム", "情報", "デジタル", "dx", "it", "インフラ", "データ", "プログラ", "sre",
      "engineer", "developer")),
    ("hr", gettext_lazy("HR"), ("人事", "採用", "労務", "研修", "人材", "hr")),
    ("finance", gettext_lazy("finance and accounting"), ("経理", "財務", "会計", "主計", "finance", "accounting")),
    ("legal", gettext_lazy("legal and compliance"), ("法務", "コンプライアンス", "知財", "legal")),
    ("planning", gettext_lazy("corporate planning"), ("企画", "経営", "戦略", "planning", "strategy")),
    ("administration", gettext_lazy("general affairs and administration"), ("総務", "事務", "庶務", "秘書")),
    ("customer", gettext_lazy("customer service"),
     ("カスタマー", "サポート", "コールセンター", "お客さま", "お客様", "窓口", "顧客対応")),
    ("manufacturing", gettext_lazy("manufacturing and quality"), ("製造", "生産", "品質", "工場", "設備")),
    ("research", gettext_lazy("research and development"), ("研究", "r&d", "技術開発")),
    ("design", gettext_lazy("design"), ("デザイン", "design", "ux", "ui")),
    ("logistics", gettext_lazy("logistics"), ("物流", "配送", "集配", "郵便", "ロジスティクス", "logistics")),
    ("financial_services", gettext_lazy("insurance and banking"), ("保険", "金融", "融資", "資産運用", "貯金")),
)  # fmt: skip
FAMILY_LABELS = {key: label for key, label, _keywords in FAMILIES}
_FAMILY_PATTERNS = [
    (key, [keyword for keyword in keywords if not keyword.isascii()],
     [re.compile(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])") for keyword in keywords if keyword.isascii()])
    for key, _label, keywords in FAMILIES
]  # fmt: skip
_PREFECTURE_SHORT = [name if name == "北海道" else name[:-1] for name in PREFECTURES]


def families_of(*texts: str) -> set[str]:
    found: set[str] = set()
    for text in texts:
        value = normalise(text)
        if not value:
            continue
        for key, japanese, latin in _FAMILY_PATTERNS:
            if any(word in value for word in japanese) or any(pattern.search(value) for pattern in latin):
                found.add(key)
    return found


def department_key(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))[:60]


def prefecture_code(text: str) -> int:
    """1–47 for the prefecture named in `text` (full names first, then short: 東京, 大阪), 48 for
    abroad, 0 for none."""
    if not text:
        return 0
    if text == OVERSEAS:
        return len(PREFECTURES) + 1
    for index, name in enumerate(PREFECTURES):
        if name in text:
            return index + 1
    for index, name in enumerate(_PREFECTURE_SHORT):
        if name in text:
            return index + 1
    return 0


def prefecture_name(code: int) -> str:
    return PREFECTURES[code - 1] if 0 < code <= len(PREFECTURES) else ""


# --- Terms and modifiers as integers (cheap to compare and to group in SQL) --------------------------

# A term is a skill's id (below DEPARTMENT_BASE), a department (40 bits of its key's hash above
# DEPARTMENT_BASE) or a line of work (its index in FAMILIES above FAMILY_BASE).
DEPARTMENT_BASE = 1 << 40
FAMILY_BASE = 2 << 40
FAMILY_INDEX = {key: index for index, (key, _label, _keywords) in enumerate(FAMILIES)}


def skill_term(skill_id: int) -> int:
    return skill_id


def department_term(text: str) -> int:
    digest = hashlib.blake2b(department_key(text).encode(), digest_size=5).digest()
    return DEPARTMENT_BASE | int.from_bytes(digest, "big")


def family_term(key: str) -> int:
    return FAMILY_BASE + FAMILY_INDEX[key]


# The member's modifiers packed in one integer (MatchTerm.modifiers): kinds (6 bits), timing points
# (3), remote wish (2), prefecture (6), lines of work (one bit each), then the last active day (days
# since EPOCH).
EPOCH = date(2000, 1, 1)
FAMILY_SHIFT = 17  # one bit per line of work (FAMILIES has fewer than 15)
DAY_SHIFT = 32


def day_number(day: date | None) -> int:
    return max(0, (day - EPOCH).days) if day is not None else 0


def family_bits(terms: Iterable[int]) -> int:
    """The lines of work among `terms`, one bit each (packed into the modifiers)."""
    return sum(1 << (term - FAMILY_BASE) for term in set(terms) if FAMILY_BASE <= term < FAMILY_BASE + len(FAMILIES))


def pack_modifiers(
    kinds: int, timing: int, remote: int, prefecture: int, active_on: date | None, families: int = 0
) -> int:
    return (kinds | timing << 6 | remote << 9 | prefecture << 11 | families << FAMILY_SHIFT
            | day_number(active_on) << DAY_SHIFT)  # fmt: skip


def unpack_modifiers(packed: int) -> tuple[int, int, int, int, date | None, int]:
    """(kinds, timing, remote, prefecture, active_on, family bits) of a packed value."""
    day = packed >> DAY_SHIFT
    families = packed >> FAMILY_SHIFT & (1 << len(FAMILIES)) - 1
    return (packed & 63, packed >> 6 & 7, packed >> 9 & 3, packed >> 11 & 63,
            EPOCH + timedelta(days=day) if day else None, families)  # fmt: skip


# --- Features --------------------------------------------------------------------------------------


@dataclass
class Features:
    """What one side brings to a match (a member, or an opportunity)."""

    skills: dict[int, int] = field(default_factory=dict)  # skill_term → weight (members: 1)
    departments: set[int] = field(default_factory=set)  # department_term
    families: set[int] = field(default_factory=set)  # family_term
    kinds: int = 0
    timing: int = 0
    prefecture: int = 0
    remote: int = REMOTE_UNKNOWN
    consent: bool = False
    not_now_until: date | None = None
    active_on: date | None = None

    @property
    def terms(self) -> list[int]:
        return [*self.skills, *sorted(self.departments), *sorted(self.families)]

    @property
    def skill_total(self) -> int:
        return sum(self.skills.values())

    def packed(self) -> int:
        return pack_modifiers(self.kinds, self.timing, self.remote, self.prefecture, self.active_on,
                              family_bits(self.families))  # fmt: skip


def _member_features(
    membership: Membership,
    profile: Profile | None,
    records: Sequence[EmploymentRecord],
    consent: bool,
    *,
    groups: Iterable[str],
    today: date,
) -> Features:
    features = Features(consent=consent, active_on=membership.last_active_on)
    texts: list[str] = []
    for record in records:
        for department in [record.department, *(posting.department for posting in record.assignments.all())]:
            if department:
                features.departments.add(department_term(department))
                texts.append(department)
        texts.extend([record.job_title, *(posting.job_title for posting in record.assignments.all())])
    allowed = set(groups)
    intent: Intent | None = None
    if profile is not None:
        if FieldGroup.SKILLS in allowed:
            features.skills = {skill_term(row.skill_id): 1 for row in profile.skills.all()}
        if FieldGroup.WORK in allowed:
            texts.append(profile.role_title)
            features.prefecture = prefecture_code(profile.location)
        if FieldGroup.CAREER in allowed:
            texts.extend(entry.role_title for entry in profile.career.all())
        if FieldGroup.INTENT in allowed:
            intent = getattr(profile, "intent", None)
    features.families = {family_term(key) for key in families_of(*texts)}
    if intent is not None:
        bits = 0
        for mode in intent.return_modes:
            bits |= RETURN_MODE_BITS.get(mode, 0)
        if intent.collaboration_offer or intent.collaboration_seek:
            bits |= KIND_COLLABORATION
        if bits or intent.not_now:
            bits |= KIND_STATED
        features.kinds = bits
        features.timing = 0 if intent.not_now else TIMING_POINTS.get(intent.earliest, 0)
        features.remote = WISH_REMOTE.get(intent.remote, REMOTE_UNKNOWN)
        features.prefecture = prefecture_code(intent.preferred_location) or features.prefecture
        if intent.not_now and (intent.ask_again_on is None or intent.ask_again_on > today):
            features.not_now_until = intent.ask_again_on or NOT_NOW_FOREVER
    return features


def _staff_groups(profile: Profile | None) -> set[str]:
    visibility = profile.visibility if profile is not None else default_visibility()
    shared = {Visibility.ALUMNI.value, Visibility.STAFF.value}
    return {group for group in FIELD_GROUPS if visibility.get(group, Visibility.ALUMNI.value) in shared}


def _load_members(network: Network, membership_ids: list[int]) -> tuple[list[Membership], dict[str, Any]]:
    memberships = list(
        Membership.objects.filter(
            network=network, pk__in=membership_ids, state=MembershipState.ACTIVE, role__in=ALUMNI_ROLES
        )
    )
    ids = [membership.pk for membership in memberships]
    profiles = {
        profile.membership_id: profile
        for profile in Profile.objects.filter(network=network, membership_id__in=ids)
        .select_related("intent")
        .prefetch_related("skills", "career")
    }
    records: dict[int, list[EmploymentRecord]] = {}
    for record in EmploymentRecord.objects.filter(network=network, membership_id__in=ids).prefetch_related(
        "assignments"
    ):
        records.setdefault(record.membership_id or 0, []).append(record)
    consents = set(
        Consent.objects.filter(
            network=network, membership_id__in=ids, purpose=ConsentPurpose.REHIRE_CONTACT, withdrawn_at__isnull=True
        ).values_list("membership_id", flat=True)
    )
    return memberships, {"profiles": profiles, "records": records, "consents": consents}


def member_features(membership: Membership, *, for_staff: bool) -> Features:
    """The features of one member: what staff may see (for_staff) or everything (their own view)."""
    _memberships, loaded = _load_members(membership.network, [membership.pk])
    profile = loaded["profiles"].get(membership.pk)
    groups = _staff_groups(profile) if for_staff else set(FIELD_GROUPS)
    return _member_features(
        membership,
        profile,
        loaded["records"].get(membership.pk, []),
        membership.pk in loaded["consents"],
        groups=groups,
        today=timezone.localdate(),
    )


def opportunity_features(opportunity: Opportunity) -> Features:
    required = [skill_term(pk) for pk in opportunity.required_skills.values_list("pk", flat=True)]
    welcome = [skill_term(pk) for pk in opportunity.welcome_skills.values_list("pk", flat=True)]
    skills = dict.fromkeys(welcome, 1) | dict.fromkeys(required, 2)
    return Features(
        skills=skills,
        departments={department_term(opportunity.department)} if opportunity.department.strip() else set(),
        families={family_term(key) for key in families_of(opportunity.department, opportunity.title)},
        kinds=OPPORTUNITY_KIND_BITS.get(opportunity.kind, 0),
        prefecture=prefecture_code(opportunity.location),
        remote=OPPORTUNITY_REMOTE.get(opportunity.remote, REMOTE_ON_SITE),
    )


# --- Keeping the terms in step ---------------------------------------------------------------------


def index_members(network: Network, membership_ids: Iterable[int]) -> None:
    """Rewrite the MatchTerm rows of these members (any number, in a few queries); members who are
    no longer active alumni lose theirs."""
    ids = list(dict.fromkeys(membership_ids))
    if not ids:
        return
    today = timezone.localdate()
    memberships, loaded = _load_members(network, ids)
    rows: list[MatchTerm] = []
    for membership in memberships:
        profile = loaded["profiles"].get(membership.pk)
        features = _member_features(
            membership,
            profile,
            loaded["records"].get(membership.pk, []),
            membership.pk in loaded["consents"],
            groups=_staff_groups(profile),
            today=today,
        )
        rows.extend(
            MatchTerm(
                network=network,
                membership_id=membership.pk,
                term=term,
                consent=features.consent,
                not_now_until=features.not_now_until,
                modifiers=features.packed(),
            )
            for term in features.terms
        )
    with transaction.atomic():
        MatchTerm.objects.filter(network=network, membership_id__in=ids).delete()
        MatchTerm.objects.bulk_create(rows, batch_size=2000)


def opportunity_terms(opportunity: Opportunity, features: Features) -> list[OpportunityTerm]:
    """The OpportunityTerm rows of an opportunity with these features (unsaved)."""
    weights = {**features.skills, **dict.fromkeys(features.departments | features.families, 0)}
    return [
        OpportunityTerm(
            network_id=opportunity.network_id,
            opportunity=opportunity,
            term=term,
            weight=weight,
            skill_total=features.skill_total,
            kinds=features.kinds,
            prefecture=features.prefecture,
            remote=features.remote,
        )
        for term, weight in weights.items()
    ]


def index_opportunity(opportunity: Opportunity) -> None:
    """Rewrite the OpportunityTerm rows of one opportunity (call after its skills are saved)."""
    rows = opportunity_terms(opportunity, opportunity_features(opportunity))
    with transaction.atomic():
        OpportunityTerm.objects.filter(network_id=opportunity.network_id, opportunity=opportunity).delete()
        OpportunityTerm.objects.bulk_create(rows)


def touch_activity(membership: Membership) -> None:
    """After a new active day: refresh the member's last active day if it is more than a week old
    (one UPDATE that usually changes nothing; the activity part counts in 30/90/365-day steps)."""
    today = day_number(membership.last_active_on)
    if not today:
        return
    stale = today - ACTIVITY_REFRESH_DAYS
    MatchTerm.objects.filter(
        network_id=membership.network_id, membership=membership, modifiers__lt=stale << DAY_SHIFT
    ).update(modifiers=F("modifiers").bitand((1 << DAY_SHIFT) - 1).bitor(today << DAY_SHIFT))


def rebuild(network: Network, batch_size: int = 2000) -> int:
    """Recompute every term of `network` (management command `rebuild_match_index`)."""
    MatchTerm.objects.filter(network=network).exclude(
        membership__state=MembershipState.ACTIVE, membership__role__in=ALUMNI_ROLES
    ).delete()
    ids = list(
        Membership.objects.filter(network=network, state=MembershipState.ACTIVE, role__in=ALUMNI_ROLES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        index_members(network, ids[start : start + batch_size])
    for opportunity in Opportunity.objects.filter(network=network).prefetch_related(
        "required_skills", "welcome_skills"
    ):
        index_opportunity(opportunity)
    return len(ids)


# --- The score, once, in SQL -----------------------------------------------------------------------

PARTS = ("skills", "department", "kind", "timing", "place", "activity")


def _parts_sql(
    *, held: str, total: str, level: str, m_kinds: str, o_kinds: str, m_timing: str,
    m_remote: str, o_remote: str, m_pref: str, o_pref: str, m_day: str, today: date,
) -> list[str]:  # fmt: skip
    """The six parts as SQL expressions over the given column expressions (both directions use it);
    only integers are written into the text."""
    d30, d90, d365 = (day_number(today - timedelta(days=days)) for days in (30, 90, 365))
    return [
        f"CASE WHEN {total} > 0 THEN (90 * {held} + {total}) / (2 * {total}) ELSE 0 END",
        f"CASE WHEN {level} = 2 THEN 15 WHEN {level} = 1 THEN 10 ELSE 0 END",
        f"CASE WHEN ({m_kinds} & {o_kinds}) <> 0 THEN 15 WHEN ({m_kinds} & {KIND_STATED}) = 0 THEN 5 ELSE 0 END",
        f"{m_timing}",
        f"CASE WHEN {o_remote} = {REMOTE_ONLY} THEN 10"
        f" WHEN {m_remote} = {REMOTE_ONLY} THEN (CASE WHEN {o_remote} = {REMOTE_PARTLY} THEN 4 ELSE 0 END)"
        f" WHEN {o_pref} > 0 AND {m_pref} = {o_pref} THEN 10"
        f" WHEN {o_remote} = {REMOTE_PARTLY} THEN 4 ELSE 0 END",
        f"CASE WHEN {m_day} >= {d30} THEN 10 WHEN {m_day} >= {d90} THEN 6 WHEN {m_day} >= {d365} THEN 3 ELSE 0 END",
    ]


def _ints(values: Iterable[int]) -> str:
    return ", ".join(str(int(value)) for value in values)


@dataclass
class Match:
    """One fit: the member (for an opportunity) or the opportunity (for a member), its score and parts."""

    pk: int
    parts: dict[str, int]
    level: int = 0  # 2 same department, 1 same line of work
    common: list[int] = field(default_factory=list)  # the terms in common
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(self.parts.values())


def _ranked_sql(key: str, grouped: str, parts: list[str], tie: str) -> str:
    """SELECT key, level, the six parts, from `grouped` (one row per candidate), best first. The
    total is computed once per candidate to choose the best; the parts only for those chosen."""
    total = " + ".join(f"({part})" for part in parts)
    columns = ", ".join(f"({part}) AS p{index}" for index, part in enumerate(parts))
    return (
        f"SELECT {key}, level, {columns} FROM ("  # noqa: S608 (names, placeholders and integers only)
        f" SELECT g.*, {total} AS score FROM ({grouped}) g ORDER BY score DESC, {tie} LIMIT %s"
        f") best ORDER BY score DESC, {tie}"
    )


def _rank(sql: str, params: list[Any]) -> list[Match]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The grouping holds one row per candidate (up to the whole network): keep it in memory.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, params)
        return [
            Match(pk=row[0], level=row[1], parts=dict(zip(PARTS, row[2:], strict=True))) for row in cursor.fetchall()
        ]


# The level of a term in common: 2 a department, 1 a line of work, 0 a skill.
_LEVEL = f"MAX(CASE WHEN t.term >= {FAMILY_BASE} THEN 1 WHEN t.term >= {DEPARTMENT_BASE} THEN 2 ELSE 0 END)"
# The member's packed modifiers (pack_modifiers), unpacked in SQL (no % in the text: it holds params).
_MEMBER = {"m_kinds": "(m & 63)", "m_timing": "(m / 64 & 7)", "m_remote": "(m / 512 & 3)",
           "m_pref": "(m / 2048 & 63)", "m_day": f"(m / {1 << DAY_SHIFT})"}  # fmt: skip


# The best a member sharing only a line of work can score: 10 + kind 15 + timing 5 + place 10 + activity 10.
FAMILY_ONLY_BEST = 50


def rank_members(opportunity: Opportunity, limit: int = OPPORTUNITY_LIMIT) -> list[Match]:
    """The alumni who fit `opportunity` best, best first: only those open to outreach (consent in
    force, not "not now"), not already its candidates. Three or four queries whatever the size.

    First the members sharing a skill or the department (their line of work is read from their
    packed modifiers); only if the last of those chosen scores FAMILY_ONLY_BEST or less can somebody
    sharing only a line of work beat them, and the ranking is done again with the lines of work.
    """
    features = opportunity_features(opportunity)
    if not features.terms:
        return []
    today = timezone.localdate()
    taken = set(Candidate.objects.filter(opportunity=opportunity).values_list("membership_id", flat=True))
    wanted = limit + len(taken)
    strong = [*features.skills, *sorted(features.departments)]
    ranked = _rank_members_by(opportunity, features, strong, today, wanted) if strong else []
    if features.families and (len(ranked) < wanted or ranked[-1].score <= FAMILY_ONLY_BEST):
        ranked = _rank_members_by(opportunity, features, features.terms, today, wanted)
    # Candidates are dropped after ranking (cheaper than an anti-join on every member in common).
    matches = [match for match in ranked if match.pk not in taken][:limit]
    _fill_common(matches, MatchTerm, "membership_id", opportunity.network_id, features.terms)
    return matches


def _rank_members_by(
    opportunity: Opportunity, features: Features, terms: list[int], today: date, limit: int
) -> list[Match]:
    required = [term for term, weight in features.skills.items() if weight == 2]
    required_case = f"WHEN t.term IN ({_ints(required)}) THEN 2 " if required else ""
    families = family_bits(features.families)
    grouped = (
        "SELECT t.membership_id,"  # noqa: S608 (table names and integers only)
        f" SUM(CASE {required_case}WHEN t.term < {DEPARTMENT_BASE} THEN 1 ELSE 0 END) AS held,"
        f" CASE WHEN MAX(CASE WHEN t.term >= {DEPARTMENT_BASE} AND t.term < {FAMILY_BASE} THEN 1 ELSE 0 END) = 1"
        f" THEN 2 WHEN (MAX(t.modifiers) / {1 << FAMILY_SHIFT} & {families}) <> 0 THEN 1 ELSE 0 END AS level,"
        f" MAX(t.modifiers) AS m, MAX(t.modifiers) / {1 << DAY_SHIFT} AS sort_key"
        f" FROM {MatchTerm._meta.db_table} t"
        f" WHERE t.network_id = %s AND t.term IN ({_ints(terms)}) AND t.consent = %s"
        " AND (t.not_now_until IS NULL OR t.not_now_until <= %s)"
        " GROUP BY t.membership_id"
    )
    parts = _parts_sql(
        held="held", total=str(features.skill_total), level="level", o_kinds=str(features.kinds),
        o_remote=str(features.remote), o_pref=str(features.prefecture), today=today, **_MEMBER,
    )  # fmt: skip
    sql = _ranked_sql("membership_id", grouped, parts, "sort_key DESC, membership_id")
    return _rank(sql, [opportunity.network_id, True, today, limit])


def rank_opportunities(
    membership: Membership, features: Features | None = None, limit: int = MEMBER_LIMIT
) -> list[Match]:
    """The open opportunities the member may see that fit them best, best first (not those they
    already answered). Two queries plus the member's features."""
    if features is None:
        features = member_features(membership, for_staff=False)
    terms = features.terms
    if not terms:
        return []
    today = timezone.localdate()
    skills = list(features.skills)
    held = f"SUM(CASE WHEN t.term IN ({_ints(skills)}) THEN t.weight ELSE 0 END)" if skills else "0"
    grouped = (
        f"SELECT t.opportunity_id, {held} AS held, MAX(t.skill_total) AS total, {_LEVEL} AS level,"  # noqa: S608
        " MAX(t.kinds) AS kinds, MAX(t.prefecture) AS prefecture, MAX(t.remote) AS remote,"
        " t.opportunity_id AS sort_key"
        f" FROM {OpportunityTerm._meta.db_table} t JOIN {Opportunity._meta.db_table} o ON o.id = t.opportunity_id"
        f" WHERE t.network_id = %s AND t.term IN ({_ints(terms)}) AND o.status = %s"
        " AND (o.opens_on IS NULL OR o.opens_on <= %s) AND (o.closes_on IS NULL OR o.closes_on >= %s)"
        f" AND (o.audience = %s OR EXISTS (SELECT 1 FROM {OpportunityInvitee._meta.db_table} i"
        " WHERE i.opportunity_id = o.id AND i.membership_id = %s))"
        f" AND NOT EXISTS (SELECT 1 FROM {Candidate._meta.db_table} c"
        " WHERE c.opportunity_id = o.id AND c.membership_id = %s)"
        " GROUP BY t.opportunity_id"
    )
    parts = _parts_sql(
        held="held", total="total", level="level", m_kinds=str(features.kinds), o_kinds="kinds",
        m_timing=str(features.timing), m_remote=str(features.remote), o_remote="remote",
        m_pref=str(features.prefecture), o_pref="prefecture", m_day=str(day_number(features.active_on)), today=today,
    )  # fmt: skip
    sql = _ranked_sql("opportunity_id", grouped, parts, "sort_key DESC")
    params: list[Any] = [membership.network_id, Opportunity.Status.OPEN, today, today, Opportunity.Audience.ALL,
                         membership.pk, membership.pk, limit]  # fmt: skip
    matches = _rank(sql, params)
    _fill_common(matches, OpportunityTerm, "opportunity_id", membership.network_id, terms)
    return matches


def _fill_common(matches: list[Match], model: Any, key: str, network_id: int, terms: list[int]) -> None:
    """The terms each match has in common with the other side (for the reasons): one query."""
    if not matches:
        return
    by_pk = {match.pk: match for match in matches}
    rows = model.objects.filter(network_id=network_id, **{f"{key}__in": list(by_pk)}, term__in=terms).values_list(
        key, "term"
    )
    for pk, term in rows:
        by_pk[pk].common.append(term)
    for match in matches:
        match.common.sort()


# --- Reasons in words ------------------------------------------------------------------------------


def explain(match: Match, skill_names: dict[int, str], *, department: str = "", for_member: bool = False) -> None:
    """Fill `match.reasons`: one sentence per part that counted. `department` is the opportunity's
    (the department in common); `for_member` leaves out the person's own activity."""
    reasons: list[str] = []
    skills = [skill_names[term] for term in match.common if term < DEPARTMENT_BASE and term in skill_names]
    if skills:
        reasons.append(_("Skills in common: %(skills)s") % {"skills": "、".join(skills)})
    if match.level == 2 and department:
        reasons.append(_("Worked in the same department: %(department)s") % {"department": department})
    else:
        families = [str(FAMILIES[term - FAMILY_BASE][1]) for term in match.common
                    if FAMILY_BASE <= term < FAMILY_BASE + len(FAMILIES)]  # fmt: skip
        if families:
            reasons.append(_("Same line of work: %(families)s") % {"families": "、".join(families)})
    if match.parts["kind"] == 15:
        reasons.append(_("Open to this kind of work"))
    if match.parts["timing"] >= 4:
        reasons.append(_("Could start soon"))
    place = match.parts["place"]
    if place == 10:
        reasons.append(_("Place or remote work fits"))
    elif place == 4:
        reasons.append(_("Partly remote work possible"))
    if not for_member and match.parts["activity"] >= 6:
        reasons.append(_("Active on the network recently"))
    match.reasons = reasons


def skill_names_of(matches: Iterable[Match]) -> dict[int, str]:
    ids = {term for match in matches for term in match.common if term < DEPARTMENT_BASE}
    return dict(Skill.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


# --- Outreach: personal invitations to the top matches ----------------------------------------------


@dataclass
class InvitationResult:
    sent: int = 0
    recent: int = 0  # invited to something in the last INVITATION_INTERVAL_DAYS
    already: int = 0  # already invited to this opportunity
    not_matching: int = 0  # no longer among the matches (consent withdrawn, "not now", a candidate now…)


def recent_invitations(network_id: int, membership_ids: Iterable[int]) -> dict[int, Any]:
    """membership id → the time of their latest personal invitation within the interval."""
    since = timezone.now() - timedelta(days=INVITATION_INTERVAL_DAYS)
    rows = (
        PersonalInvitation.objects.filter(
            network_id=network_id, membership_id__in=list(membership_ids), sent_at__gte=since
        )
        .values("membership_id")
        .annotate(latest=Max("sent_at"))
        .order_by()
    )
    return {row["membership_id"]: row["latest"] for row in rows}


def invite(
    opportunity: Opportunity, membership_ids: Iterable[int], actor: Membership, request: Any = None
) -> InvitationResult:
    """Invite these people personally to look at `opportunity`: only those still among its matches
    (so open to outreach), at most once per opportunity and once per person every
    INVITATION_INTERVAL_DAYS across all opportunities (nobody is spammed). An invited person may see
    the opportunity even when its audience is a segment or invited people. Audited."""
    wanted = list(dict.fromkeys(membership_ids))
    result = InvitationResult()
    with transaction.atomic():
        # One sender at a time per person: the interval holds across opportunities and tabs.
        list(
            Membership.objects.select_for_update()
            .filter(network_id=opportunity.network_id, pk__in=wanted)
            .order_by("pk")
        )
        scores = {match.pk: match.score for match in rank_members(opportunity)}
        already = set(
            PersonalInvitation.objects.filter(opportunity=opportunity, membership_id__in=wanted).values_list(
                "membership_id", flat=True
            )
        )
        recent = recent_invitations(opportunity.network_id, wanted)
        chosen: list[int] = []
        for pk in wanted:
            if pk in already:
                result.already += 1
            elif pk not in scores:
                result.not_matching += 1
            elif pk in recent:
                result.recent += 1
            else:
                chosen.append(pk)
        PersonalInvitation.objects.bulk_create(
            PersonalInvitation(
                network_id=opportunity.network_id,
                opportunity=opportunity,
                membership_id=pk,
                score=scores[pk],
                sent_by=actor.user,
            )
            for pk in chosen
        )
        if opportunity.audience != Opportunity.Audience.ALL:
            OpportunityInvitee.objects.bulk_create(
                [OpportunityInvitee(network_id=opportunity.network_id, opportunity=opportunity, membership_id=pk)
                 for pk in chosen],
                ignore_conflicts=True,
            )  # fmt: skip
        url = reverse("network:opportunity_detail", args=[opportunity.network.slug, opportunity.pk])
        for member in Membership.objects.filter(pk__in=chosen).select_related("user"):
            notify(member, topic=Topic.OPPORTUNITIES, kind="opportunity_invitation", url=url, actor=actor,
                   params={"title": opportunity.title}, reference=f"opportunity:{opportunity.pk}")  # fmt: skip
        result.sent = len(chosen)
        audit(opportunity.network, actor.user, "opportunity.invitations_sent", opportunity, request=request,
              members=chosen, skipped=len(wanted) - len(chosen))  # fmt: skip
    return result


def recommended_for(membership: Membership, count: int = RECOMMENDED_COUNT) -> list[tuple[Opportunity, Match]]:
    """ "Recommended for you": the few open opportunities that fit the alumnus best (score at least
    RECOMMENDED_MIN_SCORE), with their reasons; nothing for staff."""
    if membership.role not in ALUMNI_ROLES:
        return []
    ranked = [match for match in rank_opportunities(membership, limit=count) if match.score >= RECOMMENDED_MIN_SCORE]
    if not ranked:
        return []
    names = skill_names_of(ranked)
    found = (
        Opportunity.objects.filter(network_id=membership.network_id)
        .select_related("company")
        .in_bulk([match.pk for match in ranked])
    )
    shown = []
    for match in ranked:
        opportunity = found.get(match.pk)
        if opportunity is not None:
            explain(match, names, department=opportunity.department, for_member=True)
            shown.append((opportunity, match))
    return shown
