"""The aggregator's HTTP API, version 1 (its OpenAPI document is at ``/openapi.json``).

    POST /api/v1/summaries               store day summaries and fix patterns (idempotent)
    GET  /api/v1/portfolio               per repository: commits per day, trend, authors
    GET  /api/v1/repos/{repo}/health     ``hookwise health``'s score, from summaries
    GET  /api/v1/repos/{repo}/days       each day's counts, for the dashboard's charts
    GET  /api/v1/patterns                rules failing across repositories, what works, gaps
    GET  /api/v1/patterns/export         pooled patterns for ``hookwise sync --pull``
    GET  /metrics                        Prometheus exposition (admin token)
    GET  /healthz                        the database answers (no token; for load balancers)
    WS   /api/v1/live                    each accepted summary, as it comes (``live``)
    GET  /                               the web dashboard (``dashboard``)

Status codes: 401 without a valid token, 403 outside its scope (and
nothing is stored), 413 above ``max_body`` bytes, 422 for a field that is
not valid (``{"detail", "field"}``), 400 for a body that is not JSON.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from hookwise import __version__
from hookwise.errors import WireFormatError
from hookwise.server import dashboard, ingest, live, queries, schemas, tokens
from hookwise.server.metrics import RepoCollector, RequestMetrics
from hookwise.server.tokens import Scope
from hookwise.sync import wire

DAYS_MAX = 367  # a day series spans at most a year (and a leap day) per request

bearer = HTTPBearer(auto_error=False, description="A token from `hookwise serve token create`.")


def _schema_ref(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _scope(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Scope:
    """The calling token's scope: 401 without a token, or with an unknown or revoked one."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    scopes: tokens.ScopeCache = request.app.state.scopes
    found = scopes.scope(credentials.credentials)
    if found is None:
        raise HTTPException(401, "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
    return found


Auth = Annotated[Scope, Depends(_scope)]


def create_app(
    engine: Engine,
    *,
    max_body: int = wire.MAX_BATCH_BYTES,
    live_queue: int = live.QUEUE_SIZE,
    token_seconds: float = tokens.CACHE_SECONDS,
) -> FastAPI:
    """The application over ``engine`` (whose schema ``database.upgrade`` has made current).

    ``live_queue`` bounds each live-feed subscriber's backlog (``live.Feed``).
    A token's scope is trusted for ``token_seconds`` after it was looked up
    (``tokens.ScopeCache``): a revoked token stops working within that time.
    """
    app = FastAPI(
        title="hookwise aggregator",
        version=__version__,
        description="A team's commit, merge and fix-memory summaries (docs/aggregator.md).",
        # Swagger UI and ReDoc load from a CDN, which an offline deployment cannot
        # reach; the document itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    feed = live.Feed(engine, queue_size=live_queue)
    app.state.live = feed
    app.include_router(feed.router())
    app.include_router(dashboard.router())
    app.state.scopes = tokens.ScopeCache(engine, ttl=token_seconds)
    registry = CollectorRegistry()
    registry.register(RepoCollector(engine))
    request_metrics = RequestMetrics(registry)

    def readable(who: Scope, team: str | None) -> list[str] | None:
        """The teams a read covers: one named team, the token's team, or all (admin)."""
        if team is not None:
            if not who.may_read(team):
                raise HTTPException(403, f"this token cannot read team {team!r}")
            return [team]
        return None if who.admin else [who.team]

    def one_team(who: Scope, repo: str, team: str | None) -> str:
        """The one readable team that has ``repo``: 404 if none, 409 if several (name it)."""
        found = queries.repo_teams(engine, repo, readable(who, team))
        if not found:
            raise HTTPException(404, f"no summaries of repository {repo!r}")
        if len(found) > 1:
            raise HTTPException(
                409, f"repository {repo!r} exists in teams {', '.join(found)}; name the team"
            )
        return found[0]

    @app.middleware("http")
    async def measure(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response: Response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        request_metrics.observe(
            request.method, path, response.status_code, time.perf_counter() - started
        )
        return response

    @app.exception_handler(WireFormatError)
    async def bad_field(_request: Request, exc: WireFormatError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "field": exc.field}, status_code=422)

    @app.post(
        "/api/v1/summaries",
        openapi_extra={"requestBody": {"required": True, "content": _schema_ref("SummaryBatch")}},
        response_model=schemas.Stored,
        responses={
            400: {"description": "The body is not JSON."},
            401: {"description": "No token, or an unknown or revoked one."},
            403: {"description": "A repository outside the token's scope; nothing is stored."},
            413: {"description": "The body is larger than the server accepts."},
            422: {"description": "A field is not valid; `field` names it."},
        },
    )
    async def post_summaries(request: Request, who: Auth) -> dict[str, int]:
        """Store day summaries and fix patterns; a day sent again replaces the stored one."""
        body = await _read_capped(request, max_body)
        try:
            parsed = json.loads(body)
        # ValueError: bad JSON, bad UTF-8, or an integer of thousands of digits;
        # RecursionError: arrays nested thousands deep. Both are the client's fault.
        except (ValueError, RecursionError) as exc:
            return JSONResponse(  # type: ignore[return-value]
                {"detail": f"body is not JSON: {exc}", "field": "body"}, status_code=400
            )
        batch = wire.SummaryBatch.from_json(parsed)
        repos = {s.repo for s in batch.summaries} | {p.repo for p in batch.patterns}
        denied = sorted(r for r in repos if not who.may_write(r))
        if denied:
            raise HTTPException(403, f"this token cannot write repository {denied[0]!r}")
        stored = await run_in_threadpool(ingest.store, engine, who.team, batch)
        feed.committed(stored)
        request_metrics.upserts.inc(stored.summaries)
        return {"summaries": stored.summaries, "patterns": stored.patterns}

    @app.get("/api/v1/portfolio", response_model=schemas.Portfolio)
    def get_portfolio(
        who: Auth,
        days: Annotated[int, Query(ge=1, le=366)] = 30,
        until: date | None = None,
        team: str | None = None,
    ) -> dict[str, Any]:
        """Per repository: commits per day over the window, its trend (slope), active authors."""
        end = _until(until)
        repos = queries.portfolio(engine, readable(who, team), days=days, until=end)
        return {"until": end.isoformat(), "days": days, "repos": repos}

    @app.get("/api/v1/repos/{repo}/health", response_model=schemas.Health)
    def get_health(
        repo: str, who: Auth, until: date | None = None, team: str | None = None
    ) -> dict[str, Any]:
        """The repository's health score and components, as `hookwise health` computes them."""
        owner = one_team(who, repo, team)
        return queries.health(engine, owner, repo, until=_until(until))

    @app.get("/api/v1/repos/{repo}/days", response_model=schemas.RepoDays)
    def get_days(
        repo: str,
        who: Auth,
        since: date | None = None,
        until: date | None = None,
        team: str | None = None,
    ) -> dict[str, Any]:
        """The repository's summary of each day from `since` (default: 29 days before `until`)
        to `until` (default: today), oldest first; days without a summary are absent."""
        end = _until(until)
        start = since or end - timedelta(days=29)
        if not 0 <= (end - start).days < DAYS_MAX:
            raise HTTPException(
                422, f"since must be on or before until, and at most {DAYS_MAX - 1} days before it"
            )
        owner = one_team(who, repo, team)
        series = queries.day_series(engine, owner, repo, since=start, until=end)
        return {
            "team": owner,
            "repo": repo,
            "since": start.isoformat(),
            "until": end.isoformat(),
            "days": series,
        }

    @app.get("/api/v1/patterns", response_model=schemas.Patterns)
    def get_patterns(
        who: Auth,
        min_repos: Annotated[int, Query(ge=1, le=1000)] = 2,
        until: date | None = None,
        team: str | None = None,
    ) -> dict[str, Any]:
        """Rules failing in several repositories, strategies that work across them, and gaps."""
        return queries.patterns(
            engine, readable(who, team), min_repos=min_repos, until=_until(until)
        )

    @app.get("/api/v1/patterns/export", responses={200: {"content": _schema_ref("PatternExport")}})
    def get_export(
        who: Auth, exclude_repo: str | None = None, team: str | None = None
    ) -> dict[str, Any]:
        """Patterns pooled across repositories, in the wire format `hookwise sync --pull` reads."""
        return queries.export(engine, readable(who, team), exclude_repo=exclude_repo).to_json()

    @app.get("/metrics", include_in_schema=False)
    def get_metrics(who: Auth) -> Response:
        if not who.admin:
            raise HTTPException(403, "/metrics needs an admin token")
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", include_in_schema=False)
    def get_healthz() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                wire.json_schema()
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _today() -> date:
    return datetime.now(UTC).date()


# A window ends at ``until`` and reaches back up to 366 days; no git history
# is older than 1970, and a window reaching before year 1 cannot be computed.
EARLIEST_UNTIL = date(1970, 1, 1)


def _until(until: date | None) -> date:
    """``until`` (default: today), or 422 naming it when it is too early to end a window."""
    if until is None:
        return _today()
    if until < EARLIEST_UNTIL:
        raise WireFormatError("until", f"must be on or after {EARLIEST_UNTIL}, not {until}")
    return until


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it is known to exceed ``limit`` (before reading it all)."""
    declared = request.headers.get("content-length")
    too_big = HTTPException(413, f"the body is larger than {limit} bytes; send fewer days at once")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
