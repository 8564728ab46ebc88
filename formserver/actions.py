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


@dataclass(frozen=True)
class Resend:
    """An action's "send it again" (a verification code): whether a submission waits for one, and the sending,
    which returns None when sent or a refusal with ``message`` and ``retry_after``."""
    waiting: Callable[[dict], bool]
    send: Callable[[Any, dict, str], Any]


@dataclass(frozen=True)
class Draft:
    """A document an action issues, shown as a draft before the step is sent: the endpoint serving it
    (with ``submission_id``) and the link's words."""
    endpoint: str
    label: Any  # a LazyText


RESENDS: dict[str, Resend] = {}
DRAFTS: dict[str, Draft] = {}
APPLICANT_IDS: list[Callable[[dict], str | None]] = []


def resend(name: str, waiting: Callable[[dict], bool]):
    """Register ``fn(services, submission, actor)`` that sends again what the action ``name`` sent."""
    def register(fn):
        if name not in ACTIONS or name in RESENDS:
            raise ValueError(f"resend of an unknown action, or registered twice: {name!r}")
        RESENDS[name] = Resend(waiting, fn)
        return fn
    return register


def draft(name: str, endpoint: str, label) -> None:
    """Register the draft document of the action ``name``, linked on its step's review page."""
    if name not in ACTIONS or name in DRAFTS:
        raise ValueError(f"draft of an unknown action, or registered twice: {name!r}")
    DRAFTS[name] = Draft(endpoint, label)


def applicant_id(fn: Callable[[dict], str | None]):
    """Register ``fn(data)`` giving the applicant's identity number from a submission's data (None: not known);
    the stores index it so officers find a person's submissions."""
    APPLICANT_IDS.append(fn)
    return fn


def applicant_of(data: dict) -> str | None:
    """The first identity number a registered function finds in ``data``."""
    return next((found for fn in APPLICANT_IDS if (found := fn(data))), None)


def resend_of(form) -> Resend | None:
    """The "send again" of the first step of ``form`` whose action has one."""
    return next((RESENDS[s.action] for s in form.steps if s.action in RESENDS), None)
