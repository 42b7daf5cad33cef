"""Journeys people take, driven in headless Chromium on a phone-sized screen (DESIGN.md, "Testing").

Chromium comes from Debian (`apt-get install chromium fonts-noto-cjk`), not from `playwright install`.
Without it these tests are skipped, unless ENISHI_REQUIRE_BROWSER=1 (CI), where they fail instead.
Screenshots land in test-artifacts/screenshots/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from conftest import PASSWORD, PersonaNetwork, current_totp_code
from enishi.accounts.models import User
from enishi.networks.models import Membership
from enishi.networks.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Only ever talk to the loopback address (pytest-django's live server defaults to "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path(os.environ.get("ENISHI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ja-JP",
}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("ENISHI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ENISHI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason}; install it with `apt-get install chromium fonts-noto-cjk` to run the browser tests")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium was not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package `playwright` is not installed (requirements-dev.txt)")
    # Playwright's sync API keeps an asyncio loop in this thread; the ORM calls of the test body
    # (fixtures, assertions) are still synchronous and run between browser steps.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            except Exception as error:
                _unavailable(f"Chromium at {CHROMIUM} did not start ({error})")
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Journey:
    """One person's browser tab, with what went wrong in the page along the way."""

    page: Any
    base_url: str
    name: str
    problems: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def shot(self, step: str, *, full_page: bool = False) -> Path:
        """Save what the screen shows (or the whole page: but fixed bars then float mid-page)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(target), full_page=full_page)
        return target

    def assert_no_page_problems(self) -> None:
        assert self.problems == [], "console errors, CSP violations or JS errors:\n" + "\n".join(self.problems)


@pytest.fixture
def journey(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Journey]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing but the live server: any other request (a CDN, a font service) is a bug.
    base_url = live_server.url
    context.route(
        re.compile(r"^(?!" + re.escape(base_url) + r"(/|$)).*"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    current = Journey(page=page, base_url=base_url, name=request.node.name.removeprefix("test_"))

    def on_console(message: Any) -> None:
        if message.type == "error":
            current.problems.append(f"console error on {page.url}: {message.text}")

    def on_page_error(error: Any) -> None:
        current.problems.append(f"JS error on {page.url}: {error}")

    def on_request_failed(failed: Any) -> None:
        current.problems.append(f"request failed: {failed.url} ({failed.failure})")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    failures_before = request.session.testsfailed
    yield current
    if request.session.testsfailed > failures_before:  # keep what the page looked like when it failed
        current.shot("failed")
        print("\n".join(["page problems so far:", *current.problems]))
    context.close()


@pytest.fixture
def verified(net_a: PersonaNetwork) -> PersonaNetwork:
    """Network A; conftest verifies every persona's address, as allauth requires for login."""
    return net_a


def log_in(journey: Journey, email: str, *, totp: bool = False) -> None:
    """Fill allauth's login form (and the TOTP step for staff), as a person would."""
    page = journey.page
    login_form = page.locator('main form[action^="/accounts/login/"]')
    login_form.locator('input[name="login"]').fill(email)
    login_form.locator('input[name="password"]').fill(PASSWORD)
    login_form.locator('button[type="submit"]').click()
    if totp:
        page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + "/accounts/2fa/authenticate/"))
        # A code typed in the last seconds of its 30-second window may expire on its way.
        if time.time() % 30 > 26:
            time.sleep(30 - time.time() % 30 + 0.5)
        mfa_form = page.locator('main form[action^="/accounts/2fa/authenticate/"]')
        mfa_form.locator('input[name="code"]').fill(current_totp_code())
        mfa_form.locator('button[type="submit"]').click()
    # Anchored: the login page's own URL may contain "?next=/n/…".
    page.wait_for_url(re.compile("^" + re.escape(journey.base_url) + "/n/"))


def assert_no_horizontal_overflow(journey: Journey) -> None:
    overflow = journey.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{journey.path()} scrolls sideways by {overflow}px on a phone"


def test_alumnus_logs_in_on_a_phone(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/")
    assert page.locator("html").get_attribute("lang") == "ja"
    journey.shot("1-landing")

    page.locator('main a[href^="/accounts/login/"]').first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.shot("2-login-form")
    log_in(journey, "alumnus1@a.example")

    assert journey.path() == "/n/alpha/"
    heading = page.locator("main h1")
    assert "佐藤" in heading.inner_text()
    tabs = page.locator("nav.tabs")
    assert tabs.is_visible()
    assert tabs.locator("a").count() == 6  # no console tab for an alumnus
    assert tabs.locator('a[aria-current="page"]').get_attribute("href") == "/n/alpha/"
    assert_no_horizontal_overflow(journey)
    journey.shot("3-home")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last_card = page.locator("main .card").last.bounding_box()
    assert last_card is not None
    assert last_card["y"] + last_card["height"] <= tabs.bounding_box()["y"], "the tab bar hides the end of the page"
    journey.shot("4-home-scrolled-to-the-end")
    journey.assert_no_page_problems()


def test_alumnus_switches_language_and_it_is_remembered(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/?next=/n/alpha/directory/")
    log_in(journey, "alumnus1@a.example")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("html").get_attribute("lang") == "ja"
    journey.shot("1-directory-ja")

    page.locator('form.lang-switch button[value="en"]').click()
    page.wait_for_selector("html[lang=en]")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("nav.tabs").get_by_role("link", name="Directory").is_visible()
    assert page.locator("form.lang-switch button").inner_text().strip() == "日本語"
    assert User.objects.get(email="alumnus1@a.example").language == "en"
    assert_no_horizontal_overflow(journey)
    journey.shot("2-directory-en")

    page.locator('form.lang-switch button[value="ja"]').click()
    page.wait_for_selector("html[lang=ja]")
    assert journey.path() == "/n/alpha/directory/"
    assert page.locator("form.lang-switch button").inner_text().strip() == "English"
    assert User.objects.get(email="alumnus1@a.example").language == "ja"
    journey.shot("3-directory-ja-again")
    journey.assert_no_page_problems()


def test_staff_member_logs_in_with_totp_and_reaches_the_console(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/")
    log_in(journey, "hr@a.example", totp=True)

    assert journey.path() == "/n/alpha/manage/"
    assert page.locator("body").get_attribute("class") == "console"
    assert page.locator(".stats .stat").count() == 4
    console_nav = page.locator("nav.console-nav")
    assert console_nav.is_visible()
    # HR sees the dashboard, members, intake and opportunities sections (roles.CONSOLE_SECTIONS).
    hrefs = console_nav.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [
        "/n/alpha/manage/",
        "/n/alpha/manage/members/",
        "/n/alpha/manage/intake/",
        "/n/alpha/manage/opportunities/",
        "/n/alpha/me/",
    ]
    assert console_nav.locator('a[aria-current="page"]').get_attribute("href") == "/n/alpha/manage/"
    journey.shot("1-dashboard-phone", full_page=True)

    page.set_viewport_size(DESKTOP)
    console_nav.locator('a[href="/n/alpha/manage/members/"]').click()
    page.wait_for_url(re.compile(r"/n/alpha/manage/members/$"))
    assert page.locator("table.table tbody tr").count() == len(verified.users)
    journey.shot("2-members-desktop", full_page=True)
    journey.assert_no_page_problems()


def test_admin_filters_members_by_role_and_opens_one(verified: PersonaNetwork, journey: Journey) -> None:
    page = journey.page
    journey.go("/accounts/login/")
    log_in(journey, "admin@a.example", totp=True)
    assert journey.path() == "/n/alpha/manage/"

    page.locator('nav.console-nav a[href="/n/alpha/manage/members/"]').click()
    page.wait_for_url(re.compile(r"/n/alpha/manage/members/$"))
    rows = page.locator("table.table tbody tr")
    assert rows.count() == len(verified.users)
    journey.shot("1-members-phone", full_page=True)

    page.locator('form.filters select[name="role"]').select_option(Role.ALUMNUS.value)
    page.locator('form.filters button[type="submit"]').click()
    page.wait_for_url(re.compile(r"role=alumnus"))
    names = [text.split("\n")[0].strip() for text in rows.locator("td:first-child").all_inner_texts()]
    assert names == ["佐藤\u3000一郎", "鈴木\u3000二葉"]  # ordered by kana: サトウ, スズキ
    assert_no_horizontal_overflow(journey)
    journey.shot("2-members-filtered", full_page=True)

    rows.first.locator("a").click()
    with scopes_disabled():
        membership = Membership.objects.get(network=verified.network, user=verified.alumnus1)
    page.wait_for_url(re.compile(rf"/n/alpha/manage/members/{membership.pk}/$"))
    assert page.locator("main h1").inner_text().strip() == "佐藤\u3000一郎"
    assert "alumnus1@a.example" in page.locator("dl.facts").inner_text()
    assert_no_horizontal_overflow(journey)
    journey.shot("3-member-detail", full_page=True)
    journey.assert_no_page_problems()
