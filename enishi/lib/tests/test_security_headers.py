"""Security headers on every kind of page, no inline script without the nonce, `check --deploy` clean."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import PersonaNetwork
from enishi.networks.models import Membership, StaffInvitation
from enishi.networks.roles import CONSOLE_SECTIONS, MembershipState, Role

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
NONCE_ATTRIBUTE = re.compile(r"""\bnonce=["']([^"']+)["']""")
# Inline handlers, javascript: links and style attributes: the CSP blocks them, so the page would break.
BLOCKED_INLINE = re.compile(r"""<[a-z][^>]*?\s(?:on[a-z]+|style)\s*=[^>]*>|\bhref=["']\s*javascript:""", re.IGNORECASE)


def csp_directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response: HttpResponse) -> str:
    [source] = [s for s in csp_directives(response)["script-src"] if s.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def problems_with(response: HttpResponse) -> list[str]:
    """Everything wrong with one HTML response's headers and script tags."""
    problems = []
    directives = csp_directives(response)
    scripts, styles = directives.get("script-src", []), directives.get("style-src", [])
    if "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts:
        problems.append(f"script-src allows inline or eval: {scripts}")
    if not any(source.startswith("'nonce-") for source in scripts):
        problems.append(f"script-src has no nonce: {scripts}")
    if "'unsafe-inline'" in styles:
        problems.append(f"style-src allows inline: {styles}")
    if directives.get("frame-ancestors") != ["'none'"] or directives.get("object-src") != ["'none'"]:
        problems.append(f"frame-ancestors / object-src not 'none': {directives}")
    expected_headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected_headers.items():
        if response.headers.get(name) != value:
            problems.append(f"{name}: {response.headers.get(name)!r}, expected {value!r}")
    nonce = nonce_of(response) if not problems else ""
    content = response.content.decode()
    problems.extend(f"blocked by the CSP: {match.group(0)[:120]}" for match in BLOCKED_INLINE.finditer(content))
    for tag in SCRIPT_TAG.findall(content):
        from_static = re.search(r"""\bsrc=["']/static/""", tag) is not None
        has_nonce = (match := NONCE_ATTRIBUTE.search(tag)) is not None and match.group(1) == nonce
        is_data = re.search(r"""\btype=["']application/json["']""", tag) is not None
        if re.search(r"\bsrc=", tag) and not from_static:
            problems.append(f"script from outside /static/: {tag}")
        elif not (from_static or has_nonce or is_data):
            problems.append(f"inline script without the nonce: {tag}")
    return problems


def sweep(client: Client, urls: list[str], expected_status: int = 200) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected_status, url
        assert response["Content-Type"].startswith("text/html"), url
        found[url] = problems_with(response)
    return found


def no_problems(urls: list[str]) -> dict[str, list[str]]:
    return {url: [] for url in urls}


def test_it_protects_the_pages_for_visitors(db: None) -> None:
    urls = [
        reverse("home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]

    assert sweep(Client(), urls) == no_problems(urls)


def test_it_protects_the_not_found_page(net_a: PersonaNetwork) -> None:
    urls = ["/no-such-page/", "/n/alpha/no-such-page/", "/n/alpha/manage/members/999999/"]

    assert sweep(net_a.client_for("admin"), urls, expected_status=404) == no_problems(urls)


def test_it_protects_the_alumni_pages(net_a: PersonaNetwork) -> None:
    slug = net_a.network.slug
    urls = [reverse(name, args=[slug]) for name in ("network:home", "network:directory", "network:my_profile")]

    assert sweep(net_a.client_for("alumnus1"), urls) == no_problems(urls)


def test_it_protects_every_console_section(net_a: PersonaNetwork) -> None:
    slug = net_a.network.slug
    found: dict[str, list[str]] = {}
    for section in CONSOLE_SECTIONS:
        persona = "admin" if "admin" in section.roles else next(iter(sorted(section.roles)))
        found.update(sweep(net_a.client_for(persona), [reverse(section.url_name, args=[slug])]))
    detail_urls = [
        reverse("manage:member_detail", args=[slug, net_a.memberships["alumnus1"].pk]),
        reverse("manage:companies", args=[slug]),
        reverse("manage:company_new", args=[slug]),
        reverse("manage:company_edit", args=[slug, net_a.company.pk]),
        reverse("manage:staff", args=[slug]),
    ]
    found.update(sweep(net_a.client_for("admin"), detail_urls))

    assert len(found) == len(CONSOLE_SECTIONS) + len(detail_urls)
    assert found == no_problems(list(found))


def test_it_protects_the_account_pages(net_a: PersonaNetwork) -> None:
    urls = [reverse("mfa_index"), reverse("account_email"), reverse("account_change_password")]

    assert sweep(net_a.client_for("admin"), urls) == no_problems(urls)


def test_it_protects_the_pending_and_expired_invitation_pages(net_a: PersonaNetwork) -> None:
    with scopes_disabled():
        Membership.objects.filter(pk=net_a.memberships["alumnus2"].pk).update(state=MembershipState.PENDING)
        invitation = StaffInvitation.objects.create(
            network=net_a.network,
            email=net_a.alumnus1.email,
            role=Role.EDITOR,
            expires_at=timezone.now() - timedelta(days=1),
        )

    pending = sweep(net_a.client_for("alumnus2"), [reverse("network:home", args=["alpha"])], expected_status=403)
    expired = sweep(
        net_a.client_for("alumnus1"),
        [reverse("network:accept_staff_invitation", args=["alpha", invitation.token])],
        expected_status=410,
    )

    assert pending == no_problems(list(pending))
    assert expired == no_problems(list(expired))


def test_it_catches_an_inline_script_without_the_nonce() -> None:
    response = HttpResponse(
        '<script src="/static/a.js"></script><script>alert(1)</script>'
        '<script nonce="abc">ok()</script><script type="application/json">{}</script>'
        '<script src="https://cdn.example/x.js"></script>'
        '<button onclick="go()">Go</button><p style="color:red">x</p><a href="javascript:go()">go</a>'
    )
    response.headers["Content-Security-Policy"] = (
        "script-src 'self' 'nonce-abc'; style-src 'self'; frame-ancestors 'none'; object-src 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"

    assert problems_with(response) == [
        'blocked by the CSP: <button onclick="go()">',
        'blocked by the CSP: <p style="color:red">',
        'blocked by the CSP: href="javascript:',
        "inline script without the nonce: <script>",
        'script from outside /static/: <script src="https://cdn.example/x.js">',
    ]


# --- manage.py check --deploy under production settings ------------------------------------------


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test environment minus pytest_env's overrides, plus what a production host must set."""
    pyproject = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    overridden = set(pyproject["tool"]["pytest_env"])
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in overridden and not key.startswith(("SECURE_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="enishi.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="alumni.example.com",
        STATIC_MANIFEST="1",
        ENISHI_VAR_DIR=str(tmp_path),
        **extra,
    )
    return env


def check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_check_deploy_with_production_defaults(tmp_path: Path) -> None:
    result = check_deploy(tmp_path)

    assert (result.returncode, result.stderr) == (0, "")
    # W021 (HSTS preload) is silenced until the operator opts in: see the next test.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_it_passes_check_deploy_once_hsts_preload_is_chosen(tmp_path: Path) -> None:
    result = check_deploy(tmp_path, SECURE_HSTS_PRELOAD="1")

    assert (result.returncode, result.stderr) == (0, "")
    assert "System check identified no issues (0 silenced)." in result.stdout
