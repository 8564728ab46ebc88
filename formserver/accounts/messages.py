"""Outbound messages to applicants over e-mail and WhatsApp, with a file outbox for development.

Channels are registered by name (``"email"``, ``"whatsapp"``) and built from a plain config
mapping. A channel whose delivery settings are missing writes to ``<DATA_DIR>/outbox/`` instead,
so a developer can read what would have been sent (see :func:`read_outbox`).
"""
from __future__ import annotations

import contextvars
import dataclasses
import email.utils
import http.client
import json
import logging
import os
import re
import secrets
import smtplib
import ssl
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger("formserver.messages")

TIMEOUT_SECONDS = 10
DEFAULT_MAIL_FROM = "formserver <noreply@localhost>"
DEFAULT_WHATSAPP_API_URL = "https://graph.facebook.com/v21.0"
OUTBOX_DIR = "outbox"
EMAIL_SUFFIX = ".eml"
WHATSAPP_SUFFIX = ".whatsapp.json"


@dataclass(frozen=True)
class Message:
    """A plain-text message to one recipient (e-mail address or phone number)."""

    to: str
    subject: str
    body: str


class DeliveryError(Exception):
    """A channel could not deliver a message."""


# --- channel registry -------------------------------------------------------------------------

CHANNELS: dict[str, type] = {}


def channel(name: str):
    """Register a channel class under ``name``."""

    def register(cls):
        if name in CHANNELS:
            raise ValueError(f"channel {name!r} is already registered")
        cls.name = name
        CHANNELS[name] = cls
        return cls

    return register


def _setting(config: Mapping, key: str, default: str = "") -> str:
    """A config value as a stripped string; missing, None and blank mean ``default``."""
    value = config.get(key)
    text = "" if value is None else str(value).strip()
    return text or default


# --- development outbox -----------------------------------------------------------------------


def _outbox_dir(config: Mapping) -> Path:
    """The outbox directory for ``config``; DATA_DIR is required to use it."""
    data_dir = _setting(config, "DATA_DIR")
    if not data_dir:
        raise ValueError("DATA_DIR must be set to write messages to the development outbox")
    return Path(data_dir) / OUTBOX_DIR


def _outbox_name(suffix: str) -> str:
    """A unique file name that sorts by creation time."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{secrets.token_hex(4)}{suffix}"


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` so readers never see a partial file."""
    directory.mkdir(parents=True, exist_ok=True)
    # The temporary name starts with a dot and ends in .tmp so read_outbox skips it.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        target = directory / name
        os.replace(tmp, target)
        return target
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_outbox(data_dir: str | os.PathLike) -> list[dict]:
    """Messages in the development outbox, oldest first, as dicts (to, subject, body, channel, path)."""
    directory = Path(data_dir) / OUTBOX_DIR
    if not directory.is_dir():
        return []
    entries = []
    # File names start with a UTC timestamp, so name order is creation order.
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if path.name.endswith(WHATSAPP_SUFFIX):
            entries.append(_read_whatsapp_file(path))
        elif path.name.endswith(EMAIL_SUFFIX):
            entries.append(_read_email_file(path))
    return entries


def _read_email_file(path: Path) -> dict:
    """An outbox .eml file as a dict."""
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    body = parsed.get_body(preferencelist=("plain",))
    return {
        "channel": "email",
        "to": str(parsed["To"] or ""),
        "subject": str(parsed["Subject"] or ""),
        "body": body.get_content() if body is not None else "",
        "path": str(path),
    }


def _read_whatsapp_file(path: Path) -> dict:
    """An outbox WhatsApp JSON file as a dict."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "channel": "whatsapp",
        "to": data.get("to", ""),
        "subject": data.get("subject", ""),
        "body": data.get("body", ""),
        "path": str(path),
    }


# --- e-mail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect to the SMTP server."""

    security: str  # "plain", "tls" (implicit, smtps) or "starttls"
    host: str
    port: int
    user: str = ""
    password: str = ""


# scheme -> (security, default port)
SMTP_SCHEMES = {
    "smtp": ("plain", 25),
    "smtps": ("tls", 465),
    "smtp+starttls": ("starttls", 587),
}


def parse_smtp_url(url: str) -> SmtpSettings:
    """Parse ``smtp://``, ``smtps://`` or ``smtp+starttls://[user:password@]host[:port]``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SMTP_SCHEMES:
        # Only the scheme is echoed: the URL may carry a password.
        raise ValueError(f"SMTP_URL scheme must be one of {', '.join(SMTP_SCHEMES)}, not {scheme!r}")
    security, default_port = SMTP_SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError("SMTP_URL has an invalid port") from None
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host")
    return SmtpSettings(
        security=security,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def build_email(message: Message, mail_from: str, cte: str | None = None) -> EmailMessage:
    """The RFC 5322 e-mail for ``message``, UTF-8, with Message-ID and Date."""
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = email.utils.format_datetime(datetime.now(UTC))
    # An explicit domain avoids make_msgid's hostname lookup, which can be slow.
    domain = email.utils.parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    mail["Message-ID"] = email.utils.make_msgid(domain=domain)
    mail.set_content(message.body, charset="utf-8", cte=cte)
    return mail


def _describe_smtp_error(exc: Exception) -> str:
    """A short readable reason for an SMTP or socket failure."""
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {reply}"
    return str(exc) or type(exc).__name__


@channel("email")
class EmailChannel:
    """E-mail over SMTP, or into the outbox when SMTP_URL is not set."""

    signed = True  # e-mails end with the office's signature lines (Messenger's ``signature``)

    def __init__(self, mail_from: str, smtp: SmtpSettings | None, outbox: Path | None):
        self.mail_from = mail_from
        self.smtp = smtp
        self.outbox = outbox

    @classmethod
    def from_config(cls, config: Mapping) -> EmailChannel:
        """Build from SMTP_URL, MAIL_FROM and DATA_DIR."""
        mail_from = _setting(config, "MAIL_FROM", DEFAULT_MAIL_FROM)
        url = _setting(config, "SMTP_URL")
        if url:
            return cls(mail_from, parse_smtp_url(url), None)
        return cls(mail_from, None, _outbox_dir(config))

    def send(self, message: Message) -> None:
        """Deliver ``message`` by SMTP or write it to the outbox."""
        if self.smtp is None:
            # The default heuristic picks 8bit for normal text, so the file stays readable.
            self._write_outbox(build_email(message, self.mail_from), message.to)
        else:
            # Quoted-printable is 7-bit safe: smtplib does not announce 8BITMIME for plain text.
            self._send_smtp(build_email(message, self.mail_from, cte="quoted-printable"), message.to)

    def _write_outbox(self, mail: EmailMessage, to: str) -> None:
        """Write ``mail`` as an .eml file a developer can open."""
        # utf8=True keeps non-ASCII headers readable instead of RFC 2047 encoded.
        data = mail.as_bytes(policy=mail.policy.clone(utf8=True, linesep="\r\n"))
        path = _write_atomically(self.outbox, _outbox_name(EMAIL_SUFFIX), data)
        log.info("e-mail to %s written to outbox %s", to, path)

    def _send_smtp(self, mail: EmailMessage, to: str) -> None:
        """Send ``mail`` through the configured SMTP server."""
        smtp = self.smtp
        try:
            with self._connect() as client:
                if smtp.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if smtp.user:
                    client.login(smtp.user, smtp.password)
                client.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            # str(exc) carries the server's reply or the socket error, never the password.
            raise DeliveryError(
                f"e-mail to {to} via {smtp.host}:{smtp.port} failed: {_describe_smtp_error(exc)}"
            ) from exc
        log.info("e-mail to %s sent via %s:%s", to, smtp.host, smtp.port)

    def _connect(self) -> smtplib.SMTP:
        """An open SMTP connection (implicit TLS for smtps)."""
        smtp = self.smtp
        if smtp.security == "tls":
            return smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        return smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)


# --- WhatsApp ---------------------------------------------------------------------------------


def whatsapp_number(to: str) -> str:
    """The digits of a phone number, as the Cloud API expects (``+62 812-…`` → ``62812…``)."""
    digits = re.sub(r"[^0-9]", "", to)
    if not digits:
        raise ValueError("WhatsApp recipient must be a phone number")
    return digits


def whatsapp_payload(message: Message) -> dict:
    """The Cloud API request body for a plain text message."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": whatsapp_number(message.to),
        "type": "text",
        "text": {"preview_url": False, "body": message.body},
    }


def _api_error_message(body: bytes) -> str:
    """The ``error.message`` of a Graph API error response, or ``""``."""
    try:
        error = json.loads(body.decode("utf-8")).get("error") or {}
        return str(error.get("message") or "")
    except (ValueError, AttributeError):
        return ""


@channel("whatsapp")
class WhatsAppChannel:
    """WhatsApp text messages via the Cloud API, or into the outbox when not configured."""

    def __init__(self, api_url: str, token: str, phone_number_id: str, outbox: Path | None):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.phone_number_id = phone_number_id
        self.outbox = outbox

    @classmethod
    def from_config(cls, config: Mapping) -> WhatsAppChannel:
        """Build from WHATSAPP_API_URL, WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID and DATA_DIR."""
        api_url = _setting(config, "WHATSAPP_API_URL", DEFAULT_WHATSAPP_API_URL)
        token = _setting(config, "WHATSAPP_TOKEN")
        phone_number_id = _setting(config, "WHATSAPP_PHONE_NUMBER_ID")
        if token and phone_number_id:
            return cls(api_url, token, phone_number_id, None)
        return cls(api_url, "", "", _outbox_dir(config))

    @property
    def endpoint(self) -> str:
        """The Cloud API messages URL for the configured sender number."""
        return f"{self.api_url}/{self.phone_number_id}/messages"

    def send(self, message: Message) -> None:
        """Deliver ``message`` through the Cloud API or write it to the outbox."""
        payload = whatsapp_payload(message)
        if self.outbox is not None:
            self._write_outbox(message, payload["to"])
        else:
            self._post(payload)

    def _write_outbox(self, message: Message, number: str) -> None:
        """Write ``message`` as a JSON file a developer can open."""
        record = {"channel": "whatsapp", "to": number, "subject": message.subject, "body": message.body}
        data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        path = _write_atomically(self.outbox, _outbox_name(WHATSAPP_SUFFIX), data)
        log.info("WhatsApp message to %s written to outbox %s", number, path)

    def _post(self, payload: dict) -> None:
        """POST ``payload`` to the Cloud API; any non-2xx answer is a DeliveryError."""
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(payload).encode("utf-8"),
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        to = payload["to"]
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            detail = _api_error_message(exc.read())
            reason = f"HTTP {exc.code}: {detail}" if detail else f"HTTP {exc.code}"
            # "from None": the chained exception adds nothing and must not carry request details.
            raise DeliveryError(self._redact(f"WhatsApp message to {to} failed: {reason}")) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
            raise DeliveryError(self._redact(f"WhatsApp API unreachable for message to {to}: {reason}")) from None
        if not 200 <= status < 300:
            # urllib only raises for 4xx/5xx; anything else unexpected is still a failure.
            raise DeliveryError(f"WhatsApp message to {to} failed: HTTP {status}")
        log.info("WhatsApp message to %s sent via %s", to, self.api_url)

    def _redact(self, text: str) -> str:
        """``text`` with the access token removed, in case an error echoes it."""
        return text.replace(self.token, "[redacted]") if self.token else text


# --- messenger --------------------------------------------------------------------------------


class Messenger:
    """Sends messages over named channels built lazily from one config mapping."""

    def __init__(self, config: Mapping, signature=None):
        self.config = config
        # the sender's signature lines (the office identity), added to what a signed channel sends
        self.signature = signature
        self._channels: dict[str, object] = {}
        self._lock = threading.Lock()
        self._later: ThreadPoolExecutor | None = None

    def channel(self, name: str):
        """The channel instance for ``name``, built on first use; unknown names raise KeyError."""
        with self._lock:
            if name not in self._channels:
                if name not in CHANNELS:
                    raise KeyError(name)
                self._channels[name] = CHANNELS[name].from_config(self.config)
            return self._channels[name]

    def _signed(self, channel, message: Message) -> Message:
        if getattr(channel, "signed", False) and self.signature is not None:
            return dataclasses.replace(message, body=f"{message.body.rstrip()}\n\n-- \n{self.signature()}\n")
        return message

    def send(self, channel_name: str, message: Message) -> None:
        """Send ``message`` over the channel called ``channel_name``."""
        channel = self.channel(channel_name)
        channel.send(self._signed(channel, message))

    def send_later(self, channel_name: str, message: Message,
                   then: Callable[[DeliveryError | None], None] | None = None) -> Future:
        """Send ``message`` after the caller has answered: on this messenger's own thread, one message after the
        other, so the time a request takes does not tell whether it sent one (password recovery: whether the
        account exists). ``then(None)`` follows a delivery, ``then(error)`` a DeliveryError; it runs on that
        thread in a copy of the caller's context. The message is composed (signed) here, in the caller's."""
        channel = self.channel(channel_name)
        message, context = self._signed(channel, message), contextvars.copy_context()
        with self._lock:
            if self._later is None:  # a thread only for a messenger that sends later; Python lets it finish at exit
                self._later = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formserver-messages")
            return self._later.submit(context.run, _deliver, channel, message, then)

    def sent_later(self, timeout: float | None = None) -> None:
        """Wait until every message asked for with :meth:`send_later` so far has been dealt with."""
        with self._lock:
            later = self._later
        if later is not None:
            later.submit(lambda: None).result(timeout)


def _deliver(channel, message: Message, then) -> None:
    try:
        channel.send(message)
        error = None
    except DeliveryError as failed:
        error = failed
    except Exception as failed:  # noqa: BLE001 - no request to fail: said in the log and to ``then``
        log.exception("a message over %s failed", getattr(channel, "name", "?"))
        error = DeliveryError(f"{type(failed).__name__}: {failed}")
    if then is not None:
        try:
            then(error)
        except Exception:  # noqa: BLE001 - the delivery itself is done
            log.exception("after sending a message over %s", getattr(channel, "name", "?"))
