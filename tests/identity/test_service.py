"""Users, passwords and tokens: stored only as hashes, revocable, expiring."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.db import utcnow
from kenzen.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from kenzen.identity import service
from kenzen.identity.models import Token, TokenKind, User
from tests.conftest import World


def test_tokens_are_stored_only_as_digests(world: World) -> None:
    token = world.tokens[Role.AHS_AGENT]
    with world.database.transaction() as session:
        digests = set(session.scalars(select(Token.digest)))
        assert token not in digests
        assert hashlib.sha256(token.encode()).hexdigest() in digests


def test_revoked_token_no_longer_authenticates(world: World) -> None:
    token = world.tokens[Role.AHS_AGENT]
    with world.database.transaction() as session:
        assert service.actor_for_token(session, token, TokenKind.API).role is Role.AHS_AGENT
        service.revoke_token(session, SYSTEM, token=token)
    with world.database.transaction() as session, pytest.raises(Unauthenticated):
        service.actor_for_token(session, token, TokenKind.API)
    with world.database.transaction() as session, pytest.raises(NotFound, match="revoked"):
        service.revoke_token(session, SYSTEM, token=token)


def test_api_token_is_not_a_session_and_vice_versa(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(Unauthenticated):
        service.actor_for_token(session, world.tokens[Role.SELLER], TokenKind.SESSION)


def test_password_login_opens_an_expiring_session(world: World) -> None:
    with world.database.transaction() as session:
        service.add_user(
            session,
            SYSTEM,
            email="Agent@Example.test",
            role=Role.AHS_AGENT,
            password="correct horse",
        )
        user = session.scalars(select(User).where(User.email == "agent@example.test")).one()
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        token = service.log_in(
            session, email="agent@example.test", password="correct horse", session_days=1
        )
        assert service.actor_for_token(session, token, TokenKind.SESSION).email == (
            "agent@example.test"
        )
        row = session.scalars(select(Token).where(Token.kind == TokenKind.SESSION)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    with world.database.transaction() as session, pytest.raises(Unauthenticated):
        service.actor_for_token(session, token, TokenKind.SESSION)


@pytest.mark.parametrize(
    ("email", "password"),
    [("nobody@example.test", "whatever1"), ("seller@example.test", "no password set")],
)
def test_failed_logins_all_look_the_same(world: World, email: str, password: str) -> None:
    with (
        world.database.transaction() as session,
        pytest.raises(Unauthenticated, match=r"^wrong email or password$"),
    ):
        service.log_in(session, email=email, password=password, session_days=1)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"email": "not-an-email", "role": Role.ADMIN}, InvalidInput, "email"),
        ({"email": "x@example.test", "role": Role.SYSTEM}, InvalidInput, "role"),
        ({"email": "x@example.test", "role": Role.SELLER}, InvalidInput, "seller"),
        (
            {"email": "x@example.test", "role": Role.ADMIN, "seller_id": "S1"},
            InvalidInput,
            "seller",
        ),
        ({"email": "x@example.test", "role": Role.SELLER, "seller_id": "S9"}, NotFound, "S9"),
        ({"email": "x@example.test", "role": Role.ADMIN, "password": "short"}, InvalidInput, "8"),
        ({"email": "admin@example.test", "role": Role.ADMIN}, Conflict, "already exists"),
    ],
)
def test_user_fields_are_validated(
    world: World, fields: dict[str, object], error: type[Exception], message: str
) -> None:
    arguments: dict[str, object] = {"password": None, **fields}
    with world.database.transaction() as session, pytest.raises(error, match=message):
        service.add_user(session, SYSTEM, **arguments)  # type: ignore[arg-type]


def test_only_admins_manage_users_and_tokens(world: World) -> None:
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session, pytest.raises(Forbidden):
        service.create_api_token(session, specialist, email="seller@example.test")
    with world.database.transaction() as session:
        assert service.create_api_token(
            session, world.actors[Role.ADMIN], email="seller@example.test"
        )
