"""Who a marketplace's notices come from, and the headers that name a notice.

Kept apart from the rendering in ``kenzen.notify.email`` so that checking a mail
(``kenzen.notify.verify``) loads no templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formataddr
from typing import Protocol

from kenzen.text import header_text

SENDER_LOCAL_PART = "account-health"
DEFAULT_MAIL_DOMAIN = "mail.kenzen.invalid"
"""Parent of a marketplace's sending domain until an operator sets a real one (the reserved
``.invalid`` top-level domain makes it plain that such mail is for the demo)."""
NOTICE_ID_HEADER = "X-Kenzen-Notice-Id"


class SendingMarketplace(Protocol):
    """What names a marketplace's sender (a ``Marketplace`` row, or a plain read of one)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def mail_domain(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Sender:
    """The one address a marketplace's notices come from."""

    domain: str
    name: str

    @property
    def address(self) -> str:
        return f"{SENDER_LOCAL_PART}@{self.domain}"

    @property
    def header(self) -> str:
        return formataddr((header_text(self.name), self.address))


def sender_for(marketplace: SendingMarketplace) -> Sender:
    label = re.sub(r"[^a-z0-9-]", "-", marketplace.id.lower()).strip("-")
    domain = marketplace.mail_domain or f"{label}.{DEFAULT_MAIL_DOMAIN}"
    return Sender(domain=domain, name=f"{marketplace.name} Account Health")


def message_id(notice_id: str, sender: Sender) -> str:
    """Stable per notice, so a re-sent duplicate is recognisable."""
    return f"<{notice_id}@{sender.domain}>"
