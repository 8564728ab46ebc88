"""Password hashing with Argon2id (memory-hard); clear passwords are never stored or sent."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# 64 MiB, 3 passes: OWASP's Argon2id recommendation, about 50 ms here
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
# verifying against this when no account exists keeps the timing of "no such user" and "wrong password" alike
_DUMMY = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _hasher.hash(password)


def is_hash(value) -> bool:
    """Whether ``value`` looks like a stored Argon2 hash."""
    return isinstance(value, str) and value.startswith("$argon2")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
