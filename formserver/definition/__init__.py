"""Form definitions: load, check, migrate."""
