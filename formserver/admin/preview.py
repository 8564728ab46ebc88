"""Preview and test run of a definition: what an applicant would see for given answers; nothing is stored."""
from __future__ import annotations

import secrets

from ..compile import CompiledForm
from ..state import Evaluator
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


def dry_run(form: CompiledForm, evaluator: Evaluator, answers: dict) -> dict:
    """For ``answers``: the step path, each step's fields (visible, required) and the computed values.

    The shape of the admin API's preview: ``{"path", "steps": {step: {"visible", "fields": {path: {...}}}},
    "computed"}``; fields are keyed by their path (``group.0.key`` inside items).
    """
    state = evaluator.evaluate(form, answers if isinstance(answers, dict) else {})
    steps = {step.key: {"visible": step.key in state.path, "fields": {}} for step in form.steps}
    for path, s in state.fields.items():
        # a path names its field last ("kegiatan_usaha.0.kbli"): the field's own step holds it
        step_key = form.step_of_field.get(path.split(".")[-1])
        if step_key in steps:
            steps[step_key]["fields"][path] = {"visible": s.visible, "required": s.required}
    return {"path": list(state.path), "steps": steps, "computed": dict(state.computed)}


def try_step(form: CompiledForm, validator: StepValidator, step_key: str, posted: dict, answers: dict):
    """Check posted values of one step on top of the sample answers as saving it would; returns
    (the answers with this step's kept values, the step's result). Nothing is stored."""
    step = form.steps_by_key[step_key]
    result = validator.validate(form, step, posted, answers)
    merged = {k: v for k, v in answers.items() if form.step_of_field.get(k) != step_key}
    merged.update(result.values)  # a group continuing earlier items comes back whole, with their ids
    return merged, result
