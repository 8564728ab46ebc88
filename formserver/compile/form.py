"""The compiled form: what the logic, render and validate stages read, built once per definition."""
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ..i18n import LazyText
from ..logic import Logic, Rule
from .fields import FIELD_TYPES, FieldType


@dataclass
class CompiledOption:
    value: str
    label: dict
    hint: dict | None
    visible: Rule | None


@dataclass
class CompiledColumn:
    """A column of a group's table: its heading, the rule read per item, the field or words that show its value."""
    label: dict
    value: Rule
    field: str | None = None           # a field's answer, shown as that field shows it
    labels: dict | None = None         # words for the codes the rule gives


@dataclass
class CompiledField:
    key: str
    type: str
    spec: dict
    visible: Rule | None
    required: bool
    required_if: Rule | None
    compute: Rule | None
    options: list[CompiledOption]
    validators: list[tuple[str, dict, LazyText | None]]
    children: list["CompiledField"]
    input: Any                   # marshmallow field, None for types without input
    store: bool
    item_label: Rule | None = None  # a repeating group's title per item
    item_visible: Rule | None = None  # which items a group asks about (others are skipped)
    checks: list = dc_field(default_factory=list)  # a group's per-item rules: (rule, child key, message)
    prefill: Rule | None = None  # the suggested answer while there is none
    columns: list[CompiledColumn] = dc_field(default_factory=list)  # a group shown as a table

    @property
    def kind(self) -> FieldType:
        """The field's type: everything that depends on it is asked of this object."""
        return FIELD_TYPES[self.type]

    @property
    def takes_input(self) -> bool:
        return self.input is not None or self.kind.container

    @property
    def source(self) -> dict | None:
        return self.spec.get("source")

    @property
    def each(self) -> str | None:
        """The repeating group whose items this group continues (on a later step), if any."""
        return self.spec.get("each")

    @property
    def repeat(self) -> bool:
        return bool(self.spec.get("repeat") or self.each)

    @property
    def data_key(self) -> str:
        """Where the answers live: a group that continues another group's items writes into them."""
        return self.each or self.key


@dataclass
class CompiledStep:
    key: str
    index: int
    spec: dict
    visible: Rule | None
    fields: list[CompiledField]
    checks: list[tuple[Rule, str, LazyText]]
    next: list[tuple[Rule | None, str]]

    @property
    def action(self) -> str | None:
        return self.spec.get("action")

    @property
    def review(self) -> bool:
        return bool(self.spec.get("review"))

    @property
    def ends(self) -> bool:
        """Whether the form stops at this step (nothing follows it, nothing completes)."""
        return bool(self.spec.get("end"))

    @property
    def uploads(self) -> bool:
        """Whether a question of the step takes a file (its page is posted as multipart/form-data)."""
        return any(f.kind.upload for f in self.fields)

    @property
    def has_sources(self) -> bool:
        """Whether any question of the step (in groups too) takes its choices from reference data."""
        def walk(fields):
            return any(f.source or walk(f.children) for f in fields)
        return walk(self.fields)


@dataclass
class CompiledForm:
    key: str
    version: int
    spec: dict
    steps: list[CompiledStep]
    steps_by_key: dict[str, CompiledStep] = dc_field(default_factory=dict)
    fields_by_key: dict[str, CompiledField] = dc_field(default_factory=dict)
    step_of_field: dict[str, str] = dc_field(default_factory=dict)
    access_rule: Rule | None = None

    @property
    def title(self) -> dict:
        return self.spec["title"]


def _rule(logic: Logic, source) -> Rule | None:
    return None if source is None else logic.compile(source)


def _validators(spec: dict) -> list[tuple[str, dict, LazyText | None]]:
    result = []
    for item in spec.get("validators", []):
        if isinstance(item, str):
            result.append((item, {}, None))
        else:
            message = LazyText.of(item["message"]) if "message" in item else None
            result.append((item["name"], item.get("args", {}), message))
    return result


def _field(logic: Logic, spec: dict) -> CompiledField:
    field_type = FIELD_TYPES[spec["type"]]
    children = [_field(logic, child) for child in spec.get("fields", [])]
    return CompiledField(
        key=spec["key"],
        type=spec["type"],
        spec=spec,
        visible=_rule(logic, spec.get("visible_if")),
        required=bool(spec.get("required")),
        required_if=_rule(logic, spec.get("required_if")),
        compute=_rule(logic, spec.get("compute")),
        options=[CompiledOption(o["value"], o["label"], o.get("hint"), _rule(logic, o.get("visible_if")))
                 for o in spec.get("options", [])],
        validators=_validators(spec),
        children=children,
        input=field_type.make(spec) if field_type.make else None,
        store=spec.get("store", True) and not field_type.secret,
        item_label=_rule(logic, spec.get("item_label")),
        item_visible=_rule(logic, spec.get("item_visible_if")),
        checks=[(logic.compile(c["rule"]), c["field"], LazyText.of(c["message"])) for c in spec.get("checks", [])],
        prefill=_rule(logic, spec.get("prefill")),
        columns=[_column(logic, c) for c in spec.get("columns", [])],
    )


def _column(logic: Logic, spec: dict) -> CompiledColumn:
    rule = spec["value"] if "value" in spec else {"var": spec["field"]}
    return CompiledColumn(spec["label"], logic.compile(rule), spec.get("field"), spec.get("labels"))


def _step(logic: Logic, index: int, spec: dict) -> CompiledStep:
    fields = [_field(logic, f) for f in spec.get("fields", [])]
    return CompiledStep(
        key=spec["key"],
        index=index,
        spec=spec,
        visible=_rule(logic, spec.get("visible_if")),
        fields=fields,
        checks=[(logic.compile(c["rule"]), c["field"], LazyText.of(c["message"])) for c in spec.get("checks", [])],
        next=[(_rule(logic, n.get("if")), n["step"]) for n in spec.get("next", [])],
    )


def _index(form: CompiledForm) -> None:
    def walk(step_key, fields):
        for f in fields:
            form.fields_by_key[f.key] = f
            form.step_of_field[f.key] = step_key
            walk(step_key, f.children)
    for step in form.steps:
        form.steps_by_key[step.key] = step
        walk(step.key, step.fields)


def compile_form(spec: dict, logic: Logic) -> CompiledForm:
    """Compile a definition that has passed the checks."""
    form = CompiledForm(
        key=spec["key"], version=spec["version"], spec=spec,
        steps=[_step(logic, i, s) for i, s in enumerate(spec["steps"])],
        access_rule=_rule(logic, (spec.get("access") or {}).get("allow_if")))
    _index(form)
    return form
