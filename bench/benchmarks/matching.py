"""Matching latency (issue 7): the top-50 alumni for one opportunity among 1,000,000 alumni, and the
top-20 opportunities for one alumnus among 5,000 open ones, on PostgreSQL, against a brute-force
numpy scan of the same features in the same process as the floor.

A fresh migrated PostgreSQL database with one network, then one worker process (`worker`) that

1. draws MATCH_ALUMNI members' features from realistic distributions (skills from a vocabulary of
   SKILL_COUNT, Zipf-weighted, 0–8 each; a last department from 80, Zipf-weighted, a posting in a
   second one for a third of them, their lines of work found by the application's own
   `matching.families_of`; intent kinds, timing, remote wish, prefecture, last active day within
   three years; 80 % with the rehire-contact consent, 10 % "not now") and writes their MatchTerm
   rows with COPY (memberships, users and profiles are not created: ranking never reads them;
   foreign keys are off for the load), builds the covering index, VACUUM ANALYZE;
2. creates OPEN_OPPORTUNITIES open opportunities with their OpportunityTerm rows (same vocabulary);
3. times `matching.rank_members` (what hr's matches page runs) for QUERY_OPPORTUNITIES real
   opportunities with required and welcome skills (common and rare) and a department, REPEATS
   each after a warm-up, and `matching.rank_opportunities` (the alumnus's recommendations; the
   member's features given, as the page has them after reading their profile) for QUERY_MEMBERS
   members, REPEATS each;
4. computes the same scores with numpy over arrays of the same features (a CSR matrix of skills,
   department codes, bitmasks of lines of work, the modifiers) and takes the top k with
   argpartition: the floor. The two must agree: the top scores are compared for every query.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from bench.context import MIGRATE_TIMEOUT_S, SEED, BenchError, Context, Database
from bench.registry import Result, benchmark

NAME = "matching"
NETWORK = "bench-matching"
ADMIN = "admin@bench-matching.example"
MATCH_ALUMNI = int(os.environ.get("BENCH_MATCH_ALUMNI", "1000000"))
OPEN_OPPORTUNITIES = 5000
SKILL_COUNT = 300
DEPARTMENT_COUNT = 80
QUERY_OPPORTUNITIES = 12
QUERY_MEMBERS = 20
REPEATS = 5
WORKER_TIMEOUT_S = 7200
FIRST_MEMBER = 10_000_000
TODAY = date(2026, 6, 1)
DEPARTMENT_STEMS = ["営業", "法人営業", "経理", "財務", "人事", "採用", "総務", "法務", "経営企画", "商品企画",
                    "マーケティング", "広報", "システム開発", "情報システム", "データ分析", "カスタマーサポート",
                    "品質保証", "製造", "物流", "研究開発"]  # fmt: skip
REAL_SKILLS = ["Python", "SQL", "Excel", "簿記", "英語", "中国語", "Java", "AWS", "財務分析", "採用", "労務",
               "プロジェクト管理", "Salesforce", "デザイン思考", "法人営業", "マネジメント", "統計",
               "TypeScript"]  # fmt: skip


@benchmark(NAME)
def matching_benchmark(ctx: Context) -> list[Result]:
    names = (("match_opportunity_1m_p95", "ms"), ("match_alumnus_5k_p95", "ms"))
    results = [Result.skip(name, "sqlite", unit, "the issue measures PostgreSQL (and the numpy floor)")
               for name, unit in names]  # fmt: skip
    problem = ctx.postgres_problem()
    if problem is not None:
        return results + [Result.skip(name, "postgresql", unit, problem) for name, unit in names]
    database = ctx.fresh_database("postgresql")
    ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)
    ctx.manage(database, "create_network", NETWORK, "ベンチ マッチング", "--company", "ベンチ商事|Bench Trading",
               "--admin-email", ADMIN, timeout=120)  # fmt: skip
    print(f"  postgresql: {MATCH_ALUMNI:,} alumni, {OPEN_OPPORTUNITIES:,} open opportunities; measuring", flush=True)
    figures = _worker(ctx, database)
    common = {"alumni": MATCH_ALUMNI, "open_opportunities": OPEN_OPPORTUNITIES, "skills": SKILL_COUNT,
              "departments": DEPARTMENT_COUNT, "seed": SEED, "repeats": REPEATS,
              "load_seconds": figures["load_seconds"], "term_rows": figures["term_rows"],
              "index_bytes": figures["index_bytes"]}  # fmt: skip
    for key, name in (("opportunity", "match_opportunity_1m_p95"), ("alumnus", "match_alumnus_5k_p95")):
        measured = figures[key]
        params = {**common, "p50": measured["p50"], "floor_p50": measured["floor_p50"],
                  "queries": measured["queries"], "agree": measured["agree"],
                  "candidates_median": measured["candidates_median"]}  # fmt: skip
        results.append(Result(name, "postgresql", measured["p95"], "ms", floor=measured["floor_p95"], params=params))
        print(f"  {name}: p50 {measured['p50']:.1f} ms, p95 {measured['p95']:.1f} ms; numpy floor p50 "
              f"{measured['floor_p50']:.1f} ms, p95 {measured['floor_p95']:.1f} ms; agree={measured['agree']}",
              flush=True)  # fmt: skip
    return results


def _worker(ctx: Context, database: Database) -> dict[str, Any]:
    code = "from bench.benchmarks.matching import worker; worker()"
    done = subprocess.run([sys.executable, "-c", code], cwd=ctx.root, env=ctx.env(database), capture_output=True,
                          text=True, timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"{NAME} worker failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 2)


# --- The worker process --------------------------------------------------------------------------


class Population:
    """The features of every member, as numpy arrays (the floor) and as MatchTerm rows (PostgreSQL)."""

    def __init__(self, rng: random.Random, count: int, skill_terms: list[int], departments: list[str]) -> None:
        import numpy as np

        from enishi.comeback import matching

        self.count = count
        family_keys = [key for key, _label, _words in matching.FAMILIES]
        self.family_bit = {key: 1 << index for index, key in enumerate(family_keys)}
        skill_weights = [1 / (rank + 3) for rank in range(len(skill_terms))]
        department_weights = [1 / (rank + 2) for rank in range(len(departments))]
        department_families = [matching.families_of(name) for name in departments]
        indptr = [0]
        indices: list[int] = []
        self.department_a = np.zeros(count, dtype=np.int32)  # 1-based codes, 0 none
        self.department_b = np.zeros(count, dtype=np.int32)
        self.families = np.zeros(count, dtype=np.int64)
        self.kinds = np.zeros(count, dtype=np.int32)
        self.timing = np.zeros(count, dtype=np.int32)
        self.prefecture = np.zeros(count, dtype=np.int32)
        self.remote = np.zeros(count, dtype=np.int32)
        self.active_days = np.zeros(count, dtype=np.int32)  # days before TODAY; large = never
        self.reachable = np.zeros(count, dtype=bool)
        self.rows: list[tuple[Any, ...]] = []  # (membership_id, term, consent, not_now_until, modifiers)
        prefecture_weights = [1 / (rank + 1) for rank in range(47)]
        for number in range(count):
            skills = sorted(
                set(rng.choices(range(len(skill_terms)), skill_weights, k=rng.choice((0, 2, 3, 4, 5, 6, 8))))
            )
            indices.extend(skills)
            indptr.append(len(indices))
            first = rng.choices(range(len(departments)), department_weights)[0]
            second = rng.choices(range(len(departments)), department_weights)[0] if rng.random() < 0.33 else None
            self.department_a[number] = first + 1
            terms = [skill_terms[index] for index in skills] + [matching.department_term(departments[first])]
            families = set(department_families[first])
            if second is not None and second != first:
                self.department_b[number] = second + 1
                terms.append(matching.department_term(departments[second]))
                families |= department_families[second]
            for key in families:
                self.families[number] |= self.family_bit[key]
            terms.extend(matching.family_term(key) for key in sorted(families))
            kinds = 0
            if rng.random() < 0.7:
                for bit in (1, 2, 4, 8, 16):
                    if rng.random() < 0.3:
                        kinds |= bit
                kinds |= 32
            not_now = rng.random() < 0.1
            consent = rng.random() < 0.8
            timing = 0 if not_now else rng.choice((0, 1, 1, 3, 4, 5))
            prefecture = rng.choices(range(1, 48), prefecture_weights)[0] if rng.random() < 0.9 else 0
            remote = rng.choice((0, 0, 1, 2, 3))
            days = int(rng.expovariate(1 / 120)) if rng.random() < 0.85 else 5000
            self.kinds[number], self.timing[number], self.prefecture[number] = kinds, timing, prefecture
            self.remote[number], self.active_days[number] = remote, days
            self.reachable[number] = consent and not not_now
            active_on = TODAY - timedelta(days=days) if days < 5000 else None
            not_now_until = date(9999, 12, 31) if not_now else None
            member = FIRST_MEMBER + number
            packed = matching.pack_modifiers(kinds, timing, remote, prefecture, active_on, matching.family_bits(terms))
            self.rows.extend((member, term, consent, not_now_until, packed)
                             for term in terms)  # fmt: skip
        self.skills_indptr = np.array(indptr, dtype=np.int64)
        self.skills_indices = np.array(indices, dtype=np.int32)

    def floor_rank(self, opportunity: dict[str, Any], limit: int) -> list[int]:
        """The same score as matching's SQL, for every member at once; the top `limit` scores."""
        import numpy as np

        weights = np.zeros(SKILL_COUNT, dtype=np.int32)
        for index, weight in opportunity["skills"].items():
            weights[index] = weight
        per_skill = weights[self.skills_indices]
        held = np.add.reduceat(np.append(per_skill, 0), self.skills_indptr[:-1]) if len(per_skill) else 0
        held = np.where(np.diff(self.skills_indptr) > 0, held, 0)
        total = opportunity["skill_total"]
        department = opportunity["department"]
        same_department = (self.department_a == department) | (self.department_b == department)
        same_family = (self.families & opportunity["families"]) != 0
        candidates = self.reachable & ((held > 0) | same_department | same_family)
        skills = (90 * held + total) // (2 * total) if total else np.zeros(self.count, dtype=np.int64)
        level = np.where(same_department, 15, np.where(same_family, 10, 0))
        kinds = np.where((self.kinds & opportunity["kinds"]) != 0, 15, np.where((self.kinds & 32) == 0, 5, 0))
        o_remote, o_pref = opportunity["remote"], opportunity["prefecture"]
        if o_remote == 1:
            place = np.full(self.count, 10)
        else:
            partly = 4 if o_remote == 2 else 0
            place = np.where(self.remote == 1, partly, np.where((o_pref > 0) & (self.prefecture == o_pref), 10, partly))
        activity = np.select([self.active_days <= 30, self.active_days <= 90, self.active_days <= 365], [10, 6, 3], 0)
        score = np.where(candidates, skills + level + kinds + self.timing + place + activity, -1)
        top = np.argpartition(-score, limit)[:limit]
        return sorted((int(value) for value in score[top] if value >= 0), reverse=True)


def worker(slug: str = NETWORK, count: int = MATCH_ALUMNI) -> None:
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from enishi.networks.models import Network

    rng = random.Random(SEED)
    with scopes_disabled():
        network = Network.objects.get(slug=slug)
        started = time.perf_counter()
        skills, departments = _vocabulary(network)
        skill_terms = list(skills)  # matching.skill_term is the skill's id
        population = Population(rng, count, skill_terms, departments)
        term_rows = _load_members(network, population)
        opportunities = _load_opportunities(network, rng, skills, departments)
        load_seconds = time.perf_counter() - started
        figures = {
            "load_seconds": round(load_seconds, 1),
            "term_rows": term_rows,
            "index_bytes": _index_bytes(),
            "opportunity": _time_opportunities(network, rng, population, skills, departments),
            "alumnus": _time_members(network, rng, population, opportunities, skill_terms, departments),
        }
    print(json.dumps(figures))


def _vocabulary(network: Any) -> tuple[list[int], list[str]]:
    from enishi.lib.japanese import normalise
    from enishi.profiles.models import Skill

    names = REAL_SKILLS + [f"専門スキル{number:03d}" for number in range(SKILL_COUNT - len(REAL_SKILLS))]
    existing = {skill.key: skill.pk for skill in Skill.objects.all()}
    Skill.objects.bulk_create(
        [Skill(name=name, key=normalise(name)) for name in names if normalise(name) not in existing]
    )
    keys = {skill.key: skill.pk for skill in Skill.objects.all()}
    departments = [f"{stem}{suffix}" for suffix in ("部", "第一部", "第二部", "課") for stem in DEPARTMENT_STEMS]
    return [keys[normalise(name)] for name in names], departments[:DEPARTMENT_COUNT]


def _load_members(network: Any, population: Population) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK checks: the memberships are not created
        cursor.execute("DROP INDEX IF EXISTS matchterm_rank")
        cursor.execute("DROP INDEX IF EXISTS matchterm_member")
        columns = "network_id, membership_id, term, consent, not_now_until, modifiers"
        with cursor.cursor.copy(f"COPY comeback_matchterm ({columns}) FROM STDIN") as copy:
            for row in population.rows:
                copy.write_row((network.pk, *row))
        cursor.execute("CREATE INDEX matchterm_rank ON comeback_matchterm (network_id, term, membership_id, consent, "
                       "not_now_until, modifiers)")  # fmt: skip
        cursor.execute("CREATE INDEX matchterm_member ON comeback_matchterm (membership_id)")
        cursor.execute("SET session_replication_role = DEFAULT")
    rows = len(population.rows)
    population.rows = []
    connection.close()
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE comeback_matchterm")
    return rows


def _opportunity_spec(rng: random.Random, skills: list[int], departments: list[str]) -> dict[str, Any]:
    from enishi.comeback.models import Opportunity

    required = rng.sample(range(len(skills)), rng.randint(1, 3))
    welcome = [index for index in rng.sample(range(len(skills)), rng.randint(0, 3)) if index not in required]
    return {
        "required": required,
        "welcome": welcome,
        "department": rng.randrange(len(departments)),
        "kind": rng.choice(list(Opportunity.Kind.values)),
        "remote": rng.choice(list(Opportunity.Remote.values)),
        "location": rng.choice(["東京都千代田区", "大阪府大阪市", "愛知県名古屋市", "福岡県福岡市", "北海道札幌市"]),
    }


def _load_opportunities(network: Any, rng: random.Random, skills: list[int], departments: list[str]) -> list[int]:
    from enishi.comeback import matching
    from enishi.comeback.models import Opportunity, OpportunityTerm

    made = []
    terms: list[OpportunityTerm] = []
    for number in range(OPEN_OPPORTUNITIES):
        spec = _opportunity_spec(rng, skills, departments)
        made.append((spec, Opportunity(network=network, title=f"案件 {number}", kind=spec["kind"],
                                       department=departments[spec["department"]], location=spec["location"],
                                       remote=spec["remote"], status=Opportunity.Status.OPEN)))  # fmt: skip
    Opportunity.objects.bulk_create([opportunity for _spec, opportunity in made], batch_size=1000)
    for spec, opportunity in made:
        features = matching.Features(
            skills={
                **{matching.skill_term(skills[i]): 1 for i in spec["welcome"]},
                **{matching.skill_term(skills[i]): 2 for i in spec["required"]},
            },
            departments={matching.department_term(opportunity.department)},
            families={
                matching.family_term(key) for key in matching.families_of(opportunity.department, opportunity.title)
            },
            kinds=matching.OPPORTUNITY_KIND_BITS[opportunity.kind],
            prefecture=matching.prefecture_code(opportunity.location),
            remote=matching.OPPORTUNITY_REMOTE[opportunity.remote],
        )
        terms.extend(matching.opportunity_terms(opportunity, features))
    OpportunityTerm.objects.bulk_create(terms, batch_size=2000)
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE comeback_opportunityterm")
        conn.execute("VACUUM ANALYZE comeback_opportunity")
    return [opportunity.pk for _spec, opportunity in made]


def _index_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('comeback_matchterm')")
        return int(cursor.fetchone()[0])


def _time_opportunities(
    network: Any, rng: random.Random, population: Population, skills: list[int], departments: list[str]
) -> dict[str, Any]:
    from unittest import mock

    from enishi.comeback import matching
    from enishi.comeback.models import Opportunity

    timings: list[float] = []
    floors: list[float] = []
    agree = True
    sizes: list[int] = []
    queries = []
    for number in range(QUERY_OPPORTUNITIES):
        spec = _opportunity_spec(rng, skills, departments)
        if number % 3 == 0:  # a third ask for the most common skills
            spec["required"], spec["welcome"] = [0, 1], [2]
        opportunity = Opportunity.objects.create(
            network=network, title=f"求人 {number}", kind=spec["kind"], department=departments[spec["department"]],
            location=spec["location"], remote=spec["remote"], status=Opportunity.Status.OPEN,
        )  # fmt: skip
        opportunity.required_skills.set([skills[index] for index in spec["required"]])
        opportunity.welcome_skills.set([skills[index] for index in spec["welcome"]])
        features = matching.opportunity_features(opportunity)
        floor_spec = {
            "skills": dict.fromkeys(spec["required"], 2) | {i: 1 for i in spec["welcome"] if i not in spec["required"]},
            "skill_total": features.skill_total,
            "department": spec["department"] + 1,
            "families": sum(
                population.family_bit[matching.FAMILIES[term - matching.FAMILY_BASE][0]] for term in features.families
            ),
            "kinds": features.kinds,
            "remote": features.remote,
            "prefecture": features.prefecture,
        }
        with mock.patch.object(matching.timezone, "localdate", return_value=TODAY):
            matching.rank_members(opportunity)  # warm-up
            for _repeat in range(REPEATS):
                began = time.perf_counter()
                ranked = matching.rank_members(opportunity)
                timings.append((time.perf_counter() - began) * 1000)
        for _repeat in range(REPEATS):
            began = time.perf_counter()
            floor = population.floor_rank(floor_spec, matching.OPPORTUNITY_LIMIT)
            floors.append((time.perf_counter() - began) * 1000)
        same = [match.score for match in ranked] == floor
        agree = agree and same
        sizes.append(_candidate_count(network, opportunity))
        queries.append({"required": len(spec["required"]), "welcome": len(spec["welcome"]),
                        "department": opportunity.department, "top": ranked[0].score if ranked else None,
                        "agree": same, "common_skills": number % 3 == 0, "in_common": sizes[-1],
                        "median_ms": round(statistics.median(timings[-REPEATS:]), 1)})  # fmt: skip
    return {"p50": _percentile(timings, 0.5), "p95": _percentile(timings, 0.95), "floor_p50": _percentile(floors, 0.5),
            "floor_p95": _percentile(floors, 0.95), "agree": agree, "queries": queries,
            "candidates_median": statistics.median(sizes)}  # fmt: skip


def _candidate_count(network: Any, opportunity: Any) -> int:
    from enishi.comeback import matching
    from enishi.comeback.models import MatchTerm

    terms = matching.opportunity_features(opportunity).terms
    return MatchTerm.objects.filter(network=network, term__in=terms).values("membership_id").distinct().count()


def _time_members(
    network: Any, rng: random.Random, population: Population, opportunities: list[int], skill_terms: list[int],
    departments: list[str],
) -> dict[str, Any]:  # fmt: skip
    from unittest import mock

    from enishi.comeback import matching
    from enishi.comeback.models import MatchTerm
    from enishi.networks.models import Membership

    timings: list[float] = []
    sizes = []
    for _number in range(QUERY_MEMBERS):
        member_id = FIRST_MEMBER + rng.randrange(population.count)
        rows = list(MatchTerm.objects.filter(network=network, membership_id=member_id))
        if not rows:
            continue
        kinds, timing, remote, prefecture, active_on, _families = matching.unpack_modifiers(rows[0].modifiers)
        features = matching.Features(
            skills={row.term: 1 for row in rows if row.term < matching.DEPARTMENT_BASE},
            departments={row.term for row in rows if matching.DEPARTMENT_BASE <= row.term < matching.FAMILY_BASE},
            families={row.term for row in rows if row.term >= matching.FAMILY_BASE},
            kinds=kinds, timing=timing, prefecture=prefecture, remote=remote, active_on=active_on,
        )  # fmt: skip
        membership = Membership(pk=member_id, network=network)
        with mock.patch.object(matching.timezone, "localdate", return_value=TODAY):
            matching.rank_opportunities(membership, features)  # warm-up
            for _repeat in range(REPEATS):
                began = time.perf_counter()
                ranked = matching.rank_opportunities(membership, features)
                timings.append((time.perf_counter() - began) * 1000)
        sizes.append(len(ranked))
    floors = _time_member_floor(rng, opportunities, skill_terms, departments)
    return {"p50": _percentile(timings, 0.5), "p95": _percentile(timings, 0.95), "floor_p50": floors[0],
            "floor_p95": floors[1], "agree": None, "queries": len(timings) // REPEATS,
            "candidates_median": statistics.median(sizes) if sizes else 0}  # fmt: skip


def _time_member_floor(
    rng: random.Random, opportunities: list[int], skill_terms: list[int], departments: list[str]
) -> tuple[float, float]:
    """numpy over the 5,000 opportunities' features (skills as a dense weight matrix): the floor."""
    import numpy as np

    from enishi.comeback.models import OpportunityTerm

    index = {pk: number for number, pk in enumerate(opportunities)}
    term_index = {term: number for number, term in enumerate(skill_terms)}
    weights = np.zeros((len(opportunities), len(skill_terms)), dtype=np.int32)
    totals = np.zeros(len(opportunities), dtype=np.int32)
    for opportunity_id, term, weight, total in OpportunityTerm.objects.filter(
        opportunity_id__in=opportunities
    ).values_list("opportunity_id", "term", "weight", "skill_total"):
        if term in term_index:
            weights[index[opportunity_id], term_index[term]] = weight
        totals[index[opportunity_id]] = total
    timings = []
    for _number in range(QUERY_MEMBERS * REPEATS):
        held_skills = rng.sample(range(len(skill_terms)), 4)
        began = time.perf_counter()
        held = weights[:, held_skills].sum(axis=1)
        score = np.where(totals > 0, (90 * held + totals) // np.maximum(2 * totals, 1), 0)
        top = np.argpartition(-score, 20)[:20]
        sorted(score[top].tolist(), reverse=True)
        timings.append((time.perf_counter() - began) * 1000)
    return _percentile(timings, 0.5), _percentile(timings, 0.95)
