"""A self-hosted CAPTCHA for log-in; works without JavaScript, with a text alternative to the picture.

A challenge is a random id kept in the (server-side) session with an expiry. From the id and the server's
key come both the characters in the picture and a small sum asked in words ("Berapa tujuh ditambah tiga?"),
for people who cannot see the picture; either answer is accepted. A challenge is good for one try; loading
the log-in page again (the "Ganti tantangan" link) or asking the API gives a new one.
"""
import hashlib
import hmac
import io
import secrets
import time

from captcha.image import ImageCaptcha
from flask import abort, current_app, make_response, session, url_for

from ..i18n import gettext, lazy_gettext

# letters that cannot be mistaken for each other
ALPHABET = "ABCDEFHJKLMNPRTUVWXY3478"
LENGTH = 5
LIFETIME = 10 * 60
_image = ImageCaptcha(width=200, height=70)
_WORDS = (lazy_gettext("nol"), lazy_gettext("satu"), lazy_gettext("dua"), lazy_gettext("tiga"), lazy_gettext("empat"), lazy_gettext("lima"),
          lazy_gettext("enam"), lazy_gettext("tujuh"), lazy_gettext("delapan"), lazy_gettext("sembilan"), lazy_gettext("sepuluh"))


def enabled() -> bool:
    return bool(current_app.config.get("CAPTCHA", True))


def _answers(challenge_id: str) -> tuple[str, int, int]:
    """(the picture's characters, a, b) of a challenge: derived from its id with the server's key."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"captcha:{challenge_id}".encode(), hashlib.sha256).digest()
    characters = "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:LENGTH])
    return characters, digest[LENGTH] % 10 + 1, digest[LENGTH + 1] % 9 + 1


def question(challenge_id: str) -> str:
    """The text alternative: a sum in words, Indonesian first."""
    _, a, b = _answers(challenge_id)
    first, second = str(_WORDS[a]), str(_WORDS[b])
    return gettext("Berapa {first} ditambah {second}? Jawab dengan angka.").format(first=first, second=second)


def new_challenge() -> dict:
    """A new challenge in the session (replacing any earlier one): its id, question and picture URL."""
    challenge_id = secrets.token_urlsafe(12)
    session["captcha"] = {"id": challenge_id, "expires": time.time() + LIFETIME}
    return describe(challenge_id)


def describe(challenge_id: str) -> dict:
    return {"id": challenge_id, "question": question(challenge_id),
            "image": url_for("pages.captcha_image", c=challenge_id)}


def _current() -> dict | None:
    challenge = session.get("captcha")
    if not isinstance(challenge, dict) or time.time() > challenge.get("expires", 0):
        return None
    return challenge


def verify(given, challenge_id: str | None = None) -> bool:
    """Whether ``given`` answers the current challenge (the picture or the sum); the challenge is spent either way."""
    challenge = _current()
    session.pop("captcha", None)
    if challenge is None or not isinstance(given, str) or not given.strip():
        return False
    if challenge_id is not None and not hmac.compare_digest(str(challenge_id), challenge["id"]):
        return False
    characters, a, b = _answers(challenge["id"])
    answer = given.strip().upper()[:LENGTH + 2]
    return hmac.compare_digest(answer, characters) or hmac.compare_digest(answer, str(a + b))


def image_response(challenge_id: str | None):
    """A PNG of the current challenge's picture (of a new challenge when there is none), never cached."""
    challenge = _current()
    if challenge is None:
        challenge = {"id": new_challenge()["id"]}
    elif challenge_id and challenge_id != challenge["id"]:
        abort(404)  # an older challenge: the page shows a picture link for the current one
    buffer = io.BytesIO()
    _image.write(_answers(challenge["id"])[0], buffer, format="png")
    response = make_response(buffer.getvalue())
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response
