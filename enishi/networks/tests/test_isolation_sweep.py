"""The isolation sweep of DESIGN.md ("Testing"): every route, every role of network B, objects of A.

The routes are discovered from the URL resolver, so a new view is swept the day it is added.
Two things make the sweep fail on purpose:

- a route under /n/<network_slug>/ with a keyword the sweep cannot fill: teach it in
  `KWARG_VALUES` (how to get a value of network A for that keyword);
- a route outside /n/<network_slug>/ that is not in `GLOBAL_ROUTES` or `GLOBAL_PREFIXES`: decide
  whether it belongs to a network, or add it to the allowlist with the reason it is safe globally.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PERSONAS, PersonaNetwork
from enishi.accounts.models import User
from enishi.analytics.models import ActiveDay
from enishi.comeback.models import Application as OpportunityApplication
from enishi.comeback.models import (
    Candidate,
    CandidateNote,
    ComebackScheme,
    Interest,
    OpeningSubscription,
    Opportunity,
    Stage,
)
from enishi.community.models import (
    Comment,
    Group,
    GroupMember,
    Mention,
    NewsItem,
    NewsRead,
    Post,
    PostImage,
    Reaction,
    Report,
)
from enishi.coordination.models import (
    CoordinatorOrganisation,
    CoordinatorProfile,
    Engagement,
    Interview,
    ProvisionRecord,
    Relay,
)
from enishi.events.models import CalendarFeed, Event, EventInvitee, EventPhoto, EventQuestion, Rsvp
from enishi.feedback.models import Feedback, FeedbackNews, FeedbackReply, FeedbackTopic
from enishi.intake.models import AlumniInvitation, EmploymentRecord, ImportJob, JoinChannel, Registration
from enishi.messaging.models import Block, Conversation, Message, SecretariatMessage, SecretariatThread
from enishi.networks.models import Company, Membership, Network, StaffInvitation
from enishi.networks.roles import MembershipState, Role
from enishi.newsletters.models import Delivery as NewsletterDelivery
from enishi.newsletters.models import LinkClick, Newsletter, NewsletterLink
from enishi.notifications.models import Notification, NotificationPreference, OutboundEmail
from enishi.notifications.services import set_preference, unsubscribe_token
from enishi.notifications.topics import Delivery, Topic
from enishi.privacy.models import AuditEntry
from enishi.profiles.models import CareerEntry, Intent, Profile, ProfileSkill, SavedSegment, Skill
from enishi.surveys.models import Answer as SurveyAnswer
from enishi.surveys.models import Question as SurveyQuestion
from enishi.surveys.models import Response as SurveyResponse
from enishi.surveys.models import Survey, SurveyRecipient

NETWORK_KWARG = "network_slug"
PERSONA_NAMES = [persona[0] for persona in PERSONAS]

# Routes outside any network, with the reason each is safe to serve without a tenant.
GLOBAL_ROUTES: dict[str, str] = {
    "": "landing page, or the picker of the visitor's own networks (memberships_of: only their own rows)",
    "healthz": "load-balancer probe: database and worker health, no tenant data",
    "i18n/setlang/": "language switch: stores a preference on the person's own account",
}
GLOBAL_PREFIXES: dict[str, str] = {
    "accounts/": "django-allauth: login, signup, email, password and MFA of the person's own account",
    "operator/": "Django admin of the installation's operators (is_staff), outside every network by design",
    "^media/": "uploaded files, served by Django only when DEBUG=1 (development)",
}
# Prefixes whose views must come from one package: an app view slipped under accounts/ is not allauth's.
GLOBAL_PREFIX_MODULES: dict[str, str] = {"accounts/": "allauth."}

# Operator routes that refuse a non-operator with a status instead of the admin login page.
OPERATOR_REFUSALS: dict[str, int] = {
    "admin:django_rq_home_json": 401,  # django-rq's stats API: a staff session or its API token
}

# Views that only accept POST answer a GET with 405 before looking at any object: the answer is the
# same for an object of A, of B or a missing one, so it tells nothing. Every other refusal is a 404.
POST_ONLY_ROUTES: dict[str, str] = {
    "manage:member_action": "role change, suspension, reactivation",
    "manage:revoke_invitation": "revoking a staff invitation",
    "manage:intake_import_apply": "applying a reviewed HR import",
    "manage:intake_record_invite": "inviting the person of an employment record",
    "manage:intake_record_flyer": "preparing the flyer invitation of an employment record",
    "manage:intake_invitation_resend": "sending an alumni invitation again",
    "manage:intake_invitation_revoke": "revoking an alumni invitation",
    "manage:intake_invitation_bounced": "marking an alumni invitation as bounced",
    "manage:intake_channel_revoke": "revoking a join link",
    "manage:intake_registration_approve": "approving a registration",
    "manage:intake_registration_ask": "asking an applicant for more information",
    "manage:intake_registration_reject": "rejecting a registration",
    "manage:intake_duplicates_merge": "merging two members (ids in the POST body)",
    "network:career_delete": "deleting one of the member's own career entries",
    "network:profile_confirm": "confirming one's own profile is still right",
    "manage:segment_save": "saving a directory search as a segment (the search in the query string)",
    "manage:segment_delete": "deleting a saved segment",
    "manage:news_action": "withdrawing, pinning or deleting a news item",
    "network:post_action": "liking, deleting or hiding a post",
    "network:comment_delete": "deleting one's own comment",
    "manage:report_action": "hiding a reported post or keeping it",
    "network:group_action": "joining or leaving a group",
    "network:group_member_action": "approving or declining a request to join a group",
    "network:message_block": "blocking a member from messaging",
    "network:message_unblock": "lifting one's own block of a member",
    "manage:inbox_assign": "assigning an inquiry to the secretariat",
    "manage:inbox_status": "changing the status of an inquiry to the secretariat",
    "network:notifications_read_all": "marking all of one's own notifications as read",
    "manage:newsletter_test": "sending a test of a newsletter",
    "manage:newsletter_schedule": "scheduling a newsletter",
    "manage:newsletter_action": "sending, pausing, resuming, cancelling or deleting a newsletter",
    "network:event_cancel_rsvp": "cancelling one's own RSVP",
    "manage:event_action": "publishing, cancelling, deleting, approving, declining or thanking an event",
    "manage:event_photo_delete": "deleting a photo of an event",
    "manage:event_check_in_scan": "checking in the token a scan read (the token in the POST body)",
    "manage:event_walk_in": "registering a walk-in at the door",
    "manage:event_check_in_action": "marking an arrival, online attendance, or undoing it",
    "network:opportunity_interest": "「話を聞いてみたい」 about an opportunity (one tap)",
    "network:opportunity_interest_withdraw": "withdrawing one's own interest in an opportunity",
    "network:opportunity_apply_withdraw": "withdrawing one's own application",
    "manage:opportunity_status": "publishing, pausing or closing an opportunity",
    "manage:opportunity_candidates_move": "moving candidates to another stage (ids in the POST body)",
    "manage:opportunity_matches_invite": "personal invitations to matches (ids in the POST body)",
    "manage:comeback_stage_move": "moving a pipeline stage earlier or later",
    "manage:comeback_stage_delete": "deleting an unused pipeline stage",
    "manage:opportunity_candidate_message": "writing to a candidate through the secretariat inbox",
    "manage:opportunity_subscription_cancel": "cancelling an alumnus's subscription to new openings",
    "network:opening_news_start": "an alumnus starting (or changing) their news of new openings",
    "network:opening_news_stop": "an alumnus stopping their news of new openings",
    "network:coordinator_relay_action": "approving or declining a coordinator's summary about oneself",
    "manage:survey_status": "opening, closing or reminding a survey",
    "manage:survey_question_move": "moving a survey question earlier or later",
    "manage:survey_question_delete": "removing a question of a draft survey",
    "manage:feedback_topic_delete": "deleting an unused feedback topic",
}


# Network pages open by design to anyone, member or not, with the reason. The sweep still checks
# that they show nothing of network A when reached through network B with A's tokens.
PUBLIC_NETWORK_ROUTES: dict[str, str] = {
    "network:public_join": "the join page where anyone may ask to join; writes only the visitor's own draft",
    "network:join_code": "a flyer's code typed by its holder: opens only the invitation it names (rate-limited)",
    "network:channel": "a shared join link (homepage, press, referral): public by design",
    "network:unsubscribe": "one-click unsubscribe (RFC 8058): the signed link of an email is the key; it only "
    "turns emails of the person it names off (the sweep's link is already used: nothing changes)",
    "network:newsletter_open": "a newsletter's open pixel, loaded by mail apps: the delivery's random token is the "
    "key, it only marks that delivery opened (the sweep's one is already opened: nothing changes)",
    "network:newsletter_click": "a newsletter's link, opened from a mail app: the token is the key, it redirects "
    "only to a URL stored with the newsletter (the sweep's one is already clicked: nothing changes)",
    "network:event_calendar_feed": "a member's secret calendar URL, fetched by calendar apps without a session: "
    "the random token is the key and it serves only that member's events, read-only",
}


@dataclass(frozen=True)
class Route:
    """One URL pattern with the pieces of its parents: full text, namespaced name, keywords."""

    text: str
    name: str | None
    kwargs: tuple[str, ...]
    is_regex: bool
    callback: Callable[..., Any]

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'} [{self.text}]"


def _pattern_kwargs(pattern: Any) -> tuple[tuple[str, ...], bool]:
    """The keyword names a pattern captures (any converter: int, str, slug, path…), and if it is a regex."""
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters), False
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex), True
    raise AssertionError(f"the isolation sweep does not know the pattern type {type(pattern).__name__}")


def _walk(
    entries: Sequence[URLPattern | URLResolver],
    prefix: str,
    namespace: str | None,
    kwargs: tuple[str, ...],
    is_regex: bool,
) -> Iterator[Route]:
    for entry in entries:
        own_kwargs, own_regex = _pattern_kwargs(entry.pattern)
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, text, inner, kwargs + own_kwargs, is_regex or own_regex)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(text, name, kwargs + own_kwargs, is_regex or own_regex, entry.callback)


def discover_routes() -> list[Route]:
    """Every URL pattern of the project, includes (allauth, admin, network apps) flattened."""
    return list(_walk(get_resolver().url_patterns, "", None, (), False))


def network_routes() -> list[Route]:
    return [route for route in discover_routes() if NETWORK_KWARG in route.kwargs]


def global_routes() -> list[Route]:
    return [route for route in discover_routes() if NETWORK_KWARG not in route.kwargs]


def url_for(route: Route, values: dict[str, Any]) -> str:
    """Reverse a named route; build an unnamed one from its `<converter:name>` text."""
    if route.name is not None:
        return reverse(route.name, kwargs=values)
    if route.is_regex:
        pytest.fail(f"give the network route {route.text} a name, so the isolation sweep can reverse it")

    def fill(match: re.Match[str]) -> str:
        return str(values[match.group("name")])

    return "/" + re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", fill, route.text)


# --- What the sweep fills the keywords of network routes with ---------------------------------


@dataclass(frozen=True)
class TargetsOfA:
    """Objects of network A that B's personas must never reach."""

    active_membership_id: int
    suspended_membership_id: int
    company_id: int
    invitation_id: int
    invitation_token: str
    record_id: int
    job_id: int
    registration_id: int
    alumni_invitation_id: int
    channel_id: int
    alumni_invitation_token: str
    channel_token: str
    career_entry_id: int
    segment_id: int
    news_id: int
    post_id: int
    comment_id: int
    report_id: int
    group_id: int
    group_member_id: int
    conversation_id: int
    thread_id: int
    notification_id: int
    unsubscribe_token: str
    newsletter_id: int
    delivery_token: str
    event_id: int
    rsvp_id: int
    photo_id: int
    feed_token: str
    check_in_token: str
    opportunity_id: int  # comeback
    scheme_id: int  # comeback
    candidate_id: int  # comeback
    stage_id: int  # comeback: pipeline stage settings
    subscription_id: int  # comeback: subscriptions to new openings
    interview_id: int  # coordination
    relay_id: int  # coordination
    survey_id: int  # surveys
    question_id: int  # surveys
    feedback_id: int  # feedback
    feedback_topic_id: int  # feedback


@dataclass(frozen=True)
class KwargSource:
    values: Callable[[TargetsOfA], list[Any]]
    names_an_object: bool  # an id or token of A (swept under B's slug too), or a plain word (action)


KWARG_VALUES: dict[str, KwargSource] = {
    "membership_id": KwargSource(lambda a: [a.active_membership_id, a.suspended_membership_id], True),
    "company_id": KwargSource(lambda a: [a.company_id], True),
    # Staff invitations and alumni invitations share the keyword: every such route gets both ids of A.
    "invitation_id": KwargSource(lambda a: [a.invitation_id, a.alumni_invitation_id], True),
    # Every token route gets every kind of token of A: staff and emailed alumni invitations (bound to
    # someone else's address: 404 for B's people) and a join link (public under A's own slug only).
    "token": KwargSource(
        lambda a: [a.invitation_token, a.alumni_invitation_token, a.channel_token, a.check_in_token], True
    ),
    # The members' actions, and those of events (an event's or an attendee's: publish … online).
    "action": KwargSource(
        lambda a: [
            "role",
            "suspend",
            "reactivate",
            "companies",
            "publish",
            "cancel",
            "delete",
            "approve",
            "decline",
            "thank",
            "arrive",
            "undo",
            "online",
        ],
        False,
    ),
    "record_id": KwargSource(lambda a: [a.record_id], True),
    "job_id": KwargSource(lambda a: [a.job_id], True),
    "registration_id": KwargSource(lambda a: [a.registration_id], True),
    "channel_id": KwargSource(lambda a: [a.channel_id], True),
    "purpose": KwargSource(lambda a: ["directory_listing", "rehire_contact"], False),
    "entry_id": KwargSource(lambda a: [a.career_entry_id], True),
    "segment_id": KwargSource(lambda a: [a.segment_id], True),
    "news_id": KwargSource(lambda a: [a.news_id], True),
    "post_id": KwargSource(lambda a: [a.post_id], True),
    "comment_id": KwargSource(lambda a: [a.comment_id], True),
    "report_id": KwargSource(lambda a: [a.report_id], True),
    "group_id": KwargSource(lambda a: [a.group_id], True),
    "member_id": KwargSource(lambda a: [a.group_member_id], True),
    "conversation_id": KwargSource(lambda a: [a.conversation_id], True),
    "thread_id": KwargSource(lambda a: [a.thread_id], True),
    "notification_id": KwargSource(lambda a: [a.notification_id], True),
    "unsubscribe_token": KwargSource(lambda a: [a.unsubscribe_token], True),
    "newsletter_id": KwargSource(lambda a: [a.newsletter_id], True),
    # The open pixel takes the token, a click the token and a link number: both routes get both.
    "delivery_token": KwargSource(lambda a: [a.delivery_token, f"{a.delivery_token}-1"], True),
    "event_id": KwargSource(lambda a: [a.event_id], True),
    "rsvp_id": KwargSource(lambda a: [a.rsvp_id], True),
    "photo_id": KwargSource(lambda a: [a.photo_id], True),
    "feed_token": KwargSource(lambda a: [a.feed_token], True),
    "opportunity_id": KwargSource(lambda a: [a.opportunity_id], True),
    "scheme_id": KwargSource(lambda a: [a.scheme_id], True),
    "candidate_id": KwargSource(lambda a: [a.candidate_id], True),
    "stage_id": KwargSource(lambda a: [a.stage_id], True),
    "subscription_id": KwargSource(lambda a: [a.subscription_id], True),
    "interview_id": KwargSource(lambda a: [a.interview_id], True),
    "relay_id": KwargSource(lambda a: [a.relay_id], True),
    "survey_id": KwargSource(lambda a: [a.survey_id], True),
    "question_id": KwargSource(lambda a: [a.question_id], True),
    "feedback_id": KwargSource(lambda a: [a.feedback_id], True),
    "topic_id": KwargSource(lambda a: [a.feedback_topic_id], True),
}


def unknown_kwargs(route: Route) -> list[str]:
    return [kwarg for kwarg in route.kwargs if kwarg != NETWORK_KWARG and kwarg not in KWARG_VALUES]


def fillings(route: Route, targets: TargetsOfA) -> list[dict[str, Any]]:
    """Every combination of A's values for the route's keywords (without the network slug)."""
    names = [kwarg for kwarg in route.kwargs if kwarg != NETWORK_KWARG]
    missing = unknown_kwargs(route)
    if missing:
        pytest.fail(f"teach the isolation sweep about {missing[0]} in {route.text}")
    choices = [KWARG_VALUES[name].values(targets) for name in names]
    return [dict(zip(names, combination, strict=True)) for combination in itertools.product(*choices)]


def names_an_object(route: Route) -> bool:
    return any(KWARG_VALUES[kwarg].names_an_object for kwarg in route.kwargs if kwarg in KWARG_VALUES)


def prepare_targets(net_a: PersonaNetwork) -> TargetsOfA:
    with scopes_disabled():
        suspended = net_a.memberships["alumnus2"]
        suspended.state = MembershipState.SUSPENDED
        suspended.save(update_fields=["state"])
        # Sent to someone outside both networks: the accept view lets non-members in, and must
        # still refuse everyone but the invited person.
        invitation = StaffInvitation.objects.create(
            network=net_a.network, email="new-staff@a.example", role=Role.EDITOR, invited_by=net_a.admin
        )
        record = EmploymentRecord.objects.create(
            network=net_a.network, company=net_a.company, employee_number="A-0001", family_name="佐藤",
            given_name="一郎", hr_notes="HR only: never outside network A",
        )  # fmt: skip
        job = ImportJob.objects.create(
            network=net_a.network, uploaded_by=net_a.hr, file="imports/a.csv", filename="a.csv", headers=["社員番号"]
        )
        # A registration waiting for approval, with its applicant's pending membership.
        applicant = User.objects.create_user("applicant@a.example", "applicant-password-1")
        pending = Membership.objects.create(
            network=net_a.network, user=applicant, role=Role.ALUMNUS, state=MembershipState.PENDING
        )
        registration = Registration.objects.create(
            network=net_a.network, user=applicant, membership=pending, status=Registration.Status.PENDING,
            family_name="山本", given_name="彩", candidates=[{"id": record.pk, "matched": [], "missing": []}],
        )  # fmt: skip
        # An open flyer invitation (the most actionable kind) and an open join link of A.
        alumni_invitation = AlumniInvitation.objects.create(
            network=net_a.network, record=record, email="", delivery=AlumniInvitation.Delivery.FLYER,
            invited_by=net_a.hr,
        )  # fmt: skip
        channel = JoinChannel.objects.create(
            network=net_a.network, kind=JoinChannel.Kind.EVENT, label="A's event", created_by=net_a.hr
        )
        emailed = AlumniInvitation.objects.create(
            network=net_a.network, record=record, email="leaver@a.example", invited_by=net_a.hr
        )
        # A profile of A's alumnus with a career entry, an intent and a skill (profiles' own routes).
        profile = Profile.objects.create(network=net_a.network, membership=net_a.memberships["alumnus1"])
        entry = CareerEntry.objects.create(network=net_a.network, profile=profile, organisation="A's employer")
        Intent.objects.create(network=net_a.network, profile=profile, open_to_meet=True)
        ProfileSkill.objects.create(
            network=net_a.network, profile=profile, skill=Skill.objects.get_or_create(key="sweep", name="sweep")[0]
        )
        segment = SavedSegment.objects.create(network=net_a.network, name="A's segment", query={"q": ["営業"]})
        news = NewsItem.objects.create(
            network=net_a.network, title="A's news", body="<p>A</p>", status=NewsItem.Status.PUBLISHED,
            publish_at=timezone.now(),
        )  # fmt: skip
        post = Post.objects.create(network=net_a.network, author=net_a.memberships["alumnus1"], text="A", html="A")
        comment = Comment.objects.create(
            network=net_a.network, post=post, author=net_a.memberships["alumnus1"], text="A", html="A"
        )
        report = Report.objects.create(
            network=net_a.network, post=post, reporter=net_a.memberships["alumnus2"], reason=Report.Reason.SPAM
        )
        group = Group.objects.create(network=net_a.network, name="A's group", policy=Group.Policy.APPROVAL)
        group_member = GroupMember.objects.create(
            network=net_a.network, group=group, membership=net_a.memberships["alumnus2"],
            status=GroupMember.Status.PENDING,
        )  # fmt: skip
        # A conversation between A's alumni (with a block) and an inquiry to A's secretariat with a note.
        alumnus1, supporter = net_a.memberships["alumnus1"], net_a.memberships["supporter"]
        low, high = sorted((alumnus1, supporter), key=lambda member: member.pk)
        conversation = Conversation.objects.create(
            network=net_a.network, member_low=low, member_high=high, started_by=alumnus1, last_sender=alumnus1,
            last_message_at=timezone.now(), last_excerpt="A", high_unread=1,
        )  # fmt: skip
        Message.objects.create(network=net_a.network, conversation=conversation, sender=alumnus1, text="A", html="A")
        Block.objects.create(network=net_a.network, blocker=supporter, blocked=alumnus1)
        thread = SecretariatThread.objects.create(
            network=net_a.network, alumnus=alumnus1, subject="A's inquiry", last_message_at=timezone.now()
        )
        SecretariatMessage.objects.create(
            network=net_a.network, thread=thread, kind=SecretariatMessage.Kind.NOTE, author=net_a.memberships["hr"],
            text="A", html="A",
        )  # fmt: skip
        # A notification of A's alumnus, and their unsubscribe link of a topic already turned to app only
        # (so the public one-click POST of the sweep changes nothing).
        notification = Notification.objects.create(
            network=net_a.network, recipient=alumnus1, topic=Topic.REPLIES, kind="comment", url="/n/alpha/posts/1/",
            actor=supporter, reference=f"post:{post.pk}",
        )  # fmt: skip
        set_preference(alumnus1, Topic.MESSAGES, Delivery.APP)
        # A sent newsletter whose delivery to A's alumnus was already opened and clicked (so the public
        # pixel and click routes of the sweep change nothing).
        newsletter = Newsletter.objects.create(
            network=net_a.network, subject_ja="A", body_ja='<p><a href="https://example.com/">A</a></p>',
            status=Newsletter.Status.SENT,
        )  # fmt: skip
        link = NewsletterLink.objects.create(network=net_a.network, newsletter=newsletter, position=1,
                                             url="https://example.com/")  # fmt: skip
        delivery = NewsletterDelivery.objects.create(
            network=net_a.network, newsletter=newsletter, membership=alumnus1, email="a@example.com",
            language="ja", token="a" * 24, status=NewsletterDelivery.Status.SENT, opened_at=timezone.now(),
            clicked_at=timezone.now(),
        )  # fmt: skip
        LinkClick.objects.create(network=net_a.network, delivery=delivery, link=link)
        # A published event of A for the whole network, with a question, alumnus1's confirmed RSVP (its
        # check-in token), a photo, an invitee, and alumnus1's calendar feed.
        starts = timezone.now() + timezone.timedelta(days=7)
        event = Event.objects.create(
            network=net_a.network, title="A's event", status=Event.Status.PUBLISHED, starts_at=starts,
            ends_at=starts + timezone.timedelta(hours=2), capacity=10, online_url="https://meet.example/a",
            format=Event.Format.HYBRID,
        )  # fmt: skip
        EventQuestion.objects.create(network=net_a.network, event=event, label="A's question")
        EventInvitee.objects.create(network=net_a.network, event=event, membership=alumnus1)
        answer = Rsvp.objects.create(network=net_a.network, event=event, membership=alumnus1)
        photo = EventPhoto.objects.create(network=net_a.network, event=event, image="events/photos/a.jpg")
        feed = CalendarFeed.objects.create(network=net_a.network, membership=alumnus1)
        # A's open opportunity with alumnus1's interest, application and candidate (with a note), and a
        # published comeback scheme page.
        opportunity = Opportunity.objects.create(network=net_a.network, title="A's opportunity",
                                                 status=Opportunity.Status.OPEN, questions=["A?"])  # fmt: skip
        Interest.objects.create(network=net_a.network, opportunity=opportunity, membership=alumnus1)
        OpportunityApplication.objects.create(network=net_a.network, opportunity=opportunity, membership=alumnus1)
        stage = Stage.objects.create(network=net_a.network, name="A's stage")
        candidate = Candidate.objects.create(network=net_a.network, opportunity=opportunity, membership=alumnus1,
                                             stage=stage)  # fmt: skip
        CandidateNote.objects.create(network=net_a.network, candidate=candidate, body="A")
        scheme = ComebackScheme.objects.create(network=net_a.network, title="A's scheme", published=True)
        # alumnus1's subscription to A's new openings (of A's company), and hr covering A's company.
        subscription = OpeningSubscription.objects.create(network=net_a.network, membership=alumnus1,
                                                          kinds=["full_time"])  # fmt: skip
        subscription.companies.set([net_a.company])
        net_a.memberships["hr"].covered_companies.set([net_a.company])
        # A's coordinator firm, an interview of alumnus1 and an approved relay with its provision record.
        firm = CoordinatorOrganisation.objects.create(name="A's coordinator firm")
        Engagement.objects.create(network=net_a.network, organisation=firm)
        CoordinatorProfile.objects.create(network=net_a.network, membership=net_a.memberships["coordinator"],
                                          organisation=firm)  # fmt: skip
        interview = Interview.objects.create(network=net_a.network, organisation=firm, alumnus=alumnus1, notes="A")
        relay = Relay.objects.create(network=net_a.network, interview=interview, organisation=firm, alumnus=alumnus1,
                                     summary="A", status=Relay.Status.APPROVED)  # fmt: skip
        ProvisionRecord.objects.create(
            network=net_a.network, alumnus=alumnus1, relay=relay, provider_label="A", recipient_label="A",
            subject_label="A", content="A", consent_ref=0, retain_until=timezone.localdate(),
        )  # fmt: skip
        # alumnus1's named feedback of A with a reply and its "you said, we did" news, under A's topic.
        feedback_topic = FeedbackTopic.objects.create(network=net_a.network, name_ja="Aの話題")
        feedback = Feedback.objects.create(network=net_a.network, topic=feedback_topic, text="A",
                                           membership=alumnus1, received_on=timezone.localdate())  # fmt: skip
        FeedbackReply.objects.create(network=net_a.network, feedback=feedback, text="A")
        FeedbackNews.objects.create(network=net_a.network, feedback=feedback, news=news)
        # An open anonymous survey of A asking alumnus1, with a question and one (anonymous) response.
        survey = Survey.objects.create(
            network=net_a.network, title="A's survey", anonymous=True, status=Survey.Status.OPEN,
            closes_at=timezone.now() + timezone.timedelta(days=7),
        )  # fmt: skip
        survey_question = SurveyQuestion.objects.create(network=net_a.network, survey=survey, kind="nps", label="A?")
        SurveyRecipient.objects.create(network=net_a.network, survey=survey, membership=alumnus1)
        survey_response = SurveyResponse.objects.create(network=net_a.network, survey=survey)
        SurveyAnswer.objects.create(
            network=net_a.network, response=survey_response, question=survey_question, value="9"
        )
    return TargetsOfA(
        active_membership_id=net_a.memberships["alumnus1"].pk,
        suspended_membership_id=suspended.pk,
        company_id=net_a.company.pk,
        invitation_id=invitation.pk,
        invitation_token=invitation.token,
        record_id=record.pk,
        job_id=job.pk,
        registration_id=registration.pk,
        alumni_invitation_id=alumni_invitation.pk,
        channel_id=channel.pk,
        alumni_invitation_token=emailed.token,
        channel_token=channel.token,
        career_entry_id=entry.pk,
        segment_id=segment.pk,
        news_id=news.pk,
        post_id=post.pk,
        comment_id=comment.pk,
        report_id=report.pk,
        group_id=group.pk,
        group_member_id=group_member.pk,
        conversation_id=conversation.pk,
        thread_id=thread.pk,
        notification_id=notification.pk,
        unsubscribe_token=unsubscribe_token(alumnus1, Topic.MESSAGES),
        newsletter_id=newsletter.pk,
        delivery_token=delivery.token,
        event_id=event.pk,
        rsvp_id=answer.pk,
        photo_id=photo.pk,
        feed_token=feed.token,
        check_in_token=answer.check_in_token,
        opportunity_id=opportunity.pk,
        scheme_id=scheme.pk,
        candidate_id=candidate.pk,
        stage_id=stage.pk,
        subscription_id=subscription.pk,
        interview_id=interview.pk,
        relay_id=relay.pk,
        survey_id=survey.pk,
        question_id=survey_question.pk,
        feedback_id=feedback.pk,
        feedback_topic_id=feedback_topic.pk,
    )


JOIN_CHANNEL_FIELDS = [field.attname for field in JoinChannel._meta.concrete_fields if field.name != "visits"]


def snapshot(network: Network) -> dict[str, list[dict[str, Any]]]:
    """Every row of the network that a leaked request could change."""
    with scopes_disabled():
        return {
            "network": list(Network.objects.filter(pk=network.pk).values()),
            "companies": list(Company.objects.filter(network=network).order_by("pk").values()),
            "memberships": list(Membership.objects.filter(network=network).order_by("pk").values()),
            "staff_invitations": list(StaffInvitation.objects.filter(network=network).order_by("pk").values()),
            "audit_entries": list(AuditEntry.objects.filter(network=network).order_by("pk").values()),
            "active_days": list(ActiveDay.objects.filter(network=network).order_by("pk").values()),
            "outbound_emails": list(OutboundEmail.objects.filter(network=network).order_by("pk").values()),
            "employment_records": list(EmploymentRecord.objects.filter(network=network).order_by("pk").values()),
            "import_jobs": list(ImportJob.objects.filter(network=network).order_by("pk").values()),
            "registrations": list(Registration.objects.filter(network=network).order_by("pk").values()),
            "alumni_invitations": list(AlumniInvitation.objects.filter(network=network).order_by("pk").values()),
            "profiles": list(Profile.objects.filter(network=network).order_by("pk").values()),
            "career_entries": list(CareerEntry.objects.filter(network=network).order_by("pk").values()),
            "intents": list(Intent.objects.filter(network=network).order_by("pk").values()),
            "profile_skills": list(ProfileSkill.objects.filter(network=network).order_by("pk").values()),
            "saved_segments": list(SavedSegment.objects.filter(network=network).order_by("pk").values()),
            "news": list(NewsItem.objects.filter(network=network).order_by("pk").values()),
            "news_reads": list(NewsRead.objects.filter(network=network).order_by("pk").values()),
            "posts": list(Post.objects.filter(network=network).order_by("pk").values()),
            "comments": list(Comment.objects.filter(network=network).order_by("pk").values()),
            "reactions": list(Reaction.objects.filter(network=network).order_by("pk").values()),
            "reports": list(Report.objects.filter(network=network).order_by("pk").values()),
            "groups": list(Group.objects.filter(network=network).order_by("pk").values()),
            "group_members": list(GroupMember.objects.filter(network=network).order_by("pk").values()),
            "conversations": list(Conversation.objects.filter(network=network).order_by("pk").values()),
            "messages": list(Message.objects.filter(network=network).order_by("pk").values()),
            "blocks": list(Block.objects.filter(network=network).order_by("pk").values()),
            "secretariat_threads": list(SecretariatThread.objects.filter(network=network).order_by("pk").values()),
            "secretariat_messages": list(SecretariatMessage.objects.filter(network=network).order_by("pk").values()),
            "mentions": list(Mention.objects.filter(network=network).order_by("pk").values()),
            "post_images": list(PostImage.objects.filter(network=network).order_by("pk").values()),
            "notifications": list(Notification.objects.filter(network=network).order_by("pk").values()),
            "newsletters": list(Newsletter.objects.filter(network=network).order_by("pk").values()),
            "newsletter_links": list(NewsletterLink.objects.filter(network=network).order_by("pk").values()),
            "newsletter_deliveries": list(NewsletterDelivery.objects.filter(network=network).order_by("pk").values()),
            "newsletter_clicks": list(LinkClick.objects.filter(network=network).order_by("pk").values()),
            "events": list(Event.objects.filter(network=network).order_by("pk").values()),
            "event_questions": list(EventQuestion.objects.filter(network=network).order_by("pk").values()),
            "event_invitees": list(EventInvitee.objects.filter(network=network).order_by("pk").values()),
            "rsvps": list(Rsvp.objects.filter(network=network).order_by("pk").values()),
            "event_photos": list(EventPhoto.objects.filter(network=network).order_by("pk").values()),
            "opportunities": list(Opportunity.objects.filter(network=network).order_by("pk").values()),
            "interests": list(Interest.objects.filter(network=network).order_by("pk").values()),
            "applications": list(OpportunityApplication.objects.filter(network=network).order_by("pk").values()),
            "stages": list(Stage.objects.filter(network=network).order_by("pk").values()),
            "candidates": list(Candidate.objects.filter(network=network).order_by("pk").values()),
            "candidate_notes": list(CandidateNote.objects.filter(network=network).order_by("pk").values()),
            "comeback_schemes": list(ComebackScheme.objects.filter(network=network).order_by("pk").values()),
            "opening_subscriptions": list(
                OpeningSubscription.objects.filter(network=network)
                .order_by("pk")
                .values("pk", "kinds", "companies", "cancelled_at")
            ),
            "covered_companies": list(
                Membership.objects.filter(network=network)
                .order_by("pk", "covered_companies")
                .values_list("pk", "covered_companies")
            ),
            "engagements": list(Engagement.objects.filter(network=network).order_by("pk").values()),
            "coordinator_profiles": list(CoordinatorProfile.objects.filter(network=network).order_by("pk").values()),
            "interviews": list(Interview.objects.filter(network=network).order_by("pk").values()),
            "relays": list(Relay.objects.filter(network=network).order_by("pk").values()),
            "provision_records": list(ProvisionRecord.objects.filter(network=network).order_by("pk").values()),
            "surveys": list(Survey.objects.filter(network=network).order_by("pk").values()),
            "survey_questions": list(SurveyQuestion.objects.filter(network=network).order_by("pk").values()),
            "survey_recipients": list(SurveyRecipient.objects.filter(network=network).order_by("pk").values()),
            "survey_responses": list(SurveyResponse.objects.filter(network=network).order_by("pk").values()),
            "survey_answers": list(SurveyAnswer.objects.filter(network=network).order_by("pk").values()),
            "feedback_topics": list(FeedbackTopic.objects.filter(network=network).order_by("pk").values()),
            "feedback": list(Feedback.objects.filter(network=network).order_by("pk").values()),
            "feedback_replies": list(FeedbackReply.objects.filter(network=network).order_by("pk").values()),
            "feedback_news": list(FeedbackNews.objects.filter(network=network).order_by("pk").values()),
            "calendar_feeds": list(
                CalendarFeed.objects.filter(network=network).order_by("pk").values("pk", "token", "membership_id")
            ),
            "notification_preferences": list(
                NotificationPreference.objects.filter(network=network).order_by("pk").values()
            ),
            # A visit to A's public join link counts, by design: everything else of the link must stay.
            "join_channels": list(
                JoinChannel.objects.filter(network=network).order_by("pk").values(*JOIN_CHANNEL_FIELDS)
            ),
        }


# --- The tests ---------------------------------------------------------------------------------


def test_it_discovers_the_routes_of_every_include() -> None:
    names = {route.name for route in discover_routes()}

    assert {"home", "healthz", "set_language"} <= names
    assert {"account_login", "account_signup", "mfa_index", "admin:index"} <= names
    assert {"network:home", "network:accept_staff_invitation", "manage:dashboard", "manage:audit"} <= names


def test_it_knows_how_to_fill_every_network_route() -> None:
    problems = [
        f"teach the isolation sweep about {kwarg} in {route.text}"
        for route in network_routes()
        for kwarg in unknown_kwargs(route)
    ]

    assert problems == []


def test_it_knows_why_every_global_route_is_global() -> None:
    problems = []
    for route in global_routes():
        if route.text in GLOBAL_ROUTES:
            continue
        prefix = next((p for p in GLOBAL_PREFIXES if route.text.startswith(p)), None)
        if prefix is None:
            problems.append(
                f"new global route {route.label}: decide whether it belongs under /n/<slug>/ "
                "or add it to the allowlist with a reason"
            )
            continue
        package = GLOBAL_PREFIX_MODULES.get(prefix)
        if package is not None and not route.callback.__module__.startswith(package):
            problems.append(
                f"new global route {route.label} ({route.callback.__module__}) under {prefix}, which is "
                f"reserved for {package}: move it under /n/<slug>/ or allowlist it with a reason"
            )

    assert problems == []


def test_it_keeps_the_allowlist_free_of_stale_entries() -> None:
    texts = [route.text for route in global_routes()]

    assert [route for route in GLOBAL_ROUTES if route not in texts] == []
    assert [name for name in POST_ONLY_ROUTES if name not in {r.name for r in network_routes()}] == []


def test_it_keeps_network_admins_out_of_the_operator_admin(net_b: PersonaNetwork) -> None:
    client = net_b.client_for("admin")
    login = reverse("admin:login")
    open_to_all = {"admin:login", "admin:logout"}
    problems: list[str] = []
    swept = 0

    for route in global_routes():
        if not route.text.startswith("operator/") or route.kwargs or route.name in open_to_all:
            continue
        url = url_for(route, {})
        response = client.get(url)
        location = response.get("Location", "").split("?")[0]
        expected = (OPERATOR_REFUSALS[route.name], "") if route.name in OPERATOR_REFUSALS else (302, login)
        if (response.status_code, location) != expected:
            problems.append(f"{route.label} → {response.status_code} {location}")
        swept += 1

    assert problems == []
    assert swept >= 20


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_shows_nothing_of_network_a_to_any_persona_of_network_b(
    persona: str, net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    targets = prepare_targets(net_a)
    before = snapshot(net_a.network)
    client = net_b.client_for(persona)
    leaks: list[str] = []
    requests = 0

    for route in network_routes():
        for filling in fillings(route, targets):
            # A's slug and A's objects: B's people are not members of A.
            url = url_for(route, {NETWORK_KWARG: net_a.network.slug, **filling})
            for method in ("get", "post"):
                status = getattr(client, method)(url, {}).status_code
                requests += 1
                if status != 404 and route.name not in PUBLIC_NETWORK_ROUTES:
                    leaks.append(f"{method.upper()} {url} ({route.name}) → {status}")
            if not names_an_object(route):
                continue
            # B's slug, where they are members, with ids and tokens of A.
            url = url_for(route, {NETWORK_KWARG: net_b.network.slug, **filling})
            for method in ("get", "post"):
                expected = 405 if method == "get" and route.name in POST_ONLY_ROUTES else 404
                status = getattr(client, method)(url, {}).status_code
                requests += 1
                if status != expected:
                    leaks.append(f"{method.upper()} {url} ({route.name}) → {status}, expected {expected}")

    assert leaks == []
    assert requests >= 2 * len(network_routes())  # the sweep really ran over every network route
    assert snapshot(net_a.network) == before


def test_it_answers_a_get_on_post_only_routes_the_same_for_any_object(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    targets = prepare_targets(net_a)
    client = net_b.client_for("admin")
    own = {
        "membership_id": net_b.memberships["alumnus1"].pk,
        "invitation_id": 10**9,
        "job_id": 10**9,
        "record_id": 10**9,
        "registration_id": 10**9,
        "channel_id": 10**9,
        "entry_id": 10**9,
        "segment_id": 10**9,
        "news_id": 10**9,
        "post_id": 10**9,
        "comment_id": 10**9,
        "report_id": 10**9,
        "group_id": 10**9,
        "member_id": 10**9,
        "conversation_id": 10**9,
        "thread_id": 10**9,
        "newsletter_id": 10**9,
        "event_id": 10**9,
        "rsvp_id": 10**9,
        "photo_id": 10**9,
        "opportunity_id": 10**9,
        "stage_id": 10**9,
        "subscription_id": 10**9,
        "candidate_id": 10**9,
        "relay_id": 10**9,
        "survey_id": 10**9,
        "question_id": 10**9,
        "topic_id": 10**9,
        "action": "suspend",
    }
    of_a = {
        "membership_id": targets.active_membership_id,
        "invitation_id": targets.invitation_id,
        "job_id": targets.job_id,
        "record_id": targets.record_id,
        "registration_id": targets.registration_id,
        "channel_id": targets.channel_id,
        "entry_id": targets.career_entry_id,
        "segment_id": targets.segment_id,
        "news_id": targets.news_id,
        "post_id": targets.post_id,
        "comment_id": targets.comment_id,
        "report_id": targets.report_id,
        "group_id": targets.group_id,
        "member_id": targets.group_member_id,
        "conversation_id": targets.conversation_id,
        "thread_id": targets.thread_id,
        "newsletter_id": targets.newsletter_id,
        "event_id": targets.event_id,
        "rsvp_id": targets.rsvp_id,
        "photo_id": targets.photo_id,
        "opportunity_id": targets.opportunity_id,
        "stage_id": targets.stage_id,
        "subscription_id": targets.subscription_id,
        "candidate_id": targets.candidate_id,
        "relay_id": targets.relay_id,
        "survey_id": targets.survey_id,
        "question_id": targets.question_id,
        "topic_id": targets.feedback_topic_id,
        "action": "suspend",
    }
    of_a_alumni = {**of_a, "invitation_id": targets.alumni_invitation_id}

    for name in POST_ONLY_ROUTES:
        route = next(route for route in network_routes() if route.name == name)
        keys = [kwarg for kwarg in route.kwargs if kwarg != NETWORK_KWARG]
        slug = {NETWORK_KWARG: net_b.network.slug}
        statuses = {
            client.get(url_for(route, {**slug, **{key: values[key] for key in keys}})).status_code
            for values in (own, of_a, of_a_alumni)
        }
        assert statuses == {405}, name


# --- The operator admin: global by design, so it must work without a network scope -------------

ADMIN_PAGES = {"changelist", "add", "change", "delete", "history"}


def operator_model_routes() -> Iterator[tuple[Route, type[models.Model]]]:
    """The admin pages of every registered model (django-rq's dashboard needs Redis: left out)."""
    registered = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_": model
        for model in admin.site._registry
        if model._meta.app_label != "django_rq"
    }
    for route in global_routes():
        for prefix, model in registered.items():
            if route.name and route.name.startswith(prefix) and route.name.removeprefix(prefix) in ADMIN_PAGES:
                yield route, model


def operator_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("operator@enishi.example", "operator-password-1"))
    return client


def expected_operator_status(route: Route, model: type[models.Model], instance: models.Model | None) -> int:
    """200, or 403 for adding to or deleting from an append-only admin (audit log, task results)."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(email="operator@enishi.example")
    model_admin = admin.site._registry[model]
    if route.name and route.name.endswith("_add"):
        return 200 if model_admin.has_add_permission(request) else 403
    if route.name and route.name.endswith("_delete"):
        return 200 if model_admin.has_delete_permission(request, instance) else 403
    return 200


def test_it_lets_the_operator_open_every_admin_page(net_a: PersonaNetwork) -> None:
    prepare_targets(net_a)
    net_a.client_for("admin")  # an audit entry (login) to open
    client = operator_client()
    problems: list[str] = []
    opened: set[str] = set()

    for route, model in operator_model_routes():
        values: dict[str, Any] = {}
        instance = None
        if "object_id" in route.kwargs:
            with scopes_disabled():
                instance = model._default_manager.order_by("pk").first()
            if instance is None:
                continue
            values["object_id"] = instance.pk
        url = url_for(route, values)
        try:
            status = client.get(url).status_code
        except Exception as error:  # a crash is a finding too: collect them all
            problems.append(f"{route.label}: {type(error).__name__}: {error}")
            continue
        if status != expected_operator_status(route, model, instance):
            problems.append(f"{route.label}: {status}")
        opened.add(model._meta.label)

    assert problems == []
    assert {"networks.Network", "networks.Membership", "networks.StaffInvitation", "privacy.AuditEntry"} <= opened


def test_it_refuses_an_invitation_link_to_everyone_but_the_invited_person(
    net_a: PersonaNetwork, net_b: PersonaNetwork
) -> None:
    targets = prepare_targets(net_a)
    url = reverse("network:accept_staff_invitation", args=[net_a.network.slug, targets.invitation_token])
    before = snapshot(net_a.network)

    for persona in PERSONA_NAMES:
        client = net_b.client_for(persona)
        assert client.get(url).status_code == 404, persona
        assert client.post(url).status_code == 404, persona

    assert snapshot(net_a.network) == before


def admin_of_a_after_first_visit(net_a: PersonaNetwork) -> Client:
    """A's admin, with today's activity already recorded (a write that is not under test)."""
    client = net_a.client_for("admin")
    assert client.get(reverse("manage:dashboard", args=["alpha"])).status_code == 200
    return client


def test_it_answers_odd_ids_and_tokens_with_404(net_a: PersonaNetwork) -> None:
    client = admin_of_a_after_first_visit(net_a)
    before = snapshot(net_a.network)
    urls = [
        "/n/alpha/manage/members/99999999999999999999999/",
        "/n/alpha/manage/members/0/",
        "/n/alpha/manage/settings/companies/9223372036854775808/",
        "/n/alpha/join/staff/%E3%81%82%00/",
        "/n/alpha/join/staff/" + "x" * 5000 + "/",
        "/n/ALPHA/",
    ]

    assert {url[:60]: client.get(url).status_code for url in urls} == {url[:60]: 404 for url in urls}
    assert snapshot(net_a.network) == before


def test_it_changes_nothing_for_an_unknown_member_action(net_a: PersonaNetwork) -> None:
    client = admin_of_a_after_first_visit(net_a)
    target = net_a.memberships["alumnus1"]
    before = snapshot(net_a.network)

    response = client.post(reverse("manage:member_action", args=["alpha", target.pk, "delete"]))

    assert response.status_code == 404
    assert snapshot(net_a.network) == before


def test_it_hides_an_unknown_network_like_a_foreign_one(net_a: PersonaNetwork, net_b: PersonaNetwork) -> None:
    client: Client = net_b.client_for("admin")

    assert client.get("/n/alpha/manage/").status_code == 404
    assert client.get("/n/no-such-network/manage/").status_code == 404
