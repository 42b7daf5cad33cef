"""Every email has its three templates, discovered from the directory so a new email is checked too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from conftest import PersonaNetwork

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "enishi" / "templates" / "emails"
EMAILS_MODULE = Path(settings.BASE_DIR) / "enishi" / "notifications" / "emails.py"
PARTS = ("subject.txt", "body.txt", "body.html")
SHARED_LAYOUTS = {"base.html"}
TEMPLATE_NAME = re.compile(r"^(?P<kind>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<part>subject\.txt|body\.txt|body\.html)$")


def template_files() -> list[str]:
    return sorted(path.name for path in EMAIL_TEMPLATES.iterdir() if path.is_file())


def email_kinds() -> list[str]:
    kinds = set()
    for name in template_files():
        match = TEMPLATE_NAME.match(name)
        if match:
            kinds.add(match["kind"])
    return sorted(kinds)


def kinds_queued_by_emails_module() -> list[str]:
    return sorted(set(re.findall(r'\bkind="([^"]+)"', EMAILS_MODULE.read_text())))


def test_it_finds_the_email_templates() -> None:
    assert "staff-invitation" in email_kinds()


def test_it_knows_every_file_in_the_email_templates_directory() -> None:
    strays = [name for name in template_files() if name not in SHARED_LAYOUTS and not TEMPLATE_NAME.match(name)]

    assert strays == [], f"name email templates <kind>-{{{','.join(PARTS)}}}"


@pytest.mark.parametrize("kind", email_kinds())
def test_it_has_subject_text_and_html_for_every_email(kind: str) -> None:
    missing = [f"{kind}-{part}" for part in PARTS if not (EMAIL_TEMPLATES / f"{kind}-{part}").is_file()]

    assert missing == []


def test_it_has_a_function_in_emails_py_for_every_email_and_templates_for_every_function() -> None:
    assert kinds_queued_by_emails_module() == email_kinds()


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("kind", email_kinds())
def test_it_renders_every_subject_on_one_line(net_a: PersonaNetwork, kind: str, language: str) -> None:
    # The context every email gets from queue_email; kind-specific variables render empty here,
    # which is enough to catch a template that spreads the subject over several lines.
    context = {"network": net_a.network, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = render_to_string(f"emails/{kind}-subject.txt", context).strip()

    assert subject != ""
    assert "\n" not in subject
    assert "\r" not in subject
