"""Audit events: one for every state change, appended to the store's log."""
import datetime as dt


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def record(store, subject: str, event_type: str, actor: str, **details) -> None:
    """Append an event ``{"at", "subject", "type", "actor", ...details}``."""
    store.append_event({"at": now_iso(), "subject": subject, "type": event_type, "actor": actor, **details})
