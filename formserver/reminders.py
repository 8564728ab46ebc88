"""What an applicant still has to do, shown on the dashboard until done: a registry that form modules add to
(the satisfaction survey asks for itself after documents are issued), so the dashboard names no form."""
from collections.abc import Callable

#: fn(services, account, owner) -> [{"text", "href", "action"}]: texts for people, a same-site path
REMINDERS: list[Callable] = []


def reminder(fn: Callable) -> Callable:
    """Register a source of reminders."""
    REMINDERS.append(fn)
    return fn


def due(services, account: dict, owner: str) -> list[dict]:
    """Every registered reminder for the account, in registration order."""
    return [item for source in REMINDERS for item in source(services, account, owner)]
