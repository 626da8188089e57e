"""Web page: the audit trail, for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from spinepath.audit import service
from spinepath.paging import MAX_PAGE
from spinepath.web.render import page
from spinepath.web.session import web_work

router = APIRouter()


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, page_number: int = Query(default=1, ge=1, le=MAX_PAGE, alias="page")
) -> Response:
    with web_work(request) as (session, actor, _):
        found = service.list_events(session, actor, page=page_number, per_page=100)
        return page(
            request,
            "audit.html",
            {"found": found, "page_number": page_number, "pages": max(1, -(-found.total // 100))},
        )
