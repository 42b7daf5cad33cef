"""Browser fixtures shared by the journeys of every app (registered in conftest.py as a plugin).

Chromium comes from Debian (`apt-get install chromium fonts-noto-cjk`), not from `playwright install`.
Without it the browser tests are skipped, unless ENISHI_REQUIRE_BROWSER=1 (CI), where they fail instead.
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

from conftest import PASSWORD, PersonaNetwork, current_totp_code

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
        # ERR_ABORTED is the browser dropping a request because the page moved on (a favicon still
        # loading when a link is followed): not a fault of the page. Blocked outside requests fail
        # with ERR_FAILED (route.abort) and are still reported.
        if failed.failure == "net::ERR_ABORTED":
            return
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
