"""End to end in headless Chromium: sign in, approve a waiting reel, see it published, read the report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, WEEK, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


@pytest.fixture
def browser() -> Iterator[Any]:
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail("CI needs Chromium at /usr/bin/chromium: apt-get install -y chromium")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("CI needs the playwright Python package")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def _wait_for_status(page: Any, status: str, timeout_ms: int = 180_000) -> None:
    page.wait_for_function(
        "(s) => { const el = document.getElementById('run-status');"
        " const root = document.querySelector('.run-page');"
        " return el && el.textContent.trim() === s && root && root.dataset.busy === 'false'; }",
        arg=status,
        timeout=timeout_ms,
    )


def test_approve_in_the_browser_publishes_and_reports(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # Sign in: an anonymous visit lands on the sign-in form.
    page.goto(live_server.url + "/inbox")
    assert "/signin" in page.url
    page.screenshot(path=str(shots / "01-signin.png"))
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "Wrong email or password" in page.inner_text("main")
    assert failed == [f"401 {live_server.url}/signin"]
    failed.clear()
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/inbox")

    # The inbox plays each reel in the page.
    reels = page.locator("[data-testid=reel]")
    assert reels.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 1 && v.duration > 0)",
        timeout=30_000,
    )
    first_title = reels.nth(0).locator("h3").inner_text()
    second_title = reels.nth(1).locator("h3").inner_text()
    page.screenshot(path=str(shots / "02-inbox.png"), full_page=True)

    # Approve the first: the run resumes in the background and asks again for the other one.
    reels.nth(0).locator("[data-testid=approve]").click()
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    assert f"Approved: '{first_title}'" in page.inner_text("main")
    _wait_for_status(page, "waiting review")
    page.screenshot(path=str(shots / "03-run-waiting.png"), full_page=True)

    # Edit the second reel's caption and approve it: the run finishes and publishes both.
    page.click("text=Review the waiting reels")
    assert page.locator("[data-testid=reel]").count() == 1
    assert page.locator("[data-testid=reel] h3").inner_text() == second_title
    page.click("[data-testid=edit-toggle]")
    page.fill("textarea[name=caption]", "Approved from the browser, with my own caption.")
    page.screenshot(path=str(shots / "04-edit.png"), full_page=True)
    page.click("[data-testid=edit-approve]")
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    _wait_for_status(page, "finished")
    posts = page.locator("[data-testid=post]")
    assert posts.count() == 2
    for i in range(2):
        assert "published" in posts.nth(i).inner_text()
    page.screenshot(path=str(shots / "05-run-finished.png"), full_page=True)

    # The weekly report of the run.
    page.click("[data-testid=run-report]")
    page.wait_for_url(re.compile(r".*/reports/[0-9a-f-]+$"))
    body = page.locator("[data-testid=report-body], iframe.report-frame")
    assert body.count() == 1
    assert WEEK in page.inner_text("main")
    frame = page.locator("iframe.report-frame")
    if frame.count():  # the HTML report with charts: the page grows the frame to fit it
        page.wait_for_function(
            "() => document.querySelector('iframe.report-frame').offsetHeight > 900"
        )
    page.screenshot(path=str(shots / "06-report.png"), full_page=True)

    # The dashboard and calendar reflect it.
    page.click("nav >> text=Dashboard")
    assert page.inner_text("[data-testid=waiting-reels]") == "0"
    assert page.inner_text("[data-testid=agent-state]") == "idle"
    page.screenshot(path=str(shots / "07-dashboard.png"), full_page=True)
    page.goto(live_server.url + f"/calendar?week={WEEK}")
    assert page.locator("[data-testid=calendar-item]").count() == 2
    assert page.locator("[data-testid=calendar-item] >> text=published").count() >= 2
    page.screenshot(path=str(shots / "08-calendar.png"), full_page=True)
    page.goto(live_server.url + "/notifications")
    page.screenshot(path=str(shots / "09-notifications.png"), full_page=True)
    page.goto(live_server.url + "/accounts")
    with page.expect_navigation():
        page.click("[data-testid=consent-voice_cloning] button[value=grant]")
    assert "Consent for voice cloning granted" in page.inner_text("main")
    assert (
        page.inner_text("[data-testid=consent-voice_cloning] [data-testid=consent-state]")
        == "granted"
    )
    page.screenshot(path=str(shots / "09-accounts.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    page.screenshot(path=str(shots / "10-dashboard-mobile.png"), full_page=True)
    assert not errors, errors
    assert not failed, failed
    print(f"screenshots in {shots}")
