"""Ways a signed message leaves Kenzen: an SMTP relay, or .eml files when there is none.

A transport raises ``TemporaryFailure`` for what may work later (the worker retries with
backoff) and ``PermanentFailure`` for what never will (recorded on the notice). Errors carry
the relay's answer, never the password.

Every transport calls ``hand_over`` at its point of no return and not before: for SMTP just
before the end-of-data line, which is what makes a relay take the message (RFC 5321
§4.1.1.4; a session that ends before it is a transaction the relay drops, §3.8). The worker
records the hand-over there, so it knows which interrupted attempts may have arrived.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kenzen.config import Settings


class DeliveryError(Exception):
    """A delivery did not happen; the message says why (shown to operators)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status a webhook endpoint answered, if it answered."""


class TemporaryFailure(DeliveryError):
    pass


class PermanentFailure(DeliveryError):
    pass


HandOver = Callable[[], None]
"""Called once the message is complete but not yet given up; raising stops the hand-over."""


class Transport(Protocol):
    name: str

    def send(
        self,
        sender: str,
        recipients: list[str],
        message: bytes,
        notice_id: str,
        hand_over: HandOver,
    ) -> None:
        """Hand the message over, calling ``hand_over`` right before the step that cannot be
        taken back, or raise ``TemporaryFailure`` / ``PermanentFailure``."""


@dataclass
class FileTransport:
    """Writes ``<notice id>.eml`` under ``mail_dir``; re-sending replaces the same file."""

    mail_dir: Path
    name: str = "file"

    def send(
        self,
        sender: str,
        recipients: list[str],
        message: bytes,
        notice_id: str,
        hand_over: HandOver,
    ) -> None:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        target = self.mail_dir / f"{notice_id}.eml"
        partial = target.with_suffix(".eml.partial")
        try:
            partial.write_bytes(message)
            hand_over()
            os.replace(partial, target)
        except OSError as error:
            raise TemporaryFailure(f"cannot write {target}: {error.strerror}") from None


class _HandingOverSMTP(smtplib.SMTP):
    """smtplib's client with one step added inside DATA: the message goes out without the
    end-of-data line, ``hand_over`` runs, then the line. If ``hand_over`` raises, the
    connection is closed there, so the relay drops the unfinished transaction."""

    def __init__(self, host: str, port: int, timeout: float, hand_over: HandOver) -> None:
        super().__init__(host, port, timeout=timeout)
        self.hand_over = hand_over

    def data(self, msg: bytes | str) -> tuple[int, bytes]:  # type: ignore[override]  # sendmail passes bytes
        assert isinstance(msg, bytes)  # sendmail has encoded it
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        stuffed = re.sub(rb"(?m)^\.", b"..", msg)  # dot-stuffing, RFC 5321 §4.5.2
        self.send(stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n")
        try:
            self.hand_over()
        except BaseException:
            self.close()
            raise
        self.send(b".\r\n")
        return self.getreply()


@dataclass
class SmtpTransport:
    """Delivers through a relay; STARTTLS (certificate checked) and login when configured."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None
    name: str = "smtp"

    def send(
        self,
        sender: str,
        recipients: list[str],
        message: bytes,
        notice_id: str,
        hand_over: HandOver,
    ) -> None:
        try:
            with _HandingOverSMTP(self.host, self.port, self.timeout, hand_over) as client:
                client.ehlo()
                if self.starttls:
                    client.starttls(context=self.ssl_context or ssl.create_default_context())
                    client.ehlo()
                if self.username is not None:
                    client.login(self.username, self.password or "")
                refused = client.sendmail(sender, recipients, message)
        except smtplib.SMTPRecipientsRefused as error:
            raise _classify(
                min(code for code, _ in error.recipients.values()),
                "every recipient was refused: "
                + "; ".join(f"{r} {c}" for r, (c, _) in error.recipients.items()),
            ) from None
        except smtplib.SMTPAuthenticationError as error:
            # Kenzen's credentials are wrong, not the notice: keep it until they are fixed.
            raise TemporaryFailure(f"the relay refused the login ({error.smtp_code})") from None
        except smtplib.SMTPNotSupportedError as error:
            raise TemporaryFailure(f"the relay does not support {error}") from None
        except smtplib.SMTPResponseException as error:
            raise _classify(error.smtp_code, _text(error.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"cannot reach {self.host}:{self.port}: {error}") from None
        if refused:
            # Some recipients took it: a retry would duplicate it for them, so record the rest.
            raise PermanentFailure(
                "refused for " + "; ".join(f"{r} {c}" for r, (c, _) in refused.items())
            )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _classify(code: int, detail: str) -> DeliveryError:
    """RFC 5321: 4yz may succeed later, 5yz never will."""
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {detail}")
    return TemporaryFailure(f"{code} {detail}")


def transport_for(settings: Settings) -> Transport:
    """SMTP when ``KENZEN_SMTP_HOST`` is set; otherwise .eml files under the mail folder."""
    if not settings.smtp_host:
        return FileTransport(settings.mail_dir)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpTransport(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
    )
