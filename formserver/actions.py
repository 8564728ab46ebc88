"""Server actions: named steps of work a definition attaches to a step (``"action": "..."``).

An action runs after the step's values are valid and before they are stored. It may refuse with
field errors (nothing is stored then) and may change the submission's ``meta``.

An action may also have a **completion** (``@completion(name)``): the work that finishes a submission
(issuing documents, say). When the step that names the action is the last one, the submission is
first stored as ``processing`` — its answers frozen from then on — and only then does the completion
run, and the submission becomes ``completed``. A crash in between leaves a ``processing``
submission that the next submit or the next start-up completes (``Submissions.complete``), so a
completion must be safe to run again, and to run twice at once; it cannot refuse.
"""
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

#: the network address of the client whose request is being served ("" outside a request); the web layer sets it
current_client: ContextVar[str] = ContextVar("current_client", default="")


@dataclass
class ActionContext:
    services: Any          # the app's Services
    submission: dict       # the submission as it will be stored (data already merged)
    values: dict           # this step's visible values, including those never stored
    actor: str             # who acts: "account:<id>" or "session:<id>"
    errors: dict[str, list[str]] = dc_field(default_factory=dict)
    client: str = dc_field(default_factory=current_client.get)  # the client's address, for limits per client
    retry_after: int = 0   # set by limit(): seconds until the refused step may be sent again
    events: list[tuple[str, dict]] = dc_field(default_factory=list)

    def fail(self, field: str, message: str) -> None:
        """Refuse the step with a message on ``field``."""
        self.errors.setdefault(field, []).append(message)

    def limit(self, field: str, message: str, retry_after: int) -> None:
        """Refuse the step because a limit was reached: it may be sent again in ``retry_after`` seconds."""
        self.fail(field, message)
        self.retry_after = max(self.retry_after, int(retry_after))

    def record(self, event_type: str, **details) -> None:
        """An audit event on the submission, appended once the submission is stored (never for a refused step)."""
        self.events.append((event_type, details))


class LinkedMessage(str):
    """A message with links (label, same-site path) that pages show after it; JSON answers carry the text alone,
    so the text should name where the links lead."""

    links: tuple[tuple[str, str], ...] = ()

    def __new__(cls, message: str, links=()):
        self = super().__new__(cls, message)
        self.links = tuple(links)
        return self


ACTIONS: dict[str, Callable[[ActionContext], None]] = {}
COMPLETIONS: dict[str, Callable[[ActionContext], None]] = {}


def action(name: str):
    """Register an action ``fn(context)``; a name can be registered once."""
    def register(fn):
        if name in ACTIONS:
            raise ValueError(f"action {name!r} registered twice")
        ACTIONS[name] = fn
        return fn
    return register


def completion(name: str):
    """Register the completion ``fn(context)`` of the action ``name`` (registered before it), once."""
    def register(fn):
        if name not in ACTIONS:
            raise ValueError(f"completion of an unknown action {name!r}")
        if name in COMPLETIONS:
            raise ValueError(f"completion {name!r} registered twice")
        COMPLETIONS[name] = fn
        return fn
    return register
