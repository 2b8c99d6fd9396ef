"""Is this mail a genuine notice? The check the seed's author had to do by hand, made certain.

``GENUINE`` needs all of: a DKIM signature that verifies with a key Kenzen holds for the
marketplace's sending domain (looked up locally, never in DNS, so a forged DNS answer cannot
help), that domain equal to the From domain, and a notice id that exists for the seller.
Everything else is ``SUSPICIOUS``, with every reason found. A seller learns nothing about a
notice that is not theirs: it is reported exactly like one that does not exist, and the
checks use the seller's own marketplace, never the other notice's.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

import dkim  # type: ignore[import-untyped]
from dkim.util import parse_tag_value  # type: ignore[import-untyped]

from kenzen import access, i18n
from kenzen.access import Action, Actor, Scope
from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.notify.keys import Keyring
from kenzen.notify.sender import (
    NOTICE_ID_HEADER,
    SENDER_LOCAL_PART,
    Sender,
    SendingMarketplace,
    sender_for,
)

MAX_MESSAGE_BYTES = 900_000
"""Below the API's 1 MiB request limit; strip large attachments before checking."""
REQUIRED_SIGNED_HEADERS = frozenset({"from", "subject", "x-kenzen-notice-id"})
_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]]+""")
_SECOND_LEVEL = frozenset(
    {"co", "ne", "or", "ac", "go", "ad", "ed", "lg", "gr", "com", "net", "org", "gov", "edu"}
)
_CONFUSABLES = str.maketrans(
    {
        "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "i": "l", "|": "l", "!": "l", "@": "a", "$": "s",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "l",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ı": "l", "ⅼ": "l", "ο": "o", "α": "a",
        "ν": "v", "κ": "k", "τ": "t", "ε": "e", "ρ": "p",
    }
)  # fmt: skip
_CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("nn", "m"))


class Verdict(enum.StrEnum):
    GENUINE = "GENUINE"
    SUSPICIOUS = "SUSPICIOUS"


class Reason(enum.StrEnum):
    NOT_A_MESSAGE = "NOT_A_MESSAGE"
    UNREADABLE = "UNREADABLE"
    NO_SIGNATURE = "NO_SIGNATURE"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    SIGNED_BY_OTHER_DOMAIN = "SIGNED_BY_OTHER_DOMAIN"
    SIGNATURE_INCOMPLETE = "SIGNATURE_INCOMPLETE"
    DOMAIN_NOT_ALIGNED = "DOMAIN_NOT_ALIGNED"
    DUPLICATE_HEADER = "DUPLICATE_HEADER"
    SENDER_NOT_MARKETPLACE = "SENDER_NOT_MARKETPLACE"
    DISPLAY_NAME_IMITATION = "DISPLAY_NAME_IMITATION"
    LOOKALIKE_PUNYCODE = "LOOKALIKE_PUNYCODE"
    LOOKALIKE_HOMOGLYPH = "LOOKALIKE_HOMOGLYPH"
    LOOKALIKE_EXTRA_WORDS = "LOOKALIKE_EXTRA_WORDS"
    FOREIGN_LINK = "FOREIGN_LINK"
    NO_NOTICE_ID = "NO_NOTICE_ID"
    NOTICE_NOT_FOUND = "NOTICE_NOT_FOUND"


#: What each reason tells the reader (message ids; ``%(detail)s`` is the finding's detail).
REASON_MESSAGES = i18n.labels(
    Reason,
    {
        Reason.NOT_A_MESSAGE: i18n.N_("verify.NOT_A_MESSAGE"),
        Reason.UNREADABLE: i18n.N_("verify.UNREADABLE"),
        Reason.NO_SIGNATURE: i18n.N_("verify.NO_SIGNATURE"),
        Reason.SIGNATURE_INVALID: i18n.N_("verify.SIGNATURE_INVALID"),
        Reason.SIGNED_BY_OTHER_DOMAIN: i18n.N_("verify.SIGNED_BY_OTHER_DOMAIN"),
        Reason.SIGNATURE_INCOMPLETE: i18n.N_("verify.SIGNATURE_INCOMPLETE"),
        Reason.DOMAIN_NOT_ALIGNED: i18n.N_("verify.DOMAIN_NOT_ALIGNED"),
        Reason.DUPLICATE_HEADER: i18n.N_("verify.DUPLICATE_HEADER"),
        Reason.SENDER_NOT_MARKETPLACE: i18n.N_("verify.SENDER_NOT_MARKETPLACE"),
        Reason.DISPLAY_NAME_IMITATION: i18n.N_("verify.DISPLAY_NAME_IMITATION"),
        Reason.LOOKALIKE_PUNYCODE: i18n.N_("verify.LOOKALIKE_PUNYCODE"),
        Reason.LOOKALIKE_HOMOGLYPH: i18n.N_("verify.LOOKALIKE_HOMOGLYPH"),
        Reason.LOOKALIKE_EXTRA_WORDS: i18n.N_("verify.LOOKALIKE_EXTRA_WORDS"),
        Reason.FOREIGN_LINK: i18n.N_("verify.FOREIGN_LINK"),
        Reason.NO_NOTICE_ID: i18n.N_("verify.NO_NOTICE_ID"),
        Reason.NOTICE_NOT_FOUND: i18n.N_("verify.NOTICE_NOT_FOUND"),
    },
)


@dataclass(frozen=True, slots=True)
class Finding:
    reason: Reason
    detail: str = ""

    def message(self, language: str) -> str:
        return i18n.t(REASON_MESSAGES[self.reason], language, detail=self.detail)


class SentNotice(Protocol):
    """What the check needs to know of a notice Kenzen sent (a rights owner's has no
    seller, case or entry)."""

    @property
    def id(self) -> str: ...
    @property
    def seller_id(self) -> str | None: ...
    @property
    def marketplace_id(self) -> str: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def case_entry_id(self) -> int | None: ...
    @property
    def language(self) -> str: ...


_CaseRead = TypeVar("_CaseRead", covariant=True)
_EntryRead = TypeVar("_EntryRead", covariant=True)
CaseT = TypeVar("CaseT")
EntryT = TypeVar("EntryT")


class NoticeRecords(Protocol[_CaseRead, _EntryRead]):
    """The few records a check reads. The pages and the API read them through the ORM
    (``kenzen.notify.records``); ``kenzen verify`` on SQLite reads them with the standard
    library (``kenzen.notify.sqlite_records``), so it starts without SQLAlchemy."""

    def notice(self, notice_id: str) -> SentNotice | None: ...
    def marketplace(self, marketplace_id: str) -> SendingMarketplace | None: ...
    def marketplace_of_seller(self, seller_id: str) -> SendingMarketplace | None: ...
    def marketplaces(self) -> Iterable[SendingMarketplace]: ...
    def case(self, case_id: int) -> _CaseRead | None: ...
    def entry(self, entry_id: int) -> _EntryRead | None: ...


@dataclass(frozen=True, slots=True)
class Verification(Generic[_CaseRead, _EntryRead]):
    verdict: Verdict
    findings: list[Finding]
    from_address: str | None
    expected_sender: str | None
    notice: SentNotice | None = None
    case: _CaseRead | None = None
    entry: _EntryRead | None = None
    signed_by: list[str] = field(default_factory=list)
    """``domain/selector`` of each signature that verified with the marketplace's key."""

    @property
    def language(self) -> str:
        """The language the notice was sent in: its case entry is shown as the mail said it."""
        return str(self.notice.language) if self.notice else i18n.DEFAULT


# -- domains ---------------------------------------------------------------------------------


def _unicode_label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def _skeleton(text: str) -> str:
    """What a label looks like to a hurried reader: NFKC, lower case, confusables folded."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_CONFUSABLES)
    for pair, single in _CONFUSABLE_PAIRS:
        folded = folded.replace(pair, single)
    return folded


def registrable_label(domain: str) -> str:
    """The label a brand lives in: ``amazon`` in ``mail.amazon.co.jp``. A heuristic in place
    of the Public Suffix List: two-level country suffixes like ``co.jp`` are recognised."""
    labels = domain.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def lookalike_reasons(domain: str, expected: str) -> list[Finding]:
    """Why ``domain`` (not ``expected`` nor below it) may pass for ``expected``."""
    findings: list[Finding] = []
    labels = [_unicode_label(label) for label in domain.split(".")]
    shown = ".".join(labels)
    if any(label.startswith("xn--") for label in domain.split(".")) or not shown.isascii():
        findings.append(Finding(Reason.LOOKALIKE_PUNYCODE, shown))
    brand = registrable_label(expected)
    brand_shape = _skeleton(brand)
    own = _skeleton(_unicode_label(registrable_label(domain)))
    if (own == brand_shape and registrable_label(domain) != brand) or (
        len(brand_shape) >= 4
        and own != brand_shape
        and _edit_distance_at_most_one(own, brand_shape)
    ):
        findings.append(Finding(Reason.LOOKALIKE_HOMOGLYPH, shown))
    elif len(brand_shape) >= 3 and own != brand_shape:
        shapes = [_skeleton(label) for label in labels]
        if any(brand_shape in shape for shape in shapes) or brand_shape in "".join(shapes):
            findings.append(Finding(Reason.LOOKALIKE_EXTRA_WORDS, shown))
    return findings


def _imitates(display_name: str, sender: Sender, marketplace: SendingMarketplace) -> bool:
    shape = _skeleton(display_name).replace(" ", "").replace("-", "")
    marks = {
        registrable_label(sender.domain),
        marketplace.name,
        sender.name,
        "accounthealth",
        "アカウントヘルス",
        "kenzen",
        SENDER_LOCAL_PART,
        sender.domain,
    }
    return any(
        (mark_shape := _skeleton(mark).replace(" ", "").replace("-", "")) and mark_shape in shape
        for mark in marks
    )


# -- message parts -----------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction"} and value:
                self.urls.append(value.strip())

    def handle_data(self, data: str) -> None:
        self.urls.extend(_URL.findall(data))


def link_hosts(message: Message) -> list[str]:
    """Every host a link in a text or HTML part points to, in order, without repeats."""
    urls: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            text = str(part.get_content()) if isinstance(part, EmailMessage) else ""
        except (LookupError, ValueError):  # an unknown charset or a broken encoding
            payload = part.get_payload(decode=True)
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        if part.get_content_subtype() == "html":
            parser = _Links()
            parser.feed(text)
            urls.extend(parser.urls)
        else:
            urls.extend(_URL.findall(text))
    hosts: list[str] = []
    for url in urls:
        candidate = url if "//" in url else "//" + url
        try:
            host = (urlsplit(candidate).hostname or "").rstrip(".")
        except ValueError:
            continue
        if urlsplit(candidate).scheme in {"", "http", "https"} and host and host not in hosts:
            hosts.append(host)
    return hosts


def check_signatures(
    raw: bytes, keyring: Keyring, domain: str | None
) -> tuple[list[str], list[Finding]]:
    """Verify every DKIM signature with Kenzen's own keys for ``domain``.

    Returns the signatures that verified (``domain/selector``) and, when none did, why.
    """
    try:
        parsed = dkim.DKIM(raw)
    except dkim.MessageFormatError:
        return [], [Finding(Reason.NOT_A_MESSAGE, "its header lines cannot be read")]
    headers = [v for n, v in parsed.headers if n.lower() == b"dkim-signature"]
    if not headers:
        return [], [Finding(Reason.NO_SIGNATURE)]

    records: dict[str, str | None] = {}

    def record_of(selector: str) -> str | None:
        """The domain's record for ``selector``, read once per check (RSA keys cost)."""
        if domain is None:
            return None
        if selector not in records:
            records[selector] = keyring.public_record(domain, selector)
        return records[selector]

    def dnsfunc(name: bytes | str, timeout: int = 5) -> bytes | None:
        text = name.decode() if isinstance(name, bytes) else name
        selector, _, rest = text.rstrip(".").partition("._domainkey.")
        if domain is None or rest.lower() != domain:
            return None
        record = record_of(selector)
        return record.encode() if record else None

    verified: list[str] = []
    findings: list[Finding] = []
    for index, header in enumerate(headers):
        try:
            tags: dict[bytes, bytes] = parse_tag_value(header)
        except dkim.DKIMException:
            findings.append(Finding(Reason.SIGNATURE_INVALID, "?"))
            continue
        signer = tags.get(b"d", b"").decode("ascii", "replace").lower()
        selector = tags.get(b"s", b"").decode("ascii", "replace")
        label = f"{signer}/{selector}"
        if domain is None or signer != domain or record_of(selector) is None:
            findings.append(Finding(Reason.SIGNED_BY_OTHER_DOMAIN, label))
            continue
        signed = {h.strip().lower() for h in tags.get(b"h", b"").decode().split(":")}
        if b"l" in tags or not signed >= REQUIRED_SIGNED_HEADERS:
            findings.append(Finding(Reason.SIGNATURE_INCOMPLETE, label))
            continue
        try:
            valid = bool(dkim.DKIM(raw).verify(idx=index, dnsfunc=dnsfunc))
        except dkim.DKIMException:
            valid = False
        if valid:
            verified.append(label)
        else:
            findings.append(Finding(Reason.SIGNATURE_INVALID, label))
    return verified, ([] if verified else findings)


# -- the use case ------------------------------------------------------------------------------


def _visible_notice(
    records: NoticeRecords[object, object], actor: Actor, scope: Scope, notice_id: str
) -> SentNotice | None:
    """The notice, or None when it does not exist or is not the seller's (indistinguishable)."""
    notice = records.notice(notice_id)
    own = (
        notice is not None and notice.seller_id is not None and notice.seller_id == actor.seller_id
    )
    if notice is None or (scope is Scope.OWN and not own):
        return None
    return notice


def _expected_marketplace(
    records: NoticeRecords[object, object],
    actor: Actor,
    scope: Scope,
    notice: SentNotice | None,
    from_domain: str | None,
) -> SendingMarketplace | None:
    if scope is Scope.OWN:
        return records.marketplace_of_seller(actor.seller_id) if actor.seller_id else None
    if notice is not None:
        return records.marketplace(notice.marketplace_id)
    for marketplace in records.marketplaces():
        if from_domain and sender_for(marketplace).domain == from_domain:
            return marketplace
    return None


def verify_notice(
    records: NoticeRecords[CaseT, EntryT], actor: Actor, keyring: Keyring, raw: bytes
) -> Verification[CaseT, EntryT]:
    """Judge a whole message (headers and body, as saved from the mail program); the
    verification carries the notice's case and entry as ``records`` reads them."""
    scope = access.authorize(actor, Action.VERIFY_NOTICE)
    if not raw.strip():
        raise InvalidInput(N_("error.notify.message_must_not_empty"))
    if len(raw) > MAX_MESSAGE_BYTES:
        raise InvalidInput(N_("error.notify.message_most_kb"), limit_kb=MAX_MESSAGE_BYTES // 1000)
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").lstrip()
    message = message_from_bytes(raw, policy=default_policy)
    findings: list[Finding] = []

    froms = message.get_all("From") or []
    notice_ids = message.get_all(NOTICE_ID_HEADER) or []
    for name, values in (("From", froms), (NOTICE_ID_HEADER, notice_ids)):
        if len(values) > 1:
            findings.append(Finding(Reason.DUPLICATE_HEADER, name))
    addresses = getaddresses([str(value) for value in froms])
    display_name, from_address = addresses[0] if addresses else ("", "")
    from_domain = from_address.rpartition("@")[2].lower().rstrip(".") or None
    if not from_address or "@" not in from_address:
        findings.append(Finding(Reason.UNREADABLE, "From"))

    notice_id = str(notice_ids[0]).strip() if notice_ids else ""
    notice = _visible_notice(records, actor, scope, notice_id) if notice_id else None
    marketplace = _expected_marketplace(records, actor, scope, notice, from_domain)
    sender = sender_for(marketplace) if marketplace else None
    expected = sender.domain if sender else None

    signed_by, signature_findings = check_signatures(raw, keyring, expected)
    findings.extend(signature_findings)
    if from_domain and expected and not _within(from_domain, expected):
        findings.append(Finding(Reason.SENDER_NOT_MARKETPLACE, from_domain))
        findings.extend(lookalike_reasons(from_domain, expected))
        if sender and marketplace and _imitates(display_name, sender, marketplace):
            findings.append(Finding(Reason.DISPLAY_NAME_IMITATION, display_name))
    elif from_domain and expected is None:
        findings.append(Finding(Reason.SENDER_NOT_MARKETPLACE, from_domain))
    if signed_by and from_domain != expected:
        findings.append(Finding(Reason.DOMAIN_NOT_ALIGNED, from_domain or ""))

    for host in link_hosts(message):
        if expected is None or not _within(host, expected):
            findings.append(Finding(Reason.FOREIGN_LINK, host))

    if not notice_id:
        findings.append(Finding(Reason.NO_NOTICE_ID))
    elif notice is None or (marketplace and notice.marketplace_id != marketplace.id):
        findings.append(Finding(Reason.NOTICE_NOT_FOUND, notice_id[:64]))
        notice = None

    verdict = Verdict.GENUINE if not findings and signed_by and notice else Verdict.SUSPICIOUS
    return Verification(
        verdict=verdict,
        findings=findings,
        from_address=from_address or None,
        expected_sender=sender.address if sender else None,
        notice=notice,
        case=records.case(notice.case_id) if notice and notice.case_id else None,
        entry=records.entry(notice.case_entry_id) if notice and notice.case_entry_id else None,
        signed_by=signed_by,
    )
