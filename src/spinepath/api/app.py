"""The application: API routers, web pages, static files, error handling."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from spinepath import __version__, logs, wiring
from spinepath.accounts.api import router as accounts_router
from spinepath.api import openapi, problems
from spinepath.api.deps import bearer_scheme
from spinepath.api.middleware import CatchUnhandled, RequestGuard, SecurityHeaders
from spinepath.assessments.api import router as assessments_router
from spinepath.audit.api import router as audit_router
from spinepath.calculators.api import router as calculators_router
from spinepath.episodes.api import router as episodes_router
from spinepath.fhir.api import router as fhir_router
from spinepath.follow_up.api import public_router as questionnaire_router
from spinepath.follow_up.api import router as follow_up_router
from spinepath.patients.api import router as patients_router
from spinepath.preparation.api import router as preparation_router
from spinepath.procedures.api import router as procedures_router
from spinepath.recovery.api import router as recovery_router
from spinepath.settings import Settings
from spinepath.store.db import make_engine, make_session_factory

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    wiring.install()
    app = FastAPI(
        title="spinepath",
        version=__version__,
        summary="Care pathway for osteoporotic vertebral compression fracture",
        description=(
            "Decision support, preparation planning, procedure and recovery records and "
            "follow-up for vertebroplasty and kyphoplasty. Errors are application/problem+json; "
            "invalid input answers 422 naming every invalid field; updates send the version they "
            'were made against (If-Match: "vN" or a version field).'
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    logs.configure(settings.log_level, settings.log_format)
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    problems.install(app)

    api = APIRouter(prefix=API_PREFIX)

    @api.get("/health", tags=["service"])
    def health(request: Request) -> dict[str, str]:
        """Answers without login: is the service up and its database reachable."""
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok", "version": __version__}

    protected = [Depends(bearer_scheme)]
    api.include_router(accounts_router)
    api.include_router(patients_router, dependencies=protected)
    api.include_router(episodes_router, dependencies=protected)
    api.include_router(follow_up_router, dependencies=protected)
    api.include_router(questionnaire_router)  # the personal link is the credential
    api.include_router(audit_router, dependencies=protected)
    api.include_router(procedures_router, dependencies=protected)
    api.include_router(recovery_router, dependencies=protected)
    api.include_router(assessments_router, dependencies=protected)
    api.include_router(calculators_router, dependencies=protected)
    api.include_router(preparation_router, dependencies=protected)
    api.include_router(fhir_router, dependencies=protected)
    # The CDS Hooks service first: a router is matched by scanning every route of the routers
    # before it, and an EHR's call should not pay for the scan of the whole API.
    from spinepath.cds_hooks.api import install as install_cds_hooks

    install_cds_hooks(app, settings)
    app.include_router(api)

    from spinepath.web.routes import router as web_router

    app.include_router(web_router)
    _install_docs(app)
    openapi.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # The last added runs first: headers on every answer, then unexpected errors, then the guard.
    app.add_middleware(RequestGuard, settings=settings, engine=engine)
    app.add_middleware(CatchUnhandled)
    app.add_middleware(SecurityHeaders, settings=settings)
    return app


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>spinepath API</title>
  <link rel="stylesheet" href="{prefix}/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{prefix}/openapi.json"></div>
  <script src="{prefix}/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


def _install_docs(app: FastAPI) -> None:
    """The live API reference: Swagger UI served from the installed package, never a CDN."""
    import swagger_ui_bundle

    app.mount(
        f"{API_PREFIX}/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.format(prefix=API_PREFIX))
