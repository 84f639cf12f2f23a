"""Remove personal data from log text and JSON: emails, handles, names, IP addresses, tokens.

Patterns catch the shapes (an email, an IPv4/IPv6 address, an ``@handle``, an international
phone number, anything :func:`tools.untrusted.find_secrets` calls a secret); the names and
handles the database knows (users' names and emails, connected accounts' handles) are
removed wherever they appear, since a name has no shape.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import SocialAccount, User
from tools.untrusted import find_secrets

__all__ = ["PERSONAL_KEYS", "Scrubber", "scrubber_for"]

PERSONAL_KEYS = frozenset(
    {
        "email",
        "user_email",
        "reviewer",
        "actor",
        "author",
        "username",
        "user_name",
        "full_name",
        "display_name",
        "handle",
        "ip",
        "ip_address",
        "remote_addr",
        "client_ip",
        "user_agent",
        "phone",
        "phone_number",
        "address",
    }
)
"""JSON fields whose whole value is personal data, whatever it looks like."""

SCRUBBED = "[scrubbed]"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PHONE = re.compile(r"(?<![\w+])\+\d[\d ().\-]{6,}\d")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Scrubber:
    """Scrubs text and JSON.

    Attributes:
        names: People's names, matched as written ("Creator" the name, not "creator" the
            word), whole words only, longest first.
        handles: Account handles, matched with or without ``@`` in any case.
    """

    names: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()

    def text(self, value: str) -> str:
        """``value`` with personal data replaced by ``[email]``, ``[name]``, ``[ip]``, ..."""
        for secret in find_secrets(value):
            value = value.replace(secret, "[token]")
        value = _EMAIL.sub("[email]", value)
        for handle in self.handles:
            pattern = rf"(?<![\w@])@?{re.escape(handle)}(?!\w)"
            value = re.sub(pattern, "[handle]", value, flags=re.IGNORECASE)
        for name in self.names:
            value = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)", "[name]", value)
        value = _HANDLE.sub("[handle]", value)
        value = _IPV4.sub(lambda m: "[ip]" if _is_ip(m.group(0)) else m.group(0), value)
        value = _IPV6.sub(lambda m: "[ip]" if _is_ip(m.group(0)) else m.group(0), value)
        return _PHONE.sub("[phone]", value)

    def json(self, value: Any) -> Any:
        """A copy of ``value`` with personal fields emptied and every string scrubbed."""
        if isinstance(value, Mapping):
            return {
                key: SCRUBBED
                if str(key).lower() in PERSONAL_KEYS and item not in (None, "", [], {})
                else self.json(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.json(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def _longest_first(values: Iterable[str | None], *, strip: str = "") -> tuple[str, ...]:
    found = {v.strip().lstrip(strip) for v in values if v and len(v.strip().lstrip(strip)) >= 3}
    return tuple(sorted(found, key=lambda v: (-len(v), v)))


def scrubber_for(session: Session) -> Scrubber:
    """A scrubber that knows every user's name and every account's handle (emails have a
    shape and are found by it)."""
    names = session.scalars(select(User.name))
    handles = session.scalars(select(SocialAccount.handle))
    return Scrubber(names=_longest_first(names), handles=_longest_first(handles, strip="@"))
