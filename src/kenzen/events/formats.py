"""The three event formats (`sellers`, `orders`, `defects`) as data.

Everything else is derived from these specs: the vectorised validation SQL
(:mod:`kenzen.events.validation`), the store's table layout and the JSON Schemas in
``docs/events.md``. Change a rule here and all of them follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, get_args

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

EventKind = Literal["sellers", "orders", "defects"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)


class ColumnType(Enum):
    """Logical column types; each maps to one DuckDB and one JSON Schema type."""

    STRING = "string"
    TIMESTAMP = "timestamp"
    INTEGER = "integer"


#: The longest string value a column takes unless it says otherwise: ids, names and
#: tracking numbers are short, and a huge value is a broken file, not data.
MAX_TEXT = 200


@dataclass(frozen=True)
class Column:
    """One column of an event format."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: int | None = None
    pattern: str | None = None
    max_length: int = MAX_TEXT
    """For strings: the longest value accepted, in characters."""

    @property
    def sql_type(self) -> str:
        """The DuckDB type the column is stored as."""
        return {
            ColumnType.STRING: "VARCHAR",
            ColumnType.TIMESTAMP: "TIMESTAMPTZ",
            ColumnType.INTEGER: "INTEGER",
        }[self.type]


@dataclass(frozen=True)
class EventFormat:
    """A kind of event file: its columns and the column that identifies a row."""

    kind: EventKind
    key: str
    columns: tuple[Column, ...]
    description: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


class EventFormatError(InvalidInput):
    """The file as a whole cannot be read (wrong columns, wrong type, not UTF-8, …).

    Row-level problems never raise: they are collected as :class:`RowError`.
    """


@dataclass(frozen=True, order=True)
class RowError:
    """One rejected value. ``column`` is empty when the whole line is at fault."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


FULFILLMENTS = ("merchant", "marketplace")
CANCELLERS = ("seller", "buyer", "marketplace", "system")
DEFECT_KINDS = ("feedback", "a_to_z_claim", "chargeback")
#: Valid ``status`` values for each defect ``kind``.
DEFECT_STATUSES: dict[str, tuple[str, ...]] = {
    "feedback": ("active", "removed"),
    "a_to_z_claim": ("open", "granted", "denied", "withdrawn"),
    "chargeback": ("open", "lost", "reversed"),
}
LANGUAGES = ("ja", "en")
#: Deliberately loose: the operational database checks addresses properly; this only
#: catches a shifted CSV column early.
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"

SELLERS = EventFormat(
    kind="sellers",
    key="seller_id",
    description="One row per seller account in one marketplace.",
    columns=(
        Column("seller_id", ColumnType.STRING, "Seller identifier.", required=True),
        Column(
            "marketplace_id",
            ColumnType.STRING,
            "Marketplace the account sells in.",
            required=True,
        ),
        Column("name", ColumnType.STRING, "Display name of the seller.", required=True),
        Column(
            "email",
            ColumnType.STRING,
            "Address that notices are sent to.",
            required=True,
            pattern=EMAIL_PATTERN,
            max_length=254,
        ),
        Column(
            "language",
            ColumnType.STRING,
            "Language of notices.",
            required=True,
            values=LANGUAGES,
        ),
        Column("registered_at", ColumnType.TIMESTAMP, "When the account opened.", required=True),
    ),
)

ORDERS = EventFormat(
    kind="orders",
    key="order_id",
    description=(
        "One row per order; a later row for the same order_id (greater updated_at) replaces it."
    ),
    columns=(
        Column("order_id", ColumnType.STRING, "Order identifier, unique.", required=True),
        Column("seller_id", ColumnType.STRING, "Seller; must be known.", required=True),
        Column(
            "marketplace_id",
            ColumnType.STRING,
            "Marketplace; must be the seller's.",
            required=True,
        ),
        Column("purchased_at", ColumnType.TIMESTAMP, "When the buyer ordered.", required=True),
        Column(
            "fulfillment",
            ColumnType.STRING,
            "Who ships: the seller (merchant, MFN) or the marketplace (AFN).",
            required=True,
            values=FULFILLMENTS,
        ),
        Column(
            "ship_by",
            ColumnType.TIMESTAMP,
            "Latest expected ship time; required for merchant orders.",
        ),
        Column("shipped_at", ColumnType.TIMESTAMP, "Ship confirmation."),
        Column("tracking_id", ColumnType.STRING, "Carrier tracking number."),
        Column("first_scan_at", ColumnType.TIMESTAMP, "First physical carrier scan."),
        Column("deliver_by", ColumnType.TIMESTAMP, "Promised delivery time."),
        Column("delivered_at", ColumnType.TIMESTAMP, "Actual delivery."),
        Column(
            "cancelled_at",
            ColumnType.TIMESTAMP,
            "Cancellation time; given together with cancelled_by.",
        ),
        Column(
            "cancelled_by",
            ColumnType.STRING,
            "Who cancelled (system: auto-cancelled for unconfirmed shipment).",
            values=CANCELLERS,
        ),
        Column("units", ColumnType.INTEGER, "Units ordered.", minimum=1, default=1),
        Column("updated_at", ColumnType.TIMESTAMP, "Version of this row.", required=True),
    ),
)

DEFECTS = EventFormat(
    kind="defects",
    key="defect_id",
    description=(
        "One row per feedback, A-to-z claim or chargeback; a later row for the same "
        "defect_id (greater updated_at) replaces it."
    ),
    columns=(
        Column("defect_id", ColumnType.STRING, "Defect identifier, unique.", required=True),
        Column("order_id", ColumnType.STRING, "Order; must be in the store.", required=True),
        Column(
            "kind",
            ColumnType.STRING,
            "What the defect is.",
            required=True,
            values=DEFECT_KINDS,
        ),
        Column("occurred_at", ColumnType.TIMESTAMP, "When it was received.", required=True),
        Column(
            "rating",
            ColumnType.INTEGER,
            "Feedback stars; required for feedback, absent otherwise.",
            minimum=1,
            maximum=5,
        ),
        Column(
            "status",
            ColumnType.STRING,
            "Current state; the valid values depend on kind.",
            required=True,
            values=tuple(dict.fromkeys(s for v in DEFECT_STATUSES.values() for s in v)),
        ),
        Column("updated_at", ColumnType.TIMESTAMP, "Version of this row.", required=True),
    ),
)

FORMATS: dict[EventKind, EventFormat] = {"sellers": SELLERS, "orders": ORDERS, "defects": DEFECTS}

#: RFC 3339 / ISO 8601 date-time with a mandatory offset (``T`` or a space between date
#: and time). The same string without the offset is the most common mistake, so it gets
#: its own message.
TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)"
NAIVE_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"


def event_format(kind: str) -> EventFormat:
    """The format of ``kind``, or an error naming the valid kinds."""
    if kind not in FORMATS:
        raise EventFormatError(
            N_("error.events.unknown_event_kind"), kind=kind, expected=str(EVENT_KINDS)
        )
    return FORMATS[kind]


def _column_schema(column: Column) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": column.description}
    if column.type is ColumnType.TIMESTAMP:
        schema.update(type="string", format="date-time", pattern=f"^{TIMESTAMP_PATTERN}$")
    elif column.type is ColumnType.INTEGER:
        schema["type"] = "integer"
        if column.minimum is not None:
            schema["minimum"] = column.minimum
        if column.maximum is not None:
            schema["maximum"] = column.maximum
        if column.default is not None:
            schema["default"] = column.default
    else:
        schema.update(type="string", minLength=1, maxLength=column.max_length)
        if column.values:
            schema["enum"] = list(column.values)
        if column.pattern:
            schema["pattern"] = f"^{column.pattern}$"
    if not column.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _conditional_rules(kind: EventKind) -> list[dict[str, Any]]:
    """Cross-column rules, the JSON Schema twin of the checks in ``validation.py``."""
    if kind == "orders":
        return [
            {
                "if": {"properties": {"fulfillment": {"const": "merchant"}}},
                "then": {"required": ["ship_by"], "properties": {"ship_by": {"type": "string"}}},
            },
            {
                "if": {
                    "required": ["cancelled_at"],
                    "properties": {"cancelled_at": {"type": "string"}},
                },
                "then": {
                    "required": ["cancelled_by"],
                    "properties": {"cancelled_by": {"type": "string"}},
                },
            },
            {
                "if": {
                    "required": ["cancelled_by"],
                    "properties": {"cancelled_by": {"type": "string"}},
                },
                "then": {
                    "required": ["cancelled_at"],
                    "properties": {"cancelled_at": {"type": "string"}},
                },
            },
        ]
    if kind == "defects":
        rules: list[dict[str, Any]] = [
            {
                "if": {"properties": {"kind": {"const": defect_kind}}},
                "then": {"properties": {"status": {"enum": list(statuses)}}},
            }
            for defect_kind, statuses in DEFECT_STATUSES.items()
        ]
        rules.append(
            {
                "if": {"properties": {"kind": {"const": "feedback"}}},
                "then": {"required": ["rating"], "properties": {"rating": {"type": "integer"}}},
                "else": {"properties": {"rating": {"type": "null"}}},
            }
        )
        return rules
    return []


def json_schema(kind: EventKind) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one row of ``kind``, as a JSON Lines object."""
    fmt = FORMATS[kind]
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Kenzen {kind} event",
        "description": fmt.description,
        "type": "object",
        "required": [c.name for c in fmt.columns if c.required],
        "properties": {c.name: _column_schema(c) for c in fmt.columns},
        "additionalProperties": False,
    }
    rules = _conditional_rules(kind)
    if rules:
        schema["allOf"] = rules
    return schema
