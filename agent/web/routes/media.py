"""Media files (reels, thumbnails, report files): signed-in users or unexpired signed URLs.

Range requests are answered by Starlette's ``FileResponse`` (206 with Content-Range), so
``<video>`` can seek.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from agent.web.auth import NotSignedInError, signed_in, web_state
from agent.web.media import MediaNotFoundError, MediaPathError, resolve_media

router = APIRouter()

# Files we render may be HTML (reports): no scripts, nothing loaded from elsewhere.
MEDIA_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; sandbox allow-same-origin"
)


@router.get("/media/{rel_path:path}")
def media(
    request: Request, rel_path: str, exp: int | None = None, sig: str | None = None
) -> Response:
    state = web_state(request)
    if signed_in(request) is None:
        if exp is None or not sig:
            raise NotSignedInError()
        verdict = state.signer.check_path(rel_path, exp, sig)
        if verdict == "expired":
            return PlainTextResponse(
                "This link has expired; reload the page for a fresh one.", status_code=403
            )
        if verdict != "ok":
            return PlainTextResponse("This link is not valid.", status_code=403)
    try:
        path = resolve_media(state.system.settings, rel_path)
    except MediaNotFoundError:
        return PlainTextResponse("No such file.", status_code=404)
    except MediaPathError:
        return PlainTextResponse("This path is not served.", status_code=403)
    response = FileResponse(path)
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
