"""Load form definitions from JSON files, check them, compile them: fail at load time, not per request."""
import json
import time
from pathlib import Path

from ..compile import CompiledForm, compile_form
from ..i18n import json_mistake, lazy_gettext
from ..logic import Logic
from .check import Problem, Registries, check, listing


class DefinitionError(Exception):
    """A definition file that cannot be used; lists every problem found."""

    def __init__(self, path: str, problems: list[Problem]):
        super().__init__(path, problems)
        self.path, self.problems = path, problems

    def __str__(self) -> str:
        return listing(self.path, self.problems)


def read_json(path: Path):
    """Parse a JSON file; a syntax error becomes a DefinitionError naming line and column."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DefinitionError(str(path), [Problem("", json_mistake(error))]) from None
    except UnicodeDecodeError:
        raise DefinitionError(str(path), [Problem("", lazy_gettext("berkas ini bukan teks UTF-8"))]) from None


def registries() -> Registries:
    """The names a definition may use, from the live registries."""
    from .. import plugins
    from ..actions import ACTIONS
    from ..compile.fields import FIELD_TYPES
    from ..reference import lingkungan
    from ..reference.bupm import BupmTables
    from ..reference.options import WilayahSource
    from ..state import ROOTS
    from ..validators import VALIDATOR_ARGS, VALIDATORS
    plugins.load()  # the forms' own modules register their actions
    return Registries(field_types=frozenset(FIELD_TYPES), validators=frozenset(VALIDATORS),
                      actions=frozenset(ACTIONS), references={
                          "wilayah": WilayahSource.levels(), "lingkungan": lingkungan.shipped().levels(),
                          "bupm": BupmTables.levels()}, roots=ROOTS,
                      validator_args=VALIDATOR_ARGS)


def check_file(path: Path, logic: Logic) -> list[Problem]:
    """Every problem in one definition file."""
    try:
        doc = read_json(path)
    except DefinitionError as error:
        return error.problems
    return check(doc, registries(), logic.engine)


class FormRegistry:
    """The compiled forms the server serves, read from the store's versioned definitions.

    ``get(key)`` is the published version, ``get(key, version)`` any stored version (a submission's
    pinned one). Compiled forms are cached by (key, version): a published version never changes. Which
    version is published is read from the store at most every ``refresh_seconds`` per process, so every
    worker and app server serves a newly published version within that time, without a restart.
    """

    def __init__(self, logic: Logic, store, refresh_seconds: float = 2.0, clock=time.monotonic, transform=None):
        self.logic, self.store, self.refresh_seconds, self.clock = logic, store, refresh_seconds, clock
        # base definition -> the definition served (a regional variant's overlay, formserver/variants)
        self.transform = transform or (lambda definition: definition)
        self._compiled: dict[tuple[str, int], CompiledForm] = {}
        self._published: dict[str, int] = {}
        self._checked_at: float | None = None

    def refresh(self, force: bool = False) -> None:
        """Read which versions are published, when the last reading is older than ``refresh_seconds``."""
        now = self.clock()
        if force or self._checked_at is None or now - self._checked_at >= self.refresh_seconds:
            self._published = self.store.published_versions()
            self._checked_at = now

    def compile(self, definition: dict) -> CompiledForm:
        """A stored (base) definition compiled as this server serves it: with the variant's overlay applied."""
        return compile_form(self.transform(definition), self.logic)

    def remember(self, form: CompiledForm) -> None:
        """Keep a form compiled elsewhere (the shipped files at start-up) under its key and version."""
        self._compiled[(form.key, form.version)] = form

    def forget(self) -> None:
        """Compile every version again on next use (the variant's overlays changed)."""
        self._compiled.clear()

    def compiled(self, key: str, version: int) -> CompiledForm | None:
        """A stored version, compiled (drafts are compiled afresh each time: they change)."""
        form = self._compiled.get((key, version))
        if form is not None:
            return form
        record = self.store.get_form_version(key, version)
        if record is None:
            return None
        form = self.compile(record["definition"])
        if record.get("published_seq") is not None:
            self._compiled[(key, version)] = form
        return form

    def published_version(self, key: str) -> int | None:
        self.refresh()
        return self._published.get(key)

    def get(self, key: str, version: int | None = None) -> CompiledForm:
        """The published form (or the stored ``version``, falling back to the published one when the store
        has no such version: a draft started before definitions were versioned in the store); KeyError when
        the form is not served."""
        if version is not None:
            form = self.compiled(key, version)
            if form is not None:
                return form
        published = self.published_version(key)
        if published is None:
            raise KeyError(key)
        return self.compiled(key, published)

    def __contains__(self, key: str) -> bool:
        return self.published_version(key) is not None

    def __iter__(self):
        self.refresh()
        return iter([self.compiled(key, version) for key, version in sorted(self._published.items())])
