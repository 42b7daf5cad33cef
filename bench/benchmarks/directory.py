"""Directory search latency at 1,000,000 alumni, the cost of reindexing one member, the index size.

For each database kind: a fresh migrated database with one network of three companies, then one
worker process (`worker`, below) that

1. writes the search documents of DIRECTORY_ALUMNI members straight into the index table (the
   full-text index follows by the migration's triggers or generated columns), without creating
   the users, memberships and profiles behind them: building 1M of those would take an hour and
   the search never reads them. Foreign keys are switched off for this session only. Each
   document is tokenised by the application's own `tokens.text_tokens` from realistic text: a
   name drawn from the demo tables (kanji and kana), a headline and role from a vocabulary of job
   words weighted like real ones (営業 in ~20 % of profiles, 監査 in ~0.3 %), an organisation,
   two to four skills, a 近況 sentence; facet tokens (company, leave year, industry, prefecture,
   skills); a last-active day within three years;
2. times `directory.search.search()` (what the directory page runs for its first page of 20) for
   the fixed query set of issue 4, each alone and with two facets (company and leave-year range),
   sorted by relevance and by recent activity: REPEATS runs each after one warm-up;
3. times `reindex_members` for one real member with a full profile (REPEATS runs, median);
4. reports the size of the index table and of each part that serves the search (FTS5 shadow tables;
   heap, TOAST table and each index on PostgreSQL), by name.
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

NAME = "directory_search"
NETWORK = "bench-directory"
ADMIN = "admin@bench-directory.example"
DIRECTORY_ALUMNI = int(os.environ.get("BENCH_DIRECTORY_ALUMNI", "1000000"))
REPEATS = 30
PAGE = 20
INSERT_BATCH_SIZE = 5000
WORKER_TIMEOUT_S = 7200
QUERIES = {
    "common_word": "営業",
    "rare_word": "監査",
    "long_katakana": "データサイエンティスト",
    "kana_name": "たかはし",
    "kanji_full_name": "佐藤 翔太",
    "english_skill": "Python",
}
# (word, weight): how many profiles out of 1,000 carry it in their headline or role.
JOB_WORDS = [("営業", 200), ("人事", 60), ("経理", 50), ("エンジニア", 120), ("マーケティング", 60),
             ("企画", 90), ("広報", 30), ("法務", 20), ("総務", 40), ("コンサルタント", 50),
             ("データサイエンティスト", 8), ("監査", 3), ("デザイナー", 30), ("研究開発", 25),
             ("カスタマーサクセス", 20), ("プロダクトマネージャー", 25), ("購買", 15), ("物流", 20)]  # fmt: skip
SKILLS = ["Python", "SQL", "Excel", "簿記", "英語", "中国語", "Java", "AWS", "財務分析", "採用", "労務",
          "プロジェクト管理", "Salesforce", "デザイン思考", "法人営業", "マネジメント", "統計",
          "TypeScript"]  # fmt: skip
ORGANISATIONS = ["株式会社みらい", "ひかり銀行", "あおば物産", "Tokyo Tech Partners", "さくら製薬", "東都電機",
                 "North Star Consulting", "よつば商事", "しろくま物流", "アルファ総研"]  # fmt: skip
NOW_TEXTS = ["子育てをしながら時短で働いています", "新しい事業の立ち上げに挑戦中です",
             "大学院で学び直しています", "地方に移住してリモートで働いています",
             "副業で地域の企業を支援しています", "海外赴任から戻りました"]  # fmt: skip
# PostgreSQL's full-text indexes (migrations 0002 and 0003), built once after the load.
GIN_INDEXES = {
    "directory_alumni_vector": "alumni_vector",
    "directory_staff_vector": "staff_vector",
    "directory_alumni_names_vector": "alumni_names_vector",
    "directory_staff_names_vector": "staff_names_vector",
}
INDUSTRIES = ["it", "finance", "manufacturing", "retail", "professional", "healthcare", "media"]
PREFECTURES = ["東京都", "神奈川県", "大阪府", "愛知県", "福岡県", "北海道", "京都府"]


@benchmark(NAME)
def directory_search(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            for name, unit in (
                ("directory_search_p50", "ms"),
                ("directory_search_p95", "ms"),
                ("profile_update", "ms"),
            ):
                results.append(Result.skip(name, kind, unit, problem))
            continue
        results.extend(_measure(ctx, kind))
    return results


def _measure(ctx: Context, kind: str) -> list[Result]:
    database = ctx.fresh_database(kind)
    ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)  # not timed
    ctx.manage(database, "create_network", NETWORK, "ベンチ 名簿", "--company", "ベンチ商事|Bench Trading",
               "--admin-email", ADMIN, timeout=120)  # fmt: skip
    print(f"  {kind}: {DIRECTORY_ALUMNI:,} search documents; measuring", flush=True)
    figures = _worker(ctx, database)
    common = {"alumni": DIRECTORY_ALUMNI, "seed": SEED, "page": PAGE, "repeats": REPEATS}
    cases = figures["cases"]
    results = []
    # One figure per database for each percentile: the worst case of the query set; every case
    # (query, facets, sort, its p50 and p95, how many results the page held) is in the params.
    for name, percentile in (("directory_search_p50", "p50"), ("directory_search_p95", "p95")):
        worst_case = max(cases, key=lambda case: case[percentile])
        params = {**common, "worst_case": _case_label(worst_case), "cases": cases}
        results.append(Result(name, kind, worst_case[percentile], "ms", params=params))
    results.append(Result("profile_update", kind, figures["profile_update_ms"], "ms",
                          params={**common, "index_bytes": figures["index_bytes"],
                                  "index_parts_bytes": figures["index_parts_bytes"],
                                  "load_seconds": figures["load_seconds"]}))  # fmt: skip
    worst = max(case["p95"] for case in figures["cases"])
    print(f"  {kind}: worst p95 {worst:.1f} ms, profile update {figures['profile_update_ms']:.1f} ms, "
          f"index {figures['index_bytes'] / 2**20:.0f} MiB", flush=True)  # fmt: skip
    return results


def _case_label(case: dict[str, Any]) -> str:
    facets = f" +{case['facets']}" if case["facets"] else ""
    return f"{case['query']}{facets} ({case['sort']})"


def _worker(ctx: Context, database: Database) -> dict[str, Any]:
    code = "from bench.benchmarks.directory import worker; worker()"
    done = subprocess.run([sys.executable, "-c", code], cwd=ctx.root, env=ctx.env(database), capture_output=True,
                          text=True, timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"{NAME} worker failed on {database.kind}:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- The worker process --------------------------------------------------------------------------


def worker(slug: str = NETWORK, count: int = DIRECTORY_ALUMNI) -> None:
    import django

    django.setup()
    from django_scopes import scope, scopes_disabled

    from enishi.networks.models import Company, Network

    with scopes_disabled():
        network = Network.objects.get(slug=slug)
        companies = [Company.objects.get(network=network).pk]
        for name in ("ベンチ製作所", "ベンチ銀行"):
            companies.append(Company.objects.create(network=network, name_ja=name).pk)
    with scope(network=network):
        started = time.perf_counter()
        _load(network, companies, count)
        load_seconds = time.perf_counter() - started
        cases = _time_searches(network, companies)
        update_ms = _time_profile_update(network, companies[0])
        index_parts = _index_parts_bytes()
    print(json.dumps({"cases": cases, "profile_update_ms": update_ms, "index_bytes": sum(index_parts.values()),
                      "index_parts_bytes": index_parts,
                      "load_seconds": round(load_seconds, 1)}))  # fmt: skip


def _load(network: Any, companies: list[int], count: int) -> None:
    from django.db import connection, transaction

    from enishi.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
    from enishi.directory import tokens
    from enishi.directory.indexing import rank_key

    rng = random.Random(SEED)
    words, weights = zip(*JOB_WORDS, strict=True)
    family_weights = [1 / (rank + 5) for rank in range(len(FAMILY_NAMES))]
    given_names = MALE_GIVEN_NAMES + FEMALE_GIVEN_NAMES
    given_weights = [1 / (rank + 5) for rank in range(len(MALE_GIVEN_NAMES))] + [
        1 / (rank + 5) for rank in range(len(FEMALE_GIVEN_NAMES))
    ]
    today = date(2025, 6, 1)
    first_id = 10_000_000  # above any real membership id of this database
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
        else:
            cursor.execute("SET session_replication_role = replica")  # no FK checks for this load
            for index in GIN_INDEXES:
                cursor.execute(f"DROP INDEX {index}")
    statement = (
        "INSERT INTO directory_searchdocument (network_id, membership_id, rank_key, last_active_on, sort_name, "
        "alumni_names, alumni_text, staff_names, staff_text, alumni_keys, staff_keys) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    for start in range(0, count, INSERT_BATCH_SIZE):
        rows = []
        for number in range(start, min(start + INSERT_BATCH_SIZE, count)):
            membership_id = first_id + number
            family = rng.choices(FAMILY_NAMES, family_weights)[0]
            given = rng.choices(given_names, given_weights)[0]
            headline = "・".join(rng.choices(words, weights, k=2))
            skills = rng.sample(range(len(SKILLS)), rng.randint(2, 4))
            leave_year = rng.randint(2000, 2024)
            last_active = today - timedelta(days=int(rng.expovariate(1 / 200)) % 1100)
            names = tokens.text_tokens([family.kanji, given.kanji, family.kanji + given.kanji, family.kana,
                                        given.kana, family.kana + given.kana])  # fmt: skip
            texts = tokens.text_tokens([headline, rng.choice(ORGANISATIONS), rng.choices(words, weights)[0],
                                        *(SKILLS[skill] for skill in skills), rng.choice(NOW_TEXTS)])  # fmt: skip
            facets = [tokens.network_token(network.pk), tokens.company_token(rng.choice(companies)),
                      tokens.leave_year_token(leave_year), tokens.industry_token(rng.choice(INDUSTRIES)),
                      tokens.prefecture_token(rng.choice(PREFECTURES)),
                      *(tokens.skill_token(skill + 1) for skill in skills)]  # fmt: skip
            names_text, body, keys = " ".join(names), " ".join(facets + texts), " ".join(facets)
            listed = rng.random() < 0.9
            sort_name = f"{family.kana}\u3000{given.kana}"
            rows.append((network.pk, membership_id, rank_key(membership_id, last_active), last_active, sort_name,
                         names_text if listed else "", body if listed else "", names_text, body,
                         keys if listed else "", keys))  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(statement, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for index, column in GIN_INDEXES.items():
                cursor.execute(f"CREATE INDEX {index} ON directory_searchdocument USING gin ({column})")
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("VACUUM ANALYZE directory_searchdocument")
        else:
            cursor.execute("INSERT INTO directory_fts(directory_fts) VALUES ('optimize')")
            cursor.execute("INSERT INTO directory_names_fts(directory_names_fts) VALUES ('optimize')")
            cursor.execute("PRAGMA foreign_keys = ON")


def _time_searches(network: Any, companies: list[int]) -> list[dict[str, Any]]:
    from enishi.directory.search import search
    from enishi.directory.tokens import Filters

    facets = Filters(company_ids=(companies[0],), leave_year_from=2015, leave_year_to=2020)
    cases = []
    for kind, query in QUERIES.items():
        for filters in (None, facets):
            for sort in ("relevance", "recent"):
                page = search(network, "alumni", query, filters=filters, sort=sort, limit=PAGE)  # type: ignore[arg-type]
                timings = []
                for _ in range(REPEATS):
                    started = time.perf_counter()
                    search(network, "alumni", query, filters=filters, sort=sort, limit=PAGE)  # type: ignore[arg-type]
                    timings.append(1000 * (time.perf_counter() - started))
                timings.sort()
                cases.append({
                    "kind": kind, "query": query, "facets": "company+leave_years" if filters else "",
                    "sort": sort, "results": len(page.membership_ids), "has_more": page.has_more,
                    "p50": round(statistics.median(timings), 2),
                    "p95": round(timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)], 2),
                })  # fmt: skip
    return cases


def _time_profile_update(network: Any, company_id: int) -> float:
    from django.utils import timezone

    from enishi.accounts.models import User
    from enishi.directory.indexing import reindex_members
    from enishi.intake.models import EmploymentRecord
    from enishi.networks.models import Membership
    from enishi.privacy.models import Consent, ConsentPurpose
    from enishi.profiles.models import CareerEntry, Profile

    user = User.objects.create_user("directory-bench@example.com", None, family_name="高橋", given_name="翔太",
                                    family_name_kana="タカハシ", given_name_kana="ショウタ")  # fmt: skip
    membership = Membership.objects.create(network=network, user=user, state="active", activated_at=timezone.now())
    profile = Profile.objects.create(network=network, membership=membership, headline="営業企画・データ分析",
                                     organisation="株式会社みらい", role_title="マネージャー",
                                     now_text="副業で地域の企業を支援しています")  # fmt: skip
    for year in range(3):
        CareerEntry.objects.create(network=network, profile=profile, organisation=f"会社{year}", role_title="営業")
    EmploymentRecord.objects.create(network=network, company_id=company_id, membership=membership,
                                    employee_number="B1", family_name="高橋", given_name="翔太")  # fmt: skip
    Consent.objects.create(network=network, membership=membership, purpose=ConsentPurpose.DIRECTORY_LISTING)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        reindex_members(network, [membership.pk])
        timings.append(1000 * (time.perf_counter() - started))
    return round(statistics.median(timings), 2)


def _index_parts_bytes() -> dict[str, int]:
    """The bytes of the index table and of each structure that serves the search, by name."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The heap, its TOAST table (the vectors are long enough to live there) and every index.
            cursor.execute(
                "SELECT 'directory_searchdocument', pg_relation_size('directory_searchdocument') "
                "UNION ALL SELECT 'toast', pg_total_relation_size(reltoastrelid) FROM pg_class "
                "WHERE oid = 'directory_searchdocument'::regclass "
                "UNION ALL SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
                "WHERE indrelid = 'directory_searchdocument'::regclass"
            )
        else:
            cursor.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'directory_fts%' "
                "OR name LIKE 'directory_names_fts%' OR name LIKE 'directory_search%' OR name LIKE 'searchdocument%' "
                "OR name LIKE 'sqlite_autoindex_directory_search%' GROUP BY name"
            )
        return {str(name): int(size or 0) for name, size in cursor.fetchall()}
