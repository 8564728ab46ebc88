"""The embedded store: one SQLite file (WAL) in the data directory, safe under several processes."""
import json
import sqlite3
import threading
from pathlib import Path

from .base import DuplicateKey, StaleVersion, Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, form_id TEXT NOT NULL, status TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_owner ON submissions (owner, status, updated_at);
CREATE INDEX IF NOT EXISTS submissions_form ON submissions (form_id, status, created_at);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, at);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_subject ON events (subject, seq);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, application_id TEXT NOT NULL, type TEXT NOT NULL,
    activity TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    UNIQUE (application_id, type, activity));
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reference_tables (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, effective TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reference_tables_kind ON reference_tables (kind, effective);
"""


def _dump(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore(Store):
    """Store on one SQLite file; a connection per thread, short transactions."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db.executescript(SCHEMA)  # idempotent; executescript manages its own transaction

    @classmethod
    def from_config(cls, config) -> "SQLiteStore":
        return cls(Path(config["DATA_DIR"]) / "formserver.sqlite3")

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE
            db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            self._local.db = db
        return db

    def _transaction(self):
        return _Transaction(self._db)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def ping(self) -> bool:
        try:
            self._db.execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def _one(self, sql: str, args=()) -> dict | None:
        row = self._db.execute(sql, args).fetchone()
        return json.loads(row[0]) if row else None

    # submissions
    def insert_submission(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submissions (id, owner, form_id, status, version, created_at, updated_at, body)"
                " VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                (doc["id"], doc["owner"], doc["form_id"], doc["status"], doc["created_at"],
                 doc["updated_at"], _dump(doc)))
        return doc

    def get_submission(self, submission_id: str) -> dict | None:
        return self._one("SELECT body FROM submissions WHERE id = ?", (submission_id,))

    def update_submission(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE submissions SET owner = ?, status = ?, version = ?, updated_at = ?, body = ?"
                " WHERE id = ? AND version = ?",
                (new["owner"], new["status"], new["version"], new["updated_at"], _dump(new),
                 doc["id"], doc["version"])).rowcount
        if not changed:
            raise StaleVersion(doc["id"])
        return new

    def find_submissions(self, owner, form_id=None, status=None, limit=50):
        sql, args = "SELECT body FROM submissions WHERE owner = ?", [owner]
        if form_id:
            sql, args = sql + " AND form_id = ?", args + [form_id]
        if status:
            sql, args = sql + " AND status = ?", args + [status]
        sql += " ORDER BY updated_at DESC LIMIT ?"
        return [json.loads(r[0]) for r in self._db.execute(sql, args + [limit])]

    # accounts
    def insert_account(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        try:
            with self._transaction() as db:
                db.execute("INSERT INTO accounts (id, username, email, version, body) VALUES (?, ?, ?, 1, ?)",
                           (doc["id"], doc["username"], doc["email"], _dump(doc)))
        except sqlite3.IntegrityError as error:
            raise DuplicateKey("email" if "email" in str(error) else "username") from None
        return doc

    def get_account(self, account_id: str) -> dict | None:
        return self._one("SELECT body FROM accounts WHERE id = ?", (account_id,))

    def find_account(self, *, username=None, email=None):
        if username is not None:
            return self._one("SELECT body FROM accounts WHERE username = ?", (username,))
        if email is not None:
            return self._one("SELECT body FROM accounts WHERE email = ?", (email,))
        raise ValueError("find_account needs a username or an email")

    def update_account(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE accounts SET username = ?, email = ?, version = ?, body = ? WHERE id = ? AND version = ?",
                (new["username"], new["email"], new["version"], _dump(new), doc["id"], doc["version"])).rowcount
        if not changed:
            raise StaleVersion(doc["id"])
        return new

    # verification codes
    def put_code(self, doc: dict) -> dict:
        with self._transaction() as db:
            row = db.execute("SELECT version FROM codes WHERE id = ?", (doc["id"],)).fetchone()
            new = {**doc, "version": (row[0] if row else 0) + 1}
            db.execute("INSERT OR REPLACE INTO codes (id, version, body) VALUES (?, ?, ?)",
                       (new["id"], new["version"], _dump(new)))
        return new

    def get_code(self, code_id: str) -> dict | None:
        return self._one("SELECT body FROM codes WHERE id = ?", (code_id,))

    def update_code(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute("UPDATE codes SET version = ?, body = ? WHERE id = ? AND version = ?",
                                 (new["version"], _dump(new), doc["id"], doc["version"])).rowcount
        if not changed:
            raise StaleVersion(doc["id"])
        return new

    # counters
    def next_value(self, name: str) -> int:
        with self._transaction() as db:
            return db.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1)"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value", (name,)).fetchone()[0]

    # attempts
    def record_attempt(self, key: str, at: float) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO attempts (key, at) VALUES (?, ?)", (key, at))
            # keep the table small: nothing older than a day matters to any limit
            db.execute("DELETE FROM attempts WHERE key = ? AND at < ?", (key, at - 86400))

    def count_attempts(self, key: str, since: float) -> int:
        return self._db.execute("SELECT COUNT(*) FROM attempts WHERE key = ? AND at >= ?", (key, since)).fetchone()[0]

    def clear_attempts(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM attempts WHERE key = ?", (key,))

    # issued documents
    def insert_document(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        try:
            with self._transaction() as db:
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
                db.execute("INSERT INTO documents (id, number, application_id, type, activity, version, seq, body)"
                           " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                           (doc["id"], doc["number"], doc["application_id"], doc["type"], doc.get("activity") or "",
                            seq, _dump(doc)))
        except sqlite3.IntegrityError as error:
            raise DuplicateKey("number" if "number" in str(error) else "slot") from None
        return doc

    def get_document(self, document_id: str) -> dict | None:
        return self._one("SELECT body FROM documents WHERE id = ?", (document_id,))

    def find_document(self, *, number: str) -> dict | None:
        return self._one("SELECT body FROM documents WHERE number = ?", (number,))

    def documents_for(self, application_id: str) -> list[dict]:
        rows = self._db.execute("SELECT body FROM documents WHERE application_id = ? ORDER BY seq", (application_id,))
        return [json.loads(r[0]) for r in rows]

    def update_document(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute("UPDATE documents SET version = ?, body = ? WHERE id = ? AND version = ?",
                                 (new["version"], _dump(new), doc["id"], doc["version"])).rowcount
        if not changed:
            raise StaleVersion(doc["id"])
        return new

    # claims
    def claim(self, key: str, value: str) -> str:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO claims (key, value) VALUES (?, ?)", (key, value))
            return db.execute("SELECT value FROM claims WHERE key = ?", (key,)).fetchone()[0]

    # reference tables
    def insert_reference_table(self, doc: dict) -> dict:
        with self._transaction() as db:
            db.execute("INSERT INTO reference_tables (id, kind, effective, body) VALUES (?, ?, ?, ?)",
                       (doc["id"], doc["kind"], doc["effective"], _dump(doc)))
        return doc

    def reference_tables(self, kind: str) -> list[dict]:
        rows = self._db.execute("SELECT body FROM reference_tables WHERE kind = ? ORDER BY effective, rowid", (kind,))
        return [json.loads(r[0]) for r in rows]

    # audit log
    def append_event(self, event: dict) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO events (subject, at, body) VALUES (?, ?, ?)",
                       (event["subject"], event["at"], _dump(event)))

    def events(self, subject: str) -> list[dict]:
        rows = self._db.execute("SELECT body FROM events WHERE subject = ? ORDER BY seq", (subject,))
        return [json.loads(r[0]) for r in rows]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error; takes the write lock up front."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
