"""Verification codes: 6 digits, valid 10 minutes, at most 5 wrong tries, resends rate-limited.

Only an HMAC of the code is stored; the code itself exists only in the message sent.
"""
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from ..store import StaleVersion, Store

LIFETIME = 10 * 60
MAX_TRIES = 5
RESEND_INTERVAL = 60           # seconds between two codes for the same subject
RESEND_PER_HOUR = 5


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    reason: str = ""  # "", "wrong", "expired", "too_many", "missing"
    tries_left: int = 0


class Codes:
    """Issues and checks codes for a (purpose, subject) pair, e.g. ("registrasi", submission id)."""

    def __init__(self, store: Store, secret: str):
        self.store = store
        self.secret = secret.encode()

    def _digest(self, code_id: str, code: str) -> str:
        return hmac.new(self.secret, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()

    def wait_seconds(self, purpose: str, subject: str, now: float | None = None) -> int:
        """Seconds until a new code may be issued (0: now)."""
        now = time.time() if now is None else now
        key = f"code:{purpose}:{subject}"
        if self.store.count_attempts(key, now - 3600) >= RESEND_PER_HOUR:
            return 3600
        doc = self.store.get_code(f"{purpose}:{subject}")
        if doc and now - doc["issued_at"] < RESEND_INTERVAL:
            return int(RESEND_INTERVAL - (now - doc["issued_at"])) + 1
        return 0

    def issue(self, purpose: str, subject: str, now: float | None = None) -> str:
        """A new code; replaces any earlier one for the same subject."""
        now = time.time() if now is None else now
        code_id = f"{purpose}:{subject}"
        code = f"{secrets.randbelow(10**6):06d}"
        self.store.put_code({"id": code_id, "digest": self._digest(code_id, code), "issued_at": now,
                             "expires_at": now + LIFETIME, "tries": 0, "used": False})
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
            right = hmac.compare_digest(doc["digest"], self._digest(code_id, str(code)))
            updated = {**doc, "used": True} if right else {**doc, "tries": doc["tries"] + 1}
            try:
                self.store.update_code(updated)
            except StaleVersion:
                continue
            if right:
                return CheckResult(True)
            left = MAX_TRIES - updated["tries"]
            return CheckResult(False, "wrong" if left else "too_many", left)
        return CheckResult(False, "too_many")
