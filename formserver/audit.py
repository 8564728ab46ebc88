"""Audit events: one for every state change, appended to the store's log."""
import datetime as dt
from contextvars import ContextVar

#: details added to every event recorded while it is set: an officer filing for an applicant sets
#: {"on_behalf_of": "account:<applicant>", "assisted_by": "<officer's name>"} for the request (backoffice/views.py)
acting_for: ContextVar[dict | None] = ContextVar("acting_for", default=None)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def record(store, subject: str, event_type: str, actor: str, **details) -> None:
    """Append an event ``{"at", "subject", "type", "actor", ...details}``."""
    store.append_event({"at": now_iso(), "subject": subject, "type": event_type, "actor": actor,
                        **(acting_for.get() or {}), **details})
