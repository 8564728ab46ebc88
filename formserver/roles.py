"""Roles of accounts and the one guard that keeps a page or API view to some of them.

An account's role is its ``"role"``; an applicant's account (made by the registration form) has none.
Accounts made as officers before roles had these names say ``"officer"``: they are read as ``petugas``
(no data is rewritten, so an export from before keeps importing as it is).

Usage in a view module::

    @bp.get("/admin/forms")
    @roles.require(roles.FORM_ADMIN)
    def forms(): ...

Anyone else (not logged in, or logged in with another role) gets 403 — JSON under /api/, the HTML
error page elsewhere — and the refused attempt is an audit event ``access.refused``.
"""
from functools import wraps

from . import audit
from .i18n import gettext, lazy_gettext

APPLICANT = "applicant"
PETUGAS = "petugas"          # front office, help desk
SUPERVISOR = "supervisor"    # an officer who may also approve and see every officer's work
FORM_ADMIN = "form_admin"    # changes and publishes form definitions
ROLES = (APPLICANT, PETUGAS, SUPERVISOR, FORM_ADMIN)
STAFF = (PETUGAS, SUPERVISOR, FORM_ADMIN)  # made from the command line, never by registration
OFFICERS = (PETUGAS, SUPERVISOR)
LEGACY = {"officer": PETUGAS}

REFUSED_EVENT = "access.refused"


def role_of(account: dict | None) -> str | None:
    """The account's role (legacy names read as today's), None for no account."""
    if account is None:
        return None
    role = account.get("role") or APPLICANT
    return LEGACY.get(role, role)


def has_role(account: dict | None, *allowed: str) -> bool:
    """Whether the account holds one of the roles."""
    return role_of(account) in allowed


def is_officer(account: dict | None) -> bool:
    """Petugas or supervisor."""
    return has_role(account, *OFFICERS)


def refused_message(allowed) -> str:
    who = ", ".join(str(_LABELS[r]) for r in allowed)
    return gettext("Halaman ini hanya untuk {who}. Masuk dengan akun yang berhak, atau hubungi administrator.").format(who=who)


_LABELS = {APPLICANT: lazy_gettext("pemohon"), PETUGAS: lazy_gettext("petugas"),
           SUPERVISOR: lazy_gettext("supervisor"), FORM_ADMIN: lazy_gettext("admin formulir")}


def check(*allowed: str) -> dict:
    """The logged-in account when it holds one of the roles; otherwise record the attempt and abort with 403."""
    from flask import abort, request

    from .web import services
    from .web.errors import error_response
    from .web.extensions import actor
    from .web.views_common import current_account

    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    account = current_account()
    if has_role(account, *allowed):
        return account
    who = actor()
    audit.record(services().store, who, REFUSED_EVENT, who, role=role_of(account), required=list(allowed),
                 method=request.method, path=request.path)
    abort(error_response(403, refused_message(allowed)))


def require(*allowed: str):
    """Decorate a view so that only accounts with one of the roles reach it (see the module docstring)."""
    if not allowed or set(allowed) - set(ROLES):
        raise ValueError(f"require() needs roles among {ROLES}, got {allowed}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            check(*allowed)
            return view(*args, **kwargs)
        guarded.required_roles = allowed
        return guarded

    return decorate
