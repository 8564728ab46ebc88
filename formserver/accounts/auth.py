"""Log-in: verify the password, lock an account out after repeated failures, shared by all workers.

Failures are counted per account, whichever name (username or e-mail) was typed, and per client address;
after CHALLENGE_AFTER failures on either, a log-in must also answer a challenge (a CAPTCHA).
"""
import time
from dataclasses import dataclass

from .. import audit
from ..store import StaleVersion
from .passwords import hash_password, verify

MAX_FAILURES = 5
CHALLENGE_AFTER = 3
WINDOW = 15 * 60


@dataclass(frozen=True)
class LoginResult:
    account: dict | None
    locked: bool = False
    retry_after: int = 0
    reset_needed: bool = False  # the stored hash cannot be verified safely: the password must be reset


def find(store, identifier: str) -> dict | None:
    """The account with this username or e-mail address."""
    identifier = identifier.strip()
    if "@" in identifier:
        local, _, domain = identifier.rpartition("@")
        return store.find_account(email=f"{local}@{domain.lower()}")
    return store.find_account(username=identifier.lower())


def _account_key(account: dict | None, identifier: str) -> str:
    """Failures of an account count together whatever name was typed; unknown names count by name."""
    return f"login:account:{account['id']}" if account else f"login:name:{identifier.strip().lower()}"


def _client_key(client: str) -> str:
    return f"login:client:{client}"


def challenge_needed(store, identifier: str, client: str | None, now: float | None = None) -> bool:
    """Whether a log-in for ``identifier`` from ``client`` must answer a challenge first."""
    now = time.time() if now is None else now
    since = now - WINDOW
    if store.count_attempts(_account_key(find(store, identifier), identifier), since) >= CHALLENGE_AFTER:
        return True
    return bool(client) and store.count_attempts(_client_key(client), since) >= CHALLENGE_AFTER


def login(store, identifier: str, password: str, actor: str, client: str | None = None,
          now: float | None = None) -> LoginResult:
    """Check a log-in; after MAX_FAILURES failures in WINDOW the account is locked for WINDOW."""
    now = time.time() if now is None else now
    account = find(store, identifier)
    key = _account_key(account, identifier)
    if store.count_attempts(key, now - WINDOW) >= MAX_FAILURES:
        audit.record(store, key, "login.locked", actor)
        return LoginResult(None, locked=True, retry_after=WINDOW)
    verdict = verify(account.get("password_hash") if account else None, password)
    if verdict.refused:
        audit.record(store, f"account:{account['id']}", "login.hash_refused", actor)
    elif verdict.ok and account.get("status") == "active":
        store.clear_attempts(key)
        if verdict.rehash:
            _rehash(store, account, password, actor)
        audit.record(store, f"account:{account['id']}", "login.succeeded", actor)
        return LoginResult(account)
    store.record_attempt(key, now)
    if client:
        store.record_attempt(_client_key(client), now)
    audit.record(store, key, "login.failed", actor)
    return LoginResult(None, reset_needed=verdict.refused)


def clear_failures(store, account: dict) -> None:
    """Forget the account's failed log-ins (its password was just reset)."""
    store.clear_attempts(_account_key(account, ""))


def _rehash(store, account: dict, password: str, actor: str) -> None:
    """Store the password's hash with the server's parameters (it was made with others)."""
    try:
        store.update_account({**account, "password_hash": hash_password(password)})
    except StaleVersion:
        return  # changed meanwhile (a reset, or another log-in rehashed it): the next log-in tries again
    audit.record(store, f"account:{account['id']}", "account.password_rehashed", actor)
