"""Server-side sessions kept in the store: the cookie carries only a random id.

Every worker and every app server reads the same records, so a log-out (or a password reset) anywhere ends
the session everywhere, and a replayed cookie opens nothing. A session ends after 30 minutes without a
request, and 8 hours after it began whatever happens. The store keeps a SHA-256 of the id, never the id.
"""
import hashlib
import secrets
import time

from flask.sessions import SessionInterface, SessionMixin, session_json_serializer
from werkzeug.datastructures import CallbackDict
from werkzeug.sansio.http import parse_cookie

IDLE = 30 * 60
ABSOLUTE = 8 * 3600
TOUCH = 60  # an unchanged session is written back at most once a minute to move its idle expiry


def _record_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StoreSession(CallbackDict, SessionMixin):
    """The session's data, with the cookie token it was read by (None for a new one)."""

    def __init__(self, initial=None, token: str | None = None, record: dict | None = None):
        def on_update(self_):
            self_.modified = True
        super().__init__(initial, on_update)
        self.token = token
        self.record = record
        self.new = token is None
        self.modified = False
        self.rotate = False

    def renew(self) -> None:
        """Forget the data and the id (log-in, log-out): the next response carries a new id, the old one is void."""
        self.clear()
        self.rotate = True


def renew(session) -> None:
    """Start over with a new id; the old record is deleted when the response is saved."""
    if isinstance(session, StoreSession):
        session.renew()
    else:
        session.clear()


def cookie(request, name: str) -> str | None:
    """The request's cookie ``name``, as ``request.cookies`` gives it, parsed by werkzeug's own ``parse_cookie``.

    ``request.cookies`` finds the Cookie header by walking every entry of the WSGI environ (its headers view has
    no index), about 8 µs of each request that has a session; a WSGI server gives the header as ``HTTP_COOKIE``
    (PEP 3333), read here at once. The cookies parsed are kept where ``request.cookies`` keeps them (werkzeug's
    cached_property), so a later read gets these and nothing is parsed twice."""
    cookies = request.__dict__.get("cookies")
    if cookies is None:
        cookies = parse_cookie(request.environ.get("HTTP_COOKIE", ""), cls=request.dict_storage_class)
        request.__dict__["cookies"] = cookies
    return cookies.get(name)


class StoreSessionInterface(SessionInterface):
    """Flask's session interface over the project's store; ``clock`` is injectable for tests."""

    serializer = session_json_serializer

    def __init__(self, store, clock=time.time):
        self.store = store
        self.clock = clock

    def open_session(self, app, request) -> StoreSession:
        token = cookie(request, self.get_cookie_name(app))
        if not token or len(token) > 100:
            return StoreSession()
        record = self.store.get_session(_record_id(token))
        if record is None:
            return StoreSession()
        if self.clock() >= record["expires_at"]:
            self.store.delete_session(record["id"])
            return StoreSession()
        try:
            data = self.serializer.loads(record["data"])
        except ValueError:
            self.store.delete_session(record["id"])
            return StoreSession()
        return StoreSession(data, token, record)

    def save_session(self, app, session: StoreSession, response) -> None:
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        old = session.token
        if old and (session.rotate or not session):
            self.store.delete_session(_record_id(old))
        if not session:
            if old:
                response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                       httponly=self.get_cookie_httponly(app),
                                       samesite=self.get_cookie_samesite(app))
            return
        now = self.clock()
        if old is None or session.rotate:
            token = secrets.token_urlsafe(32)
            record = {"id": _record_id(token), "created_at": now}
            self._write(record, session, now, new=True)
            self.store.delete_expired_sessions(now)
        else:
            token, record = old, session.record
            if not session.modified and now - record["last_seen"] < TOUCH:
                return
            if not self._write(record, session, now, new=False):
                # ended elsewhere while this request ran: never bring it back
                response.delete_cookie(name, domain=domain, path=path)
                return
            if not session.modified:
                return  # only the idle expiry moved: the cookie is unchanged, so a cacheable answer sets none
        response.vary.add("Cookie")
        response.set_cookie(name, token, expires=record["created_at"] + ABSOLUTE if session.permanent else None,
                            httponly=self.get_cookie_httponly(app), domain=domain, path=path,
                            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))

    def _write(self, record: dict, session: StoreSession, now: float, new: bool) -> bool:
        record.update(account_id=session.get("account_id"), last_seen=now,
                      expires_at=min(record["created_at"] + ABSOLUTE, now + IDLE),
                      data=self.serializer.dumps(dict(session)))
        if new:
            self.store.insert_session(record)
            return True
        return self.store.update_session(record)


def end_account_sessions(store, account_id: str, keep_token: str | None = None) -> int:
    """End every session of the account (but the one whose cookie is ``keep_token``); how many ended."""
    return store.delete_account_sessions(account_id, keep=_record_id(keep_token) if keep_token else None)
