"""Notification rows in words, with a link to where the creator acts on them."""

from __future__ import annotations

from dataclasses import dataclass

from db.enums import NotificationType
from db.models import Notification

TITLES = {
    NotificationType.approval_needed: "Approval needed",
    NotificationType.render_complete: "Render complete",
    NotificationType.publish_success: "Published",
    NotificationType.publish_failed: "Publish failed",
    NotificationType.weekly_report_ready: "Weekly report ready",
    NotificationType.strategy_update: "Strategy updated",
    NotificationType.account_expired: "Account needs reconnecting",
}


@dataclass(frozen=True)
class Notice:
    id: str
    type: str
    title: str
    text: str
    link: str | None
    is_read: bool
    created_at: object


def _safe_link(value: object) -> str | None:
    """Only same-site absolute paths become links (payloads are data, not trusted URLs)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return None


def describe(row: Notification) -> Notice:
    """Title, one line of text and a link for a notification."""
    payload = row.payload_json or {}
    kind = row.type
    link = _safe_link(payload.get("deeplink"))
    if kind == NotificationType.approval_needed:
        count = len(payload.get("reels", []))
        text = (
            f"{count} reel waits for your review."
            if count == 1
            else f"{count} reels wait for your review."
        )
        link = link or "/inbox"
    elif kind == NotificationType.weekly_report_ready:
        text = f"The report for {payload.get('week', 'last week')} is ready."
        link = link or "/reports"
    elif kind == NotificationType.publish_failed:
        text = str(payload.get("message") or "A post could not be published.")
        link = link or "/calendar"
    elif kind == NotificationType.account_expired:
        text = f"{payload.get('platform', 'An account')}: {payload.get('message', 'reconnect the account')}."
        link = link or "/accounts"
    elif kind == NotificationType.render_complete:
        text = str(payload.get("message") or payload.get("title") or "A reel finished rendering.")
        link = link or "/inbox"
    else:
        text = str(payload.get("summary") or payload.get("message") or "")
    return Notice(
        id=str(row.id),
        type=kind.value,
        title=TITLES.get(kind, kind.value),
        text=text,
        link=link,
        is_read=row.is_read,
        created_at=row.created_at,
    )


__all__ = ["TITLES", "Notice", "describe"]
