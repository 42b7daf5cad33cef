"""Business verbs of surveys: editing while draft, opening (the audience is fixed), answering (once per
person, under a row lock), reminders, closing, and the figures the dashboard reads.

Anonymous surveys (docs/ARCHITECTURE.md, "Surveys"): `submit_response` stores no membership and no time
on the Response, sets only `answered = True` on the recipient row, and writes no audit entry; results
(results.py) show only groups of at least MIN_GROUP answers, and only once the survey is closed.
Notifications are sent from this module only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from enishi.accounts.models import User
from enishi.directory.services import segment_member_ids
from enishi.events.models import Rsvp
from enishi.intake.models import EmploymentRecord
from enishi.intake.sources import sources_of
from enishi.lib.errors import ActionRefused
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.notifications.services import notify_many
from enishi.notifications.topics import Topic
from enishi.privacy.services import audit
from enishi.surveys.models import MIN_GROUP, Answer, Question, Response, Survey, SurveyRecipient

TEXT_ANSWER_MAX = 4000
MAX_QUESTIONS = 60
MAX_CHOICES = 30
# A person reminded by hand is not reminded again within this time (a second click tells nobody twice).
MANUAL_REMINDER_GAP = timedelta(hours=24)
RECIPIENT_BATCH_SIZE = 1000
REMINDER_BATCH_SIZE = 5000  # people reminded per survey and run; the next run goes on


def survey_reference(survey: Survey) -> str:
    return f"survey:{survey.pk}"


def survey_path(survey: Survey) -> str:
    return reverse("network:survey_answer", args=[survey.network.slug, survey.pk])


# --- Editing (draft only for questions) -------------------------------------------------------------


def _require_draft(survey: Survey) -> None:
    if not survey.is_draft:
        raise ActionRefused(_("This survey is open or closed: its questions can no longer change."))


def save_survey(survey: Survey, actor: User, request: HttpRequest | None = None) -> Survey:
    """Create or change a survey's settings (the form keeps anonymity and audience fixed once open)."""
    if survey.pk is None:
        survey.created_by = actor
    if survey.status == Survey.Status.CLOSED:
        raise ActionRefused(_("This survey is closed and can no longer change."))
    with transaction.atomic():
        survey.save()
        audit(survey.network, actor, "survey.saved", survey, request=request)
    return survey


def save_question(question: Question, actor: User, request: HttpRequest | None = None) -> Question:
    """Add (at the end) or change a question of a draft survey."""
    survey = question.survey
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(network_id=survey.network_id, pk=survey.pk)
        _require_draft(locked)
        if question.pk is None:
            if Question.objects.filter(network_id=survey.network_id, survey=survey).count() >= MAX_QUESTIONS:
                raise ActionRefused(_("A survey has at most %(count)d questions.") % {"count": MAX_QUESTIONS})
            last = Question.objects.filter(network_id=survey.network_id, survey=survey).order_by("-position").first()
            question.position = last.position + 1 if last is not None else 0
        _check_branch(question)
        question.save()
        audit(survey.network, actor, "survey.questions_changed", survey, request=request, question=question.pk)
    return question


def _check_branch(question: Question) -> None:
    condition = question.show_if
    if condition is None:
        question.show_if_value = ""
        return
    if condition.survey_id != question.survey_id or condition.kind == Question.Kind.TEXT:
        raise ActionRefused(_("A question can depend only on an earlier choice, scale or NPS question."))
    if question.pk is not None and condition.position >= question.position:
        raise ActionRefused(_("A question can depend only on an earlier question."))
    if question.show_if_value not in condition.options():
        raise ActionRefused(_("Choose one of the answers of the earlier question."))


def move_question(question: Question, step: int, actor: User, request: HttpRequest | None = None) -> None:
    """Move a question one place earlier (-1) or later (+1). A question never moves above the one it
    depends on, nor a question that depends on it above it."""
    survey = question.survey
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(network_id=survey.network_id, pk=survey.pk)
        _require_draft(locked)
        ordered = list(Question.objects.filter(network_id=survey.network_id, survey=survey).order_by("position", "id"))
        index = next(i for i, other in enumerate(ordered) if other.pk == question.pk)
        target = index + step
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        positions = {other.pk: position for position, other in enumerate(ordered)}
        for other in ordered:
            if other.show_if_id is not None and positions.get(other.show_if_id, -1) >= positions[other.pk]:
                raise ActionRefused(_("A question must stay after the question it depends on."))
        for other in ordered:
            other.position = positions[other.pk]
        Question.objects.bulk_update(ordered, ["position"])
        audit(survey.network, actor, "survey.questions_changed", survey, request=request, question=question.pk)


def delete_question(question: Question, actor: User, request: HttpRequest | None = None) -> None:
    survey = question.survey
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(network_id=survey.network_id, pk=survey.pk)
        _require_draft(locked)
        if Question.objects.filter(network_id=survey.network_id, show_if=question).exists():
            raise ActionRefused(_("Other questions depend on this one: change them first."))
        audit(survey.network, actor, "survey.questions_changed", survey, request=request, deleted=question.pk)
        question.delete()


# --- Audience and opening -----------------------------------------------------------------------


def audience_ids(survey: Survey) -> list[int]:
    """The active alumni (and supporters) the survey's audience names today."""
    network = survey.network
    members = Membership.objects.filter(network=network, role__in=ALUMNI_ROLES, state=MembershipState.ACTIVE)
    if survey.audience == Survey.Audience.COMPANY:
        if survey.company_id is None:
            return []
        members = members.filter(
            pk__in=EmploymentRecord.objects.filter(network=network, company_id=survey.company_id).values(
                "membership_id"
            )
        )
    elif survey.audience == Survey.Audience.SEGMENT:
        if survey.segment is None:
            return []
        members = members.filter(pk__in=segment_member_ids(survey.segment))
    elif survey.audience == Survey.Audience.EVENT:
        if survey.event_id is None:
            return []
        rsvps = Rsvp.objects.filter(
            network=network, event_id=survey.event_id, status=Rsvp.Status.CONFIRMED, membership__isnull=False
        )
        # Once anyone is checked in, "attendees" are those who came; before, those confirmed.
        if rsvps.exclude(checked_in=Rsvp.CheckIn.NONE).exists():
            rsvps = rsvps.exclude(checked_in=Rsvp.CheckIn.NONE)
        members = members.filter(pk__in=rsvps.values("membership_id"))
    return list(members.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class GroupKeys:
    company_id: int | None
    leave_year: int | None
    source: str


def group_keys(network: Network, membership_ids: Sequence[int]) -> dict[int, GroupKeys]:
    """Company and leave year of each member's first employment record, and how they registered."""
    first: dict[int, tuple[int | None, date | None]] = {}
    for membership_id, company_id, leave_date in (
        EmploymentRecord.objects.filter(network=network, membership_id__in=membership_ids)
        .order_by("membership_id", "pk")
        .values_list("membership_id", "company_id", "leave_date")
    ):
        first.setdefault(membership_id, (company_id, leave_date))
    sources = sources_of(network, membership_ids)
    keys = {}
    for membership_id in membership_ids:
        company, left = first.get(membership_id, (None, None))
        keys[membership_id] = GroupKeys(company, left.year if left else None, sources[membership_id])
    return keys


def open_survey(survey: Survey, actor: User, request: HttpRequest | None = None, *, announce: bool = True) -> int:
    """Open a draft: fix its recipients now and tell them (unless `announce` is False: the demo data).
    Returns how many people are asked."""
    from enishi.surveys import tasks  # the task module imports this one

    now = timezone.now()
    with transaction.atomic():
        survey = (
            Survey.objects.select_for_update(of=("self",))  # segment is an outer join
            .select_related("network", "segment")
            .get(network_id=survey.network_id, pk=survey.pk)
        )
        _require_draft(survey)
        if not Question.objects.filter(network_id=survey.network_id, survey=survey).exists():
            raise ActionRefused(_("Add at least one question before opening the survey."))
        if survey.closes_at is None or survey.closes_at <= now:
            raise ActionRefused(_("Set a closing date in the future before opening the survey."))
        ids = audience_ids(survey)
        if not ids:
            raise ActionRefused(_("Nobody is in this audience: choose another before opening the survey."))
        companies = {membership_id: keys.company_id for membership_id, keys in group_keys(survey.network, ids).items()}
        SurveyRecipient.objects.bulk_create(
            [SurveyRecipient(network_id=survey.network_id, survey=survey, membership_id=membership_id,
                             company_id=companies[membership_id]) for membership_id in ids],
            batch_size=RECIPIENT_BATCH_SIZE,
        )  # fmt: skip
        survey.status = Survey.Status.OPEN
        survey.opens_at = now
        survey.save(update_fields=["status", "opens_at", "updated_at"])
        audit(survey.network, actor, "survey.opened", survey, request=request, recipients=len(ids))
        survey_id = survey.pk
        if announce:
            transaction.on_commit(lambda: tasks.announce_survey.enqueue(survey_id))
    return len(ids)


def close_survey(survey: Survey, actor: User | None, request: HttpRequest | None = None) -> bool:
    """Close an open survey (by hand, or by the worker at its closing time). False if it was not open."""
    with transaction.atomic():
        changed = Survey.objects.filter(network_id=survey.network_id, pk=survey.pk, status=Survey.Status.OPEN).update(
            status=Survey.Status.CLOSED, closed_at=timezone.now()
        )
        if changed:
            survey.refresh_from_db(fields=["status", "closed_at"])
            audit(survey.network, actor, "survey.closed", survey, request=request)
    return bool(changed)


# --- Reminders --------------------------------------------------------------------------------------


def remind(survey: Survey, actor: User | None, request: HttpRequest | None = None, now: datetime | None = None) -> int:
    """Remind everyone who has not answered and was not reminded in the last day. Returns how many."""
    now = now or timezone.now()
    if survey.status != Survey.Status.OPEN:
        raise ActionRefused(_("Only an open survey can send reminders."))
    waiting = SurveyRecipient.objects.filter(network_id=survey.network_id, survey=survey, answered=False).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - MANUAL_REMINDER_GAP)
    )
    count = _remind(survey, waiting, now)
    audit(survey.network, actor, "survey.reminded", survey, request=request, count=count)
    return count


def _remind(survey: Survey, waiting: QuerySet[SurveyRecipient], now: datetime) -> int:
    """Claim each row with a conditional UPDATE (two workers never both remind someone), then notify."""
    reminded = 0
    rows = list(waiting.order_by("pk").values("pk", "reminded_at", "membership_id")[:REMINDER_BATCH_SIZE])
    members = Membership.objects.filter(network_id=survey.network_id, pk__in=[row["membership_id"] for row in rows])
    by_id = {member.pk: member for member in members.select_related("user")}
    for row in rows:
        claimed = SurveyRecipient.objects.filter(
            network_id=survey.network_id, pk=row["pk"], answered=False, reminded_at=row["reminded_at"]
        ).update(reminded_at=now)
        if claimed and row["membership_id"] in by_id:
            reminded += notify_many(
                [by_id[row["membership_id"]]], topic=Topic.SURVEYS, kind="survey_reminder", url=survey_path(survey),
                params={"title": survey.title}, reference=survey_reference(survey),
            )  # fmt: skip
    return reminded


def survey_maintenance(now: datetime | None = None) -> int:
    """Worker job: close surveys past their closing time, and send the automatic reminder N days
    before closing to those who have not answered (once per survey, claimed through auto_reminded_at).
    Idempotent. Returns how many surveys were closed or reminded."""
    now = now or timezone.now()
    done = 0
    for network in Network.objects.order_by("pk"):
        with scope(network=network):
            for survey in Survey.objects.filter(network=network, status=Survey.Status.OPEN, closes_at__lte=now):
                survey.network = network
                done += close_survey(survey, None)
            due = Survey.objects.filter(
                network=network, status=Survey.Status.OPEN, auto_reminded_at__isnull=True, reminder_days__gt=0,
                closes_at__gt=now,
            )  # fmt: skip
            for survey in due:
                if survey.closes_at is None or survey.closes_at - timedelta(days=survey.reminder_days) > now:
                    continue
                claimed = Survey.objects.filter(network=network, pk=survey.pk, auto_reminded_at__isnull=True).update(
                    auto_reminded_at=now
                )
                if not claimed:
                    continue
                survey.network = network
                waiting = SurveyRecipient.objects.filter(network=network, survey=survey, answered=False).filter(
                    Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - MANUAL_REMINDER_GAP)
                )
                _remind(survey, waiting, now)
                done += 1
    return done


# --- Answering -----------------------------------------------------------------------------------


class AnswerErrors(ActionRefused):
    """Answers that do not fit the questions: a message per question id."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__(_("Please check the answers marked below."))
        self.errors = errors


def is_shown(question: Question, answers: Mapping[int, Sequence[str]]) -> bool:
    """Whether `question` is asked, given the (already cleaned) answers to earlier questions."""
    if question.show_if_id is None:
        return True
    return question.show_if_value in answers.get(question.show_if_id, ())


def clean_answers(questions: Iterable[Question], raw: Mapping[int, Sequence[str]]) -> dict[int, list[str]]:
    """The answers to keep, in question order: hidden questions' answers are dropped, and `required`
    applies only to the questions shown. Raises AnswerErrors."""
    cleaned: dict[int, list[str]] = {}
    errors: dict[int, str] = {}
    for question in questions:
        if not is_shown(question, cleaned):
            continue
        values = [value.strip() for value in raw.get(question.pk, ()) if value and value.strip()]
        if question.kind == Question.Kind.TEXT:
            values = values[:1]
            if values and len(values[0]) > TEXT_ANSWER_MAX:
                errors[question.pk] = _("At most %(count)d characters.") % {"count": TEXT_ANSWER_MAX}
                continue
        else:
            options = question.options()
            if any(value not in options for value in values):
                errors[question.pk] = _("Choose one of the answers offered.")
                continue
            if question.kind != Question.Kind.MULTIPLE and len(values) > 1:
                errors[question.pk] = _("Choose only one answer.")
                continue
            values = sorted(set(values), key=options.index)
        if not values:
            if question.required:
                errors[question.pk] = _("This question needs an answer.")
            continue
        cleaned[question.pk] = values
    if errors:
        raise AnswerErrors(errors)
    return cleaned


def refusal_for(survey: Survey, recipient: SurveyRecipient | None, now: datetime | None = None) -> str | None:
    """Why `recipient` may not answer now (None if they may)."""
    now = now or timezone.now()
    if recipient is None:
        return _("This survey is not addressed to you.")
    if recipient.answered:
        return _("You have already answered this survey. Thank you!")
    if survey.status != Survey.Status.OPEN or (survey.closes_at is not None and survey.closes_at <= now):
        return _("This survey is closed.")
    return None


def submit_response(survey: Survey, membership: Membership, raw: Mapping[int, Sequence[str]]) -> Response:
    """Store one person's answers, once. The recipient row is locked so that a double submit stores
    one response. Anonymous: no membership and no time on the response, no audit entry."""
    questions = list(Question.objects.filter(network_id=survey.network_id, survey=survey).order_by("position", "id"))
    cleaned = clean_answers(questions, raw)
    if not cleaned:
        raise AnswerErrors({questions[0].pk: _("Answer at least one question.")} if questions else {})
    with transaction.atomic():
        recipient = (
            SurveyRecipient.objects.select_for_update()
            .filter(network_id=survey.network_id, survey=survey, membership=membership)
            .first()
        )
        fresh = Survey.objects.get(network_id=survey.network_id, pk=survey.pk)
        refusal = refusal_for(fresh, recipient)
        if refusal is not None or recipient is None:
            raise ActionRefused(refusal or "")
        keys = group_keys(survey.network, [membership.pk])[membership.pk]
        response = Response.objects.create(
            network_id=survey.network_id, survey=survey,
            membership=None if survey.anonymous else membership,
            submitted_at=None if survey.anonymous else timezone.now(),
            company_id=keys.company_id, leave_year=keys.leave_year, source=keys.source,
        )  # fmt: skip
        Answer.objects.bulk_create(
            [
                Answer(network_id=survey.network_id, response=response, question_id=question_id, value=value)
                for question_id, values in cleaned.items()
                for value in values
            ]
        )
        SurveyRecipient.objects.filter(pk=recipient.pk).update(answered=True)
    return response


def surveys_for(membership: Membership) -> QuerySet[SurveyRecipient]:
    """The member's surveys (open, answered, closed), newest first, with the survey loaded."""
    return (
        SurveyRecipient.objects.filter(network_id=membership.network_id, membership=membership)
        .exclude(survey__status=Survey.Status.DRAFT)
        .select_related("survey")
        .order_by("-survey__opens_at", "-survey_id")
    )


# --- Figures for the dashboard (analytics) ----------------------------------------------------------


class SurveyResponseCount(NamedTuple):
    survey_id: int
    title: str
    closes_on: date
    anonymous: bool
    recipients: int
    answered: int


class SurveyNps(NamedTuple):
    title: str
    closes_on: date
    score: float | None  # None: no NPS question, or too few answers to show (anonymous)
    n: int


def _closing_in(network: Network, start: date, end: date) -> QuerySet[Survey]:
    first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    return Survey.objects.filter(network=network, closes_at__gte=first, closes_at__lt=after).exclude(
        status=Survey.Status.DRAFT
    )


def response_counts(
    network: Network, start: date, end: date, company_id: int | None = None
) -> list[SurveyResponseCount]:
    """Per survey closing between `start` and `end` (inclusive, local dates): recipients and how many
    answered, optionally only recipients whose employment record is at `company_id`. An anonymous
    survey with fewer than MIN_GROUP answers in that company is left out of a company breakdown.
    Two queries."""
    surveys = list(_closing_in(network, start, end).order_by("closes_at", "pk"))
    recipients = SurveyRecipient.objects.filter(network=network, survey__in=[s.pk for s in surveys])
    if company_id is not None:
        recipients = recipients.filter(company_id=company_id)
    counts = {
        row["survey_id"]: row
        for row in recipients.values("survey_id").annotate(n=Count("id"), answered=Count("id", filter=Q(answered=True)))
    }
    result = []
    for survey in surveys:
        row = counts.get(survey.pk, {"n": 0, "answered": 0})
        if company_id is not None and survey.anonymous and row["answered"] < MIN_GROUP:
            continue
        assert survey.closes_at is not None
        result.append(SurveyResponseCount(survey.pk, survey.title, timezone.localdate(survey.closes_at),
                                          survey.anonymous, row["n"], row["answered"]))  # fmt: skip
    return result


def nps(distribution: Mapping[str, int]) -> tuple[float | None, int, int, int, int]:
    """(score, promoters, passives, detractors, n) from counts per value "0".."10"."""
    promoters = sum(distribution.get(str(value), 0) for value in (9, 10))
    passives = sum(distribution.get(str(value), 0) for value in (7, 8))
    detractors = sum(distribution.get(str(value), 0) for value in range(7))
    n = promoters + passives + detractors
    score = round((promoters - detractors) * 100 / n, 1) if n else None
    return score, promoters, passives, detractors, n


def nps_by_survey(network: Network, start: date, end: date, company_id: int | None = None) -> list[SurveyNps]:
    """Per survey closing in the range with an NPS question: (title, close date, NPS score, n), from the
    first NPS question. Anonymous surveys count only once closed, and with at least MIN_GROUP answers
    (in the company, when one is given; otherwise the score is None). Three queries."""
    surveys = {s.pk: s for s in _closing_in(network, start, end)}
    first_nps: dict[int, int] = {}
    for survey_id, question_id in (
        Question.objects.filter(network=network, survey_id__in=list(surveys), kind=Question.Kind.NPS)
        .order_by("survey_id", "position", "pk")
        .values_list("survey_id", "pk")
    ):
        first_nps.setdefault(survey_id, question_id)
    answers = Answer.objects.filter(network=network, question_id__in=list(first_nps.values()))
    if company_id is not None:
        answers = answers.filter(response__company_id=company_id)
    distributions: dict[int, dict[str, int]] = {}
    for question_id, value, count in answers.values_list("question_id", "value").annotate(n=Count("id")).order_by():
        distributions.setdefault(question_id, {})[value] = count
    result = []
    for survey_id, question_id in first_nps.items():
        survey = surveys[survey_id]
        score, _promoters, _passives, _detractors, n = nps(distributions.get(question_id, {}))
        if survey.anonymous and (survey.status != Survey.Status.CLOSED or n < MIN_GROUP):
            score = None
        assert survey.closes_at is not None
        result.append(SurveyNps(survey.title, timezone.localdate(survey.closes_at), score, n))
    return sorted(result, key=lambda row: (row.closes_on, row.title))
