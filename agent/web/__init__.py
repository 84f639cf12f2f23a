"""The web app (``twin serve``): dashboard, approval inbox, calendar, reports, chat, accounts."""

from agent.web.app import create_app
from agent.web.security import hash_password, verify_password

__all__ = ["create_app", "hash_password", "verify_password"]
