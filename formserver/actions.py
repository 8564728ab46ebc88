"""Server actions: named steps of work a definition attaches to a step (``"action": "..."``).

An action runs after the step's values are valid and before they are stored. It may refuse with
field errors (nothing is stored then) and may change the submission's ``meta``.
"""
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass
class ActionContext:
    services: Any          # the app's Services
    submission: dict       # the submission as it will be stored (data already merged)
    values: dict           # this step's visible values, including those never stored
    actor: str             # who acts: "account:<id>" or "session:<id>"
    errors: dict[str, list[str]] = dc_field(default_factory=dict)

    def fail(self, field: str, message: str) -> None:
        """Refuse the step with a message on ``field``."""
        self.errors.setdefault(field, []).append(message)


ACTIONS: dict[str, Callable[[ActionContext], None]] = {}


def action(name: str):
    """Register an action ``fn(context)``; a name can be registered once."""
    def register(fn):
        if name in ACTIONS:
            raise ValueError(f"action {name!r} registered twice")
        ACTIONS[name] = fn
        return fn
    return register
