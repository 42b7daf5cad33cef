"""Business verbs of the feedback box: send, triage, reply, note, publish "you said, we did" news,
and the monthly counts for the dashboard.

Anonymous feedback is written without a person, an exact time or an audit entry (see models.py);
nothing here may add one back: no notification to staff per item (its time would date the row), no
log line naming the author.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enishi.accounts.models import User
from enishi.community import services as community
from enishi.community.models import NewsCategory, NewsItem
from enishi.feedback.models import Feedback, FeedbackNews, FeedbackReply, FeedbackTopic
from enishi.lib.errors import ActionRefused
from enishi.lib.richtext import text_to_html
from enishi.networks.models import Membership, Network
from enishi.notifications.services import notify
from enishi.notifications.topics import Topic
from enishi.privacy.services import audit

# (Japanese, English): a network's topics, created on first use; the network edits them afterwards.
DEFAULT_TOPICS = (
    ("制度・働き方", "Policies and ways of working"),
    ("事業・サービス", "Business and services"),
    ("アルムナイ施策", "Alumni programme"),
    ("採用", "Recruiting"),
    ("その他", "Other"),
)
# The news category of "you said, we did" posts, created the first time one is published.
YOU_SAID_WE_DID_CATEGORY = ("声から生まれた改善", "You said, we did")
LATEST_CHANGES_SHOWN = 5


# --- Topics ----------------------------------------------------------------------------------------


def topics_of(network: Network) -> list[FeedbackTopic]:
    """The network's topics in order, the defaults created on first use."""
    topics = list(FeedbackTopic.objects.filter(network=network))
    if topics:
        return topics
    with transaction.atomic():
        Network.objects.select_for_update().filter(pk=network.pk).first()  # one creator at a time
        topics = list(FeedbackTopic.objects.filter(network=network))
        if not topics:
            topics = FeedbackTopic.objects.bulk_create(
                [
                    FeedbackTopic(network=network, name_ja=name_ja, name_en=name_en, position=index)
                    for index, (name_ja, name_en) in enumerate(DEFAULT_TOPICS)
                ]
            )
    return topics


def save_topic(topic: FeedbackTopic, actor: User, request: HttpRequest | None = None) -> FeedbackTopic:
    with transaction.atomic():
        topic.save()
        audit(topic.network, actor, "feedback_topic.saved", topic, request=request)
    return topic


def delete_topic(topic: FeedbackTopic, actor: User, request: HttpRequest | None = None) -> None:
    """Only a topic no feedback uses, and never the last one (the form always offers a choice)."""
    network = topic.network
    if Feedback.objects.filter(network=network, topic=topic).exists():
        raise ActionRefused(_("This topic cannot be deleted: feedback was sent under it."))
    if FeedbackTopic.objects.filter(network=network).count() <= 1:
        raise ActionRefused(_("The last topic cannot be deleted."))
    with transaction.atomic():
        audit(network, actor, "feedback_topic.deleted", topic, request=request, name=topic.name_ja)
        topic.delete()


# --- Alumni ----------------------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def send_feedback(membership: Membership, topic: FeedbackTopic, text: str, anonymous: bool) -> Feedback:
    """Store what an alumnus said. Anonymous: no person, the week only, no audit entry."""
    if topic.network_id != membership.network_id:
        raise ActionRefused(_("Choose a topic from the list."))
    today = timezone.localdate()
    feedback = Feedback(network_id=membership.network_id, topic=topic, text=text.strip(), anonymous=anonymous)
    if anonymous:
        feedback.received_on = week_start(today)
    else:
        feedback.membership = membership
        feedback.received_on = today
        feedback.created_at = timezone.now()
    feedback.save(force_insert=True)
    return feedback


def feedback_of(membership: Membership) -> QuerySet[Feedback]:
    """A member's named feedback, newest first (anonymous feedback is nobody's)."""
    return (
        Feedback.objects.filter(network_id=membership.network_id, membership=membership, anonymous=False)
        .select_related("topic")
        .order_by("-received_on", "-created_at", "-id")
    )


def latest_changes(membership: Membership) -> list[NewsItem]:
    """The latest live "you said, we did" news this member may read."""
    linked = FeedbackNews.objects.filter(network_id=membership.network_id).values("news_id")
    return list(
        community.news_for(membership).filter(pk__in=linked).order_by("-publish_at", "-id")[:LATEST_CHANGES_SHOWN]
    )


# --- Staff -----------------------------------------------------------------------------------------


def set_status(feedback: Feedback, status: str, actor: User, request: HttpRequest | None = None) -> Feedback:
    if status not in Feedback.Status.values:
        raise ActionRefused(_("Choose a status from the list."))
    if status == feedback.status:
        return feedback
    with transaction.atomic():
        feedback.status = status
        feedback.acted_on_at = timezone.now() if status == Feedback.Status.ACTED_ON else None
        feedback.save(update_fields=["status", "acted_on_at"])
        audit(feedback.network, actor, "feedback.status_changed", feedback, request=request, status=status)
    return feedback


def save_note(feedback: Feedback, note: str, actor: User, request: HttpRequest | None = None) -> Feedback:
    with transaction.atomic():
        feedback.staff_note = note.strip()
        feedback.save(update_fields=["staff_note"])
        audit(feedback.network, actor, "feedback.noted", feedback, request=request)
    return feedback


def my_feedback_path(network_slug: str) -> str:
    return reverse("network:my_feedback", args=[network_slug])


def reply(feedback: Feedback, staff: Membership, text: str, request: HttpRequest | None = None) -> FeedbackReply:
    """Answer named feedback: the author is notified (bell, and email per their choice) and reads the
    reply in "My feedback". Anonymous feedback has nobody to answer."""
    if feedback.anonymous or feedback.membership_id is None:
        raise ActionRefused(_("Anonymous feedback cannot be answered: nobody knows who sent it."))
    author = Membership.objects.select_related("network").get(network_id=feedback.network_id,
                                                              pk=feedback.membership_id)  # fmt: skip
    with transaction.atomic():
        answer = FeedbackReply.objects.create(network_id=feedback.network_id, feedback=feedback, author=staff.user,
                                              text=text.strip())  # fmt: skip
        if feedback.status == Feedback.Status.NEW:
            feedback.status = Feedback.Status.READ
            feedback.save(update_fields=["status"])
        audit(feedback.network, staff.user, "feedback.replied", feedback, request=request)
        notify(author, topic=Topic.MESSAGES, kind="feedback_reply", url=my_feedback_path(author.network.slug),
               text=answer.text, reference=f"feedback:{feedback.pk}")  # fmt: skip
    return answer


def you_said_we_did_category(network: Network) -> NewsCategory:
    name_ja, name_en = YOU_SAID_WE_DID_CATEGORY
    category = NewsCategory.objects.filter(network=network, name_ja=name_ja).first()
    if category is None:
        last = NewsCategory.objects.filter(network=network).aggregate(last=Max("position"))["last"]
        category = NewsCategory.objects.get_or_create(
            network=network, name_ja=name_ja, defaults={"name_en": name_en, "position": (last or 0) + 1}
        )[0]
    return category


def publish_you_said_we_did(
    network: Network,
    staff: Membership,
    items: Sequence[Feedback],
    title: str,
    body: str,
    request: HttpRequest | None = None,
) -> NewsItem:
    """Publish a "you said, we did" (声から生まれた改善) news item for the whole network, linked to the
    feedback it answers: those items become "acted on", and their named authors are told that their
    voice led to a change."""
    if not items:
        raise ActionRefused(_("Choose the feedback this change answers."))
    if any(item.network_id != network.pk for item in items):
        raise ActionRefused(_("Choose the feedback this change answers."))
    with transaction.atomic():
        news = NewsItem(network=network, title=title.strip(), body=text_to_html(body.strip()),
                        category=you_said_we_did_category(network), audience=NewsItem.Audience.NETWORK)  # fmt: skip
        community.save_news(news, staff.user, changed=["title", "body", "category"], request=request)
        community.publish_news(news, staff.user, request=request)
        FeedbackNews.objects.bulk_create(
            [FeedbackNews(network=network, feedback=item, news=news) for item in items], ignore_conflicts=True
        )
        now = timezone.now()
        Feedback.objects.filter(network=network, pk__in=[item.pk for item in items]).exclude(
            status=Feedback.Status.ACTED_ON
        ).update(status=Feedback.Status.ACTED_ON, acted_on_at=now)
        audit(network, staff.user, "feedback.news_published", news, request=request, feedback=len(items))
        _tell_authors(network, news, items)
    return news


def _tell_authors(network: Network, news: NewsItem, items: Iterable[Feedback]) -> None:
    author_ids = {item.membership_id for item in items if not item.anonymous and item.membership_id is not None}
    url = reverse("network:news_detail", args=[network.slug, news.pk])
    authors = Membership.objects.filter(network=network, pk__in=author_ids).order_by("pk")
    for author in authors:
        notify(author, topic=Topic.MESSAGES, kind="feedback_acted_on", url=url, params={"title": news.title},
               reference=f"feedback_news:{news.pk}")  # fmt: skip


def news_links(items: Sequence[Feedback], live_only: bool = False) -> dict[int, list[NewsItem]]:
    """The "you said, we did" news of each feedback item (one query); `live_only` for alumni pages,
    which link only to news they can open."""
    found: dict[int, list[NewsItem]] = {item.pk: [] for item in items}
    if not items:
        return found
    links = (
        FeedbackNews.objects.filter(network_id=items[0].network_id, feedback_id__in=list(found))
        .select_related("news")
        .order_by("news__publish_at", "news_id")
    )
    if live_only:
        links = links.filter(news__status=NewsItem.Status.PUBLISHED, news__publish_at__lte=timezone.now())
    for link in links:
        found[link.feedback_id].append(link.news)
    return found


# --- Figures ---------------------------------------------------------------------------------------


def _months(start: date, end: date) -> list[str]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def counts(network: Network, start: date, end: date) -> dict[str, dict[str, int]]:
    """Feedback received and acted on per month between `start` and `end` (both included), for the
    dashboard: {"2026-01": {"received": 4, "acted_on": 1}, …}, every month present. "Received" counts
    by the stored day (for anonymous feedback the Monday of its week); "acted on" by when it was
    marked so. Two queries whatever the data size."""
    result = {month: {"received": 0, "acted_on": 0} for month in _months(start, end)}
    received = (
        Feedback.objects.filter(network=network, received_on__gte=start, received_on__lte=end)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in received:
        result[f"{row['month']:%Y-%m}"]["received"] = row["n"]
    acted_on = Feedback.objects.filter(network=network, status=Feedback.Status.ACTED_ON)
    acted = (
        acted_on.filter(acted_on_at__date__gte=start, acted_on_at__date__lte=end)
        .annotate(month=TruncMonth("acted_on_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in acted:
        result[f"{row['month']:%Y-%m}"]["acted_on"] = row["n"]
    return result
