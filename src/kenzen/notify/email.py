"""The notice as an email: one sender per marketplace, text and HTML in the recipient's
language, DKIM-signed with every current key of the sending domain.

Rendering depends only on stored rows (the notice, its case entry and seller, or a rights
owner's notice and its stored message), and the Date
and Message-ID come from the notice, so a notice sent twice is the same message twice.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dkim  # type: ignore[import-untyped]
from babel.dates import format_datetime as babel_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kenzen import i18n
from kenzen.cases.models import Case, CaseEntry
from kenzen.identity.models import User
from kenzen.notify.keys import DkimKey
from kenzen.notify.sender import NOTICE_ID_HEADER, message_id, sender_for
from kenzen.outbox.models import Notice
from kenzen.sellers.models import Marketplace, Seller
from kenzen.text import header_text

TEMPLATES_DIR = Path(__file__).parent / "templates"
CASE_ID_HEADER = "X-Kenzen-Case-Id"
SIGNED_HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "x-kenzen-notice-id",
    "x-kenzen-case-id",
    "mime-version",
    "content-type",
    "content-language",
    "auto-submitted",
)
OVERSIGNED_HEADERS = ("from", "subject", "x-kenzen-notice-id")
"""Signed once more than they occur, so adding a second one breaks the signature."""

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
i18n.install(_environment)


def render_notice(
    notice: Notice, entry: CaseEntry, case: Case, seller: Seller, marketplace: Marketplace
) -> bytes:
    """A seller's notice of a case entry: the unsigned message, CRLF line endings, ready
    for ``sign``."""
    language = notice.language.value
    zone = ZoneInfo(marketplace.time_zone)
    title = case.title_in(language)
    return _message(
        notice,
        marketplace,
        subject=i18n.t("mail.subject", language, title=title, case_id=case.id),
        context={
            "recipient_name": seller.display_name,
            "text": entry.text_in(language),
            "case_id": case.id,
            "case_title": title,
            "at": babel_datetime(entry.at, format="long", tzinfo=zone, locale=language),
            "deadline": (
                babel_datetime(case.deadline, format="long", tzinfo=zone, locale=language)
                if case.deadline
                else None
            ),
            "where_to_check": i18n.N_("mail.how_to_verify"),
        },
        headers={CASE_ID_HEADER: str(case.id)},
    )


def render_owner_notice(notice: Notice, owner: User, marketplace: Marketplace) -> bytes:
    """A rights owner's notice, put into words from its own message (an owner has no case
    log; its page lists the same notices)."""
    language = notice.language.value
    assert notice.message is not None, "an owner's notice carries its message"
    zone = ZoneInfo(marketplace.time_zone)
    return _message(
        notice,
        marketplace,
        subject=i18n.t("mail.owner_subject", language, marketplace=marketplace.name),
        context={
            "recipient_name": owner.email,
            "text": notice.message.render(language),
            "case_id": None,
            "case_title": None,
            "at": babel_datetime(notice.created_at, format="long", tzinfo=zone, locale=language),
            "deadline": None,
            "where_to_check": i18n.N_("mail.owner_where_to_check"),
        },
        headers={},
    )


def _message(
    notice: Notice,
    marketplace: Marketplace,
    *,
    subject: str,
    context: dict[str, object],
    headers: dict[str, str],
) -> bytes:
    """The message both kinds of notice share: sender, ids, date, text and HTML parts."""
    language = notice.language.value
    sender = sender_for(marketplace)
    context = {
        **context,
        "lang": language,
        "marketplace_name": marketplace.name,
        "notice_id": notice.id,
        "sender": sender.address,
    }
    message = EmailMessage(policy=SMTP)
    message["From"] = sender.header
    message["To"] = ", ".join(notice.recipients)
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = message_id(notice.id, sender)
    message[NOTICE_ID_HEADER] = notice.id
    for name, value in headers.items():
        message[name] = value
    message["Auto-Submitted"] = "auto-generated"
    text = _environment.get_template("notice.txt").render(context)
    html = _environment.get_template("notice.html").render(context)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = language  # after the parts: set_content drops Content-*
    return message.as_bytes()


def sign(message: bytes, keys: list[DkimKey]) -> bytes:
    """Prepend one DKIM-Signature per key (relaxed/relaxed survives relays re-wrapping)."""
    present = {name for name in SIGNED_HEADERS if _has_header(message, name)}
    include = [name for name in SIGNED_HEADERS if name in present]
    include += [name for name in OVERSIGNED_HEADERS if name in present]
    signed = message
    for key in keys:
        header: bytes = dkim.sign(
            message,
            key.selector.encode(),
            key.domain.encode(),
            key.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=key.signature_algorithm,
            include_headers=[name.encode() for name in include],
        )
        signed = header + signed
    return signed


def _has_header(message: bytes, name: str) -> bool:
    head = message.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(name.encode() + b":") or b"\r\n" + name.encode() + b":" in head
