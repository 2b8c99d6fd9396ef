"""Case titles and entries as message id + values, rendered in the reader's language.

Rows written before keep their text as it was stored (a literal title or entry, shown as
written): they were rendered once, in the seller's language, and the values they were made
from were not kept, so nothing honest can turn them back into messages.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_message", sa.JSON(), nullable=True))
        batch_op.alter_column("title", existing_type=sa.String(length=300), nullable=True)
        batch_op.create_check_constraint(
            "ck_cases_one_title", "(title IS NULL) <> (title_message IS NULL)"
        )
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=True)
        batch_op.create_check_constraint(
            "ck_case_entries_one_text", "(text IS NULL) <> (message IS NULL)"
        )


def downgrade() -> None:
    """Messages become literal text in the seller's language, as they were before."""
    from kenzen.i18n import Message

    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_constraint("ck_case_entries_one_text", type_="check")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("ck_cases_one_title", type_="check")
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT e.id, e.message, s.language FROM case_entries e "
            "JOIN cases c ON c.id = e.case_id JOIN sellers s ON s.id = c.seller_id "
            "WHERE e.message IS NOT NULL"
        )
    )
    entries = sa.table("case_entries", sa.column("id"), sa.column("text"))
    for entry_id, message, language in rows.all():
        text = Message.from_json(_json(message)).render(language)
        connection.execute(entries.update().where(entries.c.id == entry_id).values(text=text))
    rows = connection.execute(
        sa.text(
            "SELECT c.id, c.title_message, s.language FROM cases c "
            "JOIN sellers s ON s.id = c.seller_id WHERE c.title_message IS NOT NULL"
        )
    )
    cases = sa.table("cases", sa.column("id"), sa.column("title"))
    for case_id, message, language in rows.all():
        title = Message.from_json(_json(message)).render(language)[:300]
        connection.execute(cases.update().where(cases.c.id == case_id).values(title=title))
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("message")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("title", existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column("title_message")


def _json(value: object) -> dict[str, object]:
    """A JSON column read through raw SQL: a string on SQLite, already decoded on PostgreSQL."""
    import json

    decoded = json.loads(value) if isinstance(value, str) else value
    assert isinstance(decoded, dict)
    return decoded
