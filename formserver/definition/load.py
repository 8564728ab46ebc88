"""Load form definitions from JSON files, check them, compile them: fail at load time, not per request."""
import json
from pathlib import Path

from ..compile import CompiledForm, compile_form
from ..logic import Logic
from .check import Problem, Registries, check


class DefinitionError(Exception):
    """A definition file that cannot be used; lists every problem found."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path, self.problems = path, problems
        lines = "\n".join(f"  {p.pointer or '/'}: {p.message}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{lines}")


def read_json(path: Path):
    """Parse a JSON file; a syntax error becomes a DefinitionError naming line and column."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DefinitionError(str(path), [Problem(
            "", f"the file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")]) from None
    except UnicodeDecodeError:
        raise DefinitionError(str(path), [Problem("", "the file is not UTF-8 text")]) from None


def registries() -> Registries:
    """The names a definition may use, from the live registries."""
    from .. import plugins
    from ..actions import ACTIONS
    from ..compile.fields import FIELD_TYPES
    from ..reference.wilayah import LEVELS
    from ..state import ROOTS
    from ..validators import VALIDATOR_ARGS, VALIDATORS
    plugins.load()  # the forms' own modules register their actions
    return Registries(field_types=frozenset(FIELD_TYPES), validators=frozenset(VALIDATORS),
                      actions=frozenset(ACTIONS), references={"wilayah": LEVELS}, roots=ROOTS,
                      validator_args=VALIDATOR_ARGS)


def check_file(path: Path, logic: Logic) -> list[Problem]:
    """Every problem in one definition file."""
    try:
        doc = read_json(path)
    except DefinitionError as error:
        return error.problems
    return check(doc, registries(), logic.engine)


class FormRegistry:
    """The compiled forms of a folder, by form key."""

    def __init__(self, logic: Logic):
        self.logic = logic
        self.forms: dict[str, CompiledForm] = {}

    def load_dir(self, directory: Path) -> "FormRegistry":
        for path in sorted(Path(directory).glob("*.json")):
            self.load_file(path)
        return self

    def load_file(self, path: Path) -> CompiledForm:
        doc = read_json(path)
        problems = check(doc, registries(), self.logic.engine)
        if problems:
            raise DefinitionError(str(path), problems)
        form = compile_form(doc, self.logic)
        self.forms[form.key] = form
        return form

    def get(self, key: str) -> CompiledForm:
        return self.forms[key]

    def __contains__(self, key: str) -> bool:
        return key in self.forms

    def __iter__(self):
        return iter(self.forms.values())
