"""E-mail over SMTP with the standard library: build the MIME message from an outbox row, and send it.

The message is ``multipart/mixed``: a ``multipart/alternative`` with the plain text first and the HTML
second, then the visit's calendar file. Reminder and notice mails carry a one-click unsubscribe link
(RFC 8058: ``List-Unsubscribe`` with an HTTPS URL and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``).
The ``Message-ID`` is derived from the idempotency key, so even a copy the network duplicated is one
message to the recipient's mail program.

:func:`send_email` says how a send ended by what it raises: nothing means the server accepted the
message (SMTP moves responsibility at the ``250`` after ``DATA``; a failure while saying goodbye after
that changes nothing); :class:`TemporaryFailure` means it did not accept it and a retry may work
(``4xx`` replies, a refused or dropped connection, a timeout); :class:`PermanentFailure` is a ``5xx``
refusal that no retry will change (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import datetime
import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr

from msinfusion.db.comms_models import OutboxMessage
from msinfusion.outbox.config import MailConfig

# RFC 5322 allows 998 characters per line; with the default 78 a long unsubscribe URL (one unbreakable
# word) would be turned into RFC 2047 encoded-words, which mail programs do not read as a URL.
POLICY = SMTP_POLICY.clone(max_line_length=998)


class DeliveryFailure(Exception):
    """The mail server did not accept the message."""


class TemporaryFailure(DeliveryFailure):
    """Not accepted this time (4xx, connection refused or dropped, timeout): try again later."""


class PermanentFailure(DeliveryFailure):
    """Refused for good (5xx): trying again would not help."""


def message_id(key: str, sender: str) -> str:
    """A ``Message-ID`` that is the same for every attempt of one outbox key."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_email(row: OutboxMessage, config: MailConfig, now: datetime.datetime) -> EmailMessage:
    """The MIME message for one outbox row."""
    message = EmailMessage(policy=POLICY)
    message["From"] = config.sender
    message["To"] = Address(addr_spec=row.recipient)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(row.idempotency_key, config.sender)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in sorted(row.headers.items()):
        message[name] = value
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    if row.attachment is not None:
        message.add_attachment(
            row.attachment,
            maintype="text",
            subtype="calendar",
            filename=row.attachment_name or "visit.ics",
            params={"method": "PUBLISH"},
        )
    # Set last: turning the message multipart moves every Content-* header into the first part.
    message["Content-Language"] = row.language
    return message


def _classify(code: int, text: bytes | str) -> DeliveryFailure:
    reply = text.decode(errors="replace") if isinstance(text, bytes) else text
    reason = f"{code} {reply}".strip()
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


def send_email(config: MailConfig, message: EmailMessage) -> None:
    """Hand ``message`` to the configured mail server; raises :class:`DeliveryFailure` unless accepted."""
    client = smtplib.SMTP(timeout=config.smtp_timeout_seconds)
    try:
        client.connect(config.smtp_host, config.smtp_port)
        if config.smtp_starttls:
            client.starttls(context=ssl.create_default_context())
        if config.smtp_username:
            client.login(config.smtp_username, config.smtp_password)
        client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        raise _classify(code, text) from None
    except smtplib.SMTPResponseException as exc:
        raise _classify(exc.smtp_code, exc.smtp_error) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise TemporaryFailure(f"the mail server closed the connection before accepting: {exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"could not reach the mail server: {exc.__class__.__name__}: {exc}") from None
    finally:
        _close(client)


def _close(client: smtplib.SMTP) -> None:
    """Say goodbye if the connection still stands; after acceptance, a failure here changes nothing."""
    try:
        if client.sock is not None:
            client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
