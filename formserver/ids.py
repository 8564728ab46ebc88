"""Random ids for records the server hands out (submissions, documents).

An id is lowercase base32 (RFC 4648: ``a-z`` and ``2-7``): it is safe in a URL, a file name and a QR code,
reads aloud without ambiguity of case, and never begins with ``-``, so a command line never takes it for
an option. Ids made before this (``secrets.token_urlsafe``) may begin with ``-`` or ``_``; they stay valid
everywhere, and the command line accepts them too (see :mod:`formserver.cliparse`).
"""
import base64
import secrets


def new_id(nbytes: int = 12) -> str:
    """A random id of ``nbytes`` random bytes, as unpadded lowercase base32 (12 bytes: 20 characters)."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode("ascii").rstrip("=").lower()
