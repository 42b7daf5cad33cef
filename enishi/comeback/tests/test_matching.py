"""Matching both ways: the score's parts, its reasons, who is left out, and that the index follows
the services that change a member (profile, intent, consent, records, state, activity)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.comeback import matching, services
from enishi.comeback.models import MatchTerm, Opportunity
from enishi.comeback.tests.helpers import make_opportunity
from enishi.intake.models import EmploymentRecord
from enishi.intake.services import save_employment_record
from enishi.networks.models import Membership
from enishi.networks.services import suspend_member
from enishi.privacy.models import ConsentPurpose
from enishi.privacy.notices import grant_consent, withdraw_consent
from enishi.profiles import services as profiles
from enishi.profiles.models import FieldGroup, Profile, Skill, Visibility
from enishi.profiles.vocabulary import ReturnMode, Timing

pytestmark = pytest.mark.django_db


def _record(net: PersonaNetwork, member: Membership, department: str, job_title: str = "") -> EmploymentRecord:
    with scopes_disabled():
        record = EmploymentRecord(
            company=net.company, membership=member, employee_number=f"E{member.pk}", family_name="佐藤",
            given_name="一郎", department=department, job_title=job_title,
        )  # fmt: skip
        return save_employment_record(net.network, net.admin, record, ["department"])


def _profile(
    member: Membership, *, skills: list[str], location: str = "", intent: dict[str, Any] | None = None,
    hide: dict[str, str] | None = None,
) -> Profile:  # fmt: skip
    with scopes_disabled():
        profile = profiles.profile_of(member)
        profile.location = location
        if hide:
            profile.visibility = {**profile.visibility, **hide}
        profiles.save_profile(profile, member.user, ["location"], skills=skills)
        if intent is not None:
            record = profiles.intent_of(profile)
            for name, value in intent.items():
                setattr(record, name, value)
            profiles.save_intent(profile, member.user, record, list(intent))
        return profile


def _opportunity(net: PersonaNetwork, **fields: Any) -> Opportunity:
    values = {"title": "経理スタッフ（副業）", "kind": Opportunity.Kind.SIDE_JOB, "department": "経理部",
              "location": "東京都千代田区", "remote": Opportunity.Remote.HYBRID}  # fmt: skip
    values.update(fields)
    opportunity = make_opportunity(net, **values)
    with scopes_disabled():
        python, _created = Skill.objects.get_or_create(key="python", defaults={"name": "Python"})
        sql, _created = Skill.objects.get_or_create(key="sql", defaults={"name": "SQL"})
        opportunity.required_skills.set([python])
        opportunity.welcome_skills.set([sql])
        matching.index_opportunity(opportunity)
    return opportunity


def _ready(net: PersonaNetwork, persona: str, **profile: Any) -> Membership:
    member = net.memberships[persona]
    with scopes_disabled():
        grant_consent(member, ConsentPurpose.REHIRE_CONTACT)
        Membership.objects.filter(pk=member.pk).update(last_active_on=timezone.localdate())
        member.refresh_from_db()
    _profile(member, **profile)
    return member


FULL_FIT = {
    "skills": ["Python", "SQL"],
    "location": "東京都",
    "intent": {"return_modes": [ReturnMode.SIDE_JOB], "earliest": Timing.NOW},
}


def test_a_full_fit_scores_100_with_every_reason(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    _record(net_a, member, "経理部")
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        matches = matching.rank_members(opportunity)
    assert [match.pk for match in matches] == [member.pk]
    match = matches[0]
    assert match.parts == {"skills": 45, "department": 15, "kind": 15, "timing": 5, "place": 10, "activity": 10}
    assert match.score == 100
    with translation.override("en"), scopes_disabled():
        matching.explain(match, matching.skill_names_of(matches), department=opportunity.department)
    assert match.reasons == [
        "Skills in common: Python、SQL",
        "Worked in the same department: 経理部",
        "Open to this kind of work",
        "Could start soon",
        "Place or remote work fits",
        "Active on the network recently",
    ]


def test_parts_weigh_required_skills_twice_and_fall_back_to_the_line_of_work(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", skills=["SQL"], intent={"return_modes": [ReturnMode.FULL_TIME]})
    _record(net_a, member, "財務部")  # not the same department, the same line of work (finance)
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(last_active_on=timezone.localdate() - timedelta(days=60))
        matching.index_members(net_a.network, [member.pk])
        (match,) = matching.rank_members(_opportunity(net_a))
    # skills: SQL is welcome (1 of 2×1 + 1 = 3) → 45 × 1/3 = 15; line of work 10; full-time only ≠ side job: 0;
    # no timing; not in Tokyo but partly remote: 4; active 60 days ago: 6.
    assert match.parts == {"skills": 15, "department": 10, "kind": 0, "timing": 0, "place": 4, "activity": 6}
    with translation.override("en"), scopes_disabled():
        matching.explain(match, matching.skill_names_of([match]), department="経理部")
    assert "Same line of work: finance and accounting" in match.reasons


def test_best_fit_comes_first_and_nobody_without_a_reason_of_substance(net_a: PersonaNetwork) -> None:
    best = _ready(net_a, "alumnus1", **FULL_FIT)
    weaker = _ready(net_a, "alumnus2", skills=["SQL"], location="東京都",
                    intent={"return_modes": [ReturnMode.SIDE_JOB]})  # fmt: skip
    unrelated = _ready(net_a, "supporter", skills=["写真"], location="東京都",
                       intent={"return_modes": [ReturnMode.SIDE_JOB], "earliest": Timing.NOW})  # fmt: skip
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        ranked = [match.pk for match in matching.rank_members(opportunity)]
    assert ranked == [best.pk, weaker.pk]
    assert unrelated.pk not in ranked


def test_not_now_and_withdrawn_consent_are_left_out_of_outreach(net_a: PersonaNetwork) -> None:
    later = timezone.localdate() + timedelta(days=90)
    resting = _ready(net_a, "alumnus1", **{**FULL_FIT, "intent": {"not_now": True, "ask_again_on": later}})
    withdrawn = _ready(net_a, "alumnus2", **FULL_FIT)
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        assert [match.pk for match in matching.rank_members(opportunity)] == [withdrawn.pk]
        withdraw_consent(withdrawn, ConsentPurpose.REHIRE_CONTACT)  # takes effect at once
        assert matching.rank_members(opportunity) == []
        # The ask-again date passing brings the resting person back without any write.
        Profile.objects.get(membership=resting).intent.__class__.objects.filter(profile__membership=resting).update(
            ask_again_on=timezone.localdate()
        )
        matching.index_members(net_a.network, [resting.pk])
        assert [match.pk for match in matching.rank_members(opportunity)] == [resting.pk]


def test_hr_matches_use_only_what_staff_may_see_but_the_alumnus_sees_all_of_theirs(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT, hide={FieldGroup.SKILLS: Visibility.ME})
    opportunity = _opportunity(net_a, department="", title="副業スタッフ")
    with scopes_disabled():
        assert MatchTerm.objects.filter(membership=member, term__lt=matching.DEPARTMENT_BASE).count() == 0
        assert matching.rank_members(opportunity) == []  # skills "only me": nothing of substance for hr
        mine = matching.rank_opportunities(member)
    assert [match.pk for match in mine] == [opportunity.pk]
    assert mine[0].parts["skills"] == 45


def test_a_line_of_work_alone_is_offered_only_when_stronger_fits_leave_room(net_a: PersonaNetwork) -> None:
    strong = _ready(net_a, "alumnus1", **FULL_FIT)
    _record(net_a, strong, "経理部")
    family_only = _ready(net_a, "alumnus2", skills=[], intent={"return_modes": [ReturnMode.SIDE_JOB]})
    _record(net_a, family_only, "財務部")  # finance, like 経理部, and nothing else in common
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        ranked = matching.rank_members(opportunity)
        assert [match.pk for match in ranked] == [strong.pk, family_only.pk]
        assert ranked[1].parts["department"] == 10
        assert ranked[1].parts["skills"] == 0
        # With room for one, the strong fit (100 > 50, the best a line of work alone can reach) is enough.
        assert [match.pk for match in matching.rank_members(opportunity, limit=1)] == [strong.pk]


def test_candidates_and_other_networks_are_not_offered(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    stranger = _ready(net_b, "alumnus1", **FULL_FIT)
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        assert [match.pk for match in matching.rank_members(opportunity)] == [member.pk]
        assert stranger.pk not in [match.pk for match in matching.rank_members(opportunity)]
        services.express_interest(opportunity, member)
        assert matching.rank_members(opportunity) == []
        assert matching.rank_opportunities(member) == []  # answered: no longer recommended


def test_recommendations_respect_status_dates_and_audience(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", **FULL_FIT)
    visible = _opportunity(net_a, title="公開中")
    _opportunity(net_a, title="下書き", status=Opportunity.Status.DRAFT)
    _opportunity(net_a, title="締切済み", closes_on=timezone.localdate() - timedelta(days=1))
    invited_only = _opportunity(net_a, title="招待のみ", audience=Opportunity.Audience.INVITED)
    other = _opportunity(net_a, title="他の人だけ", audience=Opportunity.Audience.INVITED)
    with scopes_disabled():
        services.fix_invitees(invited_only, [member.pk])
        services.fix_invitees(other, [net_a.memberships["alumnus2"].pk])
        ranked = {match.pk for match in matching.rank_opportunities(member)}
    assert ranked == {visible.pk, invited_only.pk}


def test_the_index_follows_suspension_records_and_activity(net_a: PersonaNetwork) -> None:
    member = _ready(net_a, "alumnus1", skills=["SQL"])
    with scopes_disabled():
        department = matching.department_term("経理部")
        assert not MatchTerm.objects.filter(membership=member, term=department).exists()
        _record(net_a, member, "経理部")
        assert MatchTerm.objects.filter(membership=member, term=department).exists()
        old = timezone.localdate() - timedelta(days=40)
        packed = matching.pack_modifiers(0, 3, 0, 13, old)
        MatchTerm.objects.filter(membership=member).update(modifiers=packed)
        member.last_active_on = timezone.localdate()
        matching.touch_activity(member)
        stored = set(MatchTerm.objects.filter(membership=member).values_list("modifiers", flat=True))
        assert stored == {matching.pack_modifiers(0, 3, 0, 13, timezone.localdate())}  # only the day moved
        matching.touch_activity(member)  # a second time the same week changes nothing
        assert set(MatchTerm.objects.filter(membership=member).values_list("modifiers", flat=True)) == stored
        suspend_member(member, net_a.admin)
        assert not MatchTerm.objects.filter(membership=member).exists()


def test_modifiers_pack_and_unpack() -> None:
    day = timezone.localdate()
    families = matching.family_bits([matching.family_term("sales"), matching.family_term("financial_services")])
    packed = matching.pack_modifiers(37, 5, 3, 48, day, families)
    assert matching.unpack_modifiers(packed) == (37, 5, 3, 48, day, families)
    assert matching.unpack_modifiers(matching.pack_modifiers(0, 0, 0, 0, None)) == (0, 0, 0, 0, None, 0)
    assert matching.department_term("経理部") == matching.department_term(" 経理部 ")
    assert matching.department_term("経理部") != matching.department_term("財務部")
    assert matching.skill_term(7) < matching.DEPARTMENT_BASE <= matching.department_term("x") < matching.FAMILY_BASE


def test_vocabulary_helpers() -> None:
    assert matching.families_of("第一営業部") == {"sales"}
    assert matching.families_of("営業企画部") == {"sales", "planning"}
    assert matching.families_of("Credit analyst") == set()  # "it" only as a whole word
    assert matching.families_of("IT推進室") == {"engineering"}
    assert matching.prefecture_name(matching.prefecture_code("東京都千代田区")) == "東京都"
    assert matching.prefecture_name(matching.prefecture_code("京都市")) == "京都府"
    assert matching.prefecture_name(matching.prefecture_code("大阪（本社）")) == "大阪府"
    assert matching.prefecture_code("どこでも") == 0


def test_rebuild_command_restores_the_terms(net_a: PersonaNetwork) -> None:
    from io import StringIO

    from django.core.management import call_command

    from enishi.comeback.models import OpportunityTerm

    member = _ready(net_a, "alumnus1", **FULL_FIT)
    opportunity = _opportunity(net_a)
    with scopes_disabled():
        before = sorted(MatchTerm.objects.filter(membership=member).values_list("term", flat=True))
        MatchTerm.objects.all().delete()
        OpportunityTerm.objects.all().delete()
    out = StringIO()
    call_command("rebuild_match_index", "--network", net_a.network.slug, stdout=out)
    assert f"{net_a.network.slug}:" in out.getvalue()
    with scopes_disabled():
        assert sorted(MatchTerm.objects.filter(membership=member).values_list("term", flat=True)) == before
        assert [match.pk for match in matching.rank_members(opportunity)] == [member.pk]
