"""The app's routers, one module per purpose."""

from agent.web.routes import (
    accounts,
    calendar,
    chat,
    dashboard,
    inbox,
    media,
    notifications,
    oauth,
    reports,
    session,
)

ROUTERS = [
    session.router,
    dashboard.router,
    calendar.router,
    inbox.router,
    reports.router,
    chat.router,
    accounts.router,
    oauth.router,
    notifications.router,
    media.router,
]

__all__ = ["ROUTERS"]
