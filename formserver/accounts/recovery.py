"""Password recovery ("Lupa kata sandi"): a code to the account's own e-mail or WhatsApp, then a new password.

Whether an account exists is never revealed: a request for an unknown name gets a ticket and a code like any
other (the code is just never sent), so the answers, the tries left and the limits are the same, and the code
leaves after the answer, so its time is the same too. A ticket
lives in the server-side session of whoever asked. The code follows the registration's rules (6 digits,
10 minutes, 5 tries); the new password the registration's policy. A reset ends every session of the account.
"""
import logging
import secrets
import time
from dataclasses import dataclass, field

from marshmallow import ValidationError

from .. import audit
from ..i18n import gettext
from ..store import StaleVersion
from ..validators import Context, password_policy
from . import auth
from .codes import LIFETIME, CodeLimited, locked_message
from .messages import DeliveryError, Message
from .passwords import hash_password

log = logging.getLogger("formserver.recovery")
PURPOSE = "pemulihan"
CHANNELS = ("email", "whatsapp")
PER_ACCOUNT = 3  # codes sent for one account's recovery per LIFETIME, whoever asks


@dataclass
class ResetResult:
    ok: bool
    errors: dict = field(default_factory=dict)


def _code_text(code: str) -> tuple[str, str]:
    subject = "Kode pemulihan kata sandi OSS / OSS password recovery code"
    body = (f"Kode untuk membuat kata sandi baru: {code}\n"
            "Kode berlaku 10 menit. Jangan berikan kode ini kepada siapa pun. Jika Anda tidak memintanya, "
            "abaikan pesan ini; kata sandi Anda tidak berubah.\n\n"
            f"Your code to set a new password: {code}\n"
            "The code is valid for 10 minutes. Do not give it to anyone. If you did not ask for it, ignore this "
            "message; your password has not changed.\n")
    return subject, body


def _contact(account: dict, channel: str) -> tuple[str, str]:
    """(channel, address) of the account's own contact; e-mail when it has no WhatsApp number."""
    phone = (account.get("profile") or {}).get("nomor_telepon")
    if channel == "whatsapp" and phone:
        return "whatsapp", phone
    return "email", account["email"]


def request_code(services, identifier: str, channel: str, actor: str, client: str = "",
                 now: float | None = None) -> dict:
    """A recovery ticket for ``identifier`` (username or e-mail); the code goes to the account's contact.

    An unknown name takes the same path as an account, but for the message: the same store work (the name's
    requests counted and limited as an account's are), and the message leaves after the answer
    (``Messenger.send_later``), so neither the answer nor its time tells whether the account exists."""
    now = time.time() if now is None else now
    store = services.store
    ticket = {"id": secrets.token_urlsafe(18), "expires_at": now + LIFETIME, "account_id": None}
    account = auth.find(store, identifier)
    if account is not None and account.get("status") != "active":
        account = None
    if account is None:  # a code that is never sent
        subject, via, to = "recovery:unknown", None, identifier
        key = f"recovery:name:{identifier.strip().lower()}"
    else:
        ticket["account_id"] = account["id"]
        subject, (via, to) = f"account:{account['id']}", _contact(account, channel)
        key = f"recovery:{account['id']}"  # whichever channel: codes for one account, not only per recipient
    audit.record(store, subject, "recovery.requested", actor)
    try:
        if store.count_attempts(key, now - LIFETIME) >= PER_ACCOUNT:
            raise CodeLimited(LIFETIME, "recipient")
        code = services.codes.issue(PURPOSE, ticket["id"], recipient=to, client=client, now=now)
    except CodeLimited as limited:
        audit.record(store, subject, "recovery.code_limited", actor, scope=limited.scope)
        return ticket
    store.record_attempt(key, now)
    if via is not None:
        title, body = _code_text(code)
        services.messenger.send_later(via, Message(to=to, subject=title, body=body),
                                      then=lambda error: _sent(store, subject, account["id"], via, actor, error))
    return ticket


def _sent(store, subject: str, account_id: str, via: str, actor: str, error) -> None:
    """After the recovery code's delivery, on the messenger's thread: the audit event (and the log on a failure)."""
    if error is None:
        audit.record(store, subject, "recovery.code_sent", actor, channel=via)
        return
    log.error("recovery code for account %s not delivered: %s", account_id, error)
    audit.record(store, subject, "recovery.code_not_delivered", actor, channel=via)


def password_errors(password: str, confirmation: str) -> dict:
    """Messages by field (``password``, ``password_konfirmasi``) for a new password; empty when it is good."""
    errors = {}
    try:
        password_policy(password, {}, Context())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, list) else [str(error.messages)]
        errors["password"] = [str(m) for m in messages]
    if not errors and password != confirmation:
        errors["password_konfirmasi"] = [gettext("Konfirmasi kata sandi tidak sama.")]
    return errors


def _code_message(reason: str, tries_left: int, retry_after: int = 0) -> str:
    if reason == "locked":
        return locked_message(retry_after)
    return {
        "wrong": gettext("Kode salah. Sisa percobaan: {tries_left}.").format(tries_left=tries_left),
        "expired": gettext("Kode sudah kedaluwarsa. Minta kode baru."),
    }.get(reason, gettext("Terlalu banyak percobaan salah atau kode tidak berlaku lagi. Minta kode baru."))


def reset(services, ticket: dict, code: str, password: str, confirmation: str, actor: str,
          now: float | None = None) -> ResetResult:
    """Check the code and set the new password; every session of the account ends."""
    now = time.time() if now is None else now
    store = services.store
    errors = password_errors(password, confirmation)
    if not code:
        errors["kode"] = [gettext("Masukkan kode yang dikirim kepada Anda.")]
    if errors:
        return ResetResult(False, errors)  # the code is not spent on a password the policy refuses
    subject = f"account:{ticket['account_id']}" if ticket.get("account_id") else "recovery:unknown"
    result = services.codes.check(PURPOSE, ticket["id"], code, now=now)
    account = store.get_account(ticket["account_id"]) if result.ok and ticket.get("account_id") else None
    if account is None:
        audit.record(store, subject, "recovery.code_rejected", actor, reason=result.reason or "no_account")
        return ResetResult(False, {"kode": [_code_message(result.reason or "missing", result.tries_left, result.retry_after)]})
    for _ in range(5):
        try:
            account = store.update_account({**account, "password_hash": hash_password(password)})
            break
        except StaleVersion:
            account = store.get_account(account["id"])
    auth.clear_failures(store, account)
    ended = store.delete_account_sessions(account["id"])
    audit.record(store, subject, "account.password_reset", actor, sessions_ended=ended)
    _notify(services, account)
    return ResetResult(True)


def _notify(services, account: dict) -> None:
    body = ("Kata sandi akun OSS Anda baru saja diubah lewat \"Lupa kata sandi\", dan semua sesi yang masuk "
            "telah diakhiri. Jika bukan Anda yang mengubahnya, segera pulihkan kata sandi dan hubungi kami.\n\n"
            "The password of your OSS account was just changed through \"Forgot password\", and every logged-in "
            "session was ended. If it was not you, recover your password at once and contact us.\n")
    try:
        services.messenger.send("email", Message(to=account["email"], body=body,
                                                 subject="Kata sandi OSS diubah / OSS password changed"))
    except DeliveryError as error:
        log.error("password-changed notice for account %s not delivered: %s", account["id"], error)


def change(services, account: dict, current: str, password: str, confirmation: str, actor: str,
           client: str | None = None) -> ResetResult:
    """A logged-in person changes the password (knowing the current one); every session of the account ends
    (the caller starts a new one for the person who changed it)."""
    store = services.store
    errors = password_errors(password, confirmation)
    if errors:
        return ResetResult(False, errors)
    # the current password is checked as a log-in is: wrong ones count toward the account's lock-out
    checked = auth.login(store, account["username"], current, actor, client=client)
    if checked.account is None or checked.account["id"] != account["id"]:
        message = (gettext("Terlalu banyak percobaan. Coba lagi dalam 15 menit.")
                   if checked.locked else gettext("Kata sandi saat ini salah."))
        audit.record(store, f"account:{account['id']}", "account.password_change_refused", actor)
        return ResetResult(False, {"password_lama": [message]})
    account = store.get_account(account["id"])  # a good log-in may have rehashed it
    try:
        account = store.update_account({**account, "password_hash": hash_password(password)})
    except StaleVersion:
        return ResetResult(False, {"password": [gettext("Akun baru saja diubah di tempat lain. Coba lagi.")]})
    ended = store.delete_account_sessions(account["id"])
    audit.record(store, f"account:{account['id']}", "account.password_changed", actor, sessions_ended=ended)
    return ResetResult(True)
