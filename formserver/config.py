"""Settings: one place, an environment variable with a default per key."""
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"FORMSERVER_{name}", default)


def _flag(name: str, default: bool) -> bool:
    value = _env(name, "1" if default else "0").strip().lower()
    return value not in ("0", "off", "false", "no", "")


def from_environment() -> dict:
    """The app configuration read from FORMSERVER_* environment variables."""
    data_dir = Path(_env("DATA_DIR", "var")).resolve()
    return {
        "DATA_DIR": str(data_dir),
        "FORMS_DIR": _env("FORMS_DIR", str(PROJECT_ROOT / "forms")),
        # the gettext catalogs (<locale>/LC_MESSAGES/messages.po); the server offers id and each locale found there
        "TRANSLATIONS_DIR": _env("TRANSLATIONS_DIR", ""),
        # how often a process asks the store which form versions are published (a publication shows within it)
        "FORMS_REFRESH_SECONDS": float(_env("FORMS_REFRESH_SECONDS", "2")),
        "STORE": _env("STORE", "sqlite"),
        # the mongodb store (FORMSERVER_STORE=mongodb); a database in the URI path wins over MONGODB_DATABASE
        "MONGODB_URI": _env("MONGODB_URI"),
        "MONGODB_DATABASE": _env("MONGODB_DATABASE", "formserver"),
        "MONGODB_WRITE_CONCERN": _env("MONGODB_WRITE_CONCERN", "majority"),
        "MONGODB_READ_PREFERENCE": _env("MONGODB_READ_PREFERENCE", "primary"),
        "SECRET_KEY": _env("SECRET_KEY") or None,
        # the public address links in QR codes, e-mails and documents start with (required in production)
        "BASE_URL": _env("BASE_URL", ""),
        # the address `formserver serve` listens on: links made outside a request in development
        "SERVE_URL": _env("SERVE_URL", ""),
        "CAPTCHA": _flag("CAPTCHA", True),
        "SESSION_COOKIE_SECURE": _flag("SECURE_COOKIES", True),
        "SMTP_URL": _env("SMTP_URL"),
        "MAIL_FROM": _env("MAIL_FROM", "OSS UMK <noreply@localhost>"),
        "WHATSAPP_API_URL": _env("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0"),
        "WHATSAPP_TOKEN": _env("WHATSAPP_TOKEN"),
        "WHATSAPP_PHONE_NUMBER_ID": _env("WHATSAPP_PHONE_NUMBER_ID"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "MAX_CONTENT_LENGTH": int(_env("MAX_BODY_BYTES", str(256 * 1024))),
        # how many proxies (nginx, the office's load balancer) stand in front: their X-Forwarded-* are trusted
        "PROXY_HOPS": int(_env("PROXY_HOPS", "0")),
        # production signing keys; without them a development key set is made in DATA_DIR/keys
        "SIGNING_KEY_FILE": _env("SIGNING_KEY_FILE"),
        "SIGNING_CERT_FILE": _env("SIGNING_CERT_FILE"),
        "SIGNING_CERT_KEY_FILE": _env("SIGNING_CERT_KEY_FILE"),
        # the regional variant served (variants/<name>/: office identity, overlays on the forms); kampar when unset
        "VARIANT": _env("VARIANT", "kampar"),
        "VARIANTS_DIR": _env("VARIANTS_DIR", str(PROJECT_ROOT / "variants")),
    }


def secret_key(data_dir: Path) -> str:
    """A secret key shared by every worker: created once in the data directory."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        # link() fails if another worker won the race, so every worker ends with the same key
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


class ConfigError(Exception):
    """A configuration that would run, but wrongly."""


def base_url(config) -> str:
    """The absolute address every printed or sent link starts with, without a trailing slash.

    FORMSERVER_BASE_URL when set (production requires it, see check()); in development the
    address being served: the request's host when there is a request, else the address the
    ``serve`` command bound, else the serve command's default address.
    """
    configured = (config.get("BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    from flask import has_request_context, request
    if has_request_context():
        return request.host_url.rstrip("/")
    return (config.get("SERVE_URL") or DEFAULT_SERVE_URL).rstrip("/")


DEFAULT_SERVE_URL = "http://127.0.0.1:8000"


def check(config: dict) -> None:
    """Refuse settings that would run, but wrongly (several app servers, links nobody can open)."""
    from .i18n import gettext  # the operator reads it when the start is refused
    base = (config.get("BASE_URL") or "").strip()
    if base and (urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc):
        raise ConfigError(gettext("{name} harus alamat http(s) yang lengkap (absolute) seperti {example}, bukan "
                                  "{value}.").format(name="FORMSERVER_BASE_URL", example="https://oss.kamparkab.go.id",
                                                     value=repr(base)))
    if config.get("SESSION_COOKIE_SECURE") and not base:
        raise ConfigError(gettext(
            "Isi {name} dengan alamat https publik server ini (misalnya {example}): kode QR, e-mail dan dokumen "
            "memuat tautan lengkap, dan di produksi (cookie aman menyala) tautan itu tidak boleh bergantung pada "
            "alamat yang kebetulan dipakai sebuah permintaan. Untuk http biasa di mesin Anda sendiri, isi "
            "{insecure}.").format(name="FORMSERVER_BASE_URL", example="https://oss.kamparkab.go.id",
                                  insecure="FORMSERVER_SECURE_COOKIES=0"))
    if config.get("STORE") == "mongodb":
        missing = [name for name, key in (("FORMSERVER_SECRET_KEY", "SECRET_KEY"),
                                          ("FORMSERVER_SIGNING_KEY_FILE", "SIGNING_KEY_FILE"),
                                          ("FORMSERVER_SIGNING_CERT_FILE", "SIGNING_CERT_FILE"),
                                          ("FORMSERVER_SIGNING_CERT_KEY_FILE", "SIGNING_CERT_KEY_FILE"))
                   if not config.get(key)]
        if missing:
            raise ConfigError(gettext(
                "Dengan penyimpanan MongoDB bersama, setiap server aplikasi harus memakai kunci yang sama, jadi kunci "
                "itu harus berasal dari konfigurasi, tidak dibuat per server. Isi: {names}.").format(
                    names=", ".join(missing)))
