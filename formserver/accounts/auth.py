"""Log-in: verify the password, lock an account out after repeated failures, shared by all workers."""
import time
from dataclasses import dataclass

from .. import audit
from .passwords import verify_password

MAX_FAILURES = 5
WINDOW = 15 * 60


@dataclass(frozen=True)
class LoginResult:
    account: dict | None
    locked: bool = False
    retry_after: int = 0


def _key(identifier: str) -> str:
    return f"login:{identifier.strip().lower()}"


def find(store, identifier: str) -> dict | None:
    """The account with this username or e-mail address."""
    identifier = identifier.strip()
    if "@" in identifier:
        local, _, domain = identifier.rpartition("@")
        return store.find_account(email=f"{local}@{domain.lower()}")
    return store.find_account(username=identifier.lower())


def login(store, identifier: str, password: str, actor: str, now: float | None = None) -> LoginResult:
    """Check a log-in; after MAX_FAILURES failures in WINDOW the identifier is locked for WINDOW."""
    now = time.time() if now is None else now
    key = _key(identifier)
    if store.count_attempts(key, now - WINDOW) >= MAX_FAILURES:
        audit.record(store, key, "login.locked", actor)
        return LoginResult(None, locked=True, retry_after=WINDOW)
    account = find(store, identifier)
    if account and account.get("status") == "active" and verify_password(account.get("password_hash"), password):
        store.clear_attempts(key)
        audit.record(store, f"account:{account['id']}", "login.succeeded", actor)
        return LoginResult(account)
    verify_password(None, password) if account is None else None
    store.record_attempt(key, now)
    audit.record(store, key, "login.failed", actor)
    return LoginResult(None)
