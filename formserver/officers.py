"""Staff accounts (officers, supervisors, form administrators): created by an administrator from the command line."""
import secrets

from . import audit, roles
from .accounts.passwords import hash_password
from .validators import Context, run


def create_staff(store, username: str, email: str, name: str, password: str, role: str) -> dict:
    """A new staff account with ``role``; the password must meet the same policy as applicants'."""
    if role not in roles.STAFF:
        raise ValueError(f"not a staff role: {role!r}")
    run("password_policy", password, {}, Context())
    account = store.insert_account({
        "id": secrets.token_hex(12), "username": username.strip().lower(), "email": email.strip().lower(),
        "password_hash": hash_password(password), "role": role, "status": "active",
        "created_at": audit.now_iso(), "profile": {"nama_lengkap": name}})
    audit.record(store, f"account:{account['id']}", "account.created", "cli", role=role)
    return account


def create_officer(store, username: str, email: str, name: str, password: str) -> dict:
    """A new officer (petugas) account."""
    return create_staff(store, username, email, name, password, roles.PETUGAS)


def create_form_admin(store, username: str, email: str, name: str, password: str) -> dict:
    """A new form administrator account."""
    return create_staff(store, username, email, name, password, roles.FORM_ADMIN)
