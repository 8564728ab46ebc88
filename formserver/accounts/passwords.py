"""Password hashing with Argon2id (memory-hard); clear passwords are never stored or sent."""
from dataclasses import dataclass

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

# 64 MiB, 3 passes: OWASP's Argon2id recommendation, about 50 ms here
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
# verifying against this when no account exists keeps the timing of "no such user" and "wrong password" alike
_DUMMY = _hasher.hash("not-a-password")
# a stored hash that would cost more than this many times the server's own is never verified: whoever chose
# its parameters could otherwise stall a worker on every log-in (old hashes with weaker parameters are fine)
MAX_COST_FACTOR = 2


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rehash: bool = False   # right password, but the hash was made with other parameters than the server's
    refused: bool = False  # the stored hash is unreadable or too costly: not verified, the password must be reset


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _hasher.hash(password)


def is_hash(value) -> bool:
    """Whether ``value`` looks like a stored Argon2 hash."""
    return isinstance(value, str) and value.startswith("$argon2")


def acceptable(stored_hash: str) -> bool:
    """Whether verifying against ``stored_hash`` costs at most MAX_COST_FACTOR times a hash of the server's."""
    try:
        params = extract_parameters(stored_hash)
    except (InvalidHashError, AttributeError, ValueError, TypeError):
        return False
    own = _hasher
    return (params.memory_cost <= own.memory_cost * MAX_COST_FACTOR
            and params.time_cost <= own.time_cost * MAX_COST_FACTOR
            and params.parallelism <= own.parallelism * MAX_COST_FACTOR
            and params.hash_len <= 64 and params.salt_len <= 64)


def verify(stored_hash: str | None, password: str) -> Verdict:
    """Check ``password`` against the stored hash (None: spend the same time and fail)."""
    if stored_hash is not None and not acceptable(stored_hash):
        return Verdict(False, refused=True)
    try:
        right = _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return Verdict(False)
    return Verdict(right, rehash=right and _hasher.check_needs_rehash(stored_hash))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time when there is no hash."""
    return verify(stored_hash, password).ok
