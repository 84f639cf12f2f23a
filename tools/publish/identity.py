"""Who an access token belongs to: the account identity adapters read from the platform."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["AccountIdentity"]


class AccountIdentity(BaseModel):
    """One account a token can publish to.

    Attributes:
        handle: Display handle (``@name`` or page/channel name).
        external_id: The platform's id for the account (IG user id, Page id, URN, channel id...).
        access_token: A token specific to this account (Facebook Page token), else None.
    """

    handle: str
    external_id: str
    access_token: str | None = None

    def __repr__(self) -> str:
        return f"AccountIdentity(handle={self.handle!r}, external_id={self.external_id!r})"

    __str__ = __repr__
