"""A self-hosted image CAPTCHA for the log-in page; works without JavaScript.

The answer is kept in the signed session as an HMAC, with an expiry; a answer is good for one try.
"""
import hashlib
import hmac
import io
import secrets
import time

from captcha.image import ImageCaptcha
from flask import current_app, make_response, session

# letters that cannot be mistaken for each other
ALPHABET = "ABCDEFHJKLMNPRTUVWXY3478"
LENGTH = 5
LIFETIME = 10 * 60
_image = ImageCaptcha(width=200, height=70)


def enabled() -> bool:
    return bool(current_app.config.get("CAPTCHA", True))


def _digest(answer: str, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"captcha:{nonce}:{answer.upper()}".encode(), hashlib.sha256).hexdigest()


def new_challenge() -> str:
    """A new answer, remembered in the session."""
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    nonce = secrets.token_hex(8)
    session["captcha"] = {"digest": _digest(answer, nonce), "nonce": nonce, "expires": time.time() + LIFETIME}
    return answer


def verify(given: str) -> bool:
    """Whether ``given`` answers the current challenge; the challenge is spent either way."""
    challenge = session.pop("captcha", None)
    if not challenge or time.time() > challenge["expires"] or not given:
        return False
    return hmac.compare_digest(challenge["digest"], _digest(given.strip()[:LENGTH + 2], challenge["nonce"]))


def image_response():
    """A PNG of a new challenge, never cached."""
    buffer = io.BytesIO()
    _image.write(new_challenge(), buffer, format="png")
    response = make_response(buffer.getvalue())
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response
