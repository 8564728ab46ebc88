"""Evaluate JsonLogic rules: the one place where conditions, computed values and branching run.

Rules are compiled once when a definition loads (:func:`compile_rule`). Evaluation is pure and
sandboxed: the engine has no attribute access or I/O, refuses rules nested deeper than 256
levels at compile time and stops any evaluation that charges more than ``OPS_BUDGET``
operations. Custom operators come from :data:`OPERATORS`: dates here, reference look-ups from
``reference/operators.py`` (loaded through :mod:`formserver.plugins`).
"""
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import datalogic_py

from . import dates

log = logging.getLogger("formserver.logic")

OPS_BUDGET = 20_000
MAX_RULE_BYTES = 64 * 1024
# offices run on Western Indonesian Time; "today" must not flip at 07:00 local time
WIB = dates.WIB

RuleError = datalogic_py.DataLogicError

OPERATORS: dict[str, Callable] = {}


def operator(name: str):
    """Register a custom operator ``fn(context, *args)``; names are checked for clashes."""
    def register(fn):
        if name in OPERATORS:
            raise ValueError(f"operator {name!r} registered twice")
        OPERATORS[name] = fn
        return fn
    return register


def today() -> dt.date:
    """Today's date in WIB."""
    return dt.datetime.now(WIB).date()


@operator("today")
def _today(context):
    return today().isoformat()


@operator("age")
def _age(context, born=None):
    """Whole years from an ISO date to today; null when the date is missing or malformed."""
    try:
        born = dt.date.fromisoformat(str(born))
    except ValueError:
        return None
    now = today()
    return now.year - born.year - ((now.month, now.day) < (born.month, born.day))


# the whole numbers the engine holds as integers (an i64); a whole float beyond them stays a float
_WHOLE = (-2.0 ** 63, 2.0 ** 63)


def _whole(number: float) -> bool:
    return number.is_integer() and _WHOLE[0] <= number < _WHOLE[1]


def _read_float(text: str):
    number = float(text)
    return int(number) if _whole(number) else number


def plain_numbers(value):
    """``value`` with every whole float (``100.0``) inside it as an int, as the data rules read must hold them.

    The engine writes a float ``100.0`` as "100.0" (``cat``) where the browser, whose JSON has no such float, writes
    "100": data, rule literals and operator results are handed over with whole numbers as integers. The same object
    comes back when there is none (the usual case: a look without recursion, however deep the value); else a copy.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float and _whole(item):
            return json.loads(json.dumps(value), parse_float=_read_float)
    return value


@dataclass(frozen=True)
class Rule:
    """A compiled rule with its source, kept for error messages and the browser mirror."""
    source: Any
    compiled: Any

    def __call__(self, data: dict) -> Any:
        """The rule's value for ``data``; a failing rule logs and yields None (falsy)."""
        try:
            return self.compiled.evaluate(data)
        except RuleError as error:
            log.warning("rule %s failed: %s", json.dumps(self.source)[:200], error)
            return None


class Logic:
    """A JsonLogic engine with the custom operators bound to the app's reference data."""

    def __init__(self, **context):
        from . import plugins
        plugins.load()  # the operators the forms' own modules register
        self.context = {**context, "logic": self}
        self.operators = frozenset(OPERATORS)  # what the engine knows beyond JsonLogic (definition.check.checked)
        self.engine = datalogic_py.Engine(
            custom_operators={name: self._bind(fn) for name, fn in OPERATORS.items()},
            config={"ops_budget": OPS_BUDGET},
        )

    def _bind(self, fn):
        def call(args_json: str) -> str:
            try:
                return json.dumps(plain_numbers(fn(self.context, *json.loads(args_json))))
            except (TypeError, ValueError, KeyError) as error:
                # bad arguments from an answer make the operator's value null, never a server error
                log.warning("operator %s failed: %s", fn.__name__, error)
                return "null"
        return call

    def compile(self, source) -> Rule:
        """Compile a rule once; raises RuleError for a rule the engine refuses."""
        text = json.dumps(plain_numbers(source))
        if len(text) > MAX_RULE_BYTES:
            raise ValueError(f"rule is larger than {MAX_RULE_BYTES} bytes")
        return Rule(source, self.engine.compile_checked(text))
