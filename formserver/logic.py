"""Evaluate JsonLogic rules: the one place where conditions, computed values and branching run.

Rules are compiled once when a definition loads (:func:`compile_rule`). Evaluation is pure and
sandboxed: the engine has no attribute access or I/O, refuses rules nested deeper than 256
levels at compile time and stops any evaluation that charges more than ``OPS_BUDGET``
operations. Custom operators (reference look-ups, dates) come from :data:`OPERATORS`.
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


@operator("wilayah_nama")
def _wilayah_nama(context, level=None, code=None):
    wilayah = context.get("wilayah")
    if wilayah is None or not code:
        return None
    try:
        row = wilayah.get(level, code)
    except ValueError:
        return None
    return row["nama"] if row else None


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
        self.context = {**context, "logic": self}
        self.engine = datalogic_py.Engine(
            custom_operators={name: self._bind(fn) for name, fn in OPERATORS.items()},
            config={"ops_budget": OPS_BUDGET},
        )

    def _bind(self, fn):
        def call(args_json: str) -> str:
            try:
                return json.dumps(fn(self.context, *json.loads(args_json)))
            except (TypeError, ValueError, KeyError) as error:
                # bad arguments from an answer make the operator's value null, never a server error
                log.warning("operator %s failed: %s", fn.__name__, error)
                return "null"
        return call

    def compile(self, source) -> Rule:
        """Compile a rule once; raises RuleError for a rule the engine refuses."""
        text = json.dumps(source)
        if len(text) > MAX_RULE_BYTES:
            raise ValueError(f"rule is larger than {MAX_RULE_BYTES} bytes")
        return Rule(source, self.engine.compile_checked(text))


def _number_or_none(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@operator("kbli_judul")
def _kbli_judul(context, kode=None):
    """The KBLI 2020 title of a code; null for an unknown code."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return row["judul"] if row else None


@operator("kbli_uraian")
def _kbli_uraian(context, kode=None):
    """The KBLI 2020 description (uraian) of a code; null for an unknown code."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return row["uraian"] if row else None


@operator("kbli_perizinan_tunggal")
def _kbli_perizinan_tunggal(context, kode=None):
    """Whether the code is flagged for the SNI/Halal questions (reference data, reviewed by the office)."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return bool(row and row["perizinan_tunggal"])


@operator("skala_usaha")
def _skala_usaha(context, modal=None):
    """MIKRO/KECIL/MENENGAH/BESAR from the capital, by the thresholds in reference data."""
    from .reference.risk import scale_for_capital
    modal = _number_or_none(modal)
    return scale_for_capital(int(modal)) if modal is not None and modal >= 0 else None


@operator("risiko_kbli")
def _risiko_kbli(context, kode=None, skala=None, luas_lahan_m2=None):
    """The risk level from the current risk table; null when no sourced value exists (never guessed)."""
    risk = context.get("risk")
    if risk is None or not kode or not skala:
        return None
    return risk.lookup(str(kode), str(skala), {"luas_lahan_m2": _number_or_none(luas_lahan_m2)}).tingkat_risiko


@operator("jenis_usaha_lingkungan")
def _jenis_usaha_lingkungan(context, kode=None):
    """The environmental parameter set of a KBLI code (reference data)."""
    from .reference.risk import environmental_parameter_set
    return environmental_parameter_set(str(kode))["jenis_usaha"] if kode else None


@operator("kewajiban_lingkungan")
def _kewajiban_lingkungan(context, kode=None, luas_lahan_m2=None, luas_bangunan_m2=None, kapasitas_produksi=None):
    """SPPL, UKL_UPL or AMDAL by the reference data's rules for the code's parameter set."""
    from .reference.risk import environmental_obligation
    if not kode:
        return None
    params = {"luas_lahan_m2": _number_or_none(luas_lahan_m2), "luas_bangunan_m2": _number_or_none(luas_bangunan_m2),
              "kapasitas_produksi": _number_or_none(kapasitas_produksi)}
    return environmental_obligation(str(kode), params, context["logic"])
