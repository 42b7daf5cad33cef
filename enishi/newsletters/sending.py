"""Sending a newsletter: render once per language, claim deliveries, send each once, record it.

Exactly once, as far as SMTP allows (docs/ARCHITECTURE.md "Newsletters" has the whole argument):

1. A sender claims up to CLAIM_BATCH_SIZE deliveries with ONE conditional UPDATE
   (queued → sending, claimed_at = now, claimed_by = this claim's unique id), only while the
   newsletter is `sending`. Two senders can never hold the same row: the UPDATE decides.
2. For each claimed row: MAIL, RCPT, DATA; as soon as the server answers 250 to the message, the
   very next statement is the UPDATE that marks the row sent (per message, autocommit). Nothing
   else runs in between. On PostgreSQL the UPDATE is sent without waiting for its reply, which is
   read before the next message on that connection is handed over (Ledger.settle): still at most
   one accepted, unrecorded message per connection.
3. A sender that dies (SIGKILL, power loss) leaves rows `sending`. They are claimable again only
   once their lease (settings.NEWSLETTER_LEASE_SECONDS) has expired; a live sender never starts a
   message on a claim older than half the lease, so a row is never sent by two live senders.

What remains is the window between the server accepting the message (it answers 250 after it has
stored it) and our UPDATE committing: a sender killed exactly there leaves a delivered row marked
`sending`, and it is sent again after the lease. No protocol step can close it: SMTP has no way to
ask a server "did you accept message X?", and marking the row before the final "." only swaps the
duplicate for a lost message. We keep the window to one loopback round trip plus one UPDATE.

Fast path: with Django's SMTP backend, NEWSLETTER_SMTP_CONNECTIONS threads each hold one SMTP
connection and one database connection, shared out over NEWSLETTER_SENDER_PROCESSES forked
processes (0: one per CPU; one GIL each; children die with the task's thread, PR_SET_PDEATHSIG),
and send MIME bytes built once per language with only the recipient's parts replaced. With
PIPELINING the next message's envelope leaves with the current message's final ".". Any other
email backend (console in development, locmem in tests, an anymail provider) gets one
EmailMultiAlternatives per message in the calling thread, through the same claim and mark steps.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import hashlib
import hmac
import html
import itertools
import json
import logging
import multiprocessing
import operator
import os
import re
import secrets
import select
import signal
import smtplib
import socket
import sys
import threading
import time
import zlib
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from html.parser import HTMLParser
from typing import Any

import psycopg
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, connections
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django_scopes import scopes_disabled
from psycopg import pq

from enishi.networks.models import Network
from enishi.newsletters.models import Delivery, Newsletter, NewsletterLink
from enishi.notifications.services import UNSUBSCRIBE_SALT
from enishi.notifications.tasks import is_permanent_refusal
from enishi.notifications.topics import Topic

logger = logging.getLogger(__name__)

CLAIM_BATCH_SIZE = 20
MAX_ATTEMPTS = 3
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Per-recipient parts, as private-use characters: no template escapes them and no text contains
# them (they are removed from the editor's text before rendering).
NAME = "\ue001"
TOKEN = "\ue002"  # noqa: S105 (a placeholder, not a secret)
UNSUBSCRIBE = "\ue003"
TO = "\ue010"
DATE = "\ue011"
PLACEHOLDERS = (NAME, TOKEN, UNSUBSCRIBE, TO, DATE)
_TOKEN_MARK = "nltokenmark"  # noqa: S105
_HREF = re.compile(r'href="([^"]*)"')


def lease_seconds() -> int:
    return int(settings.NEWSLETTER_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a sender records progress on the newsletter (a quarter of the lease, at most 2 s)."""
    return min(2.0, lease_seconds() / 4)


def uses_fast_smtp() -> bool:
    return str(settings.EMAIL_BACKEND) == SMTP_BACKEND


# --- Rendering: once per language ----------------------------------------------------------------


@dataclass
class Personal:
    """One recipient's parts of the message."""

    to: str
    name: str
    token: str
    unsubscribe_url: str


@dataclass
class Prepared:
    """The newsletter rendered in one language, with placeholders where each recipient differs."""

    subject: str
    text: str
    html: str
    from_email: str
    head: str  # the MIME headers and the text part's header, {to}/{date} and placeholders to fill
    middle: bytes
    tail: bytes
    _text: list[str] = field(init=False, repr=False)
    _html: list[str] = field(init=False, repr=False)
    _head: list[str] = field(init=False, repr=False)
    _text_utf8: list[Any] = field(init=False, repr=False)
    _html_utf8: list[Any] = field(init=False, repr=False)
    dot_safe: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Split once at the placeholders: each message is then one join, not a scan per placeholder.
        self._text = _split(self.text)
        self._html = _split(self.html)
        self._head = _split(self.head)
        # The same pieces already in UTF-8 for the MIME bytes: no 10 kB of text encoded per message.
        self._text_utf8 = [piece if index % 2 else piece.encode("utf-8") for index, piece in enumerate(self._text)]
        self._html_utf8 = [piece if index % 2 else piece.encode("utf-8") for index, piece in enumerate(self._html)]
        # No line of the message can start with "." (which SMTP would take for the end) unless one
        # of these does: the parts between them are base64, and of the recipient's values only the
        # address is not ours (checked per message). Then no 10 kB scan per message.
        self.dot_safe = not any(
            part.startswith(".") or "\n." in part
            for part in (self.head, self.middle.decode("ascii"), self.tail.decode("ascii"))
        )

    def parts(self, person: Personal) -> tuple[str, str]:
        values = {NAME: person.name, TOKEN: person.token, UNSUBSCRIBE: person.unsubscribe_url}
        text = _fill(self._text, values)
        values[NAME] = html.escape(person.name)
        return text, _fill(self._html, values)

    def mime_bytes(self, person: Personal) -> bytes:
        """The whole message for one recipient: byte joins and base64, nothing else."""
        values = {TOKEN: person.token, UNSUBSCRIBE: person.unsubscribe_url, TO: person.to, DATE: _now_header()}
        head = _fill(self._head, values)
        encoded = {NAME: person.name.encode("utf-8"), TOKEN: person.token.encode("ascii"),
                   UNSUBSCRIBE: person.unsubscribe_url.encode("ascii")}  # fmt: skip
        text = _fill(self._text_utf8, encoded)
        encoded[NAME] = html.escape(person.name).encode("utf-8")
        body = _fill(self._html_utf8, encoded)
        return b"".join((head.encode("ascii"), _base64_lines(text), self.middle, _base64_lines(body), self.tail))

    def email_message(self, person: Personal, *, subject_prefix: str = "") -> EmailMultiAlternatives:
        text, body = self.parts(person)
        message = EmailMultiAlternatives(
            subject=subject_prefix + self.subject, body=text, from_email=self.from_email, to=[person.to],
            headers=_list_headers(person.unsubscribe_url) if person.unsubscribe_url else None,
        )  # fmt: skip
        message.attach_alternative(body, "text/html")
        return message


_PLACEHOLDER = re.compile("([\ue001-\ue003\ue010\ue011])")


def _split(template: str) -> list[str]:
    return _PLACEHOLDER.split(template)


def _fill(pieces: list[Any], values: dict[str, Any]) -> Any:
    """The pieces joined with each placeholder (at the odd positions, as re.split leaves them)
    replaced by its value; str or bytes, as the pieces are."""
    filled = pieces.copy()
    for index in range(1, len(filled), 2):
        filled[index] = values[filled[index]]
    return filled[0][:0].join(filled)


_date_cache: tuple[int, str] = (0, "")


def _now_header() -> str:
    """The Date header, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def _base64(text: str) -> bytes:
    """base64.encodebytes of the UTF-8 text, with CRLF line ends."""
    return _base64_lines(text.encode("utf-8"))


_LINE_CUTTERS: dict[int, Any] = {}


def _base64_lines(data: bytes) -> bytes:
    """base64.encodebytes with CRLF line ends (76 characters a line), in C calls only: one encoding,
    one itemgetter of the lines' slices (made once per length), one join."""
    encoded = binascii.b2a_base64(data, newline=False)
    size = len(encoded)
    if size <= 76:
        return encoded + b"\r\n" if encoded else b""
    cutter = _LINE_CUTTERS.get(size)
    if cutter is None:
        if len(_LINE_CUTTERS) > 4096:
            _LINE_CUTTERS.clear()
        cutter = _LINE_CUTTERS[size] = operator.itemgetter(*[slice(at, at + 76) for at in range(0, size, 76)])
    return b"\r\n".join(cutter(encoded)) + b"\r\n"


def _list_headers(unsubscribe_url: str) -> dict[str, str]:
    # The same headers as notifications.services.unsubscribe_headers, built from a URL made once.
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def strip_placeholders(text: str) -> str:
    for mark in PLACEHOLDERS:
        text = text.replace(mark, "")
    return text


def tracked_path(network: Network, name: str, suffix: str = "") -> str:
    """The absolute URL of the open pixel or a click, with the TOKEN placeholder."""
    path = reverse(f"network:{name}", args=[network.slug, _TOKEN_MARK + suffix])
    return settings.SITE_URL.rstrip("/") + path.replace(_TOKEN_MARK, TOKEN)


def rewrite_links(body: str, network: Network, links: dict[str, int]) -> str:
    """Every http(s) link of the sanitised body through the click redirect of its numbered link."""

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        position = links.get(url)
        if position is None:
            return match.group(0)
        return f'href="{tracked_path(network, "newsletter_click", f"-{position}")}"'

    return _HREF.sub(replace, body)


def link_urls(body: str) -> list[str]:
    """The distinct http(s) URLs of a sanitised body, in order of appearance."""
    found: list[str] = []
    for match in _HREF.finditer(body):
        url = html.unescape(match.group(1))
        if url.lower().startswith(("http://", "https://")) and url not in found:
            found.append(url)
    return found


class _TextMaker(HTMLParser):
    """The plain-text part: paragraphs, line breaks, list bullets, and each link's URL after its text."""

    BLOCKS = frozenset({"p", "div", "h2", "h3", "h4", "blockquote", "pre", "table", "tr", "ul", "ol", "figure"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n・")
        elif tag == "hr":
            self.out.append("\n\n――――\n\n")
        elif tag == "td" or tag == "th":
            self.out.append(" ")
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href.startswith(("http://", "https://", "mailto:")):
                self.out.append(f" ( {href.removeprefix('mailto:')} )")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(" ".join(data.split("\n")))

    def text(self) -> str:
        joined = "".join(self.out)
        lines = [line.strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(body: str) -> str:
    maker = _TextMaker()
    maker.feed(body)
    maker.close()
    return maker.text()


def newsletter_language(newsletter: Newsletter, wanted: str) -> str:
    """The recipient's language if the newsletter is written in it, else Japanese."""
    return "en" if wanted == "en" and newsletter.has_english else "ja"


def prepare(newsletter: Newsletter, language: str, *, track: bool = True) -> Prepared:
    """Render the newsletter in `language` once; every recipient's message is a copy of this one."""
    network = newsletter.network
    if language == "en" and newsletter.has_english:
        subject, body = newsletter.subject_en, newsletter.body_en
    else:
        language, subject, body = "ja", newsletter.subject_ja, newsletter.body_ja
    body = strip_placeholders(body)
    subject = " ".join(strip_placeholders(subject).split())
    if track:
        links = {link.url: link.position for link in NewsletterLink.objects.filter(newsletter=newsletter)}
        body = rewrite_links(body, network, links)
    pixel = tracked_path(network, "newsletter_open") if track else ""
    context = {"network": network, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language, "name": NAME,
               "unsubscribe_url": UNSUBSCRIBE, "pixel_url": pixel}  # fmt: skip
    with translation.override(language):
        html_body = render_to_string(
            "newsletters/email-body.html", {**context, "body": mark_safe(body)}
        )  # sanitised when saved; links rewritten by us
        text_body = render_to_string("newsletters/email-body.txt", {**context, "body": html_to_text(body)})
    from_email = _from_address(network)
    boundary = "=_enishi_" + secrets.token_hex(12)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "enishi.localhost"
    head = "\r\n".join([
        f"From: {from_email}",
        f"To: {TO}",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Date: {DATE}",
        f"Message-ID: <nl.{TOKEN}@{domain}>",
        "MIME-Version: 1.0",
        *(f"{key}: {value}" for key, value in _list_headers(UNSUBSCRIBE).items()),
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        "",
    ])  # fmt: skip
    middle = (f"\r\n--{boundary}\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii")  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return Prepared(subject=subject, text=text_body, html=html_body, from_email=from_email, head=head,
                    middle=middle, tail=tail)  # fmt: skip


def _from_address(network: Network) -> str:
    """The secretariat's name with the platform's sending address (headers stay ASCII)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@enishi.localhost"
    return formataddr((str(network.name), address), charset="utf-8")


def personal(row: ClaimedRow, network: Network) -> Personal:
    token = newsletter_unsubscribe_token(network.pk, row.membership_id)
    return Personal(to=row.email, name=row.name or row.email, token=row.token,
                    unsubscribe_url=unsubscribe_prefix(network) + token + "/")  # fmt: skip


_SIGNING_KEYS: dict[str, bytes] = {}


def newsletter_unsubscribe_token(network_id: int, membership_id: int) -> str:
    """notifications.services.unsubscribe_token(membership, Topic.NEWSLETTER), the same string
    (a test compares them), without what costs per call there: deriving the HMAC key, building a
    Signer, serialising a dict. Django's Signer: salted_hmac(salt + "signer", value) over the
    URL-safe base64 of the JSON (zlib-compressed, with a "." in front, only if that is shorter)."""
    secret = settings.SECRET_KEY
    key = _SIGNING_KEYS.get(secret)
    if key is None:
        key = _SIGNING_KEYS.setdefault(
            secret, hashlib.sha256((UNSUBSCRIBE_SALT + "signer").encode() + secret.encode()).digest()
        )
    data = b'{"n":%d,"m":%d,"t":%s,"s":""}' % (network_id, membership_id, _TOPIC_JSON)
    compressed = zlib.compress(data)
    value = base64.urlsafe_b64encode(data).strip(b"=")
    if len(compressed) < len(data) - 1:
        value = b"." + base64.urlsafe_b64encode(compressed).strip(b"=")
    mac = hmac.digest(key, value, "sha256")  # one C call (hmac.new().copy().update().digest() is four)
    return f"{value.decode()}:{base64.urlsafe_b64encode(mac).strip(b'=').decode()}"


_TOPIC_JSON = json.dumps(str(Topic.NEWSLETTER)).encode()


_UNSUBSCRIBE_PREFIXES: dict[int, str] = {}


def unsubscribe_prefix(network: Network) -> str:
    """notifications.services.unsubscribe_url without a reverse() per recipient."""
    if network.pk not in _UNSUBSCRIBE_PREFIXES:
        path = reverse("network:unsubscribe", args=[network.slug, _TOKEN_MARK])
        _UNSUBSCRIBE_PREFIXES[network.pk] = settings.SITE_URL.rstrip("/") + path.partition(_TOKEN_MARK)[0]
    return _UNSUBSCRIBE_PREFIXES[network.pk]


# --- Claiming and recording ----------------------------------------------------------------------


@dataclass
class ClaimedRow:
    id: int
    email: str
    name: str
    token: str
    language: str
    membership_id: int


MARK_SENT_SQL = (
    "UPDATE newsletters_delivery SET status = 'sent', sent_at = %s, error = '' "
    "WHERE id = %s AND claimed_by = %s AND status = 'sending'"
)
# PostgreSQL: prepared once per connection (parsing and planning were 40 % of the database's CPU per
# message); sent_at from the database's clock.
MARK_SENT_PG = (
    b"UPDATE newsletters_delivery SET status = 'sent', sent_at = statement_timestamp(), error = '' "
    b"WHERE id = $1 AND claimed_by = $2 AND status = 'sending'"
)
_STATEMENT_NUMBERS = itertools.count(1)


class Ledger:
    """The sender's SQL on its own connection: claim a batch, mark one row, release the rest.

    Raw SQL on purpose: these statements run once per message, and the mark-sent UPDATE is the one
    thing between the server's 250 and the record of it.
    """

    # SQLite: one writer at a time, never a busy wait between our threads (nor between our
    # processes: the forked senders share one lock)
    _lock: Any = threading.Lock()

    def __init__(self, newsletter_id: int, worker: str, *, own_connection: bool) -> None:
        self.newsletter_id = newsletter_id
        self.worker = worker
        self.vendor = connection.vendor
        self.batches = 0
        self.last_heartbeat = 0.0
        self.last_expired_look = -1e9
        self.after = 0  # the highest id this sender claimed from the queued rows
        self.cursor = connection.cursor()
        # The driver's own cursor for the per-message UPDATE: Django's wrapper would add a third of
        # its cost, and nothing of it (debug logging, wrappers) applies here.
        connection.ensure_connection()
        self.raw = connection.connection.cursor()
        self.mark_sent_sql = MARK_SENT_SQL.replace("%s", "?") if self.vendor == "sqlite" else MARK_SENT_SQL
        self.utc_text = self.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"
        # PostgreSQL: the mark-sent UPDATE is a prepared statement sent through libpq without waiting
        # for its reply (see mark_sent); `pending` is the row whose reply has not been read yet.
        self.pg: Any = None
        self.pending: tuple[int, str] | None = None
        if self.vendor == "postgresql":
            if own_connection:
                # Our own commits need not wait for the WAL flush: a killed worker loses nothing by it
                # (the server has the commit); only a crash of the database server itself could forget
                # the last few marks, and those rows would be sent again after their lease.
                self.cursor.execute("SET synchronous_commit TO off")
                # The claims' generic plans are the right ones (see _claim); planning each claim again
                # (PostgreSQL's default for a statement with a LIMIT) was a tenth of its CPU.
                self.cursor.execute("SET plan_cache_mode TO force_generic_plan")
            self.pg = connection.connection.pgconn
            # The claims, prepared too: server-side binding (Django's cursors bind on the client, and
            # its connections turn psycopg's prepared statements off: prepare_threshold None).
            self.claim_cursor = psycopg.Cursor(connection.connection)
            self.threshold = connection.connection.prepare_threshold
            connection.connection.prepare_threshold = 5  # psycopg's default; our claims ask prepare=True
            self.mark_name = b"enishi_nl_mark_%d" % next(_STATEMENT_NUMBERS)
            self._pg_check(self.pg.prepare(self.mark_name, MARK_SENT_PG), "prepare")

    def guard(self) -> AbstractContextManager[object]:
        return self._lock if self.vendor == "sqlite" else nullcontext()

    def _ts(self, value: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def _sent_at(self) -> Any:
        """_ts(timezone.now()), cheaper where the adaptation is known: SQLite stores naive UTC text."""
        if self.utc_text:
            return str(datetime.now(UTC).replace(tzinfo=None))
        return self._ts(timezone.now())

    def claim(self) -> tuple[str, float, list[ClaimedRow]]:
        """Up to CLAIM_BATCH_SIZE rows for this sender: ones whose lease expired first, else queued ones.

        Separate statements rather than one with an OR, each walking one range of the (newsletter,
        status, id) index and stopping after the batch (with the OR the database scanned every row
        sent so far: 12 ms a claim half-way through 100,000 rows on PostgreSQL, quadratic in the
        send). Even so, a range keeps the index entries of the rows that left it (until a vacuum):
        a scan from the start of "queued" or "sending" steps over every row claimed or sent so far.
        So queued rows are claimed after the highest id this sender claimed (from the start again
        only when nothing is left above it: rows put back by a release or a retry), and expired
        leases are looked for at most every heartbeat, and whenever nothing is queued."""
        self.settle()
        self.batches += 1
        claim_id = f"{self.worker}:{self.batches}"[:80]
        now = timezone.now()
        with self.guard():
            rows: list[ClaimedRow] = []
            looked = time.monotonic() - self.last_expired_look > heartbeat_seconds()
            if looked:
                rows = self._claim_expired(now, claim_id)
            if not rows:
                rows = self._claim_queued(now, claim_id)
            if not rows and not looked:
                rows = self._claim_expired(now, claim_id)
            if rows and time.monotonic() - self.last_heartbeat > heartbeat_seconds():
                self.last_heartbeat = time.monotonic()
                self.cursor.execute(
                    "UPDATE newsletters_newsletter SET heartbeat_at = %s WHERE id = %s",
                    [self._ts(now), self.newsletter_id],
                )
        rows.sort(key=lambda row: row.id)
        return claim_id, time.monotonic(), rows

    def _claim_expired(self, now: datetime, claim_id: str) -> list[ClaimedRow]:
        self.last_expired_look = time.monotonic()
        expired = self._ts(now - timedelta(seconds=lease_seconds()))
        # "BETWEEN x AND x ORDER BY status, id", not "= x ORDER BY id": the same rows, but only the
        # (newsletter, status, id) index yields that order, whatever the statistics say (taken when
        # every row was queued, they made PostgreSQL walk the primary key instead).
        return self._claim(
            now, claim_id, "status BETWEEN 'sending' AND 'sending' AND claimed_at < %s", [expired], "status, id"
        )

    def _claim_queued(self, now: datetime, claim_id: str) -> list[ClaimedRow]:
        rows = self._claim(now, claim_id, "status = 'queued' AND id > %s", [self.after], "id")
        if not rows and self.after:
            self.after = 0
            rows = self._claim(now, claim_id, "status = 'queued' AND id > %s", [0], "id")
        if rows:
            self.after = max(self.after, *(row.id for row in rows))
        return rows

    def _claim(self, now: datetime, claim_id: str, claimable: str, values: list[Any], order: str) -> list[ClaimedRow]:
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.vendor == "postgresql" else ""
        sql = (
            "UPDATE newsletters_delivery SET status = 'sending', claimed_at = %s, claimed_by = %s, "  # noqa: S608
            "attempts = attempts + 1 "
            f"WHERE id IN (SELECT id FROM newsletters_delivery WHERE newsletter_id = %s AND {claimable} "
            f"ORDER BY {order} LIMIT {CLAIM_BATCH_SIZE:d}{skip_locked}) AND {claimable} "
            "AND EXISTS (SELECT 1 FROM newsletters_newsletter WHERE id = %s AND status = 'sending') "
            "RETURNING id, email, name, token, language, membership_id"
        )
        params = [self._ts(now), claim_id, self.newsletter_id, *values, *values, self.newsletter_id]
        if self.pg is not None:
            try:
                self.claim_cursor.execute(sql, params, prepare=True)
                return [ClaimedRow(*row) for row in self.claim_cursor.fetchall()]
            except psycopg.errors.InvalidSqlStatementName:
                self.pg = None  # a pooler moved us to another server connection: no more prepared statements
        self.cursor.execute(sql, params)
        return [ClaimedRow(*row) for row in self.cursor.fetchall()]

    def mark_sent(self, row_id: int, claim_id: str, *, wait: bool = True) -> None:
        """Record that the server accepted the row's message. On PostgreSQL with wait=False the
        UPDATE is sent at once (it is in the database's hands as soon as this returns) and its reply
        is read by settle(), which the sender calls before it hands over its next message: the CPU
        and round trip of the UPDATE overlap the next message's rendering and envelope, and at most
        one accepted message per connection is ever unrecorded, as when waiting here."""
        if self.pg is None:
            with self.guard():
                self.raw.execute(self.mark_sent_sql, (self._sent_at(), row_id, claim_id))
                if self.raw.rowcount != 1:  # only a lease far shorter than EMAIL_TIMEOUT gets here
                    logger.error("newsletter delivery sent after its claim was lost", extra={"delivery_id": row_id})
            return
        self.settle()
        pg = self.pg
        pg.send_query_prepared(self.mark_name, [b"%d" % row_id, claim_id.encode()])
        self.pending = (row_id, claim_id)
        while pg.flush():  # our socket is non-blocking: wait until the whole statement is sent
            select.select([], [pg.socket], [])
        if wait:
            self.settle()

    def settle(self) -> None:
        """Read the reply of the mark-sent UPDATE in flight, if any (PostgreSQL)."""
        if self.pending is None:
            return
        row_id, claim_id = self.pending
        self.pending = None
        pg = self.pg
        pg.consume_input()
        while pg.is_busy():  # wait in select (the GIL released), not in libpq
            select.select([pg.socket], [], [])
            pg.consume_input()
        done = None
        while (result := pg.get_result()) is not None:
            done = done or result
            if result.status != pq.ExecStatus.COMMAND_OK:
                done = result
        if done is not None and done.error_field(pq.DiagnosticField.SQLSTATE) == b"26000":
            # The prepared statement is gone (a pooler that moved us to another server connection):
            # record the row the ordinary way, and stop preparing.
            self.pg = None
            self.mark_sent(row_id, claim_id)
            return
        self._pg_check(done, "mark sent")
        if done is not None and done.command_tuples != 1:
            logger.error("newsletter delivery sent after its claim was lost", extra={"delivery_id": row_id})

    @staticmethod
    def _pg_check(result: Any, what: str) -> None:
        if result is None or result.status != pq.ExecStatus.COMMAND_OK:
            message = result.error_message.decode(errors="replace") if result is not None else "no result"
            raise psycopg.OperationalError(f"newsletter {what}: {message}")

    def mark(self, row_id: int, claim_id: str, status: str, error: str) -> None:
        self.settle()
        with self.guard():
            self.cursor.execute(
                "UPDATE newsletters_delivery SET status = %s, error = %s WHERE id = %s AND claimed_by = %s "
                "AND status = 'sending'",
                [status, error[:300], row_id, claim_id],
            )

    def retry_or_fail(self, row_id: int, claim_id: str, error: str) -> None:
        """A temporary failure: back in the queue, unless it failed MAX_ATTEMPTS times already."""
        self.settle()
        with self.guard():
            self.cursor.execute(
                "UPDATE newsletters_delivery SET status = CASE WHEN attempts >= %s THEN 'failed' ELSE 'queued' END, "
                "claimed_by = '', error = %s WHERE id = %s AND claimed_by = %s AND status = 'sending'",
                [MAX_ATTEMPTS, error[:300], row_id, claim_id],
            )

    def release(self, row_ids: list[int], claim_id: str) -> None:
        """Rows claimed but not started (pause, a connection lost, a lease running out): back in the queue."""
        if not row_ids:
            return
        self.settle()
        marks = ", ".join(["%s"] * len(row_ids))
        with self.guard():
            self.cursor.execute(
                "UPDATE newsletters_delivery SET status = 'queued', claimed_by = '', attempts = attempts - 1 "  # noqa: S608
                f"WHERE id IN ({marks}) AND claimed_by = %s AND status = 'sending'",
                [*row_ids, claim_id],
            )

    def close(self) -> None:
        try:
            self.settle()
            if self.pg is not None:
                self.pg.exec_(b"DEALLOCATE " + self.mark_name)  # the connection may be the caller's
        finally:
            if self.vendor == "postgresql":
                self.claim_cursor.close()
                if not self.claim_cursor.connection.closed:
                    self.claim_cursor.connection.prepare_threshold = self.threshold
            self.raw.close()
            self.cursor.close()


# --- Transports ----------------------------------------------------------------------------------


class SmtpTransport:
    """One SMTP connection. smtplib opens it (EHLO, STARTTLS, AUTH); the messages themselves go over
    its socket with a few lines of our own: smtplib's per-command parsing was half of the sender's
    CPU per message. With PIPELINING (RFC 2920) MAIL, RCPT and DATA leave in one write."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.sock: socket.socket | None = None
        self.pipelining = False
        self.buffer = b""

    def open(self) -> socket.socket:
        if self.sock is None or self.smtp is None:
            klass = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
            smtp = klass(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT)
            smtp.ehlo()
            if settings.EMAIL_USE_TLS:
                smtp.starttls()
                smtp.ehlo()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            self.smtp, self.buffer = smtp, b""
            self.sock = smtp.sock
            self.pipelining = smtp.has_extn("pipelining")
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        return self.sock

    def reply(self) -> tuple[int, str]:
        """One whole reply of the server (the last line's code, the text of all its lines)."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        lines = []
        while True:
            end = self.buffer.find(b"\r\n")
            while end < 0:
                chunk = self.sock.recv(4096)  # replies are short: a small read buffer is cheaper to allocate
                if not chunk:
                    raise smtplib.SMTPServerDisconnected("the server closed the connection")
                self.buffer += chunk
                end = self.buffer.find(b"\r\n")
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            if len(line) < 3 or not line[:3].isdigit():
                raise smtplib.SMTPServerDisconnected(f"unexpected reply {line[:80]!r}")
            lines.append(line[4:].decode(errors="replace"))
            if line[3:4] != b"-":
                return int(line[:3]), " ".join(lines)

    def reset(self) -> None:
        """RSET after a refused command, so the connection can carry the next message."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("no connection")
        self.sock.sendall(b"RSET\r\n")
        self.reply()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp, self.sock, self.buffer = None, None, b""


class Outcome:
    SENT = "sent"
    BOUNCED = "bounced"
    RETRY = "retry"  # nothing was accepted: safe to send again
    UNKNOWN = "unknown"  # the connection died after the message was handed over
    STOP = "stop"  # the server cannot be reached: stop this connection, keep the row queued
    INVALID = "invalid"  # this row cannot become a message (e.g. an address SMTP cannot carry)
    READY = "ready"  # (an envelope sent ahead) the server waits for the message's content


# --- The sender ----------------------------------------------------------------------------------


def worker_identity() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def send_newsletter_now(newsletter_id: int, *, poll_seconds: float = 1.0) -> str:
    """Send every claimable delivery of the newsletter; wait for expired leases; finish it.

    Idempotent and safe to run in several processes at once (the claims decide who sends what).
    """
    with scopes_disabled():  # a task: the newsletter names its network; every query below filters by it
        newsletter = Newsletter.objects.select_related("network").filter(pk=newsletter_id).first()
    if newsletter is None or newsletter.status != Newsletter.Status.SENDING:
        return "not sending"
    network = newsletter.network
    with scopes_disabled():
        templates = {language: prepare(newsletter, language) for language in ("ja", "en")}
    fast = uses_fast_smtp()
    threads = max(1, int(settings.NEWSLETTER_SMTP_CONNECTIONS)) if fast else 1
    processes = sender_processes(threads) if fast else 1
    worker = worker_identity()
    while True:
        done_before = _done_count(newsletter_id)
        if processes > 1:
            _fork_senders(newsletter_id, network, templates, worker, processes, threads)
        elif threads == 1:
            _sender(newsletter_id, network, templates, f"{worker}:0", fast=fast, own_connection=False)
        else:
            _thread_senders(newsletter_id, network, templates, worker, range(threads))
        with scopes_disabled():
            state = Newsletter.objects.filter(pk=newsletter_id).values_list("status", flat=True).first()
            if state != Newsletter.Status.SENDING:
                return str(state)
            left = Delivery.objects.filter(
                newsletter_id=newsletter_id, status__in=(Delivery.Status.QUEUED, Delivery.Status.SENDING)
            )
            if not left.exists():
                finish(newsletter_id)
                return "sent"
        if left.filter(status=Delivery.Status.QUEUED).exists() and _done_count(newsletter_id) == done_before:
            # The senders stopped with work left and nothing done (server unreachable, our sender
            # refused): end the task; the maintenance job tries again once the heartbeat is old.
            logger.warning("newsletter sending made no progress", extra={"newsletter_id": newsletter_id})
            return "no progress"
        time.sleep(poll_seconds)  # rows another sender holds, or whose lease has not expired yet


def sender_processes(connections: int) -> int:
    """How many processes share the SMTP connections: NEWSLETTER_SENDER_PROCESSES (0: one per CPU),
    never more than the connections, and 1 where children could not see the rows or open the
    database (inside a transaction, as in tests; an in-memory SQLite database; no fork)."""
    wanted = int(settings.NEWSLETTER_SENDER_PROCESSES) or (os.cpu_count() or 1)
    wanted = min(wanted, connections)
    if wanted <= 1 or not hasattr(os, "fork") or connection.in_atomic_block:
        return 1
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", lambda: True)():
        return 1
    return wanted


def _thread_senders(
    newsletter_id: int, network: Network, templates: dict[str, Prepared], worker: str, numbers: range
) -> None:
    pool = [
        threading.Thread(target=_sender, args=(newsletter_id, network, templates, f"{worker}:{number}"),
                         kwargs={"fast": True, "own_connection": True}, daemon=True)
        for number in numbers
    ]  # fmt: skip
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


_INHERITED: list[object] = []  # a child's copies of the parent's database connections: never closed


def _fork_senders(
    newsletter_id: int, network: Network, templates: dict[str, Prepared], worker: str, processes: int, threads: int
) -> None:
    """The SMTP connections shared out over `processes` forked children (one GIL each), until they
    have nothing left to claim. A child dies with the thread that forked it (PR_SET_PDEATHSIG on
    Linux, and a check of its parent right after), so a worker killed with SIGKILL takes its senders
    with it: no message is started after its worker died, and leases work as with threads."""
    parent = os.getpid()
    sqlite_lock = multiprocessing.get_context("fork").Lock() if connection.vendor == "sqlite" else None
    children = []
    for number in range(processes):
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                _become_child(parent, sqlite_lock)
                _thread_senders(newsletter_id, network, templates, f"{worker}:p{number}",
                                range(number, threads, processes))  # fmt: skip
                code = 0
            except BaseException:
                logger.exception("newsletter sender process stopped", extra={"newsletter_id": newsletter_id})
            finally:
                os._exit(code)  # no atexit, no destructor: the parent's connections stay untouched
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


def _become_child(parent: int, sqlite_lock: Any) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the thread that forked us ends
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    # The parent's database connections are its own: drop our copies without closing them (closing
    # would end the parent's session on PostgreSQL); each sender thread opens its own.
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None
    if sqlite_lock is not None:
        Ledger._lock = sqlite_lock  # one writer at a time across the children too, never a busy wait


def _done_count(newsletter_id: int) -> int:
    finals = (Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.BOUNCED)
    with scopes_disabled():
        return Delivery.objects.filter(newsletter_id=newsletter_id, status__in=finals).count()


def finish(newsletter_id: int) -> None:
    with scopes_disabled():
        Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).update(
            status=Newsletter.Status.SENT, finished_at=timezone.now()
        )


def _sender(
    newsletter_id: int,
    network: Network,
    templates: dict[str, Prepared],
    worker: str,
    *,
    fast: bool,
    own_connection: bool,
) -> None:
    """Claim, send, mark, until nothing is claimable. One SMTP and one database connection."""
    ledger = Ledger(newsletter_id, worker, own_connection=own_connection)
    transport = SmtpTransport() if fast else None
    backend = None if fast else get_connection()
    try:
        while True:
            claim_id, claimed_at, rows = ledger.claim()
            if not rows:
                return
            stop = _send_batch(ledger, claim_id, claimed_at, rows, network, templates, transport, backend)
            if stop:
                return
    except Exception:
        logger.exception("newsletter sender stopped", extra={"newsletter_id": newsletter_id})
    finally:
        if transport is not None:
            transport.close()
        ledger.close()
        if own_connection:
            connection.close()


def _send_batch(
    ledger: Ledger,
    claim_id: str,
    claimed_at: float,
    rows: list[ClaimedRow],
    network: Network,
    templates: dict[str, Prepared],
    transport: SmtpTransport | None,
    backend: Any,
) -> bool:
    """Send one claimed batch; returns whether this sender should stop."""
    half_lease = lease_seconds() / 2
    ahead: tuple[str, str] | None = None  # the answer to this row's envelope, sent with the last message
    for index, row in enumerate(rows):
        # never start a message on a claim that may expire mid-way (an envelope sent ahead was
        # checked when it was sent)
        if ahead is None and time.monotonic() - claimed_at > half_lease:
            ledger.release([later.id for later in rows[index:]], claim_id)
            return False
        prepared = templates["en" if row.language == "en" else "ja"]
        person = personal(row, network)
        if transport is not None:
            follow = None
            if index + 1 < len(rows) and time.monotonic() - claimed_at <= half_lease:
                follow = rows[index + 1].email
            outcome, error, ahead = _send_smtp(transport, prepared, person, ledger, row.id, claim_id, ahead, follow)
        else:
            outcome, error = _send_backend(backend, prepared, person, ledger, row.id, claim_id)
        if outcome == Outcome.SENT:
            continue
        if outcome == Outcome.BOUNCED:
            ledger.mark(row.id, claim_id, Delivery.Status.BOUNCED, error)
        elif outcome in (Outcome.UNKNOWN, Outcome.INVALID):
            # UNKNOWN: handed over, answer lost, perhaps delivered; not retried (a duplicate is worse).
            ledger.mark(row.id, claim_id, Delivery.Status.FAILED, error)
        elif outcome == Outcome.RETRY:
            ledger.retry_or_fail(row.id, claim_id, error)
        else:
            if ahead is not None and ahead[0] == Outcome.READY:
                transport.close()  # type: ignore[union-attr]  # the next DATA was accepted: drop it unsent
            ledger.release([later.id for later in rows[index:]], claim_id)
            return True
    return False


def _envelope(address: str) -> bytes | None:
    """MAIL, RCPT and DATA for one recipient (None for an address SMTP cannot carry as ASCII)."""
    try:
        return b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (_envelope_sender().encode(), address.encode("ascii"))
    except UnicodeError:
        return None


def _send_smtp(
    transport: SmtpTransport,
    prepared: Prepared,
    person: Personal,
    ledger: Ledger,
    row_id: int,
    claim_id: str,
    ahead: tuple[str, str] | None = None,
    follow_address: str | None = None,
) -> tuple[str, str, tuple[str, str] | None]:
    """One message; returns its outcome, the error, and the answer to `follow`.

    `ahead` is the answer to this message's envelope when it went out with the previous message
    (READY: the server waits for this message's content; else the envelope's refusal, the outcome).
    With PIPELINING, the envelope of the next message (to `follow_address`) leaves with this
    message's final "." (RFC 2920 allows
    commands after the content in one group; nothing of the next message is handed over until its
    own content and "." are sent): one round trip a message instead of two."""
    if ahead is not None and ahead[0] != Outcome.READY:
        return ahead[0], ahead[1], None
    try:
        message = prepared.mime_bytes(person)
        envelope = _envelope(person.to)
        if envelope is None:
            raise UnicodeError("the address is not ASCII")
    except UnicodeError as error:  # a non-ASCII address: the headers we build are ASCII only
        if ahead is not None:
            transport.close()
        return Outcome.INVALID, str(error), None
    if not prepared.dot_safe or "\n" in person.to:  # never with our headers and base64 parts
        message = _DOT_LINE.sub(b"..", message)
    if ahead is None:
        try:
            sock = transport.open()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("newsletter SMTP connection failed", extra={"error": str(error)})
            return Outcome.STOP, str(error), None
        refused = _send_envelope(transport, sock, envelope)
        if refused is not None:
            return refused[0], refused[1], None
    carrier = transport.sock  # the connection the envelope went over
    if carrier is None:
        return Outcome.RETRY, "the connection was closed before the message", None
    follow = _envelope(follow_address) if follow_address is not None and transport.pipelining else None
    ledger.settle()  # the previous message's mark has committed before this one is handed over
    try:
        carrier.sendall(message + b".\r\n" + follow if follow else message + b".\r\n")
        code, text = transport.reply()
    except (smtplib.SMTPException, OSError) as error:
        transport.close()
        lost = f"connection lost after the message was handed over: {error}"
        return Outcome.UNKNOWN, lost, (Outcome.RETRY, str(error)) if follow else None
    if code == 250:
        ledger.mark_sent(row_id, claim_id, wait=False)  # the very next statement after the server's 250
        outcome, problem = Outcome.SENT, ""
    else:
        outcome, problem = (Outcome.BOUNCED if 500 <= code < 600 else Outcome.RETRY), f"{code} {text}"
    if not follow:
        return outcome, problem, None
    try:
        answers = [transport.reply(), transport.reply(), transport.reply()]
    except (smtplib.SMTPException, OSError) as failure:
        transport.close()
        return outcome, problem, (Outcome.RETRY, str(failure))
    refused = _refusal(answers)
    if refused is None:
        return outcome, problem, (Outcome.READY, "")
    try:
        _after_refusal(transport, answers)
    except (smtplib.SMTPException, OSError):
        transport.close()
    return outcome, problem, refused


def _send_envelope(transport: SmtpTransport, sock: socket.socket, envelope: bytes) -> tuple[str, str] | None:
    """MAIL, RCPT, DATA (in one write with PIPELINING); None once DATA got its 354, else the outcome."""
    try:  # until DATA is accepted nothing is handed over: any failure is safe to retry
        if transport.pipelining:
            sock.sendall(envelope)
            answers = [transport.reply(), transport.reply(), transport.reply()]
        else:
            answers = []
            for command in envelope.split(b"\r\n")[:3]:
                sock.sendall(command + b"\r\n")
                answers.append(transport.reply())
                if answers[-1][0] >= 400:
                    break
        refused = _refusal(answers)
        if refused is not None:
            _after_refusal(transport, answers)
        return refused
    except (smtplib.SMTPException, OSError) as error:
        transport.close()
        return Outcome.RETRY, str(error)


def _after_refusal(transport: SmtpTransport, answers: list[tuple[int, str]]) -> None:
    if answers[-1][0] == 354:  # a pipelined DATA accepted despite a refusal: drop the connection
        transport.close()
    else:
        transport.reset()


_DOT_LINE = re.compile(rb"(?m)^\.")


def _refusal(answers: list[tuple[int, str]]) -> tuple[str, str] | None:
    """The outcome of a refused MAIL, RCPT or DATA (None when DATA got its 354)."""
    (mail_code, mail_text), *rest = answers
    if mail_code != 250:  # our sender refused: a configuration matter, stop this connection
        return (Outcome.STOP if mail_code >= 500 else Outcome.RETRY), f"{mail_code} {mail_text}"
    if rest and rest[0][0] not in (250, 251):
        code, text = rest[0]
        return (Outcome.BOUNCED if 500 <= code < 600 else Outcome.RETRY), f"{code} {text}"
    if len(rest) == 2 and rest[1][0] == 354:
        return None
    code, text = rest[-1] if rest else (mail_code, mail_text)
    return (Outcome.BOUNCED if 500 <= code < 600 else Outcome.RETRY), f"{code} {text}"


def _send_backend(
    backend: Any, prepared: Prepared, person: Personal, ledger: Ledger, row_id: int, claim_id: str
) -> tuple[str, str]:
    message = prepared.email_message(person)
    message.connection = backend
    try:
        sent = message.send()
    except Exception as error:
        if is_permanent_refusal(error):
            return Outcome.BOUNCED, str(error)
        return Outcome.RETRY, str(error)
    if sent:
        ledger.mark_sent(row_id, claim_id)
        return Outcome.SENT, ""
    return Outcome.RETRY, "not sent"


def _envelope_sender() -> str:
    return _ENVELOPE_SENDERS.get(settings.DEFAULT_FROM_EMAIL) or _ENVELOPE_SENDERS.setdefault(
        settings.DEFAULT_FROM_EMAIL, parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@enishi.localhost"
    )


_ENVELOPE_SENDERS: dict[str, str] = {}
