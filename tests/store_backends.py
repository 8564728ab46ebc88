"""The store backends the contract suite (tests/test_store.py) runs against, as pytest fixtures.

* ``sqlite``: :class:`SQLiteStore` on a file in ``tmp_path``.
* ``mongomock``: :class:`MongoStore` over ``mongomock.MongoClient()``. mongomock is a stand-in for the pymongo
  driver API only: it proves the query, update, index and aggregation *shapes* MongoStore sends, not the
  server's behaviour — write concern, read preference, real (and concurrent) index builds, retryable writes,
  the atomicity of single-document writes under real concurrency, BSON limits. mongomock is a test-only
  dependency (the ``test`` extra); it must never be imported by runtime code.
* ``mongodb``: :class:`MongoStore` on a real MongoDB server, only when ``FORMSERVER_TEST_MONGODB_URI`` is set,
  e.g. in CI with a service container::

      FORMSERVER_TEST_MONGODB_URI=mongodb://localhost:27017 python -m pytest tests/test_store.py

  Every test gets a fresh database (``formserver_test_<random>``, whatever database the URI names) that is
  dropped afterwards; the URI's other options (credentials, ``replicaSet``, ``tls``) are used as given.

Concurrency tests take ``threaded_store``: the same, except that the mongomock param is skipped — mongomock is
not thread-safe (a replace clears the stored dict and refills it, and matching and writing are not one atomic
step), so two threads can both "win" an optimistic update or read a half-written record. Under a short thread
switch interval that happens in a few percent of runs. SQLite and a real server are always tested.

Use the ``store`` fixture for one fresh store, ``new_store()`` for more stores of the same backend (an export
restored into another store), ``store_backend`` for the backend's name, and ``mongo_store`` for tests of
MongoStore alone.
"""
import os
import uuid

import pytest

from formserver.store.mongo import MongoStore
from formserver.store.sqlite import SQLiteStore

MONGODB_URI = os.environ.get("FORMSERVER_TEST_MONGODB_URI", "")
BACKENDS = ["sqlite", "mongomock"] + (["mongodb"] if MONGODB_URI else [])
MONGO_BACKENDS = [backend for backend in BACKENDS if backend != "sqlite"]


def fresh_database_name() -> str:
    return f"formserver_test_{uuid.uuid4().hex[:16]}"


class _Opener:
    """Opens fresh stores of one backend and removes them when the test ends."""

    def __init__(self, backend: str, tmp_path):
        self.backend = backend
        self.tmp_path = tmp_path
        self.stores = []
        self.cleanups = []

    def __call__(self):
        if self.backend == "sqlite":
            store = SQLiteStore(self.tmp_path / f"store-{len(self.stores)}.sqlite3")
        elif self.backend == "mongomock":
            mongomock = pytest.importorskip("mongomock", reason="mongomock (test extra) is not installed")
            store = MongoStore(mongomock.MongoClient(), fresh_database_name(), owns_client=True)
        elif self.backend == "mongodb":
            from pymongo import MongoClient

            client = MongoClient(MONGODB_URI, serverSelectionTimeoutMS=5000)
            name = fresh_database_name()
            self.cleanups.append(lambda: (client.drop_database(name), client.close()))
            store = MongoStore(client.get_database(name))
        else:
            raise ValueError(self.backend)
        self.stores.append(store)
        return store

    def close(self):
        for store in self.stores:
            store.close()
        for cleanup in self.cleanups:
            cleanup()


@pytest.fixture(params=BACKENDS)
def store_backend(request) -> str:
    return request.param


@pytest.fixture
def new_store(store_backend, tmp_path):
    """A factory of fresh, empty stores of the backend under test."""
    opener = _Opener(store_backend, tmp_path)
    yield opener
    opener.close()


@pytest.fixture
def store(new_store):
    return new_store()


@pytest.fixture(params=MONGO_BACKENDS)
def mongo_store(request, tmp_path):
    """A fresh MongoStore (mongomock, and the server when configured), for MongoDB-specific tests."""
    opener = _Opener(request.param, tmp_path)
    yield opener()
    opener.close()


MONGOMOCK_NOT_THREAD_SAFE = ("mongomock is not thread-safe (non-atomic replace and match-then-write), so "
                             "concurrency is tested on sqlite and on a real MongoDB (FORMSERVER_TEST_MONGODB_URI)")


@pytest.fixture
def threaded_store(store_backend, new_store):
    """A fresh store for tests that write from several threads at once."""
    if store_backend == "mongomock":
        pytest.skip(MONGOMOCK_NOT_THREAD_SAFE)
    return new_store()
