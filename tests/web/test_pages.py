"""Dashboard, calendar, reports, accounts and consent, notifications, chat and error pages."""

from __future__ import annotations

import sys
import types
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import select

from agent.app.resources import Resources
from agent.web.schedule import next_scheduled_run
from db.engine import transaction
from db.enums import ConsentType, NotificationType
from db.models import Agent, Notification, User, WeeklyReport
from db.repo.identity import has_consent
from db.repo.runs import notify_once
from tests.web.conftest import EMAIL, page_csrf


def _user_id(system: Resources) -> uuid.UUID:
    with system.sessions() as session:
        user = session.scalar(select(User).where(User.email == EMAIL))
        assert user is not None
        return user.id


def test_dashboard_shows_state_counts_and_next_run(client: TestClient, system: Resources) -> None:
    with transaction(system.sessions) as session:
        agent = session.scalar(select(Agent))
        assert agent is not None
        agent.schedule_json = {"cron": "0 9 * * 1", "timezone": "Europe/Berlin"}
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="waiting-reels">2<' in page.text
    assert 'data-testid="agent-state">reviewing<' in page.text
    next_run = next_scheduled_run({"cron": "0 9 * * 1", "timezone": "Europe/Berlin"})
    assert next_run is not None and next_run.strftime("%a %d %b %Y, %H:%M") in page.text
    assert "waiting review" in page.text  # the recent run


def test_next_scheduled_run_reads_crontab_weekdays() -> None:
    sunday = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    fire = next_scheduled_run({"cron": "0 9 * * 1", "tz": "UTC"}, sunday)
    assert fire is not None and fire.weekday() == 0 and (fire.day, fire.hour) == (23, 9)
    fire = next_scheduled_run({"cron": "30 7 * * 0", "timezone": "America/New_York"}, sunday)
    assert fire is not None and (fire.day, fire.hour, fire.minute) == (
        22,
        7,
        30,
    )  # 12:00 UTC is 07:00 there
    assert next_scheduled_run({"cron": "0 9 * * 1", "enabled": False}, sunday) is None
    assert next_scheduled_run({"cron": "not a cron"}, sunday) is None
    assert next_scheduled_run({}, sunday) is None


def test_calendar_lists_the_planned_week_with_status(client: TestClient) -> None:
    page = client.get("/calendar?week=2026-W48")
    assert page.status_code == 200
    assert page.text.count('data-testid="calendar-item"') == 2
    assert "render ready" in page.text and "pending" in page.text
    assert 'data-week="2026-W49"' in page.text  # the next week is shown too
    empty = client.get("/calendar?week=2026-W40")
    assert empty.status_code == 200 and 'data-testid="calendar-item"' not in empty.text
    bad = client.get("/calendar?week=2026-48")
    assert bad.status_code == 400 and "YYYY-Www" in bad.text


def _report(system: Resources, **uris: str | None) -> str:
    with transaction(system.sessions) as session:
        agent = session.scalar(select(Agent))
        assert agent is not None
        row = WeeklyReport(
            user_id=agent.user_id,
            agent_id=agent.id,
            week_start=date(2026, 11, 16),
            week_end=date(2026, 11, 22),
            insights="Views doubled on Tuesdays\nmore",
            **uris,
        )
        session.add(row)
        session.flush()
        return str(row.id)


def test_report_renders_markdown_when_there_is_no_html(
    client: TestClient, system: Resources
) -> None:
    md = system.settings.reports_dir / "r" / "2026-W47.md"
    md.parent.mkdir(parents=True)
    md.write_text(
        "# Week 2026-W47\n\n| post | views |\n|---|---|\n| Hooks | 1200 |\n\n<script>alert(1)</script>\n"
    )
    report_id = _report(system, markdown_uri=str(md))
    listing = client.get("/reports")
    assert "Views doubled on Tuesdays" in listing.text and f"/reports/{report_id}" in listing.text
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200
    assert "<table>" in page.text and "<td>1200</td>" in page.text
    assert "<script>alert(1)</script>" not in page.text  # raw HTML in Markdown is escaped
    assert "Download PDF" not in page.text
    assert client.get(f"/reports/{report_id}/pdf").status_code == 404


def test_report_embeds_html_and_offers_the_pdf(client: TestClient, system: Resources) -> None:
    folder = system.settings.reports_dir / "r"
    folder.mkdir(parents=True)
    (folder / "2026-W47.html").write_text(
        "<html><body><h1>Charts</h1><img src='views.png'></body></html>"
    )
    (folder / "2026-W47.pdf").write_bytes(b"%PDF-1.4\n% test\n")
    report_id = _report(
        system,
        html_uri=str(folder / "2026-W47.html"),
        pdf_uri=str(folder / "2026-W47.pdf"),
        markdown_uri=None,
    )
    page = client.get(f"/reports/{report_id}")
    assert '<iframe class="report-frame" src="/media/reports/r/2026-W47.html"' in page.text
    frame = client.get("/media/reports/r/2026-W47.html")
    assert frame.status_code == 200 and "Charts" in frame.text
    assert "sandbox" in frame.headers["content-security-policy"]
    pdf = client.get(f"/reports/{report_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        "attachment" in pdf.headers["content-disposition"]
        and "2026-W47" in pdf.headers["content-disposition"]
    )


def test_report_files_outside_the_data_folders_are_not_served(
    client: TestClient, system: Resources, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF-1.4 secret")
    report_id = _report(system, pdf_uri=str(outside), markdown_uri=str(tmp_path / "x.md"))
    assert client.get(f"/reports/{report_id}/pdf").status_code == 404
    page = client.get(f"/reports/{report_id}")
    assert "report file is missing" in page.text
    assert client.get(f"/reports/{uuid.uuid4()}").status_code == 404
    assert client.get("/reports/not-an-id").status_code == 404


def test_accounts_and_consent_grant_and_revoke(client: TestClient, system: Resources) -> None:
    page = client.get("/accounts")
    assert page.status_code == 200
    assert (
        'data-testid="account"' in page.text and "sandbox" in page.text and "connected" in page.text
    )
    user_id = _user_id(system)
    with system.sessions() as session:
        before = has_consent(
            session=session, user_id=user_id, consent_type=ConsentType.voice_cloning
        )
    granted = client.post(
        "/consent",
        data={
            "csrf_token": page_csrf(client, "/accounts"),
            "consent_type": "voice_cloning",
            "grant": "grant",
        },
    )
    assert "Consent for voice cloning granted" in granted.text
    with system.sessions() as session:
        assert not before and has_consent(
            session=session, user_id=user_id, consent_type=ConsentType.voice_cloning
        )
    client.post(
        "/consent",
        data={
            "csrf_token": page_csrf(client, "/accounts"),
            "consent_type": "voice_cloning",
            "grant": "revoke",
        },
    )
    with system.sessions() as session:
        assert not has_consent(
            session=session, user_id=user_id, consent_type=ConsentType.voice_cloning
        )
    refused = client.post(
        "/consent",
        data={
            "csrf_token": page_csrf(client, "/accounts"),
            "consent_type": "api_publishing",
            "grant": "grant",
        },
    )
    assert "Unknown consent choice" in refused.text


def test_notifications_list_and_mark_read(client: TestClient, system: Resources) -> None:
    user_id = _user_id(system)
    with transaction(system.sessions) as session:
        notify_once(
            session=session,
            user_id=user_id,
            type=NotificationType.publish_failed,
            dedupe_key="t:1",
            payload={"post_id": "p", "message": "instagram said: media too long"},
        )
        notify_once(
            session=session,
            user_id=user_id,
            type=NotificationType.render_complete,
            dedupe_key="t:2",
            payload={"title": "Hooks that work", "deeplink": "https://evil.example/x"},
        )
    page = client.get("/notifications")
    # plus the run's own: approval needed and reels rendered
    assert page.text.count('data-testid="notification"') == 4
    assert "Approval needed" in page.text and "instagram said: media too long" in page.text
    assert "evil.example" not in page.text  # payload links stay on this site
    assert 'data-testid="unread">4<' in page.text
    with system.sessions() as session:
        one = session.scalar(select(Notification).where(Notification.dedupe_key == "t:1"))
        assert one is not None
    client.post(
        f"/notifications/{one.id}/read", data={"csrf_token": page_csrf(client, "/notifications")}
    )
    assert 'data-testid="unread">3<' in client.get("/notifications").text
    client.post("/notifications/read-all", data={"csrf_token": page_csrf(client, "/notifications")})
    with system.sessions() as session:
        assert all(n.is_read for n in session.scalars(select(Notification)))
    assert 'data-testid="unread"' not in client.get("/notifications").text
    missing = client.post(
        f"/notifications/{uuid.uuid4()}/read", data={"csrf_token": page_csrf(client)}
    )
    assert "No such notification" in missing.text


class _Reply(BaseModel):
    text: str
    tool_calls: list[str]
    needs_confirmation: bool
    pending_action: str | None


@pytest.fixture
def fake_chat(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``agent.chat`` is built in parallel; this stands in for its documented interface."""
    calls: list[dict[str, Any]] = []

    def chat_reply(
        system: Resources,
        *,
        user_email: str,
        message: str,
        confirm: bool = False,
        actor: str | None = None,
        origin: str = "cli",
    ) -> _Reply:
        calls.append(
            {
                "system": system,
                "user_email": user_email,
                "message": message,
                "confirm": confirm,
                "actor": actor,
                "origin": origin,
            }
        )
        if "boom" in message:
            raise RuntimeError("secret-ish internals")
        if "sunday" in message.lower() and not confirm:
            return _Reply(
                text="I will stop posting on Sundays.",
                tool_calls=["parse_directive"],
                needs_confirmation=True,
                pending_action="add directive: avoid Sunday",
            )
        if message == "no":
            return _Reply(
                text="Not done: the creator declined.",
                tool_calls=[],
                needs_confirmation=False,
                pending_action=None,
            )
        if confirm and not message:
            return _Reply(
                text="Done: no posts on Sundays.",
                tool_calls=["add_directive"],
                needs_confirmation=False,
                pending_action=None,
            )
        return _Reply(
            text="Last week led with Web3 security.",
            tool_calls=["latest_report"],
            needs_confirmation=False,
            pending_action=None,
        )

    module = types.ModuleType("agent.chat")
    module.chat_reply = chat_reply  # type: ignore[attr-defined]
    module.ChatReply = _Reply  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "agent.chat", module)
    return calls


def test_chat_panel_talks_to_chat_reply_and_confirms_actions(
    client: TestClient, system: Resources, fake_chat: list[dict[str, Any]]
) -> None:
    page = client.post(
        "/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "what did we learn?"}
    )
    assert "Last week led with Web3 security." in page.text and "latest_report" in page.text
    assert fake_chat[-1]["user_email"] == EMAIL and fake_chat[-1]["system"] is system
    assert (fake_chat[-1]["actor"], fake_chat[-1]["origin"]) == (EMAIL, "web")
    page = client.post(
        "/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "No posts on Sunday"}
    )
    assert "add directive: avoid Sunday" in page.text and 'data-testid="chat-confirm"' in page.text
    assert fake_chat[-1]["confirm"] is False
    done = client.post(
        "/chat/confirm", data={"csrf_token": page_csrf(client, "/chat"), "decision": "confirm"}
    )
    assert fake_chat[-1] == {**fake_chat[-1], "message": "", "confirm": True}
    assert (
        "Done: no posts on Sundays." in done.text and 'data-testid="chat-confirm"' not in done.text
    )
    again = client.post(
        "/chat/confirm", data={"csrf_token": page_csrf(client, "/chat"), "decision": "confirm"}
    )
    assert "Nothing waits for confirmation" in again.text and len(fake_chat) == 3
    failed = client.post(
        "/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "boom"}
    )
    assert "The chat agent failed (RuntimeError)" in failed.text and "secret-ish" not in failed.text
    empty = client.post("/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "  "})
    assert "Type a message first" in empty.text


def test_chat_cancel_changes_nothing(client: TestClient, fake_chat: list[dict[str, Any]]) -> None:
    client.post("/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "skip sunday"})
    page = client.post(
        "/chat/confirm", data={"csrf_token": page_csrf(client, "/chat"), "decision": "cancel"}
    )
    # The chat thread hears the no, so its held action is declined there too.
    assert "Not done: the creator declined." in page.text
    assert [(c["message"], c["confirm"]) for c in fake_chat] == [
        ("skip sunday", False),
        ("no", False),
    ]


def test_chat_without_the_chat_module_says_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "agent.chat", None)  # import fails like a missing module
    page = client.post("/chat", data={"csrf_token": page_csrf(client, "/chat"), "message": "hello"})
    assert page.status_code == 200 and "Chat is unavailable" in page.text


def test_unknown_pages_show_a_friendly_error(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert (
        page.status_code == 404 and "Page not found" in page.text and "Traceback" not in page.text
    )
    assert client.get("/healthz").json() == {"ok": True}
    assert client.get("/static/app.css").status_code == 200


def test_chat_panel_with_the_real_chat_agent(client: TestClient) -> None:
    page = client.post(
        "/chat",
        data={
            "csrf_token": page_csrf(client, "/chat"),
            "message": "What is waiting for my approval?",
        },
    )
    assert page.status_code == 200
    assert 'data-testid="chat-agent"' in page.text, page.text[-1500:]
    assert 'data-testid="chat-error"' not in page.text
