"""The policy file: loaded, validated and hashed in one place.

An operator edits TOML, so every mistake must come back as one line that names the key
path and the reason; a policy that fails to load is never partly applied (the caller keeps
the previous one). ``Policy.version`` is the SHA-256 of the file's bytes, so every decision
can say exactly which text it was made under.
"""

from __future__ import annotations

import enum
import hashlib
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from kenzen.errors import InvalidInput
from kenzen.i18n import N_, Message, labels
from kenzen.metrics.definitions import DEFINITIONS, METRIC_NAMES
from kenzen.metrics.report import POLICY_COUNTERS
from kenzen.policy import cel
from kenzen.policy.rules import RuleKind, parse_rule

#: Violation categories: the SP-API report's ten policy counters, then the two that Seller
#: Central shows without a report field (reference §2.1, §4).
CATEGORIES: tuple[str, ...] = (
    *POLICY_COUNTERS,
    "customerProductReviewsPolicyViolations",
    "policyWarnings",
)
LANGUAGES = ("ja", "en")


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Band(enum.StrEnum):
    HEALTHY = "HEALTHY"
    AT_RISK = "AT_RISK"
    UNHEALTHY = "UNHEALTHY"


#: The titles of the rating band rules (``rating.bands.<band>``; message ids).
BAND_RULE_TITLES = labels(
    Band,
    {
        Band.HEALTHY: N_("rule.rating.bands.HEALTHY"),
        Band.AT_RISK: N_("rule.rating.bands.AT_RISK"),
        Band.UNHEALTHY: N_("rule.rating.bands.UNHEALTHY"),
    },
)


class ActionKind(enum.StrEnum):
    """What a rule may demand, in the order a decision lists them."""

    RECORD_VIOLATION = "RECORD_VIOLATION"
    WARN = "WARN"
    RESTRICT_MERCHANT_LISTINGS = "RESTRICT_MERCHANT_LISTINGS"
    SET_AT_RISK = "SET_AT_RISK"
    DEACTIVATE = "DEACTIVATE"


#: How a seller reads each action (message ids).
ACTION_NAMES: dict[ActionKind, str] = {
    ActionKind.RECORD_VIOLATION: N_("action.RECORD_VIOLATION"),
    ActionKind.WARN: N_("action.WARN"),
    ActionKind.RESTRICT_MERCHANT_LISTINGS: N_("action.RESTRICT_MERCHANT_LISTINGS"),
    ActionKind.SET_AT_RISK: N_("action.SET_AT_RISK"),
    ActionKind.DEACTIVATE: N_("action.DEACTIVATE"),
}

#: The kinds a policy file may name (a violation is recorded through ``counts_as``).
Demand = Literal["WARN", "RESTRICT_MERCHANT_LISTINGS", "SET_AT_RISK", "DEACTIVATE"]


class ReviewMode(enum.StrEnum):
    """Who decides that an action is taken."""

    AUTOMATIC = "automatic"
    """Kenzen applies it as soon as the policy demands it."""
    SPECIALIST = "specialist"
    """Kenzen proposes it; one Account Specialist confirms or rejects."""
    FOUR_EYES = "four_eyes"
    """Kenzen proposes it; two different Account Specialists must confirm."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonNegative = Annotated[int, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]


class SellerText(_Model):
    """Seller-facing wording of a violation category in one language."""

    title: Text
    explanation: Text
    what_to_do: Text


class ViolationCategory(_Model):
    severity: Severity
    points: NonNegative
    repeat_multiplier: Annotated[Decimal, Field(ge=1)]
    memory_days: Annotated[int, Field(gt=0)] = 180
    suppresses_listing: bool = False
    text: dict[Literal["ja", "en"], SellerText]

    @model_validator(mode="after")
    def _both_languages(self) -> ViolationCategory:
        missing = [lang for lang in LANGUAGES if lang not in self.text]
        if missing:
            raise ValueError(f"text: missing language(s) {', '.join(missing)}")
        return self


class MetricRule(_Model):
    """What a metric's ``BAD`` status leads to."""

    on_bad: tuple[Demand, ...] = ()
    counts_as: str | None = None

    @model_validator(mode="after")
    def _known_category(self) -> MetricRule:
        if self.counts_as is not None and self.counts_as not in CATEGORIES:
            raise ValueError(f"counts_as: unknown violation category {self.counts_as!r}")
        return self


def _in_both_languages(texts: dict[Literal["ja", "en"], str]) -> dict[Literal["ja", "en"], str]:
    missing = [lang for lang in LANGUAGES if lang not in texts]
    if missing:
        raise ValueError(f"missing language(s) {', '.join(missing)}")
    return texts


#: A seller-facing title in Japanese and English (``title = { ja = "…", en = "…" }``).
Title = Annotated[dict[Literal["ja", "en"], Text], AfterValidator(_in_both_languages)]


class Cap(_Model):
    """A hard limit on active violations of one category, independent of the rating."""

    title: Title
    category: str
    at_least: Annotated[int, Field(gt=0)]
    actions: tuple[Demand, ...]

    @model_validator(mode="after")
    def _known_category(self) -> Cap:
        if self.category not in CATEGORIES:
            raise ValueError(f"category: unknown violation category {self.category!r}")
        return self


class BandRule(_Model):
    min: NonNegative
    actions: tuple[Demand, ...] = ()


class Bands(_Model):
    HEALTHY: BandRule
    AT_RISK: BandRule
    UNHEALTHY: BandRule


class RatingRules(_Model):
    start: NonNegative = 200
    floor_without_violations: NonNegative = 200
    minimum: NonNegative = 0
    maximum: Annotated[int, Field(gt=0)] = 1000
    order_bonus_points: NonNegative = 4
    order_bonus_per: Annotated[int, Field(gt=0)] = 200
    order_window_days: Annotated[int, Field(gt=0)] = 180
    bands: Bands

    @model_validator(mode="after")
    def _consistent(self) -> RatingRules:
        if not self.minimum <= self.start <= self.maximum:
            raise ValueError("start: must lie between minimum and maximum")
        b = self.bands
        if not b.HEALTHY.min > b.AT_RISK.min > b.UNHEALTHY.min == self.minimum:
            raise ValueError(
                "bands: need HEALTHY.min > AT_RISK.min > UNHEALTHY.min == rating minimum"
            )
        return self


class Rule(_Model):
    """An operator's condition in CEL over a seller's metrics and counts."""

    title: Title
    when: Text
    actions: tuple[Demand, ...]
    description: str = ""


class CallbackRules(_Model):
    """Fair use of the callback line: how many calls a seller may have booked and not yet
    held, for one case and in all (one seller once filled two weeks of slots)."""

    open_per_case: Annotated[int, Field(ge=1)] = 1
    open_per_seller: Annotated[int, Field(ge=1)] = 2


class AssuranceRules(_Model):
    """Account Health Assurance (reference §1.3): who is protected, and how long a protected
    seller whose deactivation is proposed has to work with us before it can be confirmed."""

    min_rating: NonNegative = 250
    """The rating a protected seller keeps day after day."""
    window_days: Annotated[int, Field(gt=0)] = 180
    """The days looked back on ("for at least 6 months")."""
    max_days_below: NonNegative = 10
    """Days of the window allowed below ``min_rating`` (or without a rating)."""
    require_emergency_phone: bool = True
    """A valid emergency contact number must be on file."""
    response_hours: Annotated[int, Field(gt=0)] = 72
    """How long the seller has to work with us after the notice (and after a completed
    call, if that ends later)."""
    bypass_categories: tuple[str, ...] = (
        "productSafetyCustomerComplaints",
        "foodAndProductSafetyIssues",
    )
    """Violation categories whose deactivation skips the protection."""

    @model_validator(mode="after")
    def _consistent(self) -> AssuranceRules:
        if self.max_days_below >= self.window_days:
            raise ValueError("max_days_below: must be less than window_days")
        unknown = [c for c in self.bypass_categories if c not in CATEGORIES]
        if unknown:
            raise ValueError(
                f"bypass_categories: unknown violation category(ies) {', '.join(unknown)}"
            )
        return self


#: The longest decision target a policy may set: a target past a year promises nothing.
MAX_TARGET_HOURS = 24 * 366
TargetHours = Annotated[int, Field(ge=1, le=MAX_TARGET_HOURS)]


class DeadlineRules(_Model):
    """How long each decision may take (DSA Art. 16/20 ask for decisions "without undue
    delay"; the seller is shown the due time, and staff are told once when it passes)."""

    appeal_decision_hours: TargetHours = 48
    dispute_decision_hours: TargetHours = 5 * 24
    retraction_answer_hours: TargetHours = 10 * 24
    proposal_decision_hours: TargetHours = 96
    """An assured seller has ``[assurance] response_hours`` (72) to work with us before its
    deactivation can be confirmed; the default leaves the specialists a day after that."""
    callback_days_after_booked: Annotated[int, Field(ge=0, le=30)] = 0
    """A callback is due by the end of its booked day in the marketplace's time zone, plus
    this many days."""


class NotifierRules(_Model):
    """Rights owners whose notices are often unfounded (EU DSA Art. 23): past
    ``hold_after_invalid`` complaints found invalid within ``window_days``, an owner's new
    complaints wait for a specialist before they count."""

    window_days: Annotated[int, Field(gt=0)] = 180
    hold_after_invalid: Annotated[int, Field(ge=1)] = 3


#: Who decides each action unless the policy says otherwise: a deactivation is a specialist's.
DEFAULT_REVIEWS: dict[str, ReviewMode] = {
    "WARN": ReviewMode.AUTOMATIC,
    "RESTRICT_MERCHANT_LISTINGS": ReviewMode.AUTOMATIC,
    "SET_AT_RISK": ReviewMode.AUTOMATIC,
    "DEACTIVATE": ReviewMode.SPECIALIST,
}


class ReviewRules(_Model):
    """Which actions people decide: Amazon treats a seller below the line as *eligible* for
    deactivation and a specialist decides, and the EU Digital Services Act (Art. 20(6))
    forbids deciding complaints by automated means alone."""

    actions: dict[Demand, ReviewMode] = {}
    """Per action; an action left out keeps its default (:data:`DEFAULT_REVIEWS`)."""
    four_eyes_orders: Annotated[int, Field(gt=0)] = 500
    """A reviewed action needs two specialists for a seller with at least this many orders
    fulfilled in the rating's order window (180 days)."""

    def mode_of(self, kind: str) -> ReviewMode:
        """How the policy has ``kind`` decided (``RECORD_VIOLATION`` is always automatic)."""
        chosen = {str(k): mode for k, mode in self.actions.items()}
        return chosen.get(kind, DEFAULT_REVIEWS.get(kind, ReviewMode.AUTOMATIC))


class PolicyDocument(_Model):
    rating: RatingRules
    metrics: dict[str, MetricRule] = {}
    violations: dict[str, ViolationCategory]
    caps: dict[str, Cap] = {}
    rules: dict[str, Rule] = {}
    callbacks: CallbackRules = CallbackRules()
    assurance: AssuranceRules = AssuranceRules()
    deadlines: DeadlineRules = DeadlineRules()
    notifiers: NotifierRules = NotifierRules()
    review: ReviewRules = ReviewRules()

    @model_validator(mode="after")
    def _known_keys(self) -> PolicyDocument:
        unknown = sorted(set(self.metrics) - set(DEFINITIONS))
        if unknown:
            raise ValueError(f"metrics: unknown metric(s) {', '.join(unknown)}")
        unknown = sorted(set(self.violations) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"violations: unknown category(ies) {', '.join(unknown)}")
        missing = [c for c in CATEGORIES if c not in self.violations]
        if missing:
            raise ValueError(f"violations: missing category(ies) {', '.join(missing)}")
        if not self.rating.minimum <= self.assurance.min_rating <= self.rating.maximum:
            raise ValueError(
                "assurance.min_rating: must lie between the rating's minimum and maximum"
            )
        return self


@dataclass(frozen=True)
class Policy:
    """A validated policy with its compiled CEL rules and its content hash."""

    document: PolicyDocument
    version: str
    """SHA-256 of the file's bytes (hex): what every decision records."""
    programs: dict[str, cel.Program]

    @property
    def short_version(self) -> str:
        """First 12 hex digits of :attr:`version`, for messages and listings."""
        return self.version[:12]

    @property
    def rating(self) -> RatingRules:
        return self.document.rating

    @property
    def violations(self) -> dict[str, ViolationCategory]:
        return self.document.violations

    def band_for(self, value: int) -> Band:
        bands = self.document.rating.bands
        if value >= bands.HEALTHY.min:
            return Band.HEALTHY
        if value >= bands.AT_RISK.min:
            return Band.AT_RISK
        return Band.UNHEALTHY

    def band_rule(self, band: Band) -> BandRule:
        rule: BandRule = getattr(self.document.rating.bands, band.value)
        return rule

    def rule_title(self, name: str) -> Message | dict[str, str]:
        """What a rule (``metrics.…``, ``violations.…``, ``caps.…``, ``rules.…``,
        ``rating.bands.…``) is about, in words a seller reads — never the rule's name."""
        rule = parse_rule(name)
        if rule is None:
            raise KeyError(f"no rule {name!r} in the policy")
        if rule.kind is RuleKind.METRIC:
            return Message(METRIC_NAMES[rule.key])
        if rule.kind is RuleKind.BAND:
            return Message(BAND_RULE_TITLES[Band(rule.key)])
        if rule.kind is RuleKind.VIOLATION:
            return {lang: text.title for lang, text in self.violations[rule.key].text.items()}
        titled = self.document.caps if rule.kind is RuleKind.CAP else self.document.rules
        return {str(lang): text for lang, text in titled[rule.key].title.items()}


def _describe(error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        # pydantic marks a bad dict key with an extra "[key]" step; the key itself names it
        path = ".".join(str(part) for part in e["loc"] if part != "[key]")
        reason = e["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {reason}" if path else reason)
    return "; ".join(lines)


def parse_policy(text: str) -> Policy:
    """Validate policy TOML; raise :class:`InvalidInput` naming the key path and reason."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(N_("error.policy.not_valid_toml"), error=str(e)) from e
    try:
        document = PolicyDocument.model_validate(raw)
    except ValidationError as e:
        raise InvalidInput(N_("error.policy.invalid"), problems=_describe(e)) from e
    programs = {
        name: cel.compile_rule(f"rules.{name}.when", rule.when, CATEGORIES)
        for name, rule in document.rules.items()
    }
    return Policy(
        document=document,
        version=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        programs=programs,
    )


def load_policy(path: str | Path | None = None) -> Policy:
    """Load the operator's policy file, or the default shipped with Kenzen."""
    if path is None:
        text = resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as e:
            raise InvalidInput(
                N_("error.policy.unreadable"), path=str(path), strerror=str(e.strerror)
            ) from e
    return parse_policy(text)


class PolicyHolder:
    """The policy in force. A replacement that fails validation is refused with the key and
    the reason, and the previous policy stays in force."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.current = load_policy(path)

    def reload(self) -> Policy:
        self.current = load_policy(self.path)
        return self.current
