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
    oauth,
    reports,
    session,
    twin,
)

ROUTERS = [
    session.router,
    dashboard.router,
    calendar.router,
    engagement.router,  # before inbox: /inbox/replies is not a run id
    inbox.router,
    reports.router,
    chat.router,
    twin.router,
    accounts.router,
    oauth.router,
    notifications.router,
    media.router,
]

__all__ = ["ROUTERS"]
