"""User-written rich text made safe: the only way news, posts, comments and descriptions become HTML.

Everything a person types is stored as they typed it and rendered through this module, because HTML a
member can write and another member reads is the classic stored XSS (a `<script>` or an `onerror=` in a
comment runs with the reader's session, staff included). The cleaning is nh3 (ammonia, an HTML5 parser
in Rust) with an explicit allowlist, never a blocklist:

- tags: paragraphs, line breaks, emphasis, links, lists, quotes, h2–h4 (h1 is the page's), rules,
  code, images with captions, and simple tables. No style, class or id anywhere (they let a post dress
  up as the site's own interface), no event handlers, no iframe, object, embed, svg, math or forms;
  comments dropped; script, style and other never-visible content dropped with its text.
- URLs: links may go to http, https and mailto; images only to http and https. Relative URLs are
  removed (a member has no business linking `/n/…/manage/…` from a comment, and `//host` is another
  host). An attribute holding `javascript:`, `vbscript:` or `data:` anywhere is dropped as well: the
  scheme check is ammonia's, this is the second belt.
- links open without referrer or opener and carry `nofollow ugc` (the content is the users', not ours).

Images from other hosts survive cleaning, but the CSP's `img-src` (this server, data: and blob:) keeps a
browser from loading them, which also keeps readers' IP addresses from third-party trackers.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

MAX_RICH_TEXT_CHARS = 100_000
LINK_REL = "noopener noreferrer nofollow ugc"

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "a", "ul", "ol", "li", "blockquote",
        "h2", "h3", "h4", "hr", "code", "pre", "img", "figure", "figcaption",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "th": frozenset({"colspan", "rowspan"}),
    "td": frozenset({"colspan", "rowspan"}),
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_URL_SCHEMES = ("http://", "https://")
# Removed together with their text: none of it is ever meant to be read as part of the post.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "noembed", "noframes"})

_URL_ATTRIBUTES = frozenset({"href", "src"})
_DANGEROUS_SCHEME = re.compile(r"(?:java|vb|live)script:|data:", re.IGNORECASE)
# Browsers ignore whitespace and control characters inside a scheme ("jav\tascript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
_SMALL_NUMBER = re.compile(r"[1-9][0-9]{0,3}")  # width, height, colspan, rowspan: 1–9999


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second check after ammonia's allowlist; `value` arrives with entities decoded."""
    if attribute == "rel":
        return value  # the LINK_REL ammonia sets itself
    if _DANGEROUS_SCHEME.search(_IGNORED_IN_SCHEME.sub("", value)):
        return None
    if tag == "img" and attribute == "src" and not value.lower().startswith(IMAGE_URL_SCHEMES):
        return None
    if attribute in {"width", "height", "colspan", "rowspan"} and not _SMALL_NUMBER.fullmatch(value.strip()):
        return None
    if attribute in _URL_ATTRIBUTES and not value.strip():
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=ALLOWED_URL_SCHEMES,
    url_relative="deny",
)


def clean_html(html_text: str) -> SafeString:
    """HTML from an editor or a rich-text field, reduced to the allowlist above; safe to render as is."""
    return mark_safe(_cleaner.clean(html_text))


# An http(s) URL in plain text: printable ASCII only, so it ends at the first space or the first
# non-ASCII character. Japanese is written without spaces ("https://example.com/aについて"), and a URL
# that ran on would swallow the sentence; a Japanese path is still linked when typed percent-encoded,
# which is what a browser's address bar copies.
_URL_IN_TEXT = re.compile(r"(?<![A-Za-z0-9+.\-])https?://[A-Za-z0-9][!#-&(-;=?-_a-~]*", re.IGNORECASE | re.ASCII)
_TRAILING_PUNCTUATION = ".,:;!?*"
_CLOSING = {")": "(", "]": "["}
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


def _trim_url(url: str) -> str:
    """Leave sentence punctuation and an unbalanced closing bracket outside the link."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSING and url.count(_CLOSING[last]) < url.count(last)
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url


def _linkify_line(line: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URL_IN_TEXT.finditer(line):
        url = _trim_url(match.group())
        parts.append(html.escape(line[position : match.start()]))
        escaped = html.escape(url)
        parts.append(f'<a href="{escaped}" rel="{LINK_REL}">{escaped}</a>')
        position = match.start() + len(url)
    parts.append(html.escape(line[position:]))
    return "".join(parts)


def text_to_html(text: str) -> SafeString:
    """Plain text typed by a member as HTML: a blank line starts a paragraph, a newline is a `<br>`, and
    http(s) URLs become links. Everything else is escaped, and the result goes through `clean_html`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [paragraph for paragraph in _BLANK_LINE.split(text) if paragraph.strip()]
    rendered = (
        "<p>" + "<br>\n".join(_linkify_line(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return clean_html("\n".join(rendered))


_BLOCK_TAGS = frozenset(
    {
        "p", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre",
        "figure", "figcaption", "table", "tr", "th", "td", "div",
    }
)  # fmt: skip
# Any run of whitespace becomes one space, except a lone ideographic space (U+3000), which Japanese
# writers put on purpose (between family and given name, at a paragraph start).
_WHITESPACE = re.compile(r"\s*[^\S\u3000]\s*|\u3000{2,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def plain_excerpt(html_text: str, length: int = 120) -> str:
    """The text of some HTML for previews, digests and emails: no tags, entities decoded, whitespace
    collapsed, at most `length` characters, ending in "…" when cut.

    The result is plain text: a template escapes it, as it must (`&lt;script&gt;` comes back as `<script>`).
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    collector = _TextCollector()
    collector.feed(clean_html(html_text))
    collector.close()
    text = _WHITESPACE.sub(" ", "".join(collector.chunks)).strip()
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"


def validate_rich_text_length(value: str) -> None:
    """Field validator: refuse text over MAX_RICH_TEXT_CHARS before it is stored or cleaned."""
    if len(value) > MAX_RICH_TEXT_CHARS:
        raise ValidationError(
            _("This text is too long (%(length)s characters). The limit is %(limit)s characters."),
            code="rich_text_too_long",
            params={"length": f"{len(value):,}", "limit": f"{MAX_RICH_TEXT_CHARS:,}"},
        )
