"""The store interface: every backend implements it, nothing above it knows SQL or MongoDB.

Documents are plain JSON-shaped dicts. Each document in a versioned collection carries
``id`` and ``version``; an update names the version it read and fails with
:class:`StaleVersion` when someone else wrote in between (optimistic concurrency).
"""
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

# the submission's top-level field saying whom it is about (the applicant's identity number, as the form's own
# module gives it: actions.applicant_id), which both stores index for officers
SUBJECT = "subject"
# a document's top-level list of labels (e.g. the codes of the activities it licenses, as its form's own module
# sets them), counted per month of issue for the reports
CATEGORIES = "categories"


class StoreError(Exception):
    """Base of the store's errors."""


class StaleVersion(StoreError):
    """The document changed since it was read."""


class DuplicateKey(StoreError):
    """A unique field already holds this value."""

    def __init__(self, field: str):
        super().__init__(f"duplicate {field}")
        self.field = field


class NotFound(StoreError):
    """No document with that id."""


SEARCH_SAMPLE = 2_000  # submissions of the driving term a search's total checks at most, beyond which it estimates


class Total(int):
    """How many submissions a search matches: exact, unless ``estimate`` (about this many) or ``capped`` (at least
    this many; more were not counted)."""

    def __new__(cls, value: int, estimate: bool = False, capped: bool = False):
        total = super().__new__(cls, value)
        total.estimate, total.capped = estimate and not capped, capped
        return total

    def __str__(self) -> str:
        return str(int(self))  # a page shows the number

    def __repr__(self) -> str:
        return f"Total({int(self)}{', estimate' if self.estimate else ''}{', capped' if self.capped else ''})"


class Store(ABC):
    """Accounts, submissions, verification codes, counters, attempts and the audit log."""

    @classmethod
    @abstractmethod
    def from_config(cls, config) -> "Store":
        """Open the store described by the app configuration."""

    def close(self) -> None:
        """Release connections."""

    @abstractmethod
    def ping(self) -> bool:
        """Whether the store answers."""

    # submissions: {"id", "version", "owner", "form_id", "form_version", "status", "created_at", "updated_at", ...}
    @abstractmethod
    def insert_submission(self, doc: dict) -> dict:
        """Store a new submission (version 1) and return it."""

    @abstractmethod
    def get_submission(self, submission_id: str) -> dict | None:
        """The submission, or None."""

    @abstractmethod
    def update_submission(self, doc: dict) -> dict:
        """Replace the submission if its ``version`` is still current; return it with the next version."""

    @abstractmethod
    def find_submissions(self, owner: str, form_id: str | None = None, status: str | None = None,
                         limit: int = 50) -> list[dict]:
        """The owner's submissions, newest change first."""

    @abstractmethod
    def list_submissions(self, form_id: str, status: str | None = None, created_from: str | None = None,
                         created_to: str | None = None, limit: int = 50, offset: int = 0) -> list[dict]:
        """Officers' list: a form's submissions by status and creation time (ISO, from inclusive, to
        exclusive), newest first, a page of ``limit`` after ``offset``."""

    # tallies: a completed submission may carry ``"tally": {"on": "YYYY-MM-DD", "values": {key: str}}`` (a form's
    # action sets it: answers a report counts, e.g. a survey's scores); the store counts it once, by its day
    @abstractmethod
    def count_tally(self, form_id: str, since: str, until: str) -> list[dict]:
        """How many completed submissions of ``form_id`` tallied each value of each key on days from ``since`` to
        ``until`` (ISO dates, ``until`` excluded): ``[{"key", "value", "count"}]`` ordered by key, then value."""

    @abstractmethod
    def find_submissions_by_subject(self, subject: str, limit: int = 50) -> list[dict]:
        """Submissions whose top-level ``subject`` (:data:`SUBJECT`) is ``subject`` (not empty), newest first."""

    # search terms: a submission may carry "terms", a list of strings ("nib:…", "kbli:…", "w:budi"), made by the
    # submission service from its answers; the store indexes them and never reads their meaning
    @abstractmethod
    def search_submissions(self, terms: Sequence[str], updated_from: str | None = None, updated_to: str | None = None,
                           limit: int = 50, offset: int = 0, count_limit: int = 10_000) -> "tuple[list[dict], Total]":
        """The submissions carrying every one of ``terms`` (at least one term), last changed in ``[updated_from,
        updated_to)`` (ISO), newest change first (ties: highest id first), a page of ``limit`` after ``offset``;
        and how many match in all, as a ``Total``. One term drives (SQLiteStore: the rarest; MongoDB: the first,
        so put the most selective first): its submissions are walked newest first, the others are checked on
        each, and the walk stops with the page. The total is exact when that is cheap: one term without dates,
        a page that ends the matches, or at most ``min(count_limit, SEARCH_SAMPLE)`` submissions of the driving
        term to check (``count_limit`` alone for one term with dates). Otherwise it is ``estimate`` (several terms
        without dates: the driving term's size times the share of matches among its newest ``SEARCH_SAMPLE``) or
        ``capped`` (dates: at least this many)."""

    @abstractmethod
    def count_terms(self, prefix: str) -> dict[str, int]:
        """How many submissions carry each term that begins with ``prefix`` (a non-empty string)."""

    # accounts: {"id", "version", "username", "email", "identity"?, ...}; username unique, email unique without
    # regard to case (ALICE@x.id is alice@x.id), identity (the person an account belongs to, e.g. "nik:…")
    # unique when present: a missing or None identity binds nothing
    @abstractmethod
    def insert_account(self, doc: dict) -> dict:
        """Store a new account; raise DuplicateKey("username"|"email"|"identity")."""

    @abstractmethod
    def get_account(self, account_id: str) -> dict | None:
        """The account, or None."""

    @abstractmethod
    def find_account(self, *, username: str | None = None, email: str | None = None,
                     identity: str | None = None) -> dict | None:
        """The account with that username, e-mail (in any case) or identity, or None."""

    @abstractmethod
    def update_account(self, doc: dict) -> dict:
        """Replace the account if its ``version`` is current."""

    # verification codes: {"id", "version", ...}, one per purpose and subject
    @abstractmethod
    def put_code(self, doc: dict) -> dict:
        """Create or overwrite the code document (a new code replaces the old)."""

    @abstractmethod
    def get_code(self, code_id: str) -> dict | None:
        """The code document, or None."""

    @abstractmethod
    def update_code(self, doc: dict) -> dict:
        """Replace the code document if its ``version`` is current."""

    # secrets: a value only the server reads, kept under a key for a while (a pending registration's password
    # hash); never exported, never part of a submission
    @abstractmethod
    def put_secret(self, key: str, value: str, now: float, lifetime: float) -> None:
        """Keep ``value`` under ``key`` until ``now + lifetime`` (replacing any earlier value); forget expired ones."""

    @abstractmethod
    def get_secret(self, key: str, now: float) -> str | None:
        """The value kept under ``key``, or None when there is none or it expired before ``now``."""

    @abstractmethod
    def delete_secret(self, key: str) -> None:
        """Forget the value kept under ``key``."""

    # counters
    @abstractmethod
    def next_value(self, name: str) -> int:
        """Atomically increment the named counter and return the new value (first is 1)."""

    # attempts: timestamps per key, shared by all workers (log-in lock-out, code resends)
    @abstractmethod
    def record_attempt(self, key: str, at: float) -> None:
        """Remember one attempt for ``key``."""

    @abstractmethod
    def count_attempts(self, key: str, since: float) -> int:
        """How many attempts for ``key`` happened at or after ``since``."""

    @abstractmethod
    def clear_attempts(self, key: str) -> None:
        """Forget the attempts for ``key``."""

    # quotas: at most n takes of a key in a sliding window, checked and taken in one atomic step, shared by all
    # workers and app servers (verification codes per recipient and per client address); never exported
    @abstractmethod
    def take_quota(self, key: str, at: float, limits: Sequence[tuple[float, int]]) -> float:
        """Take one of ``key``'s quota at ``at`` when, for every ``(window, n)`` of ``limits``, fewer than ``n``
        takes are stamped after ``at - window``; return 0. Otherwise take nothing and return the seconds until
        the take would be allowed. Takes older than a day (or the longest window) may be forgotten."""

    @abstractmethod
    def return_quota(self, key: str, at: float) -> None:
        """Give back one take of ``key`` made at ``at`` (an attempt that turned out not to count)."""

    @abstractmethod
    def quota_takes(self, key: str, since: float) -> list[float]:
        """The times of ``key``'s takes stamped after ``since``, oldest first."""

    # sessions: {"id", "account_id" (or None), "expires_at" (epoch seconds), ...}; shared by every worker and app
    # server, so a log-out anywhere ends the session everywhere. Not exported: a moved store starts logged out.
    @abstractmethod
    def insert_session(self, doc: dict) -> None:
        """Store a new session record."""

    @abstractmethod
    def get_session(self, session_id: str) -> dict | None:
        """The session record, or None."""

    @abstractmethod
    def update_session(self, doc: dict) -> bool:
        """Replace an existing session record; False (and nothing written) when it was deleted meanwhile,
        so a request that read a session before its log-out cannot bring it back."""

    @abstractmethod
    def delete_session(self, session_id: str) -> None:
        """Forget the session (nothing happens when there is none)."""

    @abstractmethod
    def delete_account_sessions(self, account_id: str, keep: str | None = None) -> int:
        """Forget every session of the account except ``keep``; how many were forgotten."""

    @abstractmethod
    def delete_expired_sessions(self, now: float) -> int:
        """Forget the sessions whose ``expires_at`` is before ``now``; how many were forgotten."""

    # issued documents: {"id", "version", "number", "application_id", "type", "activity", "status", ...};
    # number unique, and (application_id, type, activity) unique so issuance stays exactly-once
    @abstractmethod
    def insert_document(self, doc: dict) -> dict:
        """Store an issued document; raise DuplicateKey("number"|"slot")."""

    @abstractmethod
    def get_document(self, document_id: str) -> dict | None:
        """The document, or None."""

    @abstractmethod
    def find_document(self, *, number: str) -> dict | None:
        """The document with that number, or None."""

    @abstractmethod
    def documents_for(self, application_id: str) -> list[dict]:
        """An application's documents, in issue order."""

    @abstractmethod
    def update_document(self, doc: dict) -> dict:
        """Replace the document if its ``version`` is current (revocation)."""

    @abstractmethod
    def set_missing_key_ids(self, key_id: str) -> int:
        """Record ``key_id`` as the assumed signing key of every document that names none (``"key_id"`` and
        ``"key_id_assumed": true``); how many were changed.

        The one migration of documents signed before key ids existed; it does not change their ``version``.
        """

    # key ring: the public half of every key that signed documents here,
    # {"id": key id, "algorithm": "Ed25519", "public_key": base64url raw key, "added_at"}; never a private key
    @abstractmethod
    def add_signing_key(self, doc: dict) -> bool:
        """Add a public key to the ring unless its id is there already; True when added."""

    @abstractmethod
    def signing_keys(self) -> list[dict]:
        """Every public key of the ring, in the order added."""

    # claims: a value bound to a key once, for ever (an application's NIB)
    @abstractmethod
    def claim(self, key: str, value: str) -> str:
        """Bind ``value`` to ``key`` unless the key is bound already; return the bound value."""

    @abstractmethod
    def claimed(self, key: str) -> str | None:
        """The value bound to ``key``, or None (reads only: nothing is bound)."""

    # reference tables: versions of regulation data, e.g. {"id", "kind": "kbli_risiko", "effective", ...}
    @abstractmethod
    def insert_reference_table(self, doc: dict) -> dict:
        """Store a new version of a reference table."""

    @abstractmethod
    def reference_tables(self, kind: str) -> list[dict]:
        """The versions of a reference table, oldest effective date first."""

    @abstractmethod
    def count_issued_by_category_month(self, since: str, until: str) -> list[dict]:
        """Issued documents per category (each label of a document's :data:`CATEGORIES`) and month of issue,
        for whole months: ``since`` and ``until`` are ISO dates on the first of a month, ``until`` excluded:
        ``[{"month": "2025-10", "category": "47191", "count": 12}, ...]`` ordered by month, then category."""

    # upgrades of stored records to a newer shape (formserver/upgrades.py, registered by the shape's owner)
    @abstractmethod
    def upgrade_records(self, name: str, collection: str, fn, retired: Sequence[str] = ()) -> int | None:
        """Once per store and ``name``: replace each record of ``collection`` ("submissions" or "documents")
        for which ``fn(record)`` gives a new shape (same id, version and indexed columns), rebuild the
        collection's indexes of :data:`SUBJECT` / :data:`CATEGORIES`, drop indexes on the ``retired`` fields,
        and remember ``name``. The number of records rewritten; None when ``name`` was applied before."""

    # versioned documents of a kind (VERSIONED: its collection and the field naming what the versions are of):
    # {"id": "<owner>@<number>", "version" (of the record, optimistic), "<owner field>", "number" (unique per owner),
    # the document, "created_at", "created_by", "published_seq"?, ...}. The published version of an owner is the
    # one with the highest published_seq (every publication takes the next value of the counter
    # "<kind>_publications"), so one write publishes. Kinds: form definitions ({"form_id", "definition"}) and
    # office variants ({"variant", "document" (variant.json), "assets"}, docs/DECISIONS.md).
    VERSIONED = {"form": ("form_versions", "form_id"), "variant": ("variant_versions", "variant")}

    @abstractmethod
    def insert_version(self, kind: str, doc: dict) -> dict:
        """Store a new version (record version 1); DuplicateKey("number") when its owner has that number."""

    @abstractmethod
    def get_version(self, kind: str, owner: str, number: int) -> dict | None:
        """One version, or None."""

    @abstractmethod
    def versions_of(self, kind: str, owner: str | None = None) -> list[dict]:
        """The versions of one owner (of every owner when None), by owner then number."""

    @abstractmethod
    def update_version(self, kind: str, doc: dict) -> dict:
        """Replace the version's record if its ``version`` is current (StaleVersion otherwise)."""

    @abstractmethod
    def published_numbers(self, kind: str) -> dict[str, int]:
        """{owner: number} of each owner's version with the highest ``published_seq`` (cheap: polled by workers)."""

    def insert_form_version(self, doc: dict) -> dict:
        return self.insert_version("form", doc)

    def get_form_version(self, form_id: str, number: int) -> dict | None:
        return self.get_version("form", form_id, number)

    def form_versions(self, form_id: str | None = None) -> list[dict]:
        return self.versions_of("form", form_id)

    def update_form_version(self, doc: dict) -> dict:
        return self.update_version("form", doc)

    def published_versions(self) -> dict[str, int]:
        return self.published_numbers("form")

    def insert_variant_version(self, doc: dict) -> dict:
        return self.insert_version("variant", doc)

    def get_variant_version(self, variant: str, number: int) -> dict | None:
        return self.get_version("variant", variant, number)

    def variant_versions(self, variant: str | None = None) -> list[dict]:
        return self.versions_of("variant", variant)

    def update_variant_version(self, doc: dict) -> dict:
        return self.update_version("variant", doc)

    def published_variants(self) -> dict[str, int]:
        return self.published_numbers("variant")

    # audit log: append-only
    @abstractmethod
    def append_event(self, event: dict) -> None:
        """Append an audit event ``{"at", "subject", "type", "actor", ...}``."""

    @abstractmethod
    def events(self, subject: str) -> list[dict]:
        """The subject's events, oldest first."""

    # files: an uploaded file's bytes, kept beside the submission whose answer names it
    # {"id", "owner", "name", "content_type", "size", "sha256", "created_at", "data": bytes}; exported with the data
    # as base64 text ("data": "...")
    @abstractmethod
    def put_file(self, doc: dict) -> dict:
        """Store a new file (``data`` as bytes); return its record without the data. DuplicateKey("id") for an id
        that is taken."""

    @abstractmethod
    def get_file(self, file_id: str) -> dict | None:
        """The file with its ``data`` (bytes), or None."""

    @abstractmethod
    def delete_file(self, file_id: str) -> bool:
        """Remove a file (one stored for an answer that was then not kept); whether there was one."""

    # export and import: every record, whatever its collection, losslessly and resumably
    COLLECTIONS = ("accounts", "submissions", "documents", "codes", "counters", "claims", "reference_tables",
                   "signing_keys", "form_versions", "variant_versions", "events", "files")

    @abstractmethod
    def iter_collection(self, name: str) -> "Iterator[dict]":
        """Every record of a collection (see COLLECTIONS) as a JSON-shaped dict, in a stable order.

        Records are the stored documents; counters are ``{"name", "value"}``, claims ``{"key", "value"}``,
        events carry their position as ``"seq"``. Attempts (rate-limit counts) are not exported.
        """

    @abstractmethod
    def restore(self, name: str, record: dict) -> bool:
        """Put back one exported record unless it is there already (by id, name, key or seq); True when added."""

    def restore_many(self, name: str, records: list[dict]) -> int:
        """Put back a batch of records of one collection (as ``restore``, all or none); how many were added."""
        return sum(self.restore(name, record) for record in records)

    @contextmanager
    def bulk_load(self) -> "Iterator[None]":
        """Many ``restore_many`` calls from one process, with nobody else writing: a store may build its
        indexes once at the end instead of with every record (SQLiteStore does; MongoDB keeps them). Queries
        inside the block may be slow; the store is whole again when the block ends, also on error."""
        yield


def search_total(page: int, limit: int, offset: int, single: bool, dated: bool, count_limit: int, *,
                 term_size: "Callable[[], int]", range_size: "Callable[[int], int]",
                 matched: "Callable[[int], int]") -> Total:
    """The total of a search (see Store.search_submissions), from the store's own counts: ``term_size()`` the
    submissions carrying the driving term, ``range_size(cap)`` those of them within the dates counted up to
    ``cap``, ``matched(cap)`` the matches among the newest ``cap`` of them (within the dates)."""
    if limit > 0 and (page or not offset) and page < limit:
        return Total(offset + page)  # this page ends the matches
    seen = offset + page if page else 0
    if single and not dated:
        return Total(term_size())
    work = count_limit if single else min(count_limit, SEARCH_SAMPLE)
    size = range_size(work + 1) if dated else term_size()
    if size <= work:
        return Total(size if single else matched(work))
    if single:
        return Total(max(work, seen), capped=True)
    found = matched(work)
    if dated:
        return Total(max(found, seen), capped=True)
    return Total(max(round(size * found / work), seen), estimate=True)


def quota_wait(times: Sequence[float], at: float, limits: Sequence[tuple[float, int]]) -> float:
    """Seconds until one more take is allowed at ``at`` given earlier takes at ``times`` (0: now).

    For a window ``w`` holding ``c >= n`` takes, the (c - n + 1)-th oldest of them must leave the window first.
    Takes stamped after ``at`` count too: workers' clocks and concurrent requests are not in step.
    """
    wait = 0.0
    for window, most in limits:
        inside = sorted(t for t in times if t > at - window)
        if len(inside) >= most:
            wait = max(wait, inside[len(inside) - most] + window - at)
    return wait


QUOTA_HORIZON = 86400  # quotas never look further back than this (or their longest window)


def email_key(email: str) -> str:
    """The form of an e-mail address that uniqueness compares: trimmed, in lower case."""
    return str(email).strip().lower()


FILE_FIELDS = ("id", "owner", "name", "content_type", "size", "sha256", "created_at")


def file_record(doc: dict) -> dict:
    """A file's record without its bytes."""
    return {k: doc[k] for k in FILE_FIELDS if k in doc}


def exported_file(doc: dict) -> dict:
    """A file as the export writes it: its bytes as base64 text."""
    import base64
    return {**file_record(doc), "data": base64.b64encode(doc["data"]).decode("ascii")}


def imported_file(record: dict) -> dict:
    """An exported file with its bytes back."""
    import base64
    return {**file_record(record), "data": base64.b64decode(record["data"], validate=True)}
