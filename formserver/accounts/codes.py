"""Verification codes: 6 digits, valid 10 minutes, at most 5 wrong tries, resends rate-limited.

Only an HMAC of the code is stored; the code itself exists only in the message sent.

Besides the limits of one code, the store counts across every draft and purpose (registration, password
recovery): at most 3 codes to one recipient (e-mail address or phone number) in 10 minutes and 10 in a day,
at most 5 wrong guesses of codes sent to one recipient in an hour, and at most CLIENT_LIMITS codes asked for
from one client address. Recipients are counted by an HMAC of their normalised address, never in clear.
"""
import hashlib
import hmac
import math
import re
import secrets
import time
from dataclasses import dataclass

from ..i18n import gettext, ngettext
from ..store import StaleVersion, Store
from ..store.base import quota_wait

LIFETIME = 10 * 60
MAX_TRIES = 5
RESEND_INTERVAL = 60           # seconds between two codes for the same subject
RESEND_PER_HOUR = 5
RECIPIENT_LIMITS = ((10 * 60, 3), (24 * 3600, 10))   # (window in seconds, most codes) to one recipient
CLIENT_LIMITS = ((10 * 60, 20), (24 * 3600, 100))    # codes asked for from one client address (shared NATs)
GUESS_LIMITS = ((3600, 5),)                          # wrong guesses of codes sent to one recipient


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str = ""  # "", "wrong", "expired", "too_many", "missing", "locked" (the recipient's guesses)
    tries_left: int = 0
    retry_after: int = 0  # seconds, when "locked"

    @property
    def message(self) -> str:
        """What to tell the person for ``locked`` (the other reasons depend on the page's buttons)."""
        return locked_message(self.retry_after) if self.reason == "locked" else ""


class CodeLimited(Exception):
    """No code is sent: too many went to this recipient, or were asked for from this client address."""

    def __init__(self, retry_after: int, scope: str):
        super().__init__(f"{scope} limit, retry after {retry_after} s")
        self.retry_after, self.scope = retry_after, scope  # scope: "recipient" or "client"

    @property
    def message(self) -> str:
        when = wait_text(self.retry_after)
        if self.scope == "recipient":
            return gettext("Sudah terlalu banyak kode dikirim ke alamat atau nomor ini. Coba lagi {when}.").format(when=when)
        return gettext("Sudah terlalu banyak kode diminta dari jaringan Anda. Coba lagi {when}.").format(when=when)


def wait_text(seconds: int) -> str:
    """"dalam 7 menit" ("in 7 minutes"): a wait in words, rounded up to the minute (or the hour)."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return ngettext("dalam {n} menit", "dalam {n} menit", minutes).format(n=minutes)
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return ngettext("dalam {n} jam", "dalam {n} jam", hours).format(n=hours)
    return (ngettext("dalam {n} jam", "dalam {n} jam", hours).format(n=hours) + " "
            + ngettext("{n} menit", "{n} menit", rest).format(n=rest))


def locked_message(retry_after: int) -> str:
    """Too many wrong guesses of the codes sent to one recipient."""
    when = wait_text(retry_after)
    return gettext("Terlalu banyak kode salah dimasukkan untuk alamat atau nomor ini. Coba lagi {when}.").format(when=when)


def normalise_recipient(recipient: str) -> str:
    """One form per recipient: an e-mail address in lower case, a phone number as digits starting 62."""
    value = str(recipient).strip()
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    return "62" + digits[1:] if digits.startswith("0") else digits


class Codes:
    """Issues and checks codes for a (purpose, subject) pair, e.g. ("registrasi", submission id)."""

    def __init__(self, store: Store, secret: str):
        self.store = store
        self.secret = secret.encode()

    def _digest(self, code_id: str, code: str) -> str:
        return hmac.new(self.secret, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def recipient_key(self, recipient: str) -> str:
        """The recipient as the limits count it: an HMAC, so the store holds no address."""
        return hmac.new(self.secret, f"recipient:{normalise_recipient(recipient)}".encode(),
                        hashlib.sha256).hexdigest()[:32]

    def wait_seconds(self, purpose: str, subject: str, now: float | None = None) -> int:
        """Seconds until a new code may be issued for this subject (0: now); see also CodeLimited."""
        now = time.time() if now is None else now
        key = f"code:{purpose}:{subject}"
        if self.store.count_attempts(key, now - 3600) >= RESEND_PER_HOUR:
            return 3600
        doc = self.store.get_code(f"{purpose}:{subject}")
        if doc and now - doc["issued_at"] < RESEND_INTERVAL:
            return int(RESEND_INTERVAL - (now - doc["issued_at"])) + 1
        return 0

    def issue(self, purpose: str, subject: str, *, recipient: str, client: str = "", now: float | None = None) -> str:
        """A new code for ``recipient``; replaces any earlier one for the same subject.

        Raises CodeLimited (and issues nothing) when the recipient or the client address had its share.
        """
        now = time.time() if now is None else now
        client_key = f"code-client:{client}" if client else ""
        if client_key:
            wait = self.store.take_quota(client_key, now, CLIENT_LIMITS)
            if wait:
                raise CodeLimited(math.ceil(wait), "client")
        recipient_key = self.recipient_key(recipient)
        wait = self.store.take_quota(f"code-to:{recipient_key}", now, RECIPIENT_LIMITS)
        if wait:
            if client_key:
                self.store.return_quota(client_key, now)  # nothing was sent: it does not count for the client
            raise CodeLimited(math.ceil(wait), "recipient")
        code_id = f"{purpose}:{subject}"
        code = f"{secrets.randbelow(10**6):06d}"
        self.store.put_code({"id": code_id, "digest": self._digest(code_id, code), "issued_at": now,
                             "expires_at": now + LIFETIME, "tries": 0, "used": False, "recipient": recipient_key})
        self.store.record_attempt(f"code:{purpose}:{subject}", now)
        return code

    def check(self, purpose: str, subject: str, code: str, now: float | None = None) -> CheckResult:
        """Check ``code``; a right code can be used once."""
        now = time.time() if now is None else now
        code_id = f"{purpose}:{subject}"
        for _ in range(5):  # retry when a concurrent check bumped the version
            doc = self.store.get_code(code_id)
            if doc is None or doc["used"]:
                return CheckResult(False, "missing")
            if doc["tries"] >= MAX_TRIES:
                return CheckResult(False, "too_many")
            if now > doc["expires_at"]:
                return CheckResult(False, "expired")
            # every guess takes one of the recipient's guesses before it is compared, so guesses made at the
            # same moment on many drafts cannot pass the limit; a right guess gives its back
            guesses = f"code-guess:{doc['recipient']}" if doc.get("recipient") else ""
            if guesses:
                wait = self.store.take_quota(guesses, now, GUESS_LIMITS)
                if wait:
                    return CheckResult(False, "locked", retry_after=math.ceil(wait))
            right = hmac.compare_digest(doc["digest"], self._digest(code_id, str(code)))
            updated = {**doc, "used": True} if right else {**doc, "tries": doc["tries"] + 1}
            try:
                self.store.update_code(updated)
            except StaleVersion:
                if guesses:
                    self.store.return_quota(guesses, now)
                continue
            if right:
                if guesses:
                    self.store.return_quota(guesses, now)
                return CheckResult(True)
            left = MAX_TRIES - updated["tries"]
            if guesses:  # the recipient may have fewer guesses left than this code
                longest = max(window for window, _ in GUESS_LIMITS)
                taken = self.store.quota_takes(guesses, now - longest)
                wait = quota_wait(taken, now, GUESS_LIMITS)
                if wait:
                    return CheckResult(False, "locked", retry_after=math.ceil(wait))
                left = min([left] + [most - sum(1 for t in taken if t > now - window)
                                     for window, most in GUESS_LIMITS])
            return CheckResult(False, "wrong" if left else "too_many", left)
        return CheckResult(False, "too_many")
