"""Results of a survey: per question distributions, NPS, free-text answers, one-dimension
cross-tabulations (company, leave year, registration source) and the export rows.

Anonymous surveys (docs/ARCHITECTURE.md, "Surveys") show results only once closed, and only aggregates
of at least MIN_GROUP answers. A group is refused not only when it is small but also when what it
leaves out is small (1 to MIN_GROUP - 1 answers): otherwise "all" minus "the group" would show the few
others. The same rule applies per question (a branch answered by few). Filters and cross-tabs take one
dimension at a time, so that two views cannot be intersected. Named surveys show everything.

Every function here runs a constant number of queries whatever the number of answers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enishi.analytics.figures import Figure, Series
from enishi.intake.sources import RegistrationSource
from enishi.lib.charts import nps_distribution, render_chart
from enishi.networks.models import Company
from enishi.surveys.models import MIN_GROUP, Answer, Question, Response, Survey
from enishi.surveys.services import nps

DIMENSIONS = {
    "company": gettext_lazy("Company"),
    "leave_year": gettext_lazy("Leave year"),
    "source": gettext_lazy("Registration source"),
}
# Free-text answers listed on the page (all of them are in the export).
TEXT_LIMIT = 500
MULTIPLE_SEPARATOR = " / "


@dataclass
class Bar:
    label: str
    count: int
    percent: float
    kind: str = ""  # NPS: promoter / passive / detractor


@dataclass
class TextAnswer:
    value: str
    person: str | None  # named surveys only


@dataclass
class QuestionResult:
    question: Question
    n: int
    bars: list[Bar] = field(default_factory=list)
    average: float | None = None
    nps: dict[str, Any] | None = None
    texts: list[TextAnswer] = field(default_factory=list)
    withheld: bool = False
    chart: SafeString | None = None  # server-side SVG (lib.charts)


@dataclass
class Group:
    key: str
    label: str
    n: int


@dataclass
class CrossRow:
    label: str
    cells: list[str]


@dataclass
class CrossTable:
    question: Question
    rows: list[CrossRow]
    withheld: bool = False


@dataclass
class CrossTab:
    dimension: str
    groups: list[Group]
    others: int  # answers in groups too small to show alone, pooled
    tables: list[CrossTable]


@dataclass
class Results:
    survey: Survey
    total: int
    questions: list[QuestionResult]
    withheld: str | None = None  # why nothing is shown (anonymous: open, or too few answers)
    refused: str | None = None  # why the asked filter or cross-tab is not shown
    dimension: str = ""
    group: Group | None = None
    groups: list[Group] = field(default_factory=list)  # the groups one may filter on
    crosstab: CrossTab | None = None


def _key(value: object) -> str:
    return "" if value is None else str(value)


def group_label(dimension: str, key: str, companies: Mapping[str, str]) -> str:
    if key == "":
        return _("Unknown")
    if dimension == "company":
        return companies.get(key, _("Unknown"))
    if dimension == "source":
        return str(RegistrationSource(key).label) if key in RegistrationSource.values else key
    return key


def small(count: int) -> bool:
    """A count that would single out too few people (anonymous surveys)."""
    return 0 < count < MIN_GROUP


def shown_groups(counts: Mapping[str, int], total: int) -> tuple[list[str], int] | None:
    """The groups big enough to show, and the pooled rest; None when the pooled rest is itself small."""
    shown = [key for key, count in counts.items() if count >= MIN_GROUP]
    others = total - sum(counts[key] for key in shown)
    if small(others):
        return None
    return shown, others


def _responses(survey: Survey) -> QuerySet[Response]:
    return Response.objects.filter(network_id=survey.network_id, survey=survey)


def _answers(survey: Survey) -> QuerySet[Answer]:
    return Answer.objects.filter(network_id=survey.network_id, response__survey=survey)


def _company_names(survey: Survey) -> dict[str, str]:
    return {str(company.pk): str(company) for company in Company.objects.filter(network_id=survey.network_id)}


def survey_results(survey: Survey, dimension: str = "", group: str | None = None, crosstab: bool = False) -> Results:
    """The results page's data. `dimension` with `group`: only that group's answers; with
    `crosstab`: every question compared across the dimension's groups."""
    anonymous = survey.anonymous
    questions = list(Question.objects.filter(network_id=survey.network_id, survey=survey).order_by("position", "id"))
    if dimension not in DIMENSIONS:
        dimension, group, crosstab = "", None, False
    responses = _responses(survey)
    counts: dict[str, int] = {}
    if dimension:
        for value, count in responses.values_list(dimension).annotate(n=Count("id")).order_by():
            counts[_key(value)] = counts.get(_key(value), 0) + count
        total = sum(counts.values())
    else:
        total = responses.count()
    results = Results(survey=survey, total=total, questions=[], dimension=dimension)
    if anonymous and survey.status != Survey.Status.CLOSED:
        results.withheld = _("The answers of an anonymous survey are shown once it is closed.")
        return results
    if anonymous and total < MIN_GROUP:
        results.withheld = _("Fewer than %(count)d answers: the results of an anonymous survey are not shown.") % {
            "count": MIN_GROUP
        }
        return results
    companies = _company_names(survey) if dimension == "company" else {}
    if dimension:
        allowed = [key for key, count in counts.items() if not anonymous or count >= MIN_GROUP]
        results.groups = sorted(
            (Group(key, group_label(dimension, key, companies), counts[key]) for key in allowed),
            key=lambda item: item.label,
        )
    answers = _answers(survey)
    overall_per_question = _per_question(answers)
    if dimension and group is not None:
        if group not in counts:
            results.refused = _("No answers in this group.")
            return results
        n = counts[group]
        if anonymous and (n < MIN_GROUP or small(total - n)):
            results.refused = _(
                "This group, or everyone outside it, has fewer than %(count)d answers: it cannot be shown "
                "for an anonymous survey."
            ) % {"count": MIN_GROUP}
            return results
        results.group = Group(group, group_label(dimension, group, companies), n)
        results.total = n
        lookup = {f"response__{dimension}": None if group == "" and dimension != "source" else group}
        answers = answers.filter(**lookup)
    per_question = _per_question(answers) if results.group else overall_per_question
    distribution: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, value, count in answers.values_list("question_id", "value").annotate(n=Count("id")).order_by():
        if question_id in per_question:
            distribution[question_id][value] = count
    texts = _texts(survey, answers, [q.pk for q in questions if q.kind == Question.Kind.TEXT])
    for question in questions:
        n = per_question.get(question.pk, 0)
        withheld = anonymous and (small(n) or small(overall_per_question.get(question.pk, 0) - n))
        result = QuestionResult(question=question, n=n, withheld=withheld)
        if not withheld:
            _fill(result, distribution.get(question.pk, {}), texts.get(question.pk, []))
        results.questions.append(result)
    if crosstab and dimension and results.group is None:
        table = _crosstab(survey, questions, dimension, counts, total, overall_per_question, companies)
        if table is None:
            results.refused = _(
                "Some groups are too small to compare for an anonymous survey (fewer than %(count)d answers "
                "even when pooled)."
            ) % {"count": MIN_GROUP}
        results.crosstab = table
    return results


def _per_question(answers: QuerySet[Answer]) -> dict[int, int]:
    """How many responses answered each question."""
    return dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)).order_by())


def _texts(survey: Survey, answers: QuerySet[Answer], question_ids: list[int]) -> dict[int, list[TextAnswer]]:
    if not question_ids:
        return {}
    chosen = answers.filter(question_id__in=question_ids)
    texts: dict[int, list[TextAnswer]] = defaultdict(list)
    if survey.anonymous:
        # Ordered by the random id: nothing about who or when.
        for question_id, value in chosen.order_by("pk").values_list("question_id", "value")[:TEXT_LIMIT]:
            texts[question_id].append(TextAnswer(value, None))
        return texts
    rows = chosen.select_related("response__membership__user").order_by("response__submitted_at", "pk")[:TEXT_LIMIT]
    for answer in rows:
        membership = answer.response.membership
        person = str(membership.user) if membership is not None else _("Deleted member")
        texts[answer.question_id].append(TextAnswer(answer.value, person))
    return texts


def _fill(result: QuestionResult, distribution: Mapping[str, int], texts: list[TextAnswer]) -> None:
    question = result.question
    n = result.n
    if question.kind == Question.Kind.TEXT:
        result.texts = texts
        return
    options = question.options()
    for option in options:
        count = distribution.get(option, 0)
        result.bars.append(Bar(option, count, round(count * 100 / n, 1) if n else 0.0, _nps_kind(question, option)))
    counts = [bar.count for bar in result.bars]
    if question.kind == Question.Kind.NPS:
        figure = nps_distribution(f"question-{question.pk}", question.label, counts)
    else:
        figure = Figure(key=f"question-{question.pk}", title=question.label, kind="bar", labels=options,
                        series=[Series("answers", _("Answers"), list(counts))])  # fmt: skip
    result.chart = render_chart(figure)
    if question.kind in (Question.Kind.SCALE, Question.Kind.NPS) and n:
        result.average = round(sum(int(value) * count for value, count in distribution.items()) / n, 2)
    if question.kind == Question.Kind.NPS:
        score, promoters, passives, detractors, total = nps(distribution)
        result.nps = {
            "score": score,
            "parts": [
                Bar(_("Promoters (9–10)"), promoters, _percent(promoters, total), "promoter"),
                Bar(_("Passives (7–8)"), passives, _percent(passives, total), "passive"),
                Bar(_("Detractors (0–6)"), detractors, _percent(detractors, total), "detractor"),
            ],
        }


def _percent(count: int, total: int) -> float:
    return round(count * 100 / total, 1) if total else 0.0


def _nps_kind(question: Question, option: str) -> str:
    if question.kind != Question.Kind.NPS:
        return ""
    value = int(option)
    return "promoter" if value >= 9 else "passive" if value >= 7 else "detractor"


def _crosstab(
    survey: Survey,
    questions: list[Question],
    dimension: str,
    counts: Mapping[str, int],
    total: int,
    overall_per_question: Mapping[int, int],
    companies: Mapping[str, str],
) -> CrossTab | None:
    anonymous = survey.anonymous
    if anonymous:
        found = shown_groups(counts, total)
        if found is None:
            return None
        keys, others = found
    else:
        keys, others = list(counts), 0
    groups = sorted((Group(key, group_label(dimension, key, companies), counts[key]) for key in keys),
                    key=lambda item: item.label)  # fmt: skip
    answers = _answers(survey)
    cells: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for question_id, value, key, count in (
        answers.values_list("question_id", "value", f"response__{dimension}").annotate(n=Count("id")).order_by()
    ):
        cells[(question_id, _key(key))][value] = count
    answered: dict[tuple[int, str], int] = {}
    for question_id, key, count in (
        answers.values_list("question_id", f"response__{dimension}")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        answered[(question_id, _key(key))] = answered.get((question_id, _key(key)), 0) + count
    tables = []
    for question in questions:
        if question.kind == Question.Kind.TEXT:
            continue
        per_group = {group.key: answered.get((question.pk, group.key), 0) for group in groups}
        withheld = anonymous and (
            any(small(n) for n in per_group.values())
            or small(overall_per_question.get(question.pk, 0) - sum(per_group.values()))
        )
        rows: list[CrossRow] = []
        if not withheld:
            rows = _cross_rows(question, groups, cells, per_group)
        tables.append(CrossTable(question, rows, withheld))
    return CrossTab(dimension, groups, others, tables)


def _cross_rows(
    question: Question,
    groups: list[Group],
    cells: Mapping[tuple[int, str], dict[str, int]],
    per_group: Mapping[str, int],
) -> list[CrossRow]:
    rows = [CrossRow(_("Answers"), [str(per_group[group.key]) for group in groups])]
    if question.kind == Question.Kind.NPS:
        scores = [nps(cells.get((question.pk, group.key), {}))[0] for group in groups]
        rows.append(CrossRow("NPS", ["–" if score is None else f"{score:+.1f}" for score in scores]))
        return rows
    for option in question.options():
        rows.append(CrossRow(option, [
            f"{_percent(cells.get((question.pk, group.key), {}).get(option, 0), per_group[group.key]):.1f}%"
            for group in groups
        ]))  # fmt: skip
    return rows


# --- Export ---------------------------------------------------------------------------------------


def export_refusal(survey: Survey) -> str | None:
    if survey.anonymous and survey.status != Survey.Status.CLOSED:
        return _("The answers of an anonymous survey can be exported once it is closed.")
    if survey.anonymous and _responses(survey).count() < MIN_GROUP:
        return _("Fewer than %(count)d answers: the answers of an anonymous survey are not exported.") % {
            "count": MIN_GROUP
        }
    return None


def export_table(survey: Survey) -> tuple[list[str], Iterator[list[object]]]:
    """Headers and rows, one row per response. Named: the person, the time and the groups first.
    Anonymous: the answers only, rows in a random order (no person, no time, no group keys that
    could be combined into one person)."""
    questions = list(Question.objects.filter(network_id=survey.network_id, survey=survey).order_by("position", "id"))
    values: dict[Any, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    stored = _answers(survey).order_by("pk").values_list("response_id", "question_id", "value")
    for response_id, question_id, value in stored:
        values[response_id][question_id].append(value)
    order = {question.pk: {option: index for index, option in enumerate(question.options())} for question in questions}
    for by_question in values.values():
        for question_id, chosen in by_question.items():
            rank = order.get(question_id, {})
            chosen.sort(key=lambda value: rank.get(value, len(rank)))
    headers = [question.label for question in questions]
    if survey.anonymous:
        ids = list(_responses(survey).values_list("pk", flat=True))
        random.SystemRandom().shuffle(ids)
        rows: list[list[object]] = [[MULTIPLE_SEPARATOR.join(values[pk][q.pk]) for q in questions] for pk in ids]
        return headers, iter(rows)
    companies = _company_names(survey)
    responses = _responses(survey).select_related("membership__user").order_by("submitted_at", "pk")
    named_headers = [_("Name"), _("Email"), _("Answered at"), _("Company"), _("Leave year"), _("Registration source")]

    def named_rows() -> Iterator[list[object]]:
        for response in responses:
            user = response.membership.user if response.membership is not None else None
            yield [
                str(user) if user else _("Deleted member"), user.email if user else "", response.submitted_at,
                group_label("company", _key(response.company_id), companies),
                response.leave_year or "", group_label("source", response.source, companies),
                *(MULTIPLE_SEPARATOR.join(values[response.pk][q.pk]) for q in questions),
            ]  # fmt: skip

    return [*named_headers, *headers], named_rows()
