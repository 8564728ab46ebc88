"""Storage behind a narrow, document-shaped interface; the backend is chosen by configuration."""
from .base import DuplicateKey, NotFound, StaleVersion, Store
from .sqlite import SQLiteStore

BACKENDS = {"sqlite": SQLiteStore}


def open_store(config) -> Store:
    """The store named by ``config["STORE"]``."""
    name = config.get("STORE", "sqlite")
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown store {name!r}; choose one of: {', '.join(BACKENDS)}") from None
    return backend.from_config(config)


__all__ = ["DuplicateKey", "NotFound", "StaleVersion", "Store", "open_store", "BACKENDS"]
