"""What of the creator's likeness the renderer may use for a twin, decided at render time."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from db.enums import AssetType, ConsentType
from db.models import AITwin
from db.repo.assets import likeness_assets
from db.repo.identity import has_consent
from tools.render.inputs import Likeness


def likeness_for(*, session: Session, twin: AITwin) -> Likeness | None:
    """The likeness files to hand to the renderer, or None to draw the twin instead.

    None unless the twin uses a real likeness, the creator's latest likeness_modeling consent
    grants it, and at least one stored file still exists. Revoking consent therefore stops
    the likeness from the next render on, while the files stay until the user deletes them.

    Args:
        session: Open session.
        twin: The twin about to be rendered.
    """
    if not twin.uses_real_likeness:
        return None
    if not has_consent(
        session=session, user_id=twin.user_id, consent_type=ConsentType.likeness_modeling
    ):
        return None
    photos: list[Path] = []
    clips: list[Path] = []
    for asset in likeness_assets(session=session, twin_id=twin.id):
        path = Path(asset.uri)
        if not path.is_file():
            continue
        (photos if asset.type == AssetType.raw_photo else clips).append(path)
    if not photos and not clips:
        return None
    return Likeness(photos=photos, clips=clips)
