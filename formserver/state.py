"""The state of a submission under its form: what is visible, required, computed, and the step path.

The one evaluation both rendering and validation use, so what the page shows and what the server
accepts cannot drift apart. Hidden answers are dropped from ``data`` before later rules read it.
"""
from dataclasses import dataclass
from dataclasses import field as dc_field

from .compile import CompiledField, CompiledForm
from .compile.fields import EMPTY
from .logic import plain_numbers

# data a submission carries besides its answers, readable by rules: the applicant's account
ROOTS = frozenset({"akun"})


@dataclass
class FieldState:
    visible: bool
    required: bool
    options: list[tuple[str, object]] | None = None  # (value, label text or name)

    @property
    def option_values(self) -> list | None:
        """The values of the options offered, or None when the answer has no list of options."""
        return None if self.options is None else [option[0] for option in self.options]


@dataclass
class FormState:
    data: dict                                         # visible answers plus computed values
    computed: dict
    fields: dict[str, FieldState] = dc_field(default_factory=dict)  # by path: "key" or "group.0.key"
    steps_visible: dict[str, bool] = dc_field(default_factory=dict)
    path: list[str] = dc_field(default_factory=list)
    item_labels: dict[tuple[str, str], object] = dc_field(default_factory=dict)  # (group key, "items.0") -> title
    hidden_items: set[tuple[str, str]] = dc_field(default_factory=set)  # (group key, "items.0") a group skips
    item_cells: dict[tuple[str, str], list] = dc_field(default_factory=dict)  # (group key, "items.0") -> table row values

    def visible(self, path: str) -> bool:
        state = self.fields.get(path)
        return bool(state and state.visible)

    def visible_paths(self) -> list[str]:
        """The paths of the visible fields, sorted: what a page shows (posted back as `_shown`)."""
        return sorted(path for path, state in self.fields.items() if state.visible)


def truthy(value) -> bool:
    """JsonLogic truthiness."""
    if value is None or value is False:
        return False
    if isinstance(value, (list, str, dict)):
        return len(value) > 0
    if isinstance(value, (int, float)):
        return value != 0
    return True


class Evaluator:
    """Evaluates a compiled form against answers; holds the reference data for cascading choices."""

    def __init__(self, references):
        self.references = references

    def evaluate(self, form: CompiledForm, answers: dict) -> FormState:
        """Visibility, requirements, options, computed values and the path for ``answers``."""
        # answers to questions the form no longer has (a newer version) are not carried along; whole numbers as
        # integers, as the browser's rules read them (logic.plain_numbers)
        state = FormState(data=plain_numbers({k: v for k, v in answers.items() if k in form.fields_by_key or k in ROOTS}),
                          computed={})
        for step in form.steps:
            shown = step.visible is None or truthy(step.visible(state.data))
            state.steps_visible[step.key] = shown
            for f in step.fields:
                self._field(f, f.key, shown, state.data, state, state.data)
        state.path = self._path(form, state)
        on_path = set(state.path)
        # answers of steps the branches skip are not part of the submission
        for step in form.steps:
            if step.key not in on_path:
                for f in step.fields:
                    self._hide(f, f.key, state, state.data)
        return state

    def _field(self, f: CompiledField, path: str, parent_shown: bool, context: dict, state: FormState, holder: dict):
        # the field's properties (kind, each, source) are read once each: this runs for every field of the form
        visible = f.visible
        shown = parent_shown and (visible is None or truthy(visible(context)))
        container = f.kind.container
        if not shown and not container and not f.spec.get("each"):
            # a hidden question (most of a form's, early on): what _hide does for one, without asking again
            state.fields[path] = FieldState(False, False)
            holder.pop(f.key, None)
            state.computed.pop(path, None)
            return
        options = self._options(f, context) if shown else None
        if options == [] and (f.spec.get("source") or {}).get("skip_when_empty"):
            shown, options = False, None  # nothing to choose for this answer (e.g. a KBLI without such a list): not asked
        if f.compute is not None and shown:
            value = f.compute(context)
            holder[f.key] = value
            state.computed[path] = value
        required_if = f.required_if
        required = shown and (truthy(required_if(context)) if required_if is not None else f.required)
        state.fields[path] = FieldState(shown, required, options)
        if not shown:
            self._hide(f, path, state, holder)
            return
        if container:
            self._group(f, path, context, state, holder)

    def _group(self, f: CompiledField, path: str, context: dict, state: FormState, holder: dict):
        if not f.repeat:
            for child in f.children:
                self._field(child, child.key, True, context, state, holder)
            return
        items = holder.get(f.data_key)
        if not f.each:
            # copies: evaluation must never change the caller's answers
            items = [dict(x) if isinstance(x, dict) else {} for x in items] if isinstance(items, list) else []
            if f.data_key in holder:
                holder[f.data_key] = items
        for i, item in enumerate(items or []):
            scope = {**context, **item}  # an item's own fields are read by their key
            item_path = f"{path}.{i}" if not f.each else f"{f.data_key}.{i}"
            if f.item_visible is not None and not truthy(f.item_visible(scope)):
                state.hidden_items.add((f.key, item_path))
                for child in f.children:
                    self._hide(child, f"{item_path}.{child.key}", state, item)
                continue
            for child in f.children:
                self._field(child, f"{item_path}.{child.key}", True, scope, state, item)
                if child.key in item:
                    scope[child.key] = item[child.key]
                else:
                    scope.pop(child.key, None)
            if f.item_label is not None:
                state.item_labels[(f.key, item_path)] = f.item_label(scope)
            if f.columns:
                state.item_cells[(f.key, item_path)] = [column.value(scope) for column in f.columns]

    def _hide(self, f: CompiledField, path: str, state: FormState, holder: dict):
        if f.each:
            # an extension of another group's items: only its own answers go
            for i, item in enumerate(holder.get(f.data_key) or []):
                for child in f.children:
                    self._hide(child, f"{f.data_key}.{i}.{child.key}", state, item)
        else:
            holder.pop(f.key, None)
        state.computed.pop(path, None)
        if f.kind.container:  # a group: itself and everything evaluated inside it
            prefix = path + "."
            for known in [p for p in state.fields if p == path or p.startswith(prefix)]:
                state.fields[known] = FieldState(False, False)
        elif path in state.fields:  # a question has no paths below its own
            state.fields[path] = FieldState(False, False)
        if f.kind.container and not f.repeat:
            for child in f.children:
                self._hide(child, child.key, state, holder)

    def _options(self, f: CompiledField, context: dict):
        source = f.spec.get("source")
        if source:
            parent = source.get("parent")
            parent_value = context.get(parent) if parent else None
            if parent and parent_value in EMPTY:
                return []
            return self.references.options(source, parent_value)
        if f.options:
            return [(o.value, o.label) for o in f.options if o.visible is None or truthy(o.visible(context))]
        return None

    def _path(self, form: CompiledForm, state: FormState) -> list[str]:
        visible = [s for s in form.steps if state.steps_visible[s.key]]
        if not visible:
            return []
        path, step = [], visible[0]
        while step is not None and len(path) < len(form.steps):
            path.append(step.key)
            step = None if step.ends else self._next(form, step, state)
        return path

    def _next(self, form, step, state):
        for rule, target in step.next:
            if rule is None or truthy(rule(state.data)):
                return form.steps_by_key[target]
        later = [s for s in form.steps[step.index + 1:] if state.steps_visible[s.key]]
        return later[0] if later else None
