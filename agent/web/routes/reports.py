"""Weekly reports: the list, one report (HTML with charts, or the Markdown), the PDF."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from agent.strategy.weeks import week_key
from agent.web import queries
from agent.web.auth import SignedIn, require_user, web_state
from agent.web.media import MediaPathError, relative_media_path, resolve_media
from agent.web.pages import render

router = APIRouter(dependencies=[Depends(require_user)])

User = Annotated[SignedIn, Depends(require_user)]


def _not_found(request: Request, message: str) -> Response:
    return render(request, "error.html", status_code=404, title="Report not found", message=message)


@router.get("/reports")
def reports(request: Request, user: User) -> Response:
    with web_state(request).system.sessions() as session:
        rows = queries.reports(session, user.user_id)
    return render(request, "reports.html", active="reports", reports=rows)


@router.get("/reports/{report_id}")
def report(request: Request, report_id: str, user: User) -> Response:
    state = web_state(request)
    settings = state.system.settings
    with state.system.sessions() as session:
        row = queries.owned_report(session, user.user_id, report_id)
        if row is None:
            return _not_found(request, "No report with this id.")
        info = {
            "id": str(row.id),
            "week": week_key(row.week_start),
            "week_start": row.week_start,
            "week_end": row.week_end,
            "headline": queries.headline(row),
            "has_pdf": bool(row.pdf_uri),
        }
        html_uri, md_uri = row.html_uri, row.markdown_uri
    html_rel = relative_media_path(settings, html_uri) if html_uri else None
    markdown = None
    if html_rel is None and md_uri:
        rel = relative_media_path(settings, md_uri)
        try:
            markdown = resolve_media(settings, rel).read_text(encoding="utf-8") if rel else None
        except (MediaPathError, OSError):
            markdown = None
    if html_rel is None and markdown is None:
        return render(
            request,
            "report.html",
            active="reports",
            report=info,
            html_url=None,
            markdown=None,
            missing="The report file is missing from the data folder. Run the week again to rebuild it.",
        )
    return render(
        request,
        "report.html",
        active="reports",
        report=info,
        html_url=f"/media/{html_rel}" if html_rel else None,
        markdown=markdown,
        missing=None,
    )


@router.get("/reports/{report_id}/pdf")
def report_pdf(request: Request, report_id: str, user: User) -> Response:
    state = web_state(request)
    settings = state.system.settings
    with state.system.sessions() as session:
        row = queries.owned_report(session, user.user_id, report_id)
        pdf_uri = row.pdf_uri if row else None
        week = week_key(row.week_start) if row else ""
    rel = relative_media_path(settings, pdf_uri) if pdf_uri else None
    try:
        path = resolve_media(settings, rel) if rel else None
    except MediaPathError:
        path = None
    if path is None:
        return _not_found(request, "This report has no PDF.")
    return FileResponse(path, media_type="application/pdf", filename=f"twin-report-{week}.pdf")
