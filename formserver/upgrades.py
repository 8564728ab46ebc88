"""Upgrades of stored records to a newer shape, each registered by the module that owns the shape.

The stores never name a form's key (docs/DECISIONS.md): what they index is a neutral field (a submission's
``subject``, a document's ``categories``) that the form's own module fills. When a stored shape changes, that
module also says how a record of the older shape becomes the new one, with :func:`upgrade`. Every upgrade runs
once per store, whenever a server or a command opens it (:func:`open_upgraded`, the one way they open a store), through
``Store.upgrade_records``, which rewrites the records and rebuilds the store's own indexes in one go; an export
made before an upgrade is upgraded record by record as it is imported (:func:`upgraded`, formserver/transfer.py).
"""
from collections.abc import Callable
from dataclasses import dataclass

COLLECTIONS = ("submissions", "documents")


@dataclass(frozen=True)
class Upgrade:
    """``fn(record)`` gives the record in the new shape (same id and version), or None when it has it already;
    ``retired``: top-level fields of the old shape the store may have indexed (their indexes are dropped)."""
    name: str
    collection: str
    fn: Callable[[dict], dict | None]
    retired: tuple[str, ...] = ()


UPGRADES: dict[str, Upgrade] = {}


def upgrade(name: str, collection: str, retired: tuple[str, ...] = ()):
    """Register ``fn(record) -> dict | None`` as the upgrade ``name`` of ``collection``'s records."""
    if collection not in COLLECTIONS:
        raise ValueError(f"records of {collection!r} are not upgraded (only {', '.join(COLLECTIONS)})")

    def register(fn):
        if name in UPGRADES:
            raise ValueError(f"upgrade registered twice: {name!r}")
        UPGRADES[name] = Upgrade(name, collection, fn, tuple(retired))
        return fn
    return register


def upgraded(collection: str, record: dict) -> dict:
    """``record`` with every registered upgrade of ``collection`` applied, in registration order."""
    for step in UPGRADES.values():
        if step.collection == collection:
            record = step.fn(record) or record
    return record


def run(store) -> dict[str, int]:
    """Apply the upgrades this store has not had yet; {name: records rewritten} of those applied now."""
    done = {}
    for step in UPGRADES.values():
        count = store.upgrade_records(step.name, step.collection, step.fn, step.retired)
        if count is not None:
            done[step.name] = count
    return done


def open_upgraded(config, store=None):
    """The configured store (or ``store``, already open) with every registered upgrade applied: how a server and
    every command open the store, so that none of them reads or writes records of an older shape."""
    from . import plugins
    from .store import open_store
    plugins.load()  # the modules that own the shapes register their upgrades as they are imported
    opened = store is None
    store = open_store(config) if opened else store
    try:
        run(store)
    except BaseException:
        if opened:
            store.close()
        raise
    return store
