"""An agent's brand guidelines (``agents.brand_json``, typed by db.schemas.BrandGuidelines)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.models import Agent
from db.schemas import BrandGuidelines


def brand_guidelines(agent: Agent) -> BrandGuidelines:
    """The agent's brand; an empty one (no rules) when none was set."""
    return BrandGuidelines.model_validate(agent.brand_json or {})


def update_brand(*, session: Session, agent: Agent, **changes: Any) -> BrandGuidelines:
    """Validate ``changes`` over the current brand and store the result.

    Raises:
        pydantic.ValidationError: A change is not valid (a bad colour, a too long list).
    """
    brand = BrandGuidelines.model_validate(
        {**brand_guidelines(agent).model_dump(mode="json"), **changes}
    )
    agent.brand_json = brand.model_dump(mode="json")
    session.flush()
    return brand
