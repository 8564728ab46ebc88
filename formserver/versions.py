"""Versioned form definitions: draft → published → retired, and what a publication means for drafts.

A form's versions live in the store (``Store.insert_form_version`` …). A draft may change; once a
version has been published its definition never changes again. The published version is the one
published last (publishing an earlier version again is the roll-back); every other version that was
ever published is retired. A submission is pinned to the version it started on (``form_version``)
and finishes on it unless an administrator migrates it (:meth:`FormVersions.migrate`).

The shipped files (``forms/*.json``) are imported at start-up (:meth:`FormVersions.import_shipped`,
docs/DECISIONS.md "Shipped definitions and the store"). The pages and the admin API call this
module; they only translate requests.
"""
import copy
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from . import audit
from .admin.diff import as_json, is_empty, removed_fields, sentences, summary
from .admin.diff import diff as diff_definitions
from .definition.check import Problem, check, checked, listing
from .definition.load import DefinitionError, read_json, registries
from .i18n import gettext, lazy_gettext
from .store import DuplicateKey, StaleVersion
from .submissions import Conflict
from .validate import ITEM_ID

DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
SYSTEM = "system:forms-dir"  # the actor of what the shipped files bring
PAGE = 200
log = logging.getLogger(__name__)


class NoSuchVersion(LookupError):
    """No such form, or no such version of it."""


class DefinitionRefused(Exception):
    """The definition has problems; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return listing("", self.problems).removeprefix(": ")


class VersionConflict(Exception):
    """The change does not fit the version's state (a published version edited, a form created twice, …)."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message, self.details = message, details


@dataclass
class Placement:
    """Where a draft would be on another version: accepted as it is, or sent back to ``step`` for ``reasons``."""
    completed: list
    step: str | None
    sent_back: bool
    reasons: list


def digest(definition: dict) -> str:
    """The content's fingerprint, whatever its version number says."""
    body = {k: v for k, v in definition.items() if k != "version"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def status_of(record: dict, published: int | None) -> str:
    if record["number"] == published:
        return PUBLISHED
    return RETIRED if record.get("published_seq") is not None else DRAFT


def _key_problem(definition, form_id: str) -> list[Problem]:
    if isinstance(definition, dict) and definition.get("key") != form_id:
        return [Problem("/key", lazy_gettext(
            "Kunci formulir harus tetap '{key}' (kunci itu menamai formulir di setiap permohonan); sekarang tertulis "
            "{value}.").format(key=form_id, value=json.dumps(definition.get("key"))))]
    return []


class FormVersions:
    """The versions of every form, over the app's services (store, compiled forms, evaluator, validator)."""

    def __init__(self, services):
        self.services = services

    @property
    def store(self):
        return self.services.store

    @property
    def forms(self):
        return self.services.forms

    # reading ------------------------------------------------------------------------------------
    def list_forms(self) -> list[dict]:
        """Every form with its published version and its versions (newest last)."""
        published = self.store.published_versions()
        forms: dict = {}
        for record in self.store.form_versions():
            forms.setdefault(record["form_id"], []).append(self.summary(record, published.get(record["form_id"])))
        return [{"id": form_id, "published_version": published.get(form_id), "versions": versions}
                for form_id, versions in sorted(forms.items())]

    @staticmethod
    def summary(record: dict, published: int | None) -> dict:
        return {"version": record["number"], "status": status_of(record, published),
                "created_at": record["created_at"], "created_by": record["created_by"],
                "updated_at": record.get("updated_at", record["created_at"]),
                "updated_by": record.get("updated_by", record["created_by"]),
                "published_at": record.get("published_at"), "published_by": record.get("published_by")}

    def record(self, form_id: str, number: int) -> dict:
        record = self.store.get_form_version(form_id, number)
        if record is None:
            raise NoSuchVersion(f"{form_id}@{number}")
        return record

    def get(self, form_id: str, number: int) -> dict:
        """{"version", "status", "definition", ...} of one version."""
        record = self.record(form_id, number)
        return {**self.summary(record, self.store.published_versions().get(form_id)),
                "definition": record["definition"]}

    def published_number(self, form_id: str) -> int | None:
        return self.store.published_versions().get(form_id)

    # checking -----------------------------------------------------------------------------------
    def problems(self, form_id: str, definition, base: dict | None = None) -> list[Problem]:
        """What ``formserver check`` says, plus: the key stays, and no field still used elsewhere is removed
        (compared with ``base``, the published definition)."""
        found = _key_problem(definition, form_id) or check(definition, registries(), self.services.logic.engine)
        if found or base is None:
            return found
        return self._removed_field_problems(base, definition)

    def _removed_field_problems(self, base: dict, definition: dict) -> list[Problem]:
        from .issue.issuance import document_answers
        printed = document_answers(self.services.variant.template_dirs)
        removed = removed_fields(diff_definitions(base, definition))
        return [Problem(f"/steps/{self._step_index(definition, f.step, base)}", gettext(
                        "Isian "
                                                                                        "'{key}' "
                                                                                        "(langkah "
                                                                                        "'{step}') "
                                                                                        "dihapus, "
                                                                                        "padahal "
                                                                                        "dokumen "
                                                                                        "yang "
                                                                                        "diterbitkan "
                                                                                        "masih "
                                                                                        "mencetaknya. "
                                                                                        "Pertahankan "
                                                                                        "isian itu "
                                                                                        "(sembunyikan "
                                                                                        "dengan "
                                                                                        "aturan bila "
                                                                                        "tidak perlu "
                                                                                        "ditanyakan), "
                                                                                        "atau ubah "
                                                                                        "templat "
                                                                                        "dokumennya "
                                                                                        "lebih dulu.").format(key=f.key, step=f.step))
                for f in removed if f.key in printed]

    @staticmethod
    def _step_index(definition: dict, key: str, base: dict | None = None) -> int:
        """The position of step ``key`` in ``definition`` (else in ``base``, where a removed step was), or 0."""
        for doc in (definition, base or {}):
            found = next((i for i, s in enumerate(doc.get("steps") or []) if isinstance(s, dict) and s.get("key") == key),
                         None)
            if found is not None:
                return found
        return 0

    def _checked(self, form_id: str, definition, number: int) -> dict:
        """The definition as it is stored (its version set to ``number``), or DefinitionRefused."""
        published = self.published_number(form_id)
        base = self.record(form_id, published)["definition"] if published is not None else None
        found = self.problems(form_id, definition, base)
        if found:
            raise DefinitionRefused(found)
        return {**copy.deepcopy(definition), "version": number}

    # changing -----------------------------------------------------------------------------------
    def create_form(self, definition, actor: str) -> dict:
        """A new form: its first version, a draft."""
        form_id = definition.get("key") if isinstance(definition, dict) else None
        if not isinstance(form_id, str):
            raise DefinitionRefused(check(definition, registries(), self.services.logic.engine)
                                    or [Problem("/key", lazy_gettext("Formulir memerlukan kunci."))])
        if self.store.form_versions(form_id):
            raise VersionConflict(gettext("Formulir '{form_id}' sudah ada; buat versi baru dari formulir itu.").format(form_id=form_id))
        return self.create_draft(form_id, definition, actor, new_form=True)

    def create_draft(self, form_id: str, definition, actor: str, new_form: bool = False) -> dict:
        """A new draft version (the next number) holding ``definition``."""
        if not new_form and not self.store.form_versions(form_id):
            raise NoSuchVersion(form_id)
        for _ in range(5):
            number = max((v["number"] for v in self.store.form_versions(form_id)), default=0) + 1
            stored = self._checked(form_id, definition, number)
            now = audit.now_iso()
            try:
                record = self.store.insert_form_version({
                    "id": f"{form_id}@{number}", "form_id": form_id, "number": number, "definition": stored,
                    "created_at": now, "created_by": actor, "updated_at": now, "updated_by": actor})
            except DuplicateKey:  # another administrator took this number meanwhile
                continue
            self._event(form_id, "form.draft_created", actor, number, self._diff_from_published(form_id, stored))
            return record
        raise VersionConflict(gettext("Versi baru tidak dapat dibuat; coba lagi."))

    def update_draft(self, form_id: str, number: int, definition, actor: str) -> dict:
        """Replace a draft's definition; a version that was ever published never changes (VersionConflict)."""
        record = self.record(form_id, number)
        if record.get("published_seq") is not None:
            raise VersionConflict(gettext("Versi {number} sudah diterbitkan dan tidak dapat diubah "
                                          "lagi; buat versi baru.").format(number=number))
        stored = self._checked(form_id, definition, number)
        try:
            updated = self.store.update_form_version({**record, "definition": stored, "updated_at": audit.now_iso(),
                                                      "updated_by": actor})
        except StaleVersion:
            raise VersionConflict(gettext("Draf ini diubah orang lain sementara itu; muat ulang lalu coba lagi.")) from None
        self._event(form_id, "form.draft_updated", actor, number, diff_definitions(record["definition"], stored))
        return updated

    def drafts_by_version(self, form_id: str, other_than: int | None = None) -> dict[int, int]:
        """{version: number of drafts on it}."""
        counts: dict[int, int] = {}
        for doc in self._drafts(form_id):
            if doc.get("form_version") != other_than:
                counts[doc.get("form_version")] = counts.get(doc.get("form_version"), 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)))

    def publish(self, form_id: str, number: int, actor: str, acknowledge_drafts: bool = False) -> dict:
        """Publish a version (again, for a roll-back). Drafts on other versions stay on them: when there are
        any, the caller must say it knows (``acknowledge_drafts``), or VersionConflict lists them."""
        record = self.record(form_id, number)
        previous = self.published_number(form_id)
        waiting = self.drafts_by_version(form_id, other_than=number)
        if waiting and not acknowledge_drafts:
            listed = ", ".join(gettext("{count} pada versi {v}").format(count=count, v=v) for v, count in waiting.items())
            raise VersionConflict(
                gettext("Masih ada draf pada versi lain ({listed}). Draf itu tetap pada versinya "
                        "sampai dipindahkan. Terbitkan dengan konfirmasi (acknowledge_drafts), atau "
                        "lihat dampaknya dahulu.").format(listed=listed),
                drafts=[{"version": v, "drafts": count} for v, count in waiting.items()])
        if record.get("published_seq") is None:  # a draft: check it once more against what is published now
            self._checked(form_id, record["definition"], number)
        base = self.record(form_id, previous)["definition"] if previous is not None else {}
        now = audit.now_iso()
        try:
            published = self.store.update_form_version({
                **record, "published_seq": self.store.next_value("form_publications"), "published_at": now,
                "published_by": actor, "first_published_at": record.get("first_published_at") or now})
        except StaleVersion:  # published (or changed) by someone else meanwhile
            raise VersionConflict(gettext("Versi ini diubah atau diterbitkan orang lain sementara itu; muat ulang lalu "
                                     "coba lagi.")) from None
        self.forms.refresh(force=True)
        self._event(form_id, "form.published", actor, number, diff_definitions(base, record["definition"]),
                    previous=previous, drafts_on_other_versions={str(v): c for v, c in waiting.items()})
        return {"published_version": published["number"], "previous_version": previous,
                "drafts": [{"version": v, "drafts": c} for v, c in waiting.items()]}

    def preview(self, form_id: str, number: int, answers: dict) -> dict:
        """For sample answers: the path, every step's fields (visible, required) and the computed values."""
        self.record(form_id, number)
        form = self.forms.get(form_id, number)
        try:
            state = self.services.evaluator.evaluate(form, answers)
        except (TypeError, ValueError, AttributeError, KeyError) as error:  # answers of the wrong shape
            raise DefinitionRefused([Problem("/answers", gettext("Jawaban contoh tidak dapat dibaca: {error}").format(error=error))]) from None
        steps = {step.key: {"fields": {}} for step in form.steps}
        for path, field_state in state.fields.items():
            # "group.0.key": the innermost key names the field (a group continuing another's items has its data key)
            step = form.step_of_field.get(next(p for p in reversed(path.split(".")) if not p.isdigit()))
            if step in steps:
                steps[step]["fields"][path] = {"visible": field_state.visible, "required": field_state.required}
        return {"path": state.path, "steps": steps, "computed": state.computed}

    # drafts on other versions ---------------------------------------------------------------------
    def _drafts(self, form_id: str):
        offset = 0
        while batch := self.store.list_submissions(form_id, status="draft", limit=PAGE, offset=offset):
            yield from batch
            offset += len(batch)

    def placement(self, doc: dict, form) -> Placement:
        """Where the draft would be on ``form``: each completed step, in the new path's order, validated again
        with the server's validation of that step; the first one refused (or not done) is where it resumes."""
        svc = self.services
        state = svc.evaluator.evaluate(form, doc["data"])
        completed: list = []
        for key in state.path:
            step = form.steps_by_key[key]
            if key not in doc["completed"]:
                on_old_path = key in self._old_path(doc)
                later_done = any(k in doc["completed"] for k in state.path[state.path.index(key) + 1:])
                if not on_old_path and later_done:
                    return Placement(completed, key, True, [gettext("Langkah baru: {key}.").format(key=key)])
                return Placement(completed, key, False, [])
            result = svc.validator.validate(form, step, _posted(step, doc["data"]), doc["data"])
            errors = {path: messages for path, messages in result.errors.items()
                      if self._kept(form, path.split(".", 1)[0])}
            if errors:
                return Placement(completed, key, True, [f"{path}: {' '.join(map(str, m))}" for path, m in errors.items()])
            completed.append(key)
        return Placement(completed, state.path[-1] if state.path else None, False, [])

    @staticmethod
    def _kept(form, key: str) -> bool:
        """Whether an answer is ever kept (a secret such as a password never is, so it cannot be checked again)."""
        f = form.fields_by_key.get(key)
        return f is None or f.store

    def _old_path(self, doc: dict) -> list:
        try:
            old = self.forms.get(doc["form_id"], doc.get("form_version"))
        except KeyError:
            return []
        return self.services.evaluator.evaluate(old, doc["data"]).path

    def _reasons_in_every_locale(self, doc: dict, form) -> list[dict]:
        """A sent-back draft's reasons as {locale: text} in every offered locale: the applicant reads them in theirs."""
        from .i18n import current_locale, offered_locales
        said = {}
        for lang in offered_locales():
            token = current_locale.set(lang)
            try:
                said[lang] = [str(r) for r in self.placement(doc, form).reasons]
            finally:
                current_locale.reset(token)
        return [dict(zip(said, texts, strict=True)) for texts in zip(*said.values(), strict=False)]

    def impact(self, form_id: str, number: int) -> dict:
        """How many drafts are on each other version, and which of them ``number`` would send back, why."""
        self.record(form_id, number)
        form = self.forms.get(form_id, number)
        counts: dict = {}
        sent_back, accepted = [], 0
        for doc in self._drafts(form_id):
            if doc.get("form_version") == number:
                continue
            counts[doc.get("form_version")] = counts.get(doc.get("form_version"), 0) + 1
            place = self.placement(doc, form)
            if place.sent_back:
                sent_back.append({"submission_id": doc["id"], "from_version": doc.get("form_version"),
                                  "step": place.step, "reasons": [str(r) for r in place.reasons]})
            else:
                accepted += 1
        return {"version": number, "drafts": [{"version": v, "drafts": c} for v, c in sorted(
                    counts.items(), key=lambda item: item[0] or 0)],
                "accepted": accepted, "sent_back": sent_back}

    def migrate(self, form_id: str, to: int, actor: str) -> dict:
        """Move every draft on another version to the published version ``to``; a draft it no longer accepts
        goes back to the first step that is not complete, with a notice of what changed."""
        if to != self.published_number(form_id):
            self.record(form_id, to)
            raise VersionConflict(gettext("Draf hanya dapat dipindahkan ke versi yang diterbitkan; "
                                          "versi {to} tidak.").format(to=to))
        form = self.forms.get(form_id, to)
        moved = sent_back = 0
        changes: dict = {}
        for doc in list(self._drafts(form_id)):
            if doc.get("form_version") == to:
                continue
            old = doc.get("form_version")
            if old not in changes:
                base = self.store.get_form_version(form_id, old) if old is not None else None
                changes[old] = sentences(diff_definitions(base["definition"] if base else {}, form.spec))
            place = self.placement(doc, form)
            notice = {"from_version": old, "to_version": to, "at": audit.now_iso(), "changes": changes[old],
                      "sent_back": place.sent_back, "step": place.step if place.sent_back else None,
                      "reasons": self._reasons_in_every_locale(doc, form) if place.sent_back else []}
            new = {**doc, "form_version": to, "completed": place.completed, "current_step": place.step,
                   "meta": {**doc["meta"], "version_notice": notice}}
            try:
                self.services.submissions.move(new, actor, from_version=old, to_version=to,
                                               sent_back=place.sent_back, step=place.step)
            except Conflict:  # a draft saved meanwhile stays where it is; the next run moves it
                log.info("draft %s changed while being moved; left on version %s", doc["id"], old)
                continue
            moved += 1
            sent_back += place.sent_back
        self._event(form_id, "form.migrated", actor, to, None, moved=moved, sent_back=sent_back)
        return {"to": to, "moved": moved, "sent_back": sent_back}

    # shipped files ------------------------------------------------------------------------------
    def import_shipped(self, directory: Path) -> list[tuple[str, int]]:
        """Import each ``forms/*.json`` whose content the store does not hold yet as the form's published version
        (the first import keeps the file's own version number; later ones take the next number); returns
        (form, version) of what was imported. A file with problems stops the start (DefinitionError)."""
        imported = []
        for path in sorted(Path(directory).glob("*.json")):
            definition = read_json(path)
            found = checked(definition, registries(), self.services.logic)
            if found:
                raise DefinitionError(str(path), found)
            number, new = self._import_one(path.name, definition)
            # compiled now, as before versions: a rule that does not compile stops the start, not a request
            self.forms.remember(self.forms.compile({**definition, "version": number}))
            if new:
                imported.append((definition["key"], number))
        return imported

    def _import_one(self, file_name: str, definition: dict) -> tuple[int, bool]:
        """(the version holding the file's content, whether it was imported now)."""
        form_id, fingerprint = definition["key"], digest(definition)
        for _ in range(5):
            versions = self.store.form_versions(form_id)
            held = [v["number"] for v in versions if (v.get("shipped") or {}).get("digest") == fingerprint]
            if held:
                return held[-1], False
            number = max((v["number"] for v in versions), default=0) + 1 if versions else int(definition.get("version") or 1)
            previous = self.published_number(form_id)
            base = self.record(form_id, previous)["definition"] if previous is not None else {}
            stored = {**definition, "version": number}
            now = audit.now_iso()
            try:
                self.store.insert_form_version({
                    "id": f"{form_id}@{number}", "form_id": form_id, "number": number, "definition": stored,
                    "created_at": now, "created_by": SYSTEM, "updated_at": now, "updated_by": SYSTEM,
                    "shipped": {"file": file_name, "digest": fingerprint},
                    "published_seq": self.store.next_value("form_publications"), "published_at": now,
                    "published_by": SYSTEM, "first_published_at": now})
            except DuplicateKey:  # another server imported meanwhile: look again
                continue
            self._event(form_id, "form.published", SYSTEM, number, diff_definitions(base, stored), previous=previous,
                        shipped=file_name)
            return number, True
        raise VersionConflict(gettext("{file} tidak dapat diimpor; coba lagi.").format(file=file_name))

    # helpers ------------------------------------------------------------------------------------
    def _diff_from_published(self, form_id: str, definition: dict) -> list:
        published = self.published_number(form_id)
        base = self.record(form_id, published)["definition"] if published is not None else {}
        return diff_definitions(base, definition)

    def diff(self, form_id: str, old: int, new: int) -> dict:
        d = diff_definitions(self.record(form_id, old)["definition"], self.record(form_id, new)["definition"])
        return {"from": old, "to": new, "changes": as_json(d), "summary": summary(d), "same": is_empty(d)}

    def _event(self, form_id: str, event_type: str, actor: str, number: int, changes: list | None, **details) -> None:
        audit.record(self.store, f"form:{form_id}", event_type, actor, version=number,
                     **({"diff": as_json(changes)} if changes is not None else {}), **details)


def _posted(step, data: dict) -> dict:
    """A completed step's stored answers as a client would post them again: each field by its data key, and a
    repeating group's items with only this step's answers (and the item's id) — later steps' answers to the
    same items are theirs to check."""
    posted = {}
    for f in step.fields:
        if f.data_key not in data:
            continue
        value = data[f.data_key]
        if f.type == "group" and isinstance(value, list):
            own = {c.key for c in f.children} | {ITEM_ID}
            value = [{k: v for k, v in item.items() if k in own} if isinstance(item, dict) else item for item in value]
        posted[f.data_key] = value
    return posted
