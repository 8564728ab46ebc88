"""Storage behind a narrow, document-shaped interface; the backend is chosen by configuration."""
import re
from pathlib import Path

from .base import DuplicateKey, NotFound, StaleVersion, Store, StoreError
from .mongo import MongoStore
from .sqlite import SQLiteStore

BACKENDS = {"sqlite": SQLiteStore, "mongodb": MongoStore}


class StoreUnavailable(StoreError):
    """The configured store cannot be opened or does not answer (raised at start-up by :func:`open_store`)."""


_CHECKS = {
    "sqlite": "check that FORMSERVER_DATA_DIR exists, is writable by this user and is on a local disk",
    "mongodb": "check that the server is running and reachable from this machine (host, port, firewall), and "
               "FORMSERVER_MONGODB_URI: credentials and authSource, replicaSet, tls options",
}


def redact_uri(uri: str) -> str:
    """The connection string with any password (and secret-looking query options) replaced by ``***``."""
    uri = re.sub(r"^([a-zA-Z][\w+.-]*://[^:/@?#]*):(.*)@([^@/?#]*)", r"\1:***@\3", uri)
    return re.sub(r"(?i)([?&][^=&]*(?:password|secret|token)[^=&]*=)[^&]*", r"\1***", uri)


def _location(name: str, config) -> str:
    if name == "mongodb":
        return redact_uri(str(config.get("MONGODB_URI") or "(FORMSERVER_MONGODB_URI not set)"))
    if name == "sqlite":
        return str(Path(config.get("DATA_DIR", "var")) / "formserver.sqlite3")
    return "(see its configuration)"


def _unavailable(name: str, config, reason: str) -> StoreUnavailable:
    check = _CHECKS.get(name, "check its configuration")
    return StoreUnavailable(f"The {name} store at {_location(name, config)} is unavailable: {reason}. "
                            f"To fix: {check}.")


def open_store(config) -> Store:
    """The store named by ``config["STORE"]``, opened and answering; StoreUnavailable when it is not."""
    name = config.get("STORE", "sqlite")
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown store {name!r}; choose one of: {', '.join(BACKENDS)}") from None
    try:
        store = backend.from_config(config)
    except ValueError:  # a configuration mistake: its message says what to set
        raise
    except Exception as error:  # unreachable server, bad credentials, unwritable directory, ...
        raise _unavailable(name, config, f"{type(error).__name__}: {str(error).rstrip('. ')}") from error
    if not store.ping():
        store.close()
        raise _unavailable(name, config, "it did not answer a ping right after opening")
    return store


__all__ = ["DuplicateKey", "NotFound", "StaleVersion", "Store", "StoreError", "StoreUnavailable", "open_store",
           "BACKENDS", "redact_uri"]
