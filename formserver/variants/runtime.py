"""The variant a server runs (FORMSERVER_VARIANT): its identity, templates and reference files, and its overlays
applied to each base form version when that version is compiled.

An overlay entry that no longer fits the base (the national form changed) is left out and logged as a warning;
the server keeps serving that part of the base unchanged and never stops for it (``formserver variant check``
exits 1 for it). An effective definition that does not pass the definition check as a whole is not served:
the base version is, with an error in the log. A variant whose own file is wrong (format, markup, images)
stops the start, like a wrong form definition; :meth:`RunningVariant.replace` refuses one and keeps the last
good variant.
"""
import logging
import threading

from ..definition.check import Problem
from ..i18n import gettext
from .identity import office_of, service_standard
from .overlay import effective
from .variant import DEFAULT_VARIANT, Variant, read_variant, validate_overlay

log = logging.getLogger(__name__)


class RunningVariant:
    """The running server's variant, replaced only by one without problems."""

    def __init__(self, variant: Variant, locales: tuple[str, ...] | None = None):
        self.variant = variant
        self.locales = locales  # the locales the server offers (its catalogs): texts of other locales are refused
        self.references = None        # ReferenceValues, once the reference data is loaded (bind)
        self.check_definition = None  # a definition's problems (the definition check), once bound
        self._lock = threading.Lock()
        self.reported: dict[tuple[str, object], list] = {}  # (form, version) -> the entries left out

    @classmethod
    def from_config(cls, config) -> "RunningVariant":
        """The variant FORMSERVER_VARIANT names (kampar when unset); VariantError stops the start."""
        from ..i18n import catalogs_for
        return cls(read_variant(config.get("VARIANT") or DEFAULT_VARIANT, config.get("VARIANTS_DIR") or None),
                   catalogs_for(config.get("TRANSLATIONS_DIR") or None).locales)

    def bind(self, references, check_definition) -> None:
        self.references, self.check_definition = references, check_definition

    @property
    def name(self) -> str:
        return self.variant.name

    @property
    def identity(self) -> dict:
        return self.variant.identity

    def office(self) -> dict:
        return office_of(self.variant.identity)

    def service_standard(self) -> dict:
        return service_standard(self.variant.identity)

    @property
    def template_dirs(self) -> tuple:
        return (self.variant.template_dir,) if self.variant.template_dir else ()

    def image_data_uri(self, key: str) -> str:
        return self.variant.image_data_uri(key)

    def transform(self, definition: dict) -> dict:
        """The effective definition of a base version (the base itself when the variant has no overlay for it)."""
        form_id = definition.get("key")
        ops = self.variant.overlays.get(form_id)
        if not ops:
            return definition
        result, problems = effective(definition, ops, f"/forms/{form_id}", self.references, self.locales)
        if problems:
            self.reported[(form_id, definition.get("version"))] = problems
            for p in problems:
                log.warning("variant %s, %s version %s: overlay entry %s left out, the base is served there: %s",
                            self.name, form_id, definition.get("version"), p.pointer, p.message)
        if self.check_definition is not None:
            invalid = self.check_definition(result)
            if invalid:
                log.error("variant %s: the effective definition of %s version %s is not valid (%s); the base "
                          "version is served unchanged", self.name, form_id, definition.get("version"),
                          "; ".join(f"{p.pointer}: {p.message}" for p in invalid[:5]))
                self.reported[(form_id, definition.get("version"))] = problems + list(invalid)
                return definition
        return result

    def replace(self, doc: dict, base_definitions: dict, root=None, forms=None, images=None) -> list:
        """Serve ``doc`` (a variant document) from now on, if it has no problem; else keep the current variant
        and return the problems. ``forms`` (the FormRegistry) forgets what it compiled with the old overlays."""
        problems = validate_overlay(doc, base_definitions, self.references, self.locales,
                                    check_definition=self.check_definition)
        if not problems and doc.get("name") != self.name:
            problems = [Problem("/name", gettext("Server ini menjalankan varian '{name}'.").format(name=self.name))]
        if not problems:
            with self._lock:
                self.variant = Variant(self.name, doc, root if root is not None else self.variant.root,
                                       images=dict(images or {}))
                self.reported.clear()
            if forms is not None:
                forms.forget()
        return problems
