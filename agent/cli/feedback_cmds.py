"""``twin feedback``: rate a script, reel or post (1-5); adapting counts ratings as evidence."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from agent.cli.common import DataDirOpt, JsonOpt, console, system_for
from agent.errors import UserError
from db.engine import transaction
from db.enums import FeedbackSubject
from db.models import Feedback, Post, Script, User, VideoReel

KINDS: dict[FeedbackSubject, Any] = {
    FeedbackSubject.post: Post,
    FeedbackSubject.reel: VideoReel,
    FeedbackSubject.script: Script,
}


def _resolve(session: Session, subject: str) -> tuple[FeedbackSubject, uuid.UUID, uuid.UUID]:
    """(kind, id, user id) of the script, reel or post whose id is or starts with ``subject``."""
    prefix = subject.strip().lower()
    if len(prefix) < 4:
        raise UserError(
            "give at least 4 characters of the script, reel or post id (see 'twin runs' or 'twin inbox')"
        )
    found = []
    for kind, model in KINDS.items():
        for row in session.scalars(
            select(model).where(cast(model.id, String).like(f"{prefix}%")).limit(3)
        ):
            found.append((kind, row.id, row.user_id))
    if not found:
        # ids may be stored without dashes (SQLite) — compare on the hex form too
        hexed = prefix.replace("-", "")
        for kind, model in KINDS.items():
            for row in session.scalars(
                select(model).where(cast(model.id, String).like(f"{hexed}%")).limit(3)
            ):
                found.append((kind, row.id, row.user_id))
    if not found:
        raise UserError(f"no script, reel or post with id {subject!r}")
    if len(found) > 1:
        raise UserError(f"{subject!r} matches several items: give more of the id")
    return found[0]


def feedback(
    subject: Annotated[str, typer.Argument(help="Id (or its start) of a script, reel or post.")],
    rating: Annotated[int, typer.Option("--rating", min=1, max=5, help="1 (bad) to 5 (great).")],
    comment: Annotated[
        str | None, typer.Option("--comment", help="What you liked or did not.")
    ] = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rate a script, reel or post; the next strategy update counts it like an observed post."""
    system = system_for(data_dir)
    with transaction(system.sessions) as session:
        kind, subject_id, user_id = _resolve(session, subject)
        if session.get(User, user_id) is None:
            raise UserError("the rated item has no owner")
        row = Feedback(
            user_id=user_id,
            subject_type=kind,
            subject_id=str(subject_id),
            rating=rating,
            comment=comment,
        )
        session.add(row)
        session.flush()
        feedback_id = row.id
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "feedback_id": str(feedback_id),
                    "subject_type": kind.value,
                    "subject_id": str(subject_id),
                    "rating": rating,
                }
            )
        )
    else:
        console.print(
            f"Rated {kind.value} {str(subject_id)[:8]} {rating}/5. The next weekly cycle takes it into account."
        )


def register(app: typer.Typer) -> None:
    app.command("feedback")(feedback)
