"""The MongoDB store (pymongo): the same documents as the embedded store, for a replica set or a sharded cluster.

Every record is one MongoDB document whose ``_id`` is the record's id (a counter's name, a claim's key, an
event's position); ``_id`` and the few internal fields below are stripped on the way out, so callers get exactly
the dicts :class:`~formserver.store.sqlite.SQLiteStore` returns.

Internal fields (never returned, never exported):

* ``_seq`` on documents and reference tables: the insertion position (SQLite's ``seq`` and ``rowid``), taken
  from the ``sequences`` collection with ``$inc``; ``documents_for`` and the export are ordered by it.
* ``_email`` and ``_identity`` on accounts: the e-mail address as uniqueness compares it (lower case) and the
  identity when there is one (absent otherwise, so the sparse unique index binds nothing), both uniquely indexed.
* ``_activity`` on documents: the activity as the exactly-once slot sees it (``activity or ""``, as in SQLite,
  so a missing, ``None`` and empty activity are the same slot).

Events are stored with ``_id`` = their position (``seq``), also taken from ``sequences``.

No multi-document transactions: every operation is a single-document write (optimistic concurrency through
the version in the update filter, counters through ``find_one_and_update`` with ``$inc``), so the store works
on a single node, a replica set and a sharded cluster alike.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from pymongo import ASCENDING, DESCENDING, MongoClient, ReadPreference, ReturnDocument, WriteConcern
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from .base import (
    CATEGORIES,
    QUOTA_HORIZON,
    SUBJECT,
    DuplicateKey,
    StaleVersion,
    Store,
    email_key,
    exported_file,
    file_record,
    imported_file,
    quota_wait,
    search_total,
)

#: internal fields stripped from every returned record
_HIDDEN = {"_id": 0, "_seq": 0, "_activity": 0, "_email": 0, "_identity": 0}

_READ_PREFERENCES = {
    "primary": ReadPreference.PRIMARY,
    "primarypreferred": ReadPreference.PRIMARY_PREFERRED,
    "secondary": ReadPreference.SECONDARY,
    "secondarypreferred": ReadPreference.SECONDARY_PREFERRED,
    "nearest": ReadPreference.NEAREST,
}

#: unique indexes by name, and the field DuplicateKey reports for each (as SQLiteStore does)
_UNIQUE_FIELDS = {"username": "username", "email": "email", "email_key": "email", "identity": "identity",
                  "number": "number", "slot": "slot", "form_number": "number", "variant_number": "number",
                  "_id_": "id"}
#: versioned documents: collection -> the field naming what the versions are of
_VERSIONED = dict(Store.VERSIONED.values())
#: unique internal fields of accounts and the field DuplicateKey reports for each
_ACCOUNT_KEYS = {"_email": "email", "_identity": "identity"}

_BATCH = 1000  # export page size


def write_concern(value) -> WriteConcern:
    """``"majority"``, a tag set name or a number of members (numeric strings become ints); never 0: the store
    needs acknowledged writes to see duplicate keys and stale versions."""
    w = value if value not in (None, "") else "majority"
    if isinstance(w, str) and w.strip().isdigit():
        w = int(w.strip())
    if w == 0:
        raise ValueError("MONGODB_WRITE_CONCERN must acknowledge writes (w=0 hides duplicate keys and stale "
                         "versions); use 'majority' or a number of members >= 1")
    return WriteConcern(w=w)


def read_preference(value):
    """A read preference by its MongoDB name (``primary``, ``primaryPreferred``, ``secondary``,
    ``secondaryPreferred``, ``nearest``; case and underscores do not matter)."""
    name = str(value or "primary").replace("_", "").replace("-", "").lower()
    try:
        return _READ_PREFERENCES[name]
    except KeyError:
        raise ValueError(f"Unknown MONGODB_READ_PREFERENCE {value!r}; choose one of: primary, primaryPreferred, "
                         "secondary, secondaryPreferred, nearest") from None


def _eq(value) -> dict:
    """An equality condition that never reads ``value`` as a query operator (a dict from a request body)."""
    return {"$eq": value}


def _page(cursor, limit: int, offset: int = 0) -> list[dict]:
    """SQLite's LIMIT/OFFSET on a cursor: a negative limit means no limit, 0 means nothing (MongoDB's limit(0)
    would mean no limit), a negative offset means 0."""
    if limit == 0:
        return []
    if offset and offset > 0:
        cursor = cursor.skip(int(offset))
    if limit is not None and limit > 0:
        cursor = cursor.limit(int(limit))
    return list(cursor)


def _between(low, high) -> dict:
    """A range condition ``[low, high)`` with either end left out when empty ({} for no range)."""
    return {**({"$gte": low} if low else {}), **({"$lt": high} if high else {})}


def _require(doc: dict, *fields: str) -> None:
    """KeyError for a missing required field, as SQLiteStore raises."""
    for field in fields:
        doc[field]  # noqa: B018


class MongoStore(Store):
    """Store on one MongoDB database; thread-safe (one pymongo client, its own connection pool)."""

    def __init__(self, client_or_database, database: str | None = None, *, owns_client: bool = False):
        """``client_or_database``: a ``pymongo.MongoClient`` (its default database, else ``database``, else
        ``"formserver"``) or a database object with the same API."""
        # on the class: a pymongo Database answers any attribute name with a collection
        if hasattr(type(client_or_database), "list_database_names"):  # a client
            self.client = client_or_database
            self.db = self.client.get_default_database(database or "formserver")
        else:
            self.db = client_or_database
            self.client = client_or_database.client
        self._owns_client = owns_client
        # reads that decide a write (a claim's winner, a code's version) always go to the primary
        self._primary = self.db.with_options(read_preference=ReadPreference.PRIMARY)
        self._create_indexes()

    @classmethod
    def from_config(cls, config) -> MongoStore:
        uri = config.get("MONGODB_URI")
        if not uri:
            raise ValueError("The mongodb store needs a connection string: set FORMSERVER_MONGODB_URI "
                             "(e.g. mongodb://db1,db2,db3/formserver?replicaSet=rs0)")
        client = MongoClient(uri, serverSelectionTimeoutMS=5000, appname="formserver")
        try:
            db = client.get_default_database(
                config.get("MONGODB_DATABASE") or "formserver",
                write_concern=write_concern(config.get("MONGODB_WRITE_CONCERN", "majority")),
                read_preference=read_preference(config.get("MONGODB_READ_PREFERENCE", "primary")))
            return cls(db, owns_client=True)
        except BaseException:
            client.close()
            raise

    def _create_indexes(self) -> None:
        """Idempotent: create_index does nothing when the same index exists."""
        db = self.db
        db.accounts.create_index("username", unique=True, name="username")
        db.accounts.create_index("email", unique=True, name="email")
        self._migrate_accounts()
        db.accounts.create_index("_email", unique=True, name="email_key")
        db.accounts.create_index("_identity", unique=True, sparse=True, name="identity")
        db.submissions.create_index([("owner", ASCENDING), ("status", ASCENDING), ("updated_at", ASCENDING)],
                                    name="owner_status_updated")
        # the officers' list sorts by (created_at, _id): both in the index, so no page sorts in memory
        db.submissions.create_index([("form_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING),
                                     ("_id", ASCENDING)], name="form_status_created_id")
        db.submissions.create_index([("form_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                                    name="form_created_id")
        db.submissions.create_index(SUBJECT, sparse=True, name=SUBJECT)
        db.submissions.create_index([("form_id", ASCENDING), ("status", ASCENDING), ("tally.on", ASCENDING)],
                                    name="form_status_tally", partialFilterExpression={"tally": {"$exists": True}})
        # the officers' search: a multikey index on the terms, in date order within each term
        db.submissions.create_index([("terms", ASCENDING), ("updated_at", DESCENDING), ("_id", DESCENDING)],
                                    name="terms_updated")
        db.documents.create_index("number", unique=True, name="number")
        db.documents.create_index([("application_id", ASCENDING), ("type", ASCENDING), ("_activity", ASCENDING)],
                                  unique=True, name="slot")
        db.documents.create_index([("application_id", ASCENDING), ("_seq", ASCENDING)], name="application_seq")
        db.documents.create_index([("type", ASCENDING), ("issued_at", ASCENDING)], name="type_issued")
        db.documents.create_index("_seq", name="seq")
        # the monthly report reads only the documents that carry categories
        db.documents.create_index([("issued_at", ASCENDING)], name="categories_issued",
                                  partialFilterExpression={CATEGORIES: {"$exists": True}})
        db.events.create_index([("subject", ASCENDING), ("_id", ASCENDING)], name="subject_seq")
        db.reference_tables.create_index([("kind", ASCENDING), ("effective", ASCENDING), ("_seq", ASCENDING)],
                                         name="kind_effective")
        db.reference_tables.create_index("_seq", name="seq")
        db.signing_keys.create_index("_seq", name="seq")
        db.form_versions.create_index([("form_id", ASCENDING), ("number", ASCENDING)], unique=True, name="form_number")
        db.form_versions.create_index("published_seq", sparse=True, name="published_seq")
        db.variant_versions.create_index([("variant", ASCENDING), ("number", ASCENDING)], unique=True,
                                         name="variant_number")
        db.variant_versions.create_index("published_seq", sparse=True, name="published_seq")
        db.attempts.create_index([("key", ASCENDING), ("at", ASCENDING)], name="key_at")
        db.sessions.create_index("account_id", name="account")
        db.sessions.create_index("expires_at", name="expiry")
        # codes, claims, counters and sequences are looked up by _id only

    def _migrate_accounts(self) -> None:
        """Accounts stored before ``_email`` and ``_identity``: fill them in (an address that only differs in case
        from an older account's keeps its account but not the address's key: the older account owns it)."""
        accounts = self._primary.accounts
        if not accounts.find_one({"_email": {"$exists": False}}, {"_id": 1}):
            return
        held = {row["_email"] for row in accounts.find({"_email": {"$exists": True}}, {"_email": 1})}
        for row in accounts.find({"_email": {"$exists": False}}, {"email": 1, "identity": 1}).sort([("_id", 1)]):
            key = email_key(row.get("email", ""))
            key = key if key not in held else f"{key} {row['_id']}"
            held.add(key)
            accounts.update_one({"_id": row["_id"]}, {"$set": {"_email": key, **_identity_field(row)}})

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def ping(self) -> bool:
        try:
            self.db.command("ping")
            return True
        except PyMongoError:
            return False

    # helpers
    def _get(self, collection: str, condition: dict) -> dict | None:
        return self.db[collection].find_one(condition, _HIDDEN)

    def _find(self, collection: str, condition: dict):
        return self.db[collection].find(condition, _HIDDEN)

    def _next_seq(self, name: str, count: int = 1) -> int:
        """The last of ``count`` new positions of an internal sequence (documents, events, reference tables)."""
        return self._counter("sequences", name, count)

    def _counter(self, collection: str, name: str, count: int = 1) -> int:
        for attempt in range(3):
            try:
                row = self.db[collection].find_one_and_update(
                    {"_id": name}, {"$inc": {"value": count}}, upsert=True, return_document=ReturnDocument.AFTER)
                return row["value"]
            except DuplicateKeyError:  # two first increments raced on the upsert: the other one created it
                if attempt == 2:
                    raise

    def _duplicate_field(self, collection: str, error: PyMongoError, record: dict) -> str:
        """The field DuplicateKey names for a duplicate-key error on ``record``."""
        details = getattr(error, "details", None) or {}
        if "writeErrors" in details and details["writeErrors"]:
            details = details["writeErrors"][0]
        pattern = details.get("keyPattern") or {}
        if pattern:
            first = next(iter(pattern))
            if first == "_id":
                return "id"
            if first in _ACCOUNT_KEYS:
                return _ACCOUNT_KEYS[first]
            if first in ("username", "email", "number"):
                return first
            if first in _VERSIONED.values():
                return "number"
            return "slot"
        message = str(details.get("errmsg") or error)
        for index, field in _UNIQUE_FIELDS.items():
            if f"index: {index} " in message:
                return field
        # a server (or a test double) that does not say which index: find the holder of the value
        for field, condition in self._unique_conditions(collection, record):
            if self._primary[collection].find_one({**condition, "_id": {"$ne": record["_id"]}}, {"_id": 1}):
                return field
        return "id"

    @staticmethod
    def _unique_conditions(collection: str, stored: dict) -> list[tuple[str, dict]]:
        if collection == "accounts":
            conditions = [("username", {"username": _eq(stored.get("username"))}),
                          ("email", {"_email": _eq(stored.get("_email"))})]
            if stored.get("_identity"):
                conditions.append(("identity", {"_identity": _eq(stored["_identity"])}))
            return conditions
        if collection in _VERSIONED:
            owner = _VERSIONED[collection]
            return [("number", {owner: _eq(stored.get(owner)), "number": _eq(stored.get("number"))})]
        if collection == "documents":
            return [("number", {"number": _eq(stored.get("number"))}),
                    ("slot", {"application_id": _eq(stored.get("application_id")), "type": _eq(stored.get("type")),
                              "_activity": _eq(stored.get("_activity"))})]
        return []

    def _insert(self, collection: str, stored: dict) -> None:
        try:
            self.db[collection].insert_one(stored)
        except DuplicateKeyError as error:
            raise DuplicateKey(self._duplicate_field(collection, error, stored)) from None

    def _replace(self, collection: str, old: dict, new: dict, extra: dict | None = None) -> dict:
        """Replace the record if ``old["version"]`` is current (StaleVersion otherwise); return ``new``."""
        stored = {"_id": new["id"], **new, **(extra or {})}
        try:
            # the filter's _id is the replacement's own _id: a plain value, so no client copies an operator into the record
            result = self.db[collection].replace_one({"_id": stored["_id"], "version": _eq(old["version"])},
                                                     stored)
        except DuplicateKeyError as error:
            raise DuplicateKey(self._duplicate_field(collection, error, stored)) from None
        if not result.matched_count:
            raise StaleVersion(old["id"])
        return new

    # submissions
    def insert_submission(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        _require(doc, "owner", "form_id", "status", "created_at", "updated_at")
        self._insert("submissions", {"_id": doc["id"], **doc})
        return doc

    def get_submission(self, submission_id: str) -> dict | None:
        return self._get("submissions", {"_id": _eq(submission_id)})

    def update_submission(self, doc: dict) -> dict:
        return self._replace("submissions", doc, {**doc, "version": doc["version"] + 1})

    def count_tally(self, form_id, since, until):
        # read from the submissions themselves: no second write to keep in step with them (no transactions here)
        rows = self.db.submissions.aggregate([
            {"$match": {"form_id": _eq(form_id), "status": "completed",
                        "tally.on": {"$gte": str(since)[:10], "$lt": str(until)[:10]}}},
            {"$project": {"_id": 0, "pairs": {"$objectToArray": "$tally.values"}}},
            {"$unwind": "$pairs"},
            {"$group": {"_id": {"key": "$pairs.k", "value": "$pairs.v"}, "count": {"$sum": 1}}},
            {"$sort": {"_id.key": 1, "_id.value": 1}},
        ])
        return [{"key": r["_id"]["key"], "value": str(r["_id"]["value"]), "count": r["count"]} for r in rows]

    def find_submissions(self, owner, form_id=None, status=None, limit=50):
        condition = {"owner": _eq(owner)}
        if form_id:
            condition["form_id"] = _eq(form_id)
        if status:
            condition["status"] = _eq(status)
        cursor = self._find("submissions", condition).sort([("updated_at", DESCENDING)])
        return _page(cursor, limit)

    def list_submissions(self, form_id, status=None, created_from=None, created_to=None, limit=50, offset=0):
        condition: dict = {"form_id": _eq(form_id)}
        if status:
            condition["status"] = _eq(status)
        if created := _between(created_from, created_to):
            condition["created_at"] = created
        cursor = self._find("submissions", condition).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return _page(cursor, limit, offset)

    def find_submissions_by_subject(self, subject, limit=50):
        if not subject:  # SQLiteStore indexes only non-empty subjects
            return []
        cursor = self._find("submissions", {SUBJECT: _eq(subject)}).sort([("created_at", DESCENDING)])
        return _page(cursor, limit)

    def search_submissions(self, terms, updated_from=None, updated_to=None, limit=50, offset=0, count_limit=10_000):
        if not terms:
            raise ValueError("search_submissions needs at least one term")
        terms = [str(term) for term in dict.fromkeys(terms)]
        # the first term drives: an equality on the index's first field, in the index's order; $all checks the others
        driver: dict = {"terms": _eq(terms[0])}
        if updated := _between(updated_from, updated_to):
            driver["updated_at"] = updated
        condition = {"$and": [driver, {"terms": {"$all": terms[1:]}}]} if len(terms) > 1 else driver
        newest = [("updated_at", DESCENDING), ("_id", DESCENDING)]
        page = _page(self._find("submissions", condition).sort(newest), limit, offset)

        def matched(cap: int) -> int:
            rows = list(self.db.submissions.aggregate([
                {"$match": driver}, {"$sort": dict(newest)}, {"$limit": cap},
                {"$match": {"terms": {"$all": terms[1:]}}}, {"$count": "n"}]))
            return rows[0]["n"] if rows else 0
        total = search_total(
            len(page), limit, offset, len(terms) == 1, bool(updated), count_limit,
            term_size=lambda: self.db.submissions.count_documents({"terms": _eq(terms[0])}),
            range_size=lambda cap: self.db.submissions.count_documents(driver, limit=cap), matched=matched)
        return page, total

    def count_terms(self, prefix):
        if not prefix:
            raise ValueError("count_terms needs a prefix")
        starts = {"$regex": "^" + re.escape(prefix)}
        rows = self.db.submissions.aggregate([
            {"$match": {"terms": starts}}, {"$unwind": "$terms"}, {"$match": {"terms": starts}},
            {"$group": {"_id": "$terms", "count": {"$sum": 1}}}])
        return {row["_id"]: row["count"] for row in rows}

    # accounts
    def insert_account(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        _require(doc, "username", "email")
        self._insert("accounts", {"_id": doc["id"], **doc, **_account_keys(doc)})
        return doc

    def get_account(self, account_id: str) -> dict | None:
        return self._get("accounts", {"_id": _eq(account_id)})

    def find_account(self, *, username=None, email=None, identity=None):
        if username is not None:
            return self._get("accounts", {"username": _eq(username)})
        if email is not None:
            return self._get("accounts", {"_email": _eq(email_key(email) if isinstance(email, str) else email)})
        if identity is not None:
            return self._get("accounts", {"_identity": _eq(identity)})
        raise ValueError("find_account needs a username, an email or an identity")

    def update_account(self, doc: dict) -> dict:
        new = {**doc, "version": doc["version"] + 1}
        return self._replace("accounts", doc, new, _account_keys(new))

    # verification codes
    def put_code(self, doc: dict) -> dict:
        codes = self._primary.codes
        while True:  # compare-and-set on the current version; another writer in between makes us read again
            current = codes.find_one({"_id": _eq(doc["id"])}, {"version": 1})
            if current is None:
                new = {**doc, "version": 1}
                try:
                    codes.insert_one({"_id": new["id"], **new})
                    return new
                except DuplicateKeyError:
                    continue
            new = {**doc, "version": current["version"] + 1}
            if codes.replace_one({"_id": new["id"], "version": current["version"]},
                                 {"_id": new["id"], **new}).matched_count:
                return new

    def get_code(self, code_id: str) -> dict | None:
        return self._get("codes", {"_id": _eq(code_id)})

    def update_code(self, doc: dict) -> dict:
        return self._replace("codes", doc, {**doc, "version": doc["version"] + 1})

    # secrets
    def put_secret(self, key: str, value: str, now: float, lifetime: float) -> None:
        self.db.secrets.delete_many({"expires_at": {"$lt": now}})
        self.db.secrets.replace_one({"_id": key}, {"_id": key, "value": value, "expires_at": now + lifetime},
                                    upsert=True)

    def get_secret(self, key: str, now: float) -> str | None:
        row = self._primary.secrets.find_one({"_id": _eq(key), "expires_at": {"$gte": now}})
        return row["value"] if row else None

    def delete_secret(self, key: str) -> None:
        self.db.secrets.delete_one({"_id": _eq(key)})

    # quotas: one document per key, {"_id": key, "at": [times], "version": n}, changed by compare-and-set
    def take_quota(self, key, at, limits):
        keep_from = at - max(max(window for window, _ in limits), QUOTA_HORIZON)
        return self._change_quota(key, lambda times: (quota_wait(times, at, limits), [*times, at]), keep_from)

    def quota_takes(self, key, since):
        row = self._primary.quota.find_one({"_id": _eq(key)}, {"at": 1})
        return sorted(t for t in (row or {}).get("at", []) if t > since)

    def return_quota(self, key, at):
        def without_one(times):
            rest = list(times)
            if at in rest:
                rest.remove(at)
            return 0.0, rest
        self._change_quota(key, without_one, float("-inf"))

    def _change_quota(self, key: str, change, keep_from: float) -> float:
        """Apply ``change(times) -> (wait, new times)`` to the key's takes atomically; nothing when it waits."""
        quota = self._primary.quota
        while True:
            current = quota.find_one({"_id": _eq(key)})
            times = [t for t in (current or {}).get("at", []) if t > keep_from]
            wait, new = change(times)
            if wait:
                return wait
            if current is None:
                try:
                    quota.insert_one({"_id": key, "at": new, "version": 1})
                    return 0.0
                except DuplicateKeyError:
                    continue  # another take created it first: count again
            if quota.update_one({"_id": key, "version": current["version"]},
                                {"$set": {"at": new, "version": current["version"] + 1}}).matched_count:
                return 0.0

    # counters
    def next_value(self, name: str) -> int:
        return self._counter("counters", name)

    # attempts
    def record_attempt(self, key: str, at: float) -> None:
        self.db.attempts.insert_one({"key": key, "at": at})
        # keep the collection small: nothing older than a day matters to any limit
        self.db.attempts.delete_many({"key": _eq(key), "at": {"$lt": at - 86400}})

    def count_attempts(self, key: str, since: float) -> int:
        return self.db.attempts.count_documents({"key": _eq(key), "at": {"$gte": since}})

    def clear_attempts(self, key: str) -> None:
        self.db.attempts.delete_many({"key": _eq(key)})

    # sessions
    def insert_session(self, doc: dict) -> None:
        self._insert("sessions", {"_id": doc["id"], **doc})

    def get_session(self, session_id: str) -> dict | None:
        return self._get("sessions", {"_id": _eq(session_id)})

    def update_session(self, doc: dict) -> bool:
        # replace, never upsert: a session deleted by a log-out stays deleted
        # the filter's _id is the replacement's own: a plain string, never an operator
        session_id = str(doc["id"])
        return self.db.sessions.replace_one({"_id": session_id}, {**doc, "_id": session_id}).matched_count == 1

    def delete_session(self, session_id: str) -> None:
        self.db.sessions.delete_one({"_id": _eq(session_id)})

    def delete_account_sessions(self, account_id: str, keep: str | None = None) -> int:
        condition = {"account_id": _eq(account_id)}
        if keep is not None:
            condition["_id"] = {"$ne": keep}
        return self.db.sessions.delete_many(condition).deleted_count

    def delete_expired_sessions(self, now: float) -> int:
        return self.db.sessions.delete_many({"expires_at": {"$lt": now}}).deleted_count

    # issued documents
    @staticmethod
    def _stored_document(doc: dict, seq: int) -> dict:
        _require(doc, "number", "application_id", "type")
        return {"_id": doc["id"], **doc, "_seq": seq, "_activity": doc.get("activity") or ""}

    def insert_document(self, doc: dict) -> dict:
        doc = {**doc, "version": 1}
        stored = self._stored_document(doc, 0)
        stored["_seq"] = self._next_seq("documents")
        self._insert("documents", stored)
        return doc

    def get_document(self, document_id: str) -> dict | None:
        return self._get("documents", {"_id": _eq(document_id)})

    def find_document(self, *, number: str) -> dict | None:
        return self._get("documents", {"number": _eq(number)})

    def documents_for(self, application_id: str) -> list[dict]:
        return list(self._find("documents", {"application_id": _eq(application_id)}).sort([("_seq", ASCENDING)]))

    def update_document(self, doc: dict) -> dict:
        current = self._primary.documents.find_one({"_id": _eq(doc["id"])}, {"_seq": 1})
        if current is None:
            raise StaleVersion(doc["id"])
        new = {**doc, "version": doc["version"] + 1}
        return self._replace("documents", doc, new,
                             {"_seq": current["_seq"], "_activity": new.get("activity") or ""})

    def set_missing_key_ids(self, key_id: str) -> int:
        # not a new version: the signed content is unchanged, and a revocation in flight must not go stale
        return self.db.documents.update_many({"key_id": {"$exists": False}},
                                             {"$set": {"key_id": key_id, "key_id_assumed": True}}).modified_count

    def count_issued_by_category_month(self, since, until):
        rows = self.db.documents.aggregate([
            # whole months, as the interface says: "2025-10-31T..." < "2025-11" as strings
            {"$match": {CATEGORIES: {"$exists": True}, "issued_at": {"$gte": since[:7], "$lt": until[:7]}}},
            {"$unwind": f"${CATEGORIES}"},
            {"$match": {CATEGORIES: {"$ne": None}}},
            # ISO dates are ASCII: the first 7 bytes are the month
            {"$group": {"_id": {"month": {"$substr": ["$issued_at", 0, 7]}, "category": f"${CATEGORIES}"},
                        "count": {"$sum": 1}}},
            {"$sort": {"_id.month": 1, "_id.category": 1}},
        ])
        return [{"month": r["_id"].get("month"), "category": str(r["_id"].get("category")), "count": r["count"]}
                for r in rows]

    # upgrades
    def upgrade_records(self, name, collection, fn, retired=()):
        if collection not in ("submissions", "documents"):
            raise ValueError(f"records of {collection!r} are not upgraded")
        upgrades, records = self._primary.upgrades, self._primary[collection]
        if upgrades.find_one({"_id": _eq(name)}, {"_id": 1}):
            return None
        # no multi-document transaction: an upgrade stopped half way runs again at the next start, and ``fn``
        # leaves a record it upgraded before as it is
        count, last = 0, None
        while True:
            rows = list(records.find({} if last is None else {"_id": {"$gt": last}}).sort([("_id", ASCENDING)])
                        .limit(_BATCH))
            for row in rows:
                last = row["_id"]
                hidden = {k: row[k] for k in ("_id", *_HIDDEN) if k in row}
                old = {k: v for k, v in row.items() if k not in hidden}
                new = fn(dict(old))
                if new is not None and new != old:
                    if new.get("id") != old.get("id") or new.get("version") != old.get("version"):
                        raise ValueError(f"upgrade {name!r} changed the id or version of {old.get('id')!r}")
                    count += records.replace_one({"_id": row["_id"]}, {**new, **hidden}).modified_count
            if len(rows) < _BATCH:
                break
        for index in list(records.list_indexes()):
            if index["name"] != "_id_" and set(index["key"]) <= set(retired):
                records.drop_index(index["name"])
        upgrades.update_one({"_id": name}, {"$setOnInsert": {"records": count}}, upsert=True)
        return count

    # files
    def put_file(self, doc: dict) -> dict:
        record = file_record(doc)
        self._insert("files", {"_id": doc["id"], **record, "data": bytes(doc["data"])})
        return record

    def get_file(self, file_id: str) -> dict | None:
        row = self._get("files", {"_id": _eq(file_id)})
        return {**row, "data": bytes(row["data"])} if row else None

    def delete_file(self, file_id: str) -> bool:
        return self.db.files.delete_one({"_id": _eq(file_id)}).deleted_count == 1

    # claims
    def claim(self, key: str, value: str) -> str:
        try:
            self.db.claims.insert_one({"_id": key, "value": value})
            return value
        except DuplicateKeyError:
            return self._primary.claims.find_one({"_id": _eq(key)})["value"]

    def claimed(self, key: str) -> str | None:
        # from the primary: a claim decides a write (which NIB, which place in a chain)
        row = self._primary.claims.find_one({"_id": _eq(key)})
        return row["value"] if row else None

    # reference tables
    def insert_reference_table(self, doc: dict) -> dict:
        _require(doc, "kind", "effective")
        self._insert("reference_tables", {"_id": doc["id"], **doc, "_seq": self._next_seq("reference_tables")})
        return doc

    def reference_tables(self, kind: str) -> list[dict]:
        return list(self._find("reference_tables", {"kind": _eq(kind)})
                    .sort([("effective", ASCENDING), ("_seq", ASCENDING)]))

    # key ring
    def add_signing_key(self, doc: dict) -> bool:
        try:
            self.db.signing_keys.insert_one({"_id": doc["id"], **doc, "_seq": self._next_seq("signing_keys")})
            return True
        except DuplicateKeyError:
            return False

    def signing_keys(self) -> list[dict]:
        return list(self._find("signing_keys", {}).sort([("_seq", ASCENDING)]))

    # audit log
    def append_event(self, event: dict) -> None:
        _require(event, "subject", "at")
        while True:
            try:
                self.db.events.insert_one({"_id": self._next_seq("events"), **event})
                return
            except DuplicateKeyError:  # a restored event took this position: take the next one
                continue

    def events(self, subject: str) -> list[dict]:
        return list(self._find("events", {"subject": _eq(subject)}).sort([("_id", ASCENDING)]))

    # versioned documents (Store.VERSIONED): form definitions and office variants
    def insert_version(self, kind: str, doc: dict) -> dict:
        collection, owner = self.VERSIONED[kind]
        doc = {**doc, "version": 1}
        _require(doc, owner, "number")
        self._insert(collection, {"_id": doc["id"], **doc})
        return doc

    def get_version(self, kind: str, owner: str, number: int) -> dict | None:
        collection, field = self.VERSIONED[kind]
        return self._get(collection, {field: _eq(owner), "number": _eq(number)})

    def versions_of(self, kind: str, owner: str | None = None) -> list[dict]:
        collection, field = self.VERSIONED[kind]
        condition = {} if owner is None else {field: _eq(owner)}
        return list(self._find(collection, condition).sort([(field, ASCENDING), ("number", ASCENDING)]))

    def update_version(self, kind: str, doc: dict) -> dict:
        return self._replace(self.VERSIONED[kind][0], doc, {**doc, "version": doc["version"] + 1})

    def published_numbers(self, kind: str) -> dict[str, int]:
        collection, field = self.VERSIONED[kind]
        rows = self.db[collection].find({"published_seq": {"$ne": None}}, {"_id": 0, field: 1, "number": 1},
                                        sort=[("published_seq", ASCENDING)])
        return {row[field]: row["number"] for row in rows}  # the highest published_seq of each wins

    # export and import
    _ORDER = {"accounts": "_id", "submissions": "_id", "documents": "_seq", "codes": "_id",
              "reference_tables": "_seq", "signing_keys": "_seq", "form_versions": "_id", "variant_versions": "_id",
              "events": "_id", "counters": "_id",
              "claims": "_id", "files": "_id"}

    @staticmethod
    def _exported(name: str, row: dict) -> dict:
        if name == "counters":
            return {"name": row["_id"], "value": row["value"]}
        if name == "claims":
            return {"key": row["_id"], "value": row["value"]}
        if name == "events":
            seq = row.pop("_id")
            return {**row, "seq": seq}
        if name == "files":
            return exported_file({**row, "data": bytes(row["data"])})
        for field in _HIDDEN:
            row.pop(field, None)
        return row

    def iter_collection(self, name: str) -> Iterator[dict]:
        if name not in self._ORDER:
            raise ValueError(f"unknown collection {name!r}")
        return self._iter(name, self._ORDER[name])

    def _iter(self, name: str, order: str) -> Iterator[dict]:
        # pages keyed on the sort field, not one long cursor: a slow consumer cannot make the cursor time out
        last = None
        while True:
            condition = {} if last is None else {order: {"$gt": last}}
            rows = list(self.db[name].find(condition).sort([(order, ASCENDING)]).limit(_BATCH))
            for row in rows:
                last = row[order]
                yield self._exported(name, row)
            if len(rows) < _BATCH:
                return

    def _to_store(self, name: str, record: dict) -> dict:
        """The MongoDB document of one exported record (without ``_seq``, given when inserting)."""
        if name == "counters":
            return {"_id": record["name"], "value": record["value"]}
        if name == "claims":
            return {"_id": record["key"], "value": record["value"]}
        if name == "events":
            event = {k: v for k, v in record.items() if k != "seq"}
            _require(event, "subject", "at")
            return {"_id": record["seq"], **event}
        if name == "files":
            restored = imported_file(record)
            return {"_id": restored["id"], **restored}
        required = {"submissions": ("owner", "form_id", "status", "version", "created_at", "updated_at"),
                    "accounts": ("username", "email", "version"), "codes": ("version",),
                    "documents": ("number", "application_id", "type", "version"),
                    "reference_tables": ("kind", "effective"), "signing_keys": (),
                    "form_versions": ("form_id", "number", "version"),
                    "variant_versions": ("variant", "number", "version")}
        if name not in required:
            raise ValueError(f"unknown collection {name!r}")
        _require(record, *required[name])
        stored = {"_id": record["id"], **record}
        if name == "accounts":
            stored.update(_account_keys(record))
        if name == "documents":
            stored["_activity"] = record.get("activity") or ""
        return stored

    def restore(self, name: str, record: dict) -> bool:
        return self.restore_many(name, [record]) == 1

    def restore_many(self, name: str, records: list[dict]) -> int:
        """As SQLiteStore, but without a multi-document transaction: the batch is checked for unique values
        held by other records first (DuplicateKey before anything is written), then inserted in order. A write
        that fails half way (the server gone) leaves a prefix of the batch, which a second run skips."""
        if name not in self._ORDER:
            raise ValueError(f"unknown collection {name!r}")
        collection = self._primary[name]
        stored, seen = [], set()
        for record in records:
            row = self._to_store(name, record)
            if row["_id"] in seen:
                continue  # twice in one batch: the second is "there already", as in SQLiteStore
            seen.add(row["_id"])
            stored.append(row)
        if not stored:
            return 0
        there = {row["_id"] for row in collection.find({"_id": {"$in": [r["_id"] for r in stored]}}, {"_id": 1})}
        stored = [row for row in stored if row["_id"] not in there]
        if not stored:
            return 0
        self._check_unique(name, stored)
        if name in ("documents", "reference_tables", "signing_keys"):
            last = self._next_seq(name, len(stored))
            for position, row in enumerate(stored, start=last - len(stored) + 1):
                row["_seq"] = position
        if name == "events":  # appended events continue after the restored ones
            self.db.sequences.update_one({"_id": "events"}, {"$max": {"value": max(r["_id"] for r in stored)}},
                                         upsert=True)
        added, pending = 0, stored
        while pending:
            try:
                self.db[name].insert_many(pending, ordered=True)
                return added + len(pending)
            except BulkWriteError as error:
                done = error.details.get("nInserted", 0)
                failed = pending[done]
                write_errors = error.details.get("writeErrors") or [{}]
                if write_errors[0].get("code") != 11000:
                    raise
                field = self._duplicate_field(name, error, failed)
                if field != "id":
                    raise DuplicateKey(field) from None
                # the same key restored by someone else meanwhile: there already, go on after it
                added, pending = added + done, pending[done + 1:]
        return added

    def _check_unique(self, name: str, rows: list[dict]) -> None:
        """DuplicateKey(field) when a row's unique value is held by a stored record or an earlier row of the
        batch (the first such row in order, username before email, number before slot, as SQLite reports)."""
        if name == "accounts":
            fields = ("username", "_email", "_identity")
        elif name == "documents":
            fields = ("number", "slot")
        else:
            return
        held = {field: self._held(name, field, rows) for field in fields}
        seen: dict[str, set] = {field: set() for field in fields}
        for row in rows:
            for field in fields:
                if field == "_identity" and not row.get(field):
                    continue  # no identity binds nothing
                key = _unique_key(field, row)
                if key in held[field] or key in seen[field]:
                    raise DuplicateKey(_ACCOUNT_KEYS.get(field, field))
                seen[field].add(key)

    def _held(self, name: str, field: str, rows: list[dict]) -> set:
        """The unique keys of ``field`` among ``rows`` that stored records hold already."""
        collection = self._primary[name]
        if field == "slot":
            slots = [{"application_id": _eq(r.get("application_id")), "type": _eq(r.get("type")),
                      "_activity": _eq(r.get("_activity"))} for r in rows]
            found = collection.find({"$or": slots}, {"application_id": 1, "type": 1, "_activity": 1})
        else:
            found = collection.find({field: {"$in": [r.get(field) for r in rows]}}, {field: 1})
        return {_unique_key(field, row) for row in found}


def _hashable(value):
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def _unique_key(field: str, row: dict):
    if field == "slot":
        return tuple(_hashable(row.get(f)) for f in ("application_id", "type", "_activity"))
    return _hashable(row.get(field))


def _identity_field(account: dict) -> dict:
    """``{"_identity": ...}`` for an account with an identity, else nothing (the sparse index skips it)."""
    return {"_identity": account["identity"]} if account.get("identity") else {}


def _account_keys(account: dict) -> dict:
    """The internal unique fields of an account."""
    return {"_email": email_key(account["email"]), **_identity_field(account)}
