"""Storage behind a narrow, document-shaped interface; the backend is chosen by configuration."""
import re
from pathlib import Path

from ..i18n import gettext, lazy_gettext
from .base import DuplicateKey, NotFound, StaleVersion, Store, StoreError
from .mongo import MongoStore
from .sqlite import SQLiteStore

BACKENDS = {"sqlite": SQLiteStore, "mongodb": MongoStore}


class StoreUnavailable(StoreError):
    """The configured store cannot be opened or does not answer (raised at start-up by :func:`open_store`)."""


_CHECKS = {
    "sqlite": lazy_gettext("periksa bahwa {setting} ada, dapat ditulis oleh pengguna ini dan berada di disk "
                           "lokal").format(setting="FORMSERVER_DATA_DIR"),
    "mongodb": lazy_gettext("periksa bahwa server berjalan dan dapat dijangkau dari mesin ini (host, port, firewall), "
                            "dan {setting}: kredensial dan authSource, replicaSet, opsi tls").format(
                                setting="FORMSERVER_MONGODB_URI"),
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
    return gettext("(lihat konfigurasinya)")


def _unavailable(name: str, config, reason: str) -> StoreUnavailable:
    check = _CHECKS.get(name) or gettext("periksa konfigurasinya")
    return StoreUnavailable(gettext("Penyimpanan {name} di {location} tidak tersedia: {reason}. Untuk memperbaikinya: "
                                    "{check}.").format(name=name, location=_location(name, config), reason=reason,
                                                       check=check))


def open_store(config) -> Store:
    """The store named by ``config["STORE"]``, opened and answering; StoreUnavailable when it is not."""
    name = config.get("STORE", "sqlite")
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(gettext("Penyimpanan {name} tidak dikenal; pilih salah satu: {known}").format(
            name=repr(name), known=", ".join(BACKENDS))) from None
    try:
        store = backend.from_config(config)
    except ValueError:  # a configuration mistake: its message says what to set
        raise
    except Exception as error:  # unreachable server, bad credentials, unwritable directory, ...
        raise _unavailable(name, config, f"{type(error).__name__}: {str(error).rstrip('. ')}") from error
    if not store.ping():
        store.close()
        raise _unavailable(name, config, gettext("penyimpanan itu tidak menjawab ping tepat sesudah dibuka"))
    return store


__all__ = ["DuplicateKey", "NotFound", "StaleVersion", "Store", "StoreError", "StoreUnavailable", "open_store",
           "BACKENDS", "redact_uri"]
