"""The Selling Partner API at Amazon's paths, and Login with Amazon's token endpoint.

Thin, like every route: authenticate the ``x-amz-access-token``, take a token from the
operation's bucket, call one use case in one transaction, answer in Amazon's shapes —
errors always ``{"errors": [{"code", "message", "details"}]}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from kenzen.access import Actor
from kenzen.config import Settings
from kenzen.errors import Conflict, Forbidden, InvalidInput, KenzenError, NotFound, Unauthenticated
from kenzen.i18n import N_, Language, t
from kenzen.spapi import credentials, notifications, participations, reports
from kenzen.spapi.models import Destination, Subscription
from kenzen.spapi.ratelimit import RateLimiter, rate_header
from kenzen.spapi.reports import DENIED
from kenzen.web.api.notices import keyring_of
from kenzen.web.deps import Db, error_language

RATE_HEADER = "x-amzn-RateLimit-Limit"
REQUEST_ID_HEADER = "x-amzn-RequestId"


class Throttled(KenzenError):
    """The caller's bucket for this operation is empty."""

    def __init__(self, operation: str) -> None:
        super().__init__(N_("error.spapi.quota_exceeded"))
        self.operation = operation


#: Kenzen's errors in Amazon's codes; 401 and 403 are both Amazon's 403 ``Unauthorized``.
AMAZON_ERRORS: list[tuple[type[KenzenError], int, str]] = [
    (Throttled, 429, "QuotaExceeded"),
    (Unauthenticated, 403, "Unauthorized"),
    (Forbidden, 403, "Unauthorized"),
    (NotFound, 404, "NotFound"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 400, "InvalidInput"),
]


def amazon_error(status: int, errors: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse(
        {"errors": errors},
        status_code=status,
        headers={REQUEST_ID_HEADER: str(uuid.uuid4())},
    )


def _from_kenzen(error: KenzenError, language: Language) -> JSONResponse:
    """Amazon's code for the kind of error (stable), its message in the seller's language."""
    status, code = next(
        ((status, code) for kind, status, code in AMAZON_ERRORS if isinstance(error, kind)),
        (400, "InvalidInput"),
    )
    message = error.in_language(language)
    if status == 403:
        details = "" if error.text.id == DENIED else message
        denied = t(DENIED, language)
        response = amazon_error(status, [{"code": code, "message": denied, "details": details}])
    else:
        response = amazon_error(status, [{"code": code, "message": message, "details": ""}])
    if isinstance(error, Throttled):
        response.headers[RATE_HEADER] = rate_header(error.operation)
    return response


def _from_validation(error: RequestValidationError) -> JSONResponse:
    """One Amazon error per bad value, naming the parameter."""
    problems = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"][1:]) or str(item["loc"][0])
        problems.append(
            {"code": "InvalidInput", "message": f"{name}: {item['msg']}", "details": ""}
        )
    return amazon_error(400, problems)


class AmazonRoute(APIRoute):
    """A route whose every failure — domain error or unparsable input — answers in
    Amazon's error shape, leaving Kenzen's own API untouched."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                response = await handler(request)
            except KenzenError as error:
                return _from_kenzen(error, error_language(request))
            except RequestValidationError as error:
                return _from_validation(error)
            response.headers.setdefault(REQUEST_ID_HEADER, str(uuid.uuid4()))
            return response

        return answer


#: Amazon's models (spapi/schemas/) describe these operations; Kenzen's OpenAPI document
#: describes Kenzen's own API under /api/v1.
router = APIRouter(route_class=AmazonRoute, include_in_schema=False)


def limiter_of(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.sp_api_limiter
    return limiter


def _app_actor(
    request: Request,
    db: Db,
    token: Annotated[str | None, Header(alias="x-amz-access-token")] = None,
) -> Actor:
    if not token:
        raise Unauthenticated(N_("error.spapi.access_token_required"))
    with db.transaction() as session:
        actor = credentials.actor_for_access_token(session, token)
    request.state.actor = actor
    return actor


def operation(name: str) -> Callable[..., Actor]:
    """The dependency of one operation: the app's actor, after its bucket allowed the call."""

    def allowed(
        request: Request, response: Response, actor: Annotated[Actor, Depends(_app_actor)]
    ) -> Actor:
        assert actor.app_id is not None
        if not limiter_of(request).allow(name, actor.app_id, actor.seller_id):
            raise Throttled(name)
        response.headers[RATE_HEADER] = rate_header(name)
        return actor

    return allowed


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _listed(values: list[str] | None) -> tuple[str, ...]:
    """Array parameters arrive repeated or comma-separated; accept both."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


# -- Login with Amazon ----------------------------------------------------------------------

token_router = APIRouter(include_in_schema=False)


@token_router.post("/auth/o2/token", operation_id="lwaToken")
def token(
    request: Request,
    db: Db,
    grant_type: Annotated[str, Form(max_length=64)],
    client_id: Annotated[str, Form(max_length=200)],
    client_secret: Annotated[str, Form(max_length=200)],
    refresh_token: Annotated[str | None, Form(max_length=500)] = None,
    scope: Annotated[str | None, Form(max_length=200)] = None,
) -> JSONResponse:
    """Trade a refresh token (or, for grantless operations, the client credentials) for an
    access token, answering as Login with Amazon does."""
    try:
        with db.transaction() as session:
            issued = credentials.exchange(
                session,
                grant_type=grant_type,
                client_id=client_id,
                client_secret=client_secret,
                refresh_token=refresh_token,
                scope=scope,
            )
    except credentials.TokenRequestError as error:
        status = 401 if error.error == "invalid_client" else 400
        description = error.in_language(error_language(request))
        return JSONResponse(
            {"error": error.error, "error_description": description}, status_code=status
        )
    body: dict[str, Any] = {
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
    }
    if refresh_token:
        body["refresh_token"] = refresh_token
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# -- Reports 2021-06-30 ---------------------------------------------------------------------

REPORTS = "/reports/2021-06-30"


class CreateReportSpecification(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reportType: str = Field(min_length=1, max_length=100)  # noqa: N815 - Amazon's names
    marketplaceIds: list[str] = Field(min_length=1, max_length=10)  # noqa: N815
    dataStartTime: datetime | None = None  # noqa: N815
    dataEndTime: datetime | None = None  # noqa: N815
    reportOptions: dict[str, str] | None = None  # noqa: N815


@router.post(f"{REPORTS}/reports", operation_id="createReport", status_code=202)
def create_report(
    body: CreateReportSpecification,
    actor: Annotated[Actor, Depends(operation("createReport"))],
    db: Db,
) -> dict[str, str]:
    with db.transaction() as session:
        report = reports.create_report(
            session,
            actor,
            report_type=body.reportType,
            marketplace_ids=body.marketplaceIds,
            data_start_time=body.dataStartTime,
            data_end_time=body.dataEndTime,
        )
        return {"reportId": str(report.id)}


@router.get(f"{REPORTS}/reports", operation_id="getReports")
def get_reports(
    actor: Annotated[Actor, Depends(operation("getReports"))],
    db: Db,
    report_types: Annotated[list[str] | None, Query(alias="reportTypes")] = None,
    statuses: Annotated[list[str] | None, Query(alias="processingStatuses")] = None,
    marketplace_ids: Annotated[list[str] | None, Query(alias="marketplaceIds")] = None,
    page_size: Annotated[int, Query(alias="pageSize")] = reports.DEFAULT_PAGE_SIZE,
    created_since: Annotated[datetime | None, Query(alias="createdSince")] = None,
    created_until: Annotated[datetime | None, Query(alias="createdUntil")] = None,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2000)] = None,
) -> dict[str, Any]:
    page = reports.ReportFilter(
        report_types=_listed(report_types),
        statuses=_listed(statuses),
        marketplace_ids=_listed(marketplace_ids),
        created_since=created_since,
        created_until=created_until,
        page_size=page_size,
    )
    with db.transaction() as session:
        found = reports.list_reports(
            session, actor, None if next_token else page, next_token=next_token
        )
        body: dict[str, Any] = {"reports": [reports.report_json(r) for r in found.reports]}
    if found.next_token:
        body["nextToken"] = found.next_token
    return body


@router.get(f"{REPORTS}/reports/{{reportId}}", operation_id="getReport")
def get_report(
    reportId: str,  # noqa: N803 - Amazon's name
    actor: Annotated[Actor, Depends(operation("getReport"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        return reports.report_json(reports.get_report(session, actor, reportId))


@router.delete(f"{REPORTS}/reports/{{reportId}}", operation_id="cancelReport")
def cancel_report(
    reportId: str,  # noqa: N803 - Amazon's name
    actor: Annotated[Actor, Depends(operation("cancelReport"))],
    db: Db,
) -> Response:
    with db.transaction() as session:
        reports.cancel_report(session, actor, reportId)
    return Response(status_code=200)


DOCUMENT_PATH = "/sp-api/documents"


@router.get(f"{REPORTS}/documents/{{reportDocumentId}}", operation_id="getReportDocument")
def get_report_document(
    reportDocumentId: str,  # noqa: N803 - Amazon's name
    request: Request,
    actor: Annotated[Actor, Depends(operation("getReportDocument"))],
    db: Db,
) -> dict[str, str]:
    """The document's pre-signed URL, built on KENZEN_PUBLIC_URL, never on the Host header."""
    with db.transaction() as session:
        link = reports.get_report_document(session, actor, reportDocumentId)
    body = {
        "reportDocumentId": link.document_id,
        "url": f"{_settings(request).base_url}{DOCUMENT_PATH}/{link.token}",
    }
    if link.compression:
        body["compressionAlgorithm"] = link.compression
    return body


@router.get(f"{DOCUMENT_PATH}/{{token}}", operation_id="downloadReportDocument")
def download_report_document(token: Annotated[str, Path(max_length=100)], db: Db) -> Response:
    """The document's bytes, as stored (gzipped when the metadata said GZIP); the link is
    the credential and expires five minutes after it was handed out."""
    with db.transaction() as session:
        document = reports.download(session, token)
        content = document.content
    return Response(
        content,
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store"},
    )


# -- Notifications v1 -----------------------------------------------------------------------

NOTIFICATIONS = "/notifications/v1"


class HttpsResource(BaseModel):
    url: str = Field(max_length=2000)


class SqsResource(BaseModel):
    arn: str = Field(max_length=2000)


class ResourceSpecification(BaseModel):
    model_config = ConfigDict(extra="allow")

    https: HttpsResource | None = None
    sqs: SqsResource | None = None


class CreateDestinationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=256)
    resourceSpecification: ResourceSpecification  # noqa: N815 - Amazon's name


def _receiver_url(spec: ResourceSpecification) -> str:
    """Kenzen delivers to HTTPS: ``https.url``, or an ``https://`` URL passed as ``sqs.arn``
    by clients that only know Amazon's resource kinds."""
    if spec.https is not None:
        return spec.https.url
    if spec.sqs is not None and spec.sqs.arn.startswith("https://"):
        return spec.sqs.arn
    raise InvalidInput(N_("error.web.https_receivers_only"))


def destination_json(destination: Destination) -> dict[str, Any]:
    return {
        "destinationId": destination.id,
        "name": destination.name,
        "resource": {"https": {"url": destination.url}},
    }


@router.post(f"{NOTIFICATIONS}/destinations", operation_id="createDestination")
def create_destination(
    body: CreateDestinationRequest,
    request: Request,
    actor: Annotated[Actor, Depends(operation("createDestination"))],
    db: Db,
) -> dict[str, Any]:
    """The payload carries ``signingSecret`` this once: deliveries are signed with it."""
    url = _receiver_url(body.resourceSpecification)
    with db.transaction() as session:
        destination, secret = notifications.create_destination(
            session,
            actor,
            keyring_of(request),
            name=body.name,
            url=url,
            allow_private=_settings(request).webhook_allow_private,
        )
        return {"payload": {**destination_json(destination), "signingSecret": secret}}


@router.get(f"{NOTIFICATIONS}/destinations", operation_id="getDestinations")
def get_destinations(
    actor: Annotated[Actor, Depends(operation("getDestinations"))], db: Db
) -> dict[str, Any]:
    with db.transaction() as session:
        found = notifications.list_destinations(session, actor)
        return {"payload": [destination_json(d) for d in found]}


@router.get(f"{NOTIFICATIONS}/destinations/{{destinationId}}", operation_id="getDestination")
def get_destination(
    destinationId: str,  # noqa: N803 - Amazon's name
    actor: Annotated[Actor, Depends(operation("getDestination"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        destination = notifications.get_destination(session, actor, destinationId)
        return {"payload": destination_json(destination)}


@router.delete(f"{NOTIFICATIONS}/destinations/{{destinationId}}", operation_id="deleteDestination")
def delete_destination(
    destinationId: str,  # noqa: N803 - Amazon's name
    actor: Annotated[Actor, Depends(operation("deleteDestination"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        notifications.delete_destination(session, actor, destinationId)
    return {}


class CreateSubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    destinationId: str = Field(max_length=36)  # noqa: N815 - Amazon's names
    payloadVersion: str | None = Field(default=None, max_length=16)  # noqa: N815


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    return {
        "subscriptionId": str(subscription.id),
        "payloadVersion": subscription.payload_version,
        "destinationId": subscription.destination_id,
    }


@router.post(
    f"{NOTIFICATIONS}/subscriptions/{{notificationType}}", operation_id="createSubscription"
)
def create_subscription(
    notificationType: str,  # noqa: N803 - Amazon's name
    body: CreateSubscriptionRequest,
    actor: Annotated[Actor, Depends(operation("createSubscription"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        subscription = notifications.create_subscription(
            session,
            actor,
            notification_type=notificationType,
            destination_id=body.destinationId,
            payload_version=body.payloadVersion,
        )
        return {"payload": subscription_json(subscription)}


@router.get(f"{NOTIFICATIONS}/subscriptions/{{notificationType}}", operation_id="getSubscription")
def get_subscription(
    notificationType: str,  # noqa: N803 - Amazon's name
    actor: Annotated[Actor, Depends(operation("getSubscription"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        subscription = notifications.get_subscription(session, actor, notificationType)
        return {"payload": subscription_json(subscription)}


@router.delete(
    f"{NOTIFICATIONS}/subscriptions/{{notificationType}}/{{subscriptionId}}",
    operation_id="deleteSubscriptionById",
)
def delete_subscription(
    notificationType: str,  # noqa: N803 - Amazon's names
    subscriptionId: str,  # noqa: N803
    actor: Annotated[Actor, Depends(operation("deleteSubscriptionById"))],
    db: Db,
) -> dict[str, Any]:
    with db.transaction() as session:
        notifications.delete_subscription(session, actor, notificationType, subscriptionId)
    return {}


# -- Sellers v1 -----------------------------------------------------------------------------


@router.get("/sellers/v1/marketplaceParticipations", operation_id="getMarketplaceParticipations")
def get_marketplace_participations(
    request: Request,
    actor: Annotated[Actor, Depends(operation("getMarketplaceParticipations"))],
    db: Db,
) -> dict[str, Any]:
    host = _settings(request).base_url.split("://", 1)[-1].split(":")[0]
    with db.transaction() as session:
        found = participations.marketplace_participations(session, actor, domain_name=host)
        return {"payload": found}
