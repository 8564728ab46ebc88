"""Preview of a definition: a step as an applicant would see it for sample answers; nothing is stored.

The test run over the whole form (path, fields, computed values) is the versions service's ``preview``."""
from __future__ import annotations

import secrets

from ..compile import CompiledForm
from ..validate import ITEM_ID, StepValidator


def sample_answers(form: CompiledForm) -> dict:
    """Answers to start a preview with: each repeating group gets its fewest items (at least one), empty."""
    answers: dict = {}
    for step in form.steps:
        for f in step.fields:
            if f.repeat and not f.each:
                count = max(1, int(f.spec.get("min_items") or 0))
                answers[f.data_key] = [{ITEM_ID: secrets.token_hex(4)} for _ in range(count)]
    return answers


def try_step(form: CompiledForm, validator: StepValidator, step_key: str, posted: dict, answers: dict):
    """Check posted values of one step on top of the sample answers as saving it would; returns
    (the answers with this step's kept values, the step's result). Nothing is stored."""
    step = form.steps_by_key[step_key]
    result = validator.validate(form, step, posted, answers)
    merged = {k: v for k, v in answers.items() if form.step_of_field.get(k) != step_key}
    merged.update(result.values)  # a group continuing earlier items comes back whole, with their ids
    return merged, result
