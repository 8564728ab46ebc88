"""The embedded store: one SQLite file (WAL) in the data directory, safe under several processes."""
import json
import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from .base import (
    CATEGORIES,
    QUOTA_HORIZON,
    SEARCH_SAMPLE,
    SUBJECT,
    DuplicateKey,
    StaleVersion,
    Store,
    Total,
    email_key,
    exported_file,
    file_record,
    imported_file,
    quota_wait,
    search_total,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, form_id TEXT NOT NULL, status TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_owner ON submissions (owner, status, updated_at);
-- the officers' list: the whole ORDER BY (created_at, id) in the index, so a deep page reads no skipped rows
DROP INDEX IF EXISTS submissions_form;
DROP INDEX IF EXISTS submissions_form_created;
CREATE INDEX IF NOT EXISTS submissions_form_status ON submissions (form_id, status, created_at, id);
CREATE INDEX IF NOT EXISTS submissions_form_time ON submissions (form_id, created_at, id);
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
-- a submission's subject (base.SUBJECT: whom it is about), for officers
CREATE TABLE IF NOT EXISTS submission_subject (id TEXT PRIMARY KEY, subject TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submission_subject_subject ON submission_subject (subject);
-- the officers' search: one row per search term of a submission, with its last change, so a page of one term is
-- read in date order from the index and every further term is one primary-key probe
CREATE TABLE IF NOT EXISTS submission_terms (
    id TEXT NOT NULL, term TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (id, term)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS submission_terms_term ON submission_terms (term, updated_at, id);
-- how many submissions carry each term, kept with the rows above: a one-term total and the dashboard's counts
-- are read, not counted
CREATE TABLE IF NOT EXISTS term_counts (term TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, application_id TEXT NOT NULL, type TEXT NOT NULL,
    activity TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    issued_at TEXT NOT NULL DEFAULT '', UNIQUE (application_id, type, activity));
CREATE INDEX IF NOT EXISTS documents_application ON documents (application_id, seq);
CREATE INDEX IF NOT EXISTS documents_seq ON documents (seq);  -- the next seq is one seek, not a scan
-- one row per category of an issued document (base.CATEGORIES), so the monthly report is an index-only GROUP BY
CREATE TABLE IF NOT EXISTS document_categories (
    document_id TEXT NOT NULL, month TEXT NOT NULL, category TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS document_categories_month ON document_categories (month, category);
-- the two side tables above as they were before the stores stopped naming form keys: the upgrades that give the
-- records their subject and categories (formserver/upgrades.py) rebuild the new tables from the records
DROP TABLE IF EXISTS submission_nik;
DROP TABLE IF EXISTS document_kbli;
CREATE TABLE IF NOT EXISTS upgrades (name TEXT PRIMARY KEY, at TEXT NOT NULL, records INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS documents_type_issued ON documents (type, issued_at);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, account_id TEXT, expires_at REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- a value only the server reads, for a while (a pending registration's password hash)
CREATE TABLE IF NOT EXISTS secrets (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS secrets_expiry ON secrets (expires_at);
CREATE TABLE IF NOT EXISTS quota (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS quota_key ON quota (key, at);
CREATE TABLE IF NOT EXISTS reference_tables (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, effective TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reference_tables_kind ON reference_tables (kind, effective);
CREATE TABLE IF NOT EXISTS signing_keys (id TEXT PRIMARY KEY, body TEXT NOT NULL);
-- completed submissions' tallies, counted per day as they complete (once: a submission's id enters tallied once),
-- so a report over any range reads a few rows per day whatever the number of submissions
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, body TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tallied (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS tally_counts (
    form_id TEXT NOT NULL, day TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (form_id, day, key, value)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS form_versions (
    id TEXT PRIMARY KEY, form_id TEXT NOT NULL, number INTEGER NOT NULL, version INTEGER NOT NULL,
    published_seq INTEGER, body TEXT NOT NULL, UNIQUE (form_id, number));
CREATE INDEX IF NOT EXISTS form_versions_published ON form_versions (published_seq) WHERE published_seq IS NOT NULL;
-- office variants, versioned as form definitions are (the same statements, another table and owner column)
CREATE TABLE IF NOT EXISTS variant_versions (
    id TEXT PRIMARY KEY, variant TEXT NOT NULL, number INTEGER NOT NULL, version INTEGER NOT NULL,
    published_seq INTEGER, body TEXT NOT NULL, UNIQUE (variant, number));
CREATE INDEX IF NOT EXISTS variant_versions_published ON variant_versions (published_seq)
    WHERE published_seq IS NOT NULL;
"""

# versioned documents: table -> the column naming what the versions are of (Store.VERSIONED)
_VERSIONED = dict(Store.VERSIONED.values())


# "UNIQUE constraint failed: documents.application_id, documents.type, documents.activity" -> "slot"
_UNIQUE_FIELDS = {"accounts.username": "username", "accounts.email": "email", "accounts.email_key": "email",
                  "accounts.identity": "identity", "documents.number": "number", "documents.application_id": "slot",
                  "form_versions.form_id": "number", "variant_versions.variant": "number"}


def _duplicate(error: sqlite3.IntegrityError) -> DuplicateKey:
    """The interface's DuplicateKey for a SQLite unique-constraint error."""
    detail = str(error).split(":", 1)[-1].strip()
    first = detail.split(",", 1)[0].strip()
    return DuplicateKey(_UNIQUE_FIELDS.get(first, first.rsplit(".", 1)[-1] or "id"))


def _dump(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


class SQLiteStore(Store):
    """Store on one SQLite file; a connection per thread, short transactions."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db.executescript(SCHEMA)  # idempotent; executescript manages its own transaction
        with self._transaction() as db:
            self._migrate_accounts(db)

    @staticmethod
    def _migrate_accounts(db) -> None:
        """Accounts made before e-mail addresses were unique in any case and identities unique: add the columns,
        fill them, index them. Addresses that only differ in case from an older account's (possible before) keep
        their account but not the address's key: the older account owns it."""
        columns = {row[1] for row in db.execute("PRAGMA table_info(accounts)")}
        if "email_key" not in columns:
            db.execute("ALTER TABLE accounts ADD COLUMN email_key TEXT")
            db.execute("ALTER TABLE accounts ADD COLUMN identity TEXT")
            seen = set()
            for rowid, account_id, email, body in db.execute(
                    "SELECT rowid, id, email, body FROM accounts ORDER BY rowid").fetchall():
                key = email_key(email)
                key = key if key not in seen else f"{key} {account_id}"
                seen.add(key)
                db.execute("UPDATE accounts SET email_key = ?, identity = ? WHERE rowid = ?",
                           (key, json.loads(body).get("identity") or None, rowid))
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_key ON accounts (email_key)")
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS accounts_identity ON accounts (identity)")

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
            self._index_subject(db, doc)
            self._tally(db, doc)
        return doc

    @staticmethod
    def _index_subject(db, doc: dict, new: bool = False) -> None:
        if doc.get(SUBJECT):
            db.execute("INSERT OR REPLACE INTO submission_subject (id, subject) VALUES (?, ?)",
                       (doc["id"], doc[SUBJECT]))
        elif not new:
            db.execute("DELETE FROM submission_subject WHERE id = ?", (doc["id"],))
        if not new:
            SQLiteStore._index_terms(db, doc)

    @staticmethod
    def _index_terms(db, doc: dict) -> None:
        terms = {str(term) for term in doc.get("terms") or () if term}
        old = {row[0] for row in db.execute("SELECT term FROM submission_terms WHERE id = ?", (doc["id"],))}
        gone, added = sorted(old - terms), sorted(terms - old)
        db.executemany("DELETE FROM submission_terms WHERE id = ? AND term = ?", [(doc["id"], t) for t in gone])
        db.executemany("UPDATE term_counts SET n = n - 1 WHERE term = ?", [(t,) for t in gone])
        if old - set(gone):
            db.execute("UPDATE submission_terms SET updated_at = ? WHERE id = ?", (doc["updated_at"], doc["id"]))
        db.executemany("INSERT INTO submission_terms (id, term, updated_at) VALUES (?, ?, ?)",
                       [(doc["id"], t, doc["updated_at"]) for t in added])
        db.executemany("INSERT INTO term_counts (term, n) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET n = n + 1",
                       [(t,) for t in added])

    @staticmethod
    def _tally(db, doc: dict) -> None:
        """Count a completed submission's tally, the first time it is stored completed (in the same transaction)."""
        tally = doc.get("tally")
        if doc.get("status") != "completed" or not isinstance(tally, dict):
            return
        if not db.execute("INSERT OR IGNORE INTO tallied (id) VALUES (?)", (doc["id"],)).rowcount:
            return
        day = str(tally.get("on", ""))[:10]
        db.executemany(
            "INSERT INTO tally_counts (form_id, day, key, value, count) VALUES (?, ?, ?, ?, 1)"
            " ON CONFLICT (form_id, day, key, value) DO UPDATE SET count = count + 1",
            [(doc["form_id"], day, str(key), str(value)) for key, value in (tally.get("values") or {}).items()])

    def count_tally(self, form_id, since, until):
        rows = self._db.execute(
            "SELECT key, value, SUM(count) FROM tally_counts WHERE form_id = ? AND day >= ? AND day < ?"
            " GROUP BY key, value ORDER BY key, value", (form_id, since[:10], until[:10]))
        return [{"key": k, "value": v, "count": c} for k, v, c in rows]

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
            if changed:
                self._index_subject(db, new)
                self._tally(db, new)
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

    def list_submissions(self, form_id, status=None, created_from=None, created_to=None, limit=50, offset=0):
        sql, args = "SELECT body FROM submissions WHERE form_id = ?", [form_id]
        if status:
            sql, args = sql + " AND status = ?", args + [status]
        if created_from:
            sql, args = sql + " AND created_at >= ?", args + [created_from]
        if created_to:
            sql, args = sql + " AND created_at < ?", args + [created_to]
        sql += " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        return [json.loads(r[0]) for r in self._db.execute(sql, args + [limit, offset])]

    def find_submissions_by_subject(self, subject, limit=50):
        rows = self._db.execute(
            "SELECT s.body FROM submission_subject n JOIN submissions s ON s.id = n.id WHERE n.subject = ?"
            " ORDER BY s.created_at DESC LIMIT ?", (subject, limit))
        return [json.loads(r[0]) for r in rows]

    def search_submissions(self, terms, updated_from=None, updated_to=None, limit=50, offset=0, count_limit=10_000):
        if not terms:
            raise ValueError("search_submissions needs at least one term")
        db = self._db
        terms = list(dict.fromkeys(str(term) for term in terms))
        counts = dict(db.execute(f"SELECT term, n FROM term_counts WHERE term IN ({','.join('?' * len(terms))})",
                                 terms).fetchall())
        if any(counts.get(term, 0) <= 0 for term in terms):
            return [], Total(0)
        terms.sort(key=counts.__getitem__)  # the rarest drives: its rows are walked newest first
        driver, args = "FROM submission_terms t WHERE t.term = ?", [terms[0]]
        if updated_from:
            driver, args = driver + " AND t.updated_at >= ?", args + [updated_from]
        if updated_to:
            driver, args = driver + " AND t.updated_at < ?", args + [updated_to]
        if len(terms) > 1:
            ids, total = self._intersect(terms, counts, driver, args, limit, max(offset, 0),
                                         min(count_limit, SEARCH_SAMPLE), bool(updated_from or updated_to))
        else:
            ids = [row[0] for row in db.execute(f"SELECT t.id {driver} ORDER BY t.updated_at DESC, t.id DESC LIMIT ? OFFSET ?",
                                                args + [limit, max(offset, 0)])] if limit else []
            total = search_total(
                len(ids), limit, offset, True, bool(updated_from or updated_to), count_limit,
                term_size=lambda: counts[terms[0]], matched=lambda cap: 0,
                range_size=lambda cap: db.execute(f"SELECT COUNT(*) FROM (SELECT 1 {driver} LIMIT ?)",
                                                  args + [cap]).fetchone()[0])
        bodies = {row[0]: json.loads(row[1]) for row in db.execute(
            f"SELECT id, body FROM submissions WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else {}
        return [bodies[i] for i in ids if i in bodies], total

    # another term at most this many times as common as the driving one is read as an index range over the time a
    # batch of the driving term's rows spans (about 0.2 us a row); a commoner one is probed by primary key per
    # candidate (about 8 us a probe at 1,000,000 submissions)
    _RANGE_RATIO = 25
    _BATCH, _ENOUGH = 250, 100

    def _intersect(self, terms, counts, driver, args, limit, offset, work, dated):
        """Several terms: the driving term's rows newest first, a batch at a time; a submission's rows all carry its
        last change, so a match of a batch carries every other term within the times the batch spans. Walks until
        the page is full and ``work`` rows are seen or they held 100 matches (or the rows end): the total is then
        exact (the rows ended), an estimate from the share of matches among the rows seen (no dates) or a lower
        bound (dates)."""
        db = self._db
        matches, seen, after, ended = [], 0, None, False
        batch = min(work, self._BATCH)
        # enough for the page, and for the total: ``work`` rows, or fewer once they hold 100 matches (a share
        # known to about 10%)
        wanted = offset + limit if limit >= 0 else float("inf")  # a negative limit: every match, as LIMIT -1
        while not ended and (len(matches) < wanted or (seen < work and len(matches) < self._ENOUGH)):
            where, more = driver, list(args)
            if after:
                where, more = where + " AND t.updated_at <= ? AND (t.updated_at < ? OR t.id < ?)", more + [after[0], *after]
            rows = db.execute(f"SELECT t.id, t.updated_at {where} ORDER BY t.updated_at DESC, t.id DESC LIMIT ?",
                              more + [batch]).fetchall()
            ended = len(rows) < batch
            if not rows:
                break
            seen, after = seen + len(rows), (rows[-1][1], rows[-1][0])
            candidates = {row[0] for row in rows}
            for term in terms[1:]:
                if not candidates:
                    break
                if counts[term] <= counts[terms[0]] * self._RANGE_RATIO:
                    found = db.execute("SELECT id FROM submission_terms WHERE term = ? AND updated_at BETWEEN ? AND ?",
                                       (term, rows[-1][1], rows[0][1]))
                else:
                    listed = sorted(candidates)
                    found = db.execute(f"SELECT id FROM submission_terms WHERE term = ? AND id IN "
                                       f"({','.join('?' * len(listed))})", [term, *listed])
                candidates &= {row[0] for row in found}
            matches += [row[0] for row in rows if row[0] in candidates]
        page = matches[offset:offset + limit] if limit > 0 else matches[offset:] if limit < 0 else []
        if ended:
            return page, Total(len(matches))
        if dated:
            return page, Total(len(matches), capped=True)
        return page, Total(max(round(counts[terms[0]] * len(matches) / seen), len(matches)), estimate=True)

    def count_terms(self, prefix):
        if not prefix:
            raise ValueError("count_terms needs a prefix")
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._db.execute("SELECT term, n FROM term_counts WHERE term >= ? AND term < ? AND n > 0", (prefix, end))
        return dict(rows.fetchall())

    # accounts
    def insert_account(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        with self._transaction() as db:
            db.execute("INSERT INTO accounts (id, username, email, email_key, identity, version, body)"
                       " VALUES (?, ?, ?, ?, ?, 1, ?)",
                       (doc["id"], doc["username"], doc["email"], email_key(doc["email"]), doc.get("identity") or None,
                        _dump(doc)))
        return doc

    def get_account(self, account_id: str) -> dict | None:
        return self._one("SELECT body FROM accounts WHERE id = ?", (account_id,))

    def find_account(self, *, username=None, email=None, identity=None):
        if username is not None:
            return self._one("SELECT body FROM accounts WHERE username = ?", (username,))
        if email is not None:
            return self._one("SELECT body FROM accounts WHERE email_key = ?", (email_key(email),))
        if identity is not None:
            return self._one("SELECT body FROM accounts WHERE identity = ?", (identity,))
        raise ValueError("find_account needs a username, an email or an identity")

    def update_account(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE accounts SET username = ?, email = ?, email_key = ?, identity = ?, version = ?, body = ?"
                " WHERE id = ? AND version = ?",
                (new["username"], new["email"], email_key(new["email"]), new.get("identity") or None, new["version"],
                 _dump(new), doc["id"], doc["version"])).rowcount
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

    # secrets
    def put_secret(self, key: str, value: str, now: float, lifetime: float) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM secrets WHERE expires_at < ?", (now,))
            db.execute("INSERT OR REPLACE INTO secrets (key, value, expires_at) VALUES (?, ?, ?)",
                       (key, value, now + lifetime))

    def get_secret(self, key: str, now: float) -> str | None:
        row = self._db.execute("SELECT value FROM secrets WHERE key = ? AND expires_at >= ?", (key, now)).fetchone()
        return row[0] if row else None

    def delete_secret(self, key: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM secrets WHERE key = ?", (key,))

    # quotas
    def take_quota(self, key, at, limits):
        longest = max(window for window, _ in limits)
        with self._transaction() as db:  # BEGIN IMMEDIATE: no other writer between the count and the take
            db.execute("DELETE FROM quota WHERE key = ? AND at <= ?", (key, at - max(longest, QUOTA_HORIZON)))
            times = [row[0] for row in db.execute("SELECT at FROM quota WHERE key = ? AND at > ?", (key, at - longest))]
            wait = quota_wait(times, at, limits)
            if not wait:
                db.execute("INSERT INTO quota (key, at) VALUES (?, ?)", (key, at))
        return wait

    def quota_takes(self, key, since):
        return [row[0] for row in self._db.execute("SELECT at FROM quota WHERE key = ? AND at > ? ORDER BY at",
                                                   (key, since))]

    def return_quota(self, key, at):
        with self._transaction() as db:
            db.execute("DELETE FROM quota WHERE rowid = (SELECT rowid FROM quota WHERE key = ? AND at = ? LIMIT 1)",
                       (key, at))

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

    # sessions
    def insert_session(self, doc: dict) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO sessions (id, account_id, expires_at, body) VALUES (?, ?, ?, ?)",
                       (doc["id"], doc.get("account_id"), doc["expires_at"], _dump(doc)))

    def get_session(self, session_id: str) -> dict | None:
        return self._one("SELECT body FROM sessions WHERE id = ?", (session_id,))

    def update_session(self, doc: dict) -> bool:
        with self._transaction() as db:
            return db.execute("UPDATE sessions SET account_id = ?, expires_at = ?, body = ? WHERE id = ?",
                              (doc.get("account_id"), doc["expires_at"], _dump(doc), doc["id"])).rowcount == 1

    def delete_session(self, session_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def delete_account_sessions(self, account_id: str, keep: str | None = None) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM sessions WHERE account_id = ? AND id IS NOT ?",
                              (account_id, keep)).rowcount

    def delete_expired_sessions(self, now: float) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,)).rowcount

    # issued documents
    def insert_document(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        with self._transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
            db.execute("INSERT INTO documents (id, number, application_id, type, activity, version, seq, body,"
                       " issued_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
                       (doc["id"], doc["number"], doc["application_id"], doc["type"], doc.get("activity") or "",
                        seq, _dump(doc), doc.get("issued_at", "")))
            self._index_categories(db, doc)
        return doc

    @staticmethod
    def _index_categories(db, doc: dict) -> None:
        month = str(doc.get("issued_at", ""))[:7]
        db.executemany("INSERT INTO document_categories (document_id, month, category) VALUES (?, ?, ?)",
                       [(doc["id"], month, str(c)) for c in doc.get(CATEGORIES) or () if c is not None])

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

    def set_missing_key_ids(self, key_id: str) -> int:
        with self._transaction() as db:
            return db.execute("UPDATE documents SET body = json_set(body, '$.key_id', ?, '$.key_id_assumed', json('true'))"
                              " WHERE json_type(body, '$.key_id') IS NULL", (key_id,)).rowcount

    def count_issued_by_category_month(self, since, until):
        # months are whole: an ISO bound compared by its "YYYY-MM" prefix, as the month column holds
        rows = self._db.execute(
            "SELECT month, category, COUNT(*) FROM document_categories WHERE month >= ? AND month < ?"
            " GROUP BY month, category ORDER BY month, category", (since[:7], until[:7]))
        return [{"month": m, "category": k, "count": c} for m, k, c in rows]

    # upgrades
    _REINDEX = {
        "submissions": ("DELETE FROM submission_subject",
                        f"INSERT INTO submission_subject (id, subject) SELECT id, json_extract(body, '$.{SUBJECT}')"
                        f" FROM submissions WHERE COALESCE(json_extract(body, '$.{SUBJECT}'), '') != ''"),
        "documents": ("DELETE FROM document_categories",
                      "INSERT INTO document_categories (document_id, month, category)"
                      f" SELECT d.id, substr(d.issued_at, 1, 7), c.value FROM documents d, json_each(d.body, '$.{CATEGORIES}') c"
                      " WHERE c.value IS NOT NULL"),
    }

    def upgrade_records(self, name, collection, fn, retired=()):
        if collection not in self._REINDEX:
            raise ValueError(f"records of {collection!r} are not upgraded")
        # one transaction: the rewritten records, their side table and the upgrade's name, or nothing
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM upgrades WHERE name = ?", (name,)).fetchone():
                return None
            count, last = 0, -1
            while True:  # in rowid pages: no cursor stays open over rows being rewritten
                rows = db.execute(f"SELECT rowid, body FROM {collection} WHERE rowid > ? ORDER BY rowid LIMIT 1000",
                                  (last,)).fetchall()
                for rowid, body in rows:
                    old = json.loads(body)
                    new = fn(old)
                    if new is not None and new != old:
                        if new.get("id") != old["id"] or new.get("version") != old.get("version"):
                            raise ValueError(f"upgrade {name!r} changed the id or version of {old['id']!r}")
                        db.execute(f"UPDATE {collection} SET body = ? WHERE rowid = ?", (_dump(new), rowid))
                        count += 1
                if len(rows) < 1000:
                    break
                last = rows[-1][0]
            for statement in self._REINDEX[collection]:
                db.execute(statement)
            db.execute("INSERT INTO upgrades (name, at, records) VALUES (?, datetime('now'), ?)", (name, count))
        return count

    # files
    def put_file(self, doc: dict) -> dict:
        record = file_record(doc)
        try:
            with self._transaction() as db:
                db.execute("INSERT INTO files (id, body, data) VALUES (?, ?, ?)",
                           (doc["id"], _dump(record), sqlite3.Binary(bytes(doc["data"]))))
        except DuplicateKey:
            raise DuplicateKey("id") from None
        return record

    def get_file(self, file_id: str) -> dict | None:
        row = self._db.execute("SELECT body, data FROM files WHERE id = ?", (file_id,)).fetchone()
        return {**json.loads(row[0]), "data": bytes(row[1])} if row else None

    def delete_file(self, file_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM files WHERE id = ?", (file_id,)).rowcount == 1

    # claims
    def claim(self, key: str, value: str) -> str:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO claims (key, value) VALUES (?, ?)", (key, value))
            return db.execute("SELECT value FROM claims WHERE key = ?", (key,)).fetchone()[0]

    def claimed(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM claims WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # reference tables
    def insert_reference_table(self, doc: dict) -> dict:
        with self._transaction() as db:
            db.execute("INSERT INTO reference_tables (id, kind, effective, body) VALUES (?, ?, ?, ?)",
                       (doc["id"], doc["kind"], doc["effective"], _dump(doc)))
        return doc

    def reference_tables(self, kind: str) -> list[dict]:
        rows = self._db.execute("SELECT body FROM reference_tables WHERE kind = ? ORDER BY effective, rowid", (kind,))
        return [json.loads(r[0]) for r in rows]

    # key ring
    def add_signing_key(self, doc: dict) -> bool:
        with self._transaction() as db:
            return db.execute("INSERT OR IGNORE INTO signing_keys (id, body) VALUES (?, ?)",
                              (doc["id"], _dump(doc))).rowcount == 1

    def signing_keys(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._db.execute("SELECT body FROM signing_keys ORDER BY rowid")]

    # versioned documents (Store.VERSIONED): form definitions and office variants
    def insert_version(self, kind: str, doc: dict) -> dict:
        table, owner = self.VERSIONED[kind]
        doc = {**doc, "version": 1}
        try:
            with self._transaction() as db:
                db.execute(f"INSERT INTO {table} (id, {owner}, number, version, published_seq, body)"
                           " VALUES (?, ?, ?, 1, ?, ?)",
                           (doc["id"], doc[owner], doc["number"], doc.get("published_seq"), _dump(doc)))
        except sqlite3.IntegrityError as error:
            raise _duplicate(error) from None
        return doc

    def get_version(self, kind: str, owner: str, number: int) -> dict | None:
        table, column = self.VERSIONED[kind]
        return self._one(f"SELECT body FROM {table} WHERE {column} = ? AND number = ?", (owner, number))

    def versions_of(self, kind: str, owner: str | None = None) -> list[dict]:
        table, column = self.VERSIONED[kind]
        sql, args = f"SELECT body FROM {table}", ()
        if owner is not None:
            sql, args = sql + f" WHERE {column} = ?", (owner,)
        return [json.loads(r[0]) for r in self._db.execute(sql + f" ORDER BY {column}, number", args)]

    def update_version(self, kind: str, doc: dict) -> dict:
        table = self.VERSIONED[kind][0]
        new = {**doc, "version": doc["version"] + 1}
        with self._transaction() as db:
            changed = db.execute(
                f"UPDATE {table} SET version = ?, published_seq = ?, body = ? WHERE id = ? AND version = ?",
                (new["version"], new.get("published_seq"), _dump(new), doc["id"], doc["version"])).rowcount
        if not changed:
            raise StaleVersion(doc["id"])
        return new

    def published_numbers(self, kind: str) -> dict[str, int]:
        table, column = self.VERSIONED[kind]
        rows = self._db.execute(f"SELECT {column}, number FROM {table} WHERE published_seq IS NOT NULL"
                                " ORDER BY published_seq")
        return dict(rows.fetchall())  # the highest published_seq of each comes last, and wins

    # export and import
    _ORDER = {"accounts": "id", "submissions": "id", "documents": "seq", "codes": "id", "reference_tables": "rowid",
              "signing_keys": "rowid", "form_versions": "id", "variant_versions": "id", "events": "seq"}

    def iter_collection(self, name):
        if name == "counters":
            query = "SELECT json_object('name', name, 'value', value) FROM counters ORDER BY name"
        elif name == "claims":
            query = "SELECT json_object('key', key, 'value', value) FROM claims ORDER BY key"
        elif name == "events":
            query = "SELECT json_set(body, '$.seq', seq) FROM events ORDER BY seq"
        elif name == "files":
            yield from (exported_file(record) for record in self._iter_files())
            return
        elif name in self._ORDER:
            query = f"SELECT body FROM {name} ORDER BY {self._ORDER[name]}"
        else:
            raise ValueError(f"unknown collection {name!r}")
        # a connection of its own: a long export must not hold this thread's connection in a read
        db = sqlite3.connect(self.path, timeout=10)
        try:
            for (body,) in db.execute(query):
                yield json.loads(body)
        finally:
            db.close()

    def _iter_files(self):
        db = sqlite3.connect(self.path, timeout=10)
        try:
            for body, data in db.execute("SELECT body, data FROM files ORDER BY id"):
                yield {**json.loads(body), "data": bytes(data)}
        finally:
            db.close()

    def _restore_row(self, name: str, record: dict) -> tuple[str, str, tuple, tuple]:
        """(primary-key column, INSERT statement, its values, the key value) of one exported record."""
        body = _dump(record)
        if name == "counters":
            return "name", "INSERT INTO counters (name, value) VALUES (?, ?)", (record["name"], record["value"]), record["name"]
        if name == "claims":
            return "key", "INSERT INTO claims (key, value) VALUES (?, ?)", (record["key"], record["value"]), record["key"]
        if name == "events":
            event = {k: v for k, v in record.items() if k != "seq"}
            return ("seq", "INSERT INTO events (seq, subject, at, body) VALUES (?, ?, ?, ?)",
                    (record["seq"], event["subject"], event["at"], _dump(event)), record["seq"])
        if name == "submissions":
            return ("id", "INSERT INTO submissions (id, owner, form_id, status, version, created_at, updated_at, body)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record["id"], record["owner"], record["form_id"], record["status"], record["version"],
                     record["created_at"], record["updated_at"], body), record["id"])
        if name == "accounts":
            return ("id", "INSERT INTO accounts (id, username, email, email_key, identity, version, body)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (record["id"], record["username"], record["email"], email_key(record["email"]),
                     record.get("identity") or None, record["version"], body), record["id"])
        if name == "documents":
            return ("id", "INSERT INTO documents (id, number, application_id, type, activity, version, seq, body,"
                          " issued_at) VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM documents), ?, ?)",
                    (record["id"], record["number"], record["application_id"], record["type"],
                     record.get("activity") or "", record["version"], body, record.get("issued_at", "")), record["id"])
        if name == "files":
            restored = imported_file(record)
            return ("id", "INSERT INTO files (id, body, data) VALUES (?, ?, ?)",
                    (restored["id"], _dump(file_record(restored)), sqlite3.Binary(restored["data"])), record["id"])
        if name == "codes":
            return "id", "INSERT INTO codes (id, version, body) VALUES (?, ?, ?)", (record["id"], record["version"], body), record["id"]
        if name == "signing_keys":
            return "id", "INSERT INTO signing_keys (id, body) VALUES (?, ?)", (record["id"], body), record["id"]
        if name in _VERSIONED:
            return ("id", f"INSERT INTO {name} (id, {_VERSIONED[name]}, number, version, published_seq, body)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                    (record["id"], record[_VERSIONED[name]], record["number"], record["version"],
                     record.get("published_seq"), body), record["id"])
        if name == "reference_tables":
            return ("id", "INSERT INTO reference_tables (id, kind, effective, body) VALUES (?, ?, ?, ?)",
                    (record["id"], record["kind"], record["effective"], body), record["id"])
        raise ValueError(f"unknown collection {name!r}")

    def restore(self, name, record):
        return self.restore_many(name, [record]) == 1

    # indexes that nothing inside restore_many reads: built once after a bulk load (the unique ones and documents_seq
    # stay, restore_many looks them up)
    _BULK_DEFERRED = ("submissions_owner", "submissions_form_status", "submissions_form_time", "submission_subject_subject",
                      "submission_terms_term", "document_categories_month", "documents_application", "documents_type_issued")

    @contextmanager
    def bulk_load(self):
        db = self._db
        for index in self._BULK_DEFERRED:
            db.execute(f"DROP INDEX IF EXISTS {index}")
        # for the load only: a crash loses the load, not the file (WAL); a big page cache for the primary keys
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1048576")
        try:
            yield
        finally:
            try:
                db.executescript(SCHEMA)  # CREATE INDEX IF NOT EXISTS: each deferred index in one sorted pass
            finally:
                db.execute("PRAGMA cache_size=-2000")
                db.execute("PRAGMA synchronous=NORMAL")

    def restore_many(self, name, records):
        added, added_terms = 0, []
        with self._transaction() as db:  # one transaction a batch: a failed batch leaves nothing half-written
            for record in records:
                key_column, insert, values, key = self._restore_row(name, record)
                if db.execute(f"SELECT 1 FROM {name} WHERE {key_column} = ?", (key,)).fetchone():
                    continue  # imported before: an import that stopped half way can run again
                db.execute(insert, values)  # a unique value another record holds: DuplicateKey, all rolled back
                if name == "submissions":
                    self._index_subject(db, record, new=True)
                    added_terms.extend((record["id"], str(t), record["updated_at"]) for t in set(record.get("terms") or ()) if t)
                    self._tally(db, record)
                elif name == "documents":
                    self._index_categories(db, record)
                added += 1
            # a batch's search terms in two statements (a record restored is new: it has no terms yet)
            db.executemany("INSERT INTO submission_terms (id, term, updated_at) VALUES (?, ?, ?)", added_terms)
            db.executemany("INSERT INTO term_counts (term, n) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET n = n + excluded.n",
                           Counter(term for _, term, _ in added_terms).items())
        return added

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
        if isinstance(exc, sqlite3.IntegrityError):
            # a unique value another record holds: the interface's error, whichever write hit it
            raise _duplicate(exc) from None
        return False
