"""The modules that register what the shipped forms need beyond the engine.

Importing one registers its actions (:mod:`formserver.actions`), JsonLogic operators
(:mod:`formserver.logic`) or field types; the generic stages load them through :func:`load` and
never name a form themselves.
"""
import importlib

MODULES = (
    "formserver.reference.operators",   # reference look-ups the rules call (KBLI, risk, environment)
    "formserver.accounts.registration",  # the registration form's actions
    "formserver.issue.issuance",         # the permit application's actions and documents
    "formserver.complaints",             # the complaint form's ticket and workflow
    "formserver.survey",                 # the satisfaction survey's action and its reminder
)


def load() -> None:
    """Import every module in :data:`MODULES` (once; Python keeps them)."""
    for name in MODULES:
        importlib.import_module(name)
