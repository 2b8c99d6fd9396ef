"""What operators watch: request ids, request metrics and access lines, /metrics, and the
probes /healthz and /readyz.

Every request gets an id (a sane ``X-Request-ID`` sent by a proxy is kept, anything else is
replaced) that is echoed in the response and stamped on every log line of the request.
Requests are counted and timed by route template (``/api/v1/cases/{case_id}``), method and
status, so ids in paths never multiply the series. /metrics is for the operator's Prometheus
(``Authorization: Bearer $KENZEN_METRICS_TOKEN``) and administrators; the probes answer
anyone and say nothing but which check failed.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from typing import Annotated

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator
from prometheus_fastapi_instrumentator.metrics import Info

from kenzen import access, clock
from kenzen.access import METRICS_SCRAPER, Action, Actor
from kenzen.operations.queues import QueueFigure, measure_queues
from kenzen.operations.readiness import check_readiness
from kenzen.web.deps import Db, bearer, current_actor

log = logging.getLogger("kenzen.http")

REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming request id is kept only if it is this tame: it ends up in every log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Probes are counted but not logged: a load balancer asks every few seconds.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz"})
NO_ROUTE = "none"

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer HTTP requests, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

router = APIRouter(include_in_schema=False)


def sane_request_id(value: str) -> bool:
    return _SANE_REQUEST_ID.fullmatch(value) is not None


def route_of(info: Info) -> str:
    """The template of the route that answered (``/api/v1/cases/{case_id}``), or "none"
    when no route did (a 404, or a redirect to the path with or without its slash)."""
    return info.modified_handler if info.request.scope.get("route") is not None else NO_ROUTE


def _observe(info: Info) -> None:
    """One request: counted, timed and logged (never its query, headers or body)."""
    route = route_of(info)
    method = info.method if info.method in _METHODS else "other"
    status = str(info.response.status_code) if info.response else "500"
    REQUESTS.labels(route, method, status).inc()
    LATENCY.labels(route, method, status).observe(info.modified_duration)
    if route not in _QUIET_ROUTES:
        log.info(
            "%s %s %s",
            method,
            route,
            status,
            extra={
                "method": method,
                "route": route,
                "status": int(status),
                "duration_ms": round(info.modified_duration * 1000, 1),
            },
        )


def install(app: FastAPI) -> None:
    """Add request ids, metrics and access lines to ``app``, and its operator routes."""
    app.include_router(router)
    Instrumentator(excluded_handlers=[]).add(_observe).instrument(app)
    # Added last, so outermost: every response carries the id, every log line too.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        validator=sane_request_id,
    )


class _QueueFigures(Collector):
    def __init__(self, figures: list[QueueFigure]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        now = clock.now()
        depth = GaugeMetricFamily(
            "kenzen_queue_depth", "Items waiting in each work queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "kenzen_queue_oldest_age_seconds",
            "How long the oldest item of each work queue has waited (0 when empty).",
            labels=["queue"],
        )
        for figure in self.figures:
            depth.add_metric([figure.queue.key], figure.depth)
            age.add_metric([figure.queue.key], figure.age_seconds(now))
        yield depth
        yield age


class _Scrape(Collector):
    """This process's counters (or every process's, in multi-process mode) and the queues."""

    def __init__(self, parts: Iterable[Collector]) -> None:
        self.parts = parts

    def collect(self) -> Iterator[Metric]:
        for part in self.parts:
            yield from part.collect()


def _process_metrics() -> Collector:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def metrics_reader(
    request: Request,
    database: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The operator's scraper (by KENZEN_METRICS_TOKEN), or else a user's token or session."""
    expected = request.app.state.settings.metrics_token
    if expected is not None and credentials is not None:
        offered = credentials.credentials.encode()
        if secrets.compare_digest(offered, expected.get_secret_value().encode()):
            return METRICS_SCRAPER
    return current_actor(request, database, credentials)


@router.get("/metrics")
def metrics(db: Db, reader: Annotated[Actor, Depends(metrics_reader)]) -> Response:
    with db.transaction() as session:
        access.authorize(reader, Action.READ_METRICS)
        figures = measure_queues(session, clock.now())
    body = generate_latest(_Scrape((_process_metrics(), _QueueFigures(figures))))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request, db: Db) -> JSONResponse:
    """200 when the database answers at the code's schema and the event store is readable;
    503 naming the failed check otherwise."""
    settings = request.app.state.settings
    readiness = check_readiness(db, settings.event_store or settings.events_dir)
    return JSONResponse(
        {
            "status": "ready" if readiness.ready else "unready",
            "database": readiness.database,
            "migrations": readiness.migrations,
            "event_store": readiness.event_store,
        },
        status_code=200 if readiness.ready else 503,
    )
