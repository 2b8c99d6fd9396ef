"""The notice as an email: one sender per marketplace, text and HTML in the seller's language,
DKIM-signed with every current key of the sending domain.

Rendering depends only on stored rows (the notice, its case entry, the seller), and the Date
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
    """The unsigned message, CRLF line endings, ready for ``sign``."""
    language = notice.language.value
    sender = sender_for(marketplace)
    zone = ZoneInfo(marketplace.time_zone)
    context = {
        "lang": language,
        "seller_name": seller.display_name,
        "marketplace_name": marketplace.name,
        "text": entry.text_in(language),
        "case_id": case.id,
        "case_title": case.title_in(language),
        "at": babel_datetime(entry.at, format="long", tzinfo=zone, locale=language),
        "deadline": (
            babel_datetime(case.deadline, format="long", tzinfo=zone, locale=language)
            if case.deadline
            else None
        ),
        "notice_id": notice.id,
        "sender": sender.address,
    }
    message = EmailMessage(policy=SMTP)
    message["From"] = sender.header
    message["To"] = ", ".join(notice.recipients)
    title = case.title_in(language)
    subject = i18n.t("mail.subject", language, title=title, case_id=case.id)
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = message_id(notice.id, sender)
    message[NOTICE_ID_HEADER] = notice.id
    message[CASE_ID_HEADER] = str(case.id)
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
