"""Case timelines: who may read and write which entries."""

from __future__ import annotations

import pytest

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.cases import service
from kenzen.cases.models import CaseKind, CaseStatus
from kenzen.errors import Conflict, Forbidden, InvalidInput
from kenzen.i18n import Message
from tests.conftest import World

INQUIRY = Message("case.inquiry.title")


def _case_with_every_audience(world: World) -> int:
    with world.database.transaction() as session:
        case = service.open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title=INQUIRY)
        for role, visibility, text in (
            (Role.ACCOUNT_SPECIALIST, Visibility.SELLER, "to the seller"),
            (Role.ACCOUNT_SPECIALIST, Visibility.SELLER_PERFORMANCE, "specialist note"),
            (Role.AHS_AGENT, Visibility.AHS, "call note"),
        ):
            service.add_case_note(
                session, world.actors[role], case.id, text=text, visibility=visibility
            )
        return case.id


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.SELLER, ["to the seller"]),
        (Role.AHS_AGENT, ["to the seller", "specialist note", "call note"]),
        # The seed: what is said on the phone has no bearing on the decision.
        (Role.ACCOUNT_SPECIALIST, ["to the seller", "specialist note"]),
    ],
)
def test_each_role_reads_only_the_entries_meant_for_it(
    world: World, role: Role, visible: list[str]
) -> None:
    case_id = _case_with_every_audience(world)
    with world.database.transaction() as session:
        detail = service.get_case(session, world.actors[role], case_id)
        assert [e.text for e in detail.entries] == visible


def test_notes_are_trimmed_and_blank_ones_refused(world: World) -> None:
    case_id = _case_with_every_audience(world)
    ahs = world.actors[Role.AHS_AGENT]
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="text"):
        service.add_case_note(session, ahs, case_id, text="   ", visibility=Visibility.AHS)


def test_a_closed_case_takes_no_more_notes(world: World) -> None:
    case_id = _case_with_every_audience(world)
    with world.database.transaction() as session:
        case = service.get_case(session, SYSTEM, case_id).case
        service.set_case_status(session, case, CaseStatus.CLOSED)
    with world.database.transaction() as session, pytest.raises(Conflict, match="closed"):
        service.add_case_note(
            session, world.actors[Role.SELLER], case_id, text="hello", visibility=Visibility.SELLER
        )
    with world.database.transaction() as session:
        case = service.get_case(session, SYSTEM, case_id).case
        with pytest.raises(Conflict, match="closed"):
            service.set_case_status(session, case, CaseStatus.OPEN)


def test_a_seller_cannot_write_internal_notes(world: World) -> None:
    case_id = _case_with_every_audience(world)
    with world.database.transaction() as session, pytest.raises(Forbidden):
        service.add_case_note(
            session, world.actors[Role.SELLER], case_id, text="x", visibility=Visibility.AHS
        )


def test_unread_follows_the_entries_each_reader_may_see(world: World) -> None:
    case_id = _case_with_every_audience(world)
    seller, specialist = world.actors[Role.SELLER], world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        assert service.unread_case_ids(session, seller, [case_id]) == {case_id}
        assert service.mark_read(session, seller, case_id) is None
        assert service.unread_case_ids(session, seller, [case_id]) == set()
    # an AHS-only note is news to nobody but AHS
    with world.database.transaction() as session:
        service.add_case_note(
            session, world.actors[Role.AHS_AGENT], case_id, text="call", visibility=Visibility.AHS
        )
        assert service.unread_case_ids(session, seller, [case_id]) == set()
        assert service.unread_case_ids(session, specialist, [case_id]) == {case_id}
    with world.database.transaction() as session:
        service.add_case_note(session, SYSTEM, case_id, text="notice", visibility=Visibility.SELLER)
        assert service.unread_case_ids(session, seller, [case_id]) == {case_id}
        assert service.mark_read(session, seller, case_id) is not None
