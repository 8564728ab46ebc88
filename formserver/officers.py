"""Officer accounts (front office, help desk, supervisors): created by an administrator from the command line."""
import secrets

from . import audit
from .accounts.passwords import hash_password
from .validators import Context, run


def create_officer(store, username: str, email: str, name: str, password: str) -> dict:
    """A new officer account; the password must meet the same policy as applicants'."""
    run("password_policy", password, {}, Context())
    account = store.insert_account({
        "id": secrets.token_hex(12), "username": username.strip().lower(), "email": email.strip().lower(),
        "password_hash": hash_password(password), "role": "officer", "status": "active",
        "created_at": audit.now_iso(), "profile": {"nama_lengkap": name}})
    audit.record(store, f"account:{account['id']}", "account.created", "cli", role="officer")
    return account
