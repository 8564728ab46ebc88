"""`formserver keys ...`: the key ring of data-signing keys (public keys only)."""
import sys
from pathlib import Path

from ..i18n import gettext


def _open():
    from ..config import from_environment
    from ..upgrades import open_upgraded
    config = from_environment()
    return config, open_upgraded(config)


def _list(args) -> int:
    """Put the current key in the ring, then print every key of the ring, the current one marked."""
    from .keyring import certificate_entry, register, register_certificate
    from .signing import configured_certificate, configured_data_key, key_id, raw_public_key
    config, store = _open()
    try:
        key, certificate = configured_data_key(config), configured_certificate(config)
        current = set()
        if key is not None:
            register(store, raw_public_key(key))
            current.add(key_id(raw_public_key(key)))
        if certificate is not None:
            register_certificate(store, certificate)
            current.add(certificate_entry(certificate)["id"])
        for entry in store.signing_keys():
            mark = "  " + gettext("(kunci sekarang)") if entry["id"] in current else ""
            subject = f"  {entry['subject']}" if entry.get("subject") else ""
            added = gettext("ditambahkan {date}").format(date=entry.get("added_at", "?"))
            print(f"{entry['id']}  {entry.get('algorithm', '?')}  {added}{subject}{mark}")
        if key is None:
            print("formserver: " + gettext("server ini belum mempunyai kunci penandatanganan data (kunci itu dibuat "
                                           "pada penerbitan pertama)"), file=sys.stderr)
    finally:
        store.close()
    return 0


def _add_public(args) -> int:
    """Trust a public key (PEM) for documents signed by it: a key from before the ring existed, or another office's."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from .keyring import register
    from .signing import key_id, raw_public_key
    try:
        pem = Path(args.file).read_bytes()
    except OSError as error:
        print("formserver: " + gettext("{file} tidak dapat dibaca: {error}").format(
            file=args.file, error=error.strerror or error), file=sys.stderr)
        return 1
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        try:  # a private key file: only its public half is kept
            key = serialization.load_pem_private_key(pem, password=None)
        except (TypeError, ValueError):
            key = None
    if not isinstance(key, (Ed25519PublicKey, Ed25519PrivateKey)):
        print("formserver: " + gettext("{file} tidak memuat kunci Ed25519 (PEM); tidak ada yang ditambahkan").format(
            file=args.file), file=sys.stderr)
        return 1
    raw = raw_public_key(key)
    _, store = _open()
    try:
        added = register(store, raw, migrate=False)  # it is not the key in use: it claims no document
    finally:
        store.close()
    said = gettext("kunci {key} ditambahkan ke daftar kunci") if added else gettext("kunci {key} sudah ada di daftar kunci")
    print(said.format(key=key_id(raw)))
    return 0


def add_commands(subparsers) -> None:
    """Add ``keys list`` and ``keys add-public`` to the formserver command line."""
    keys = subparsers.add_parser("keys", help="the key ring: public keys that verify documents").add_subparsers(
        dest="keys_command", required=True)
    listing = keys.add_parser("list", help="list the ring's keys (the current key is added first if it is not there)")
    listing.set_defaults(run=_list)
    add = keys.add_parser("add-public", help="add an Ed25519 public key (PEM; from a private key file, only its "
                                             "public half) so that documents it signed verify")
    add.add_argument("file", metavar="PEM")
    add.set_defaults(run=_add_public)
