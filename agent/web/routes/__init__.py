"""The app's routers, one module per purpose."""

from agent.web.routes import (
    accounts,
    calendar,
    chat,
    dashboard,
    engagement,
    inbox,
    media,
    notifications,
    reports,
    session,
)

ROUTERS = [
    session.router,
    dashboard.router,
    calendar.router,
    inbox.router,
    engagement.router,
    reports.router,
    chat.router,
    accounts.router,
    notifications.router,
    media.router,
]

__all__ = ["ROUTERS"]
