"""Submissions: create drafts, save steps through validate → action → store, compute the path.

The server decides everything here: which steps are reachable, what is stored (hidden fields
never), which step comes next. Views and the API only translate requests into these calls.
"""
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field

from . import audit
from .actions import ACTIONS, COMPLETIONS, ActionContext, applicant_of
from .compile import CompiledForm
from .i18n import lazy_gettext, text
from .ids import new_id
from .search import terms_of
from .state import FormState, truthy
from .store import StaleVersion
from .store.base import SUBJECT

# processing: the last step is stored and its action's completion runs (answers frozen from then on)
DRAFT, PROCESSING, COMPLETED = "draft", "processing", "completed"
RETRIES = 3
OPTIONAL = "optional"  # access.login: anyone may fill the form; a logged-in account's profile is read as akun
log = logging.getLogger(__name__)
NOT_REACHABLE = lazy_gettext("Langkah ini belum dapat dibuka. Lanjutkan dari langkah {step}.")


class SubmissionNotFound(Exception):
    """No such submission for this owner."""


class StepNotReachable(Exception):
    """The step is not on the submission's path, or earlier steps are not done."""

    def __init__(self, current_step: str | None):
        super().__init__(current_step)
        self.current_step = current_step


class Locked(Exception):
    """The submission is no longer a draft: its answers cannot change."""

    MESSAGES = {
        PROCESSING: lazy_gettext("Permohonan ini sedang diproses; jawabannya tidak dapat diubah lagi."),
        COMPLETED: lazy_gettext("Isian ini sudah dikirim; jawabannya tidak dapat diubah lagi."),
    }

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status
        self.message = str(self.MESSAGES.get(status, self.MESSAGES[COMPLETED]))


class AccessDenied(Exception):
    """The form is not for this applicant: a log-in is needed, or the account does not qualify."""

    def __init__(self, login_needed: bool, message: str = ""):
        super().__init__(message)
        self.login_needed, self.message = login_needed, message


class Conflict(Exception):
    """The submission changed since the client read it."""


@dataclass
class SaveResult:
    submission: dict
    errors: dict[str, list[str]] = dc_field(default_factory=dict)
    state: FormState | None = None
    retry_after: int = 0  # a limit refused the step: seconds until it may be sent again

    @property
    def ok(self) -> bool:
        return not self.errors


class Submissions:
    """The submission service over a store, the compiled forms and the validate stage."""

    def __init__(self, services):
        self.services = services

    @property
    def store(self):
        return self.services.store

    # reading
    def check_access(self, form: CompiledForm, account: dict | None) -> dict:
        """The context the form may read about the applicant; AccessDenied when it is not theirs."""
        access = form.spec.get("access") or {}
        login = access.get("login")
        if not login or (login == OPTIONAL and account is None):
            return {}
        if account is None:
            raise AccessDenied(True)
        context = {"akun": {**account.get("profile", {}), "username": account["username"], "email": account["email"]}}
        if form.access_rule is not None and not truthy(form.access_rule(context)):
            raise AccessDenied(False, text(access.get("message")))
        return context

    def create(self, form: CompiledForm, owner: str, account: dict | None = None, meta: dict | None = None) -> dict:
        """A new draft owned by ``owner``, at the form's first step; ``meta``: what the page that starts it knows
        (e.g. which application a survey is about), for the form's actions."""
        context = self.check_access(form, account)
        now = audit.now_iso()
        state = self.services.evaluator.evaluate(form, context)
        doc = {"id": new_id(16), "owner": owner, "form_id": form.key,
               "form_version": form.version, "status": DRAFT, "current_step": state.path[0] if state.path else None,
               "completed": [], "data": context, "meta": dict(meta or {}), "created_at": now, "updated_at": now,
               SUBJECT: applicant_of(context)}
        doc = self.store.insert_submission({**doc, "terms": terms_of(doc)})
        audit.record(self.store, f"submission:{doc['id']}", "submission.created", owner,
                     form_id=form.key, form_version=form.version)
        return doc

    def get(self, submission_id: str, owner: str) -> dict:
        """The owner's submission; anyone else gets SubmissionNotFound, as if it did not exist."""
        doc = self.store.get_submission(submission_id) if submission_id else None
        if doc is None or doc["owner"] != owner:
            raise SubmissionNotFound(submission_id)
        return doc

    def latest_draft(self, form_key: str, owner: str) -> dict | None:
        """The owner's most recently changed draft of a form, to resume."""
        drafts = self.store.find_submissions(owner, form_id=form_key, status=DRAFT, limit=1)
        return drafts[0] if drafts else None

    def form_of(self, doc: dict) -> CompiledForm:
        """The compiled form of the version the submission is pinned to."""
        return self.services.forms.get(doc["form_id"], doc.get("form_version"))

    def state(self, doc: dict) -> FormState:
        """The form state of the stored answers."""
        return self.services.evaluator.evaluate(self.form_of(doc), doc["data"])

    def reachable(self, doc: dict, state: FormState, step_key: str) -> bool:
        """Whether ``step_key`` is on the path and every step before it is done."""
        if doc["status"] != DRAFT or step_key not in state.path:
            return False
        before = state.path[:state.path.index(step_key)]
        return all(key in doc["completed"] for key in before)

    def first_open_step(self, doc: dict, state: FormState) -> str | None:
        """The first step on the path that is not done (where the applicant resumes)."""
        for key in state.path:
            if key not in doc["completed"]:
                return key
        return state.path[-1] if state.path else None

    # writing
    def save_step(self, doc: dict, step_key: str, posted: dict, actor: str,
                  expected_version: int | None = None) -> SaveResult:
        """Validate, run the step's action, store; errors leave the submission as it was.

        With an ``expected_version`` a concurrent change is a Conflict; without one the caller
        asked for no concurrency control, so the save is redone on the fresh submission.
        """
        if expected_version is not None:
            if expected_version != doc["version"]:
                raise Conflict(doc["id"])
            return self._save_step(doc, step_key, posted, actor)
        for _ in range(RETRIES):
            try:
                return self._save_step(doc, step_key, posted, actor)
            except Conflict:
                doc = self.get(doc["id"], doc["owner"])
        return self._save_step(doc, step_key, posted, actor)

    def _validate(self, doc: dict, step_key: str, posted: dict):
        """The form, the step and the validation of ``posted``; refuses a step that is not reachable."""
        if doc["status"] != DRAFT:
            raise Locked(doc["status"])
        form = self.form_of(doc)
        state = self.services.evaluator.evaluate(form, doc["data"])
        if not self.reachable(doc, state, step_key):
            raise StepNotReachable(self.first_open_step(doc, state))
        step = form.steps_by_key[step_key]
        return form, step, self.services.validator.validate(form, step, posted, doc["data"])

    def _save_step(self, doc: dict, step_key: str, posted: dict, actor: str) -> SaveResult:
        form, step, result = self._validate(doc, step_key, posted)
        if not result.ok:
            return SaveResult(doc, result.errors, result.state)
        new = {**self._merge(doc, form, step_key, result)}
        with self._keeping(step, new["data"], doc) as (new["data"], saved):
            context = ActionContext(self.services, new, {**result.values, **result.transient}, actor)
            if step.action:
                ACTIONS[step.action](context)
                if context.errors:
                    return SaveResult(doc, context.errors, result.state, context.retry_after)
            new = context.submission
            completes = new["status"] == COMPLETED and step.action in COMPLETIONS
            if completes:
                # frozen before any of the completion's work exists; one concurrent save wins this write
                new = {**new, "status": PROCESSING, "meta": {
                    **new["meta"], "processing": {"action": step.action, "since": audit.now_iso(), "by": actor}}}
            stored = self._write(new, actor, "submission.step_saved", context.events, step=step_key)
            saved()
        return SaveResult(self.complete(stored, actor) if completes else stored, {}, result.state)

    def complete(self, doc: dict, actor: str) -> dict:
        """Finish a ``processing`` submission: run its action's completion, store it ``completed``.

        Safe to repeat and to run at the same time in several workers (a completion is idempotent);
        any other submission is returned as it is.
        """
        for _ in range(RETRIES + 1):
            if doc["status"] != PROCESSING:
                return doc
            context = ActionContext(self.services, doc, {}, actor)
            COMPLETIONS[doc["meta"]["processing"]["action"]](context)
            try:
                return self._write({**context.submission, "status": COMPLETED}, actor, "submission.completed",
                                   context.events)
            except Conflict:  # someone else completed it meanwhile (or is doing so): read what they stored
                doc = self.store.get_submission(doc["id"])
        raise Conflict(doc["id"])

    def reconcile(self, actor: str = "system:start-up") -> int:
        """Complete every submission a crash left ``processing``; how many were completed (run at start-up)."""
        done = 0
        for form in self.services.forms:
            failed = 0
            while batch := self.store.list_submissions(form.key, status=PROCESSING, limit=100, offset=failed):
                for doc in batch:
                    try:
                        self.complete(doc, actor)
                        done += 1
                    except Exception:  # one broken submission must not keep the others (or the server) down
                        log.exception("could not complete submission %s", doc["id"])
                        failed += 1
        return done

    def save_draft(self, doc: dict, step_key: str, posted: dict, actor: str):
        """Keep what converts cleanly without completing the step (choices refreshed without JavaScript).

        Returns the stored submission and the validation result (whose errors name what was not kept)."""
        form, _, result = self._validate(doc, step_key, posted)
        # computed values are derived again from the answers, as a saved step does (_merge)
        keep = {k: v for k, v in result.values.items() if k not in result.errors and k not in result.state.computed}
        data = {k: v for k, v in doc["data"].items() if form.step_of_field.get(k) != step_key}
        data.update(keep)
        with self._keeping(form.steps_by_key[step_key], data, doc) as (data, saved):
            # a done step whose answers a draft changed is open again: only "save and continue" validates it whole
            completed = doc["completed"] if data == doc["data"] else [k for k in doc["completed"] if k != step_key]
            stored = self._write({**doc, "data": data, "completed": completed}, actor, "submission.draft_saved",
                                 step=step_key)
            saved()
        return stored, result

    def _kept(self, step, data: dict, doc: dict) -> dict:
        """The step's answers as their field types keep them (an upload's bytes go to the store, its answer names it)."""
        kept = dict(data)
        for f in step.fields:
            if f.kind.upload and f.key in kept:
                kept[f.key] = f.kind.keep(kept[f.key], doc["data"].get(f.key), self.store, doc["owner"])
        return kept

    @contextmanager
    def _keeping(self, step, data: dict, doc: dict):
        """:meth:`_kept` for a save that may not happen: what the field types stored is undone unless the block
        says the submission was written (``saved()``), so a step its action refuses (or a write that lost to
        another) leaves no file that nothing names. What the stored submission names is never undone (a write
        that happened before a later failure)."""
        kept, written = self._kept(step, data, doc), []
        try:
            yield kept, lambda: written.append(True)
        finally:
            uploads = [f for f in step.fields if f.kind.upload and f.key in kept]
            if uploads and not written:
                stored = (self.store.get_submission(doc["id"]) or doc)["data"]
                for f in uploads:
                    f.kind.unkeep(kept[f.key], stored.get(f.key), self.store)

    def record_change(self, submission_id: str, actor: str, change) -> dict:
        """Store a change made outside the steps (an officer's decision): ``change(submission)`` gives
        ``(meta updates, [(event type, details), ...])``, or None when there is nothing (left) to do; it is
        asked again on the fresh submission when someone else wrote in between."""
        for _ in range(RETRIES + 1):
            doc = self.store.get_submission(submission_id)
            changed = change(doc)
            if changed is None:
                return doc
            meta, events = changed
            try:
                return self._write({**doc, "meta": {**doc["meta"], **meta}}, actor, "submission.changed", events)
            except Conflict:
                continue
        raise Conflict(submission_id)

    def _merge(self, doc: dict, form: CompiledForm, step_key: str, result) -> dict:
        state = result.state
        data = {k: v for k, v in state.data.items() if k not in state.computed}
        for key in result.transient:  # secrets and answers marked "store": false are never kept
            data.pop(key, None)
        completed = [k for k in doc["completed"] if k in state.path and k != step_key] + [step_key]
        position = state.path.index(step_key)
        following = state.path[position + 1:]
        # the notice of a move to another version of the form (versions.py, migrate) has been read once a step is saved
        meta = {k: v for k, v in doc["meta"].items() if k != "version_notice"}
        return {**doc, "data": data, "completed": completed, "form_version": form.version, SUBJECT: applicant_of(data),
                "meta": meta,
                "current_step": following[0] if following else step_key,
                "status": DRAFT if following or form.steps_by_key[step_key].ends else COMPLETED}

    def move(self, doc: dict, actor: str, **details) -> dict:
        """Store a draft moved to another version of its form (versions.py); Conflict when it changed meanwhile."""
        return self._write(doc, actor, "submission.migrated", **details)

    def _write(self, doc: dict, actor: str, event: str, events=(), **details) -> dict:
        """Store the submission (optimistic), then its audit events: this one, then those an action queued."""
        before = doc["version"]
        try:
            stored = self.store.update_submission({**doc, "updated_at": audit.now_iso(), "terms": terms_of(doc)})
        except StaleVersion:
            raise Conflict(doc["id"]) from None
        subject = f"submission:{doc['id']}"
        audit.record(self.store, subject, event, actor, version=before + 1, status=stored["status"], **details)
        for event_type, queued in events:
            audit.record(self.store, subject, event_type, actor, **queued)
        return stored
