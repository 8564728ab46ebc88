"""The registration's server actions: send the code, check it, create the account."""
import logging
import re
import secrets
import time
from dataclasses import dataclass

from .. import audit
from ..actions import ActionContext, LinkedMessage, action, applicant_id, current_client, resend
from ..config import base_url
from ..dates import format_date
from ..i18n import gettext, lazy_gettext
from ..store import DuplicateKey
from ..store.base import SUBJECT
from ..upgrades import upgrade
from .codes import CodeLimited
from .messages import DeliveryError, Message
from .passwords import hash_password

log = logging.getLogger("formserver.registration")
PURPOSE = "registrasi"
FORM = "registrasi"  # the registration form's id: /daftar starts it
CHANNELS = {"EMAIL": "email", "WHATSAPP": "whatsapp"}
LOGIN_PATH, RECOVERY_PATH = "/masuk", "/lupa-sandi"


def _account_links() -> list[tuple[str, str]]:
    return [(gettext("Masuk"), LOGIN_PATH), (gettext("Lupa kata sandi"), RECOVERY_PATH)]


def _email_taken() -> LinkedMessage:
    return LinkedMessage(gettext(
        "Alamat e-mail ini sudah terdaftar. Masuk dengan akun Anda "
                                 "({login_path}), pulihkan kata sandi lewat \"Lupa kata sandi\" "
                                 "({recovery_path}), atau gunakan alamat lain.").format(login_path=LOGIN_PATH, recovery_path=RECOVERY_PATH), _account_links())


def _identity_taken(document: str) -> LinkedMessage:
    """One identity document, one account; says nothing of the other account (not its e-mail, not its username)."""
    name = str(document)
    return LinkedMessage(gettext(
        "{name} ini sudah memiliki akun OSS, dan satu {name} hanya boleh "
                                 "memiliki satu akun. Masuk dengan akun tersebut ({login_path}); "
                                 "bila lupa kata sandinya, pilih \"Lupa kata sandi\" ({recovery_path}).").format(
                             name=name, login_path=LOGIN_PATH, recovery_path=RECOVERY_PATH),
        _account_links())


# the documents that identify a person, by the identity prefix: the answer's field and its name (id, en)
_IDENTITY_DOCUMENTS = {"nik": ("nik", lazy_gettext("NIK")), "paspor": ("nomor_paspor", lazy_gettext("Nomor paspor"))}


def identity(data: dict) -> str | None:
    """Who the account belongs to, when one person may hold only one account: an orang perseorangan's NIK, or a
    foreign one's passport number."""
    if data.get("jenis_pelaku_usaha") != "ORANG_PERSEORANGAN":
        return None
    if data.get("nik"):
        return f"nik:{data['nik']}"
    if data.get("nomor_paspor"):
        return f"paspor:{str(data['nomor_paspor']).upper()}"
    return None


def display_name(account: dict) -> str:
    """The name an account is greeted by: the full name given at registration."""
    return (account.get("profile") or {}).get("nama_lengkap", "")


@applicant_id
def _applicant_nik(data: dict) -> str | None:
    """The applicant's NIK: answered in the form, or from the account (``akun``) of a logged-in applicant."""
    return data.get("nik") or (data.get("akun") or {}).get("nik")


# before the stores kept whom a submission is about as its neutral "subject", they kept the NIK as "nik"
_OLD_SUBJECT = "nik"


@upgrade("submission-subject", "submissions", retired=(_OLD_SUBJECT,))
def _subject_from_nik(submission: dict) -> dict | None:
    """A submission stored with its applicant's NIK as the top-level ``nik``: the same value as its subject."""
    if SUBJECT in submission or _OLD_SUBJECT not in submission:
        return None
    upgraded = {k: v for k, v in submission.items() if k != _OLD_SUBJECT}
    return {**upgraded, SUBJECT: submission[_OLD_SUBJECT]}


def _code_text(code: str) -> tuple[str, str]:
    subject = "Kode verifikasi OSS / OSS verification code"
    body = (f"Kode verifikasi Anda: {code}\n"
            "Kode berlaku 10 menit. Jangan berikan kode ini kepada siapa pun.\n\n"
            f"Your verification code: {code}\n"
            "The code is valid for 10 minutes. Do not give this code to anyone.\n")
    return subject, body


@dataclass(frozen=True)
class NotSent:
    """Why no code was sent."""
    message: str
    retry_after: int = 0  # seconds until a code may be asked for again (a limit); 0: the delivery failed


def send_code(services, submission: dict, actor: str, client: str | None = None) -> NotSent | None:
    """Issue a new code and send it by the chosen channel; None when sent."""
    wait = services.codes.wait_seconds(PURPOSE, submission["id"])
    if wait:
        return NotSent(gettext("Tunggu {wait} detik sebelum meminta kode baru.").format(wait=wait), wait)
    data = submission["data"]
    channel = CHANNELS[data["kirim_kode_via"]]
    to = data["email"] if channel == "email" else data["nomor_telepon"]
    try:
        code = services.codes.issue(PURPOSE, submission["id"], recipient=to,
                                    client=current_client.get() if client is None else client)
    except CodeLimited as limited:
        audit.record(services.store, f"submission:{submission['id']}", "registration.code_limited", actor,
                     scope=limited.scope, retry_after=limited.retry_after)
        return NotSent(limited.message, limited.retry_after)
    subject, body = _code_text(code)
    try:
        services.messenger.send(channel, Message(to=to, subject=subject, body=body))
    except DeliveryError as error:
        log.error("verification code for %s not delivered: %s", submission["id"], error)
        return NotSent(gettext("Kode verifikasi tidak dapat dikirim saat ini. Coba lagi beberapa saat lagi atau pilih "
                          "saluran lain."))
    audit.record(services.store, f"submission:{submission['id']}", "registration.code_sent", actor, channel=channel)
    return None


@action("registration.send_code")
def _send_code(context: ActionContext) -> None:
    submission = context.submission
    data = submission["data"]
    if context.services.store.find_account(email=data["email"]):  # in any case: ALICE@x.id is alice@x.id
        context.fail("email", _email_taken())
        return
    contact = {"email": data["email"], "nomor_telepon": data["nomor_telepon"], "via": data["kirim_kode_via"]}
    if submission["meta"].get("verified_contact") == contact:
        return  # nothing changed since the contact was verified
    # a changed contact must be verified again
    submission["meta"] = {**submission["meta"], "verified_contact": None, "pending_contact": contact}
    submission["completed"] = [k for k in submission["completed"] if k != "verifikasi"]
    refused = send_code(context.services, submission, context.actor, context.client)
    if refused and refused.retry_after:
        context.limit("kirim_kode_via", refused.message, refused.retry_after)
    elif refused:
        context.fail("kirim_kode_via", refused.message)


@action("registration.check_code")
def _check_code(context: ActionContext) -> None:
    submission = context.submission
    result = context.services.codes.check(PURPOSE, submission["id"], context.values["kode_verifikasi"])
    if result.ok:
        submission["meta"] = {**submission["meta"], "verified_contact": submission["meta"].get("pending_contact")}
        audit.record(context.services.store, f"submission:{submission['id']}", "registration.code_verified",
                     context.actor)
        return
    audit.record(context.services.store, f"submission:{submission['id']}", "registration.code_rejected",
                 context.actor, reason=result.reason)
    if result.reason == "locked":
        context.limit("kode_verifikasi", result.message, result.retry_after)
        return
    messages = {
        "wrong": gettext("Kode verifikasi salah. Sisa percobaan: {tries_left}.").format(tries_left=result.tries_left),
        "expired": gettext("Kode verifikasi sudah kedaluwarsa. Tekan \"Perbarui Kode\" untuk menerima kode baru."),
        "too_many": gettext("Terlalu banyak percobaan salah. Tekan \"Perbarui Kode\" untuk menerima kode baru."),
        "missing": gettext("Belum ada kode yang berlaku. Tekan \"Perbarui Kode\" untuk menerima kode."),
    }
    context.fail("kode_verifikasi", messages[result.reason])


@resend("registration.check_code", waiting=lambda submission: bool(submission["meta"].get("pending_contact")))
def _send_again(services, submission: dict, actor: str) -> NotSent | None:
    """A new code to the contact waiting for verification."""
    return send_code(services, submission, actor)


@action("registration.check_identity")
def _check_identity(context: ActionContext) -> None:
    """One account per NIK (or passport): one that has an account stops here, pointing to log-in and recovery."""
    person = identity(context.submission["data"])
    if person and context.services.store.find_account(identity=person):
        audit.record(context.services.store, f"submission:{context.submission['id']}", "registration.identity_taken",
                     context.actor)
        field, document = _IDENTITY_DOCUMENTS[person.split(":", 1)[0]]
        context.fail(field, _identity_taken(document))


def _username(services, nama: str) -> str:
    base = re.sub(r"[^a-z]", "", (nama.split() or ["umk"])[0].lower())[:12] or "umk"
    return f"{base}{services.store.next_value('username'):04d}{secrets.randbelow(10)}"


PROFILE_EXCLUDE = {"password"}  # drafts saved before passwords were kept apart held its hash in their data
PASSWORD_LIFETIME = 30 * 24 * 3600  # how long a draft's chosen password waits for the account


def _password_key(submission: dict) -> str:
    return f"{PURPOSE}:{submission['id']}:password"


@action("registration.keep_password")
def _keep_password(context: ActionContext) -> None:
    """Hash the chosen password and keep the hash where only the server reads it, never in the draft."""
    submission = context.submission
    context.services.store.put_secret(_password_key(submission), hash_password(context.values["password"]),
                                      time.time(), PASSWORD_LIFETIME)
    submission["meta"] = {**submission["meta"], "password_set_at": audit.now_iso()}


def _welcome(services, account: dict) -> Message:
    link = base_url(services.config) + "/masuk"
    created = account.get("created_at")  # in WIB and words, as on every page (formserver/dates.py)
    body = (f"Selamat, akun OSS Anda sudah dibuat pada {format_date(created, True, 'id')}.\n"
            f"Nama pengguna: {account['username']}\n"
            f"Masuk di: {link}\nKata sandi tidak pernah dikirim lewat e-mail.\n\n"
            f"Your OSS account was created on {format_date(created, True, 'en')}.\nUsername: {account['username']}\n"
            f"Log in at: {link}\nPasswords are never sent by e-mail.\n")
    return Message(to=account["email"], subject="Akun OSS Anda / Your OSS account", body=body)


@action("registration.create_account")
def _create_account(context: ActionContext) -> None:
    services, submission = context.services, context.submission
    if not submission["meta"].get("verified_contact"):
        context.fail("info_selesai", gettext("Nomor telepon atau e-mail belum diverifikasi."))
        return
    existing = services.store.find_account(email=submission["data"]["email"])
    if existing and existing.get("registration_id") == submission["id"]:
        submission["meta"] = {**submission["meta"], "account_id": existing["id"]}
        return  # the same submission pressed twice: one account
    password_hash = services.store.get_secret(_password_key(submission), time.time())
    if password_hash is None:
        context.fail("info_selesai", gettext("Kata sandi yang Anda buat tidak tersimpan lagi. Buka langkah \"Buat kata sandi\", "
                                        "isi kata sandi lagi, lalu kembali ke sini."))
        return
    data = submission["data"]
    account = {"id": secrets.token_hex(12), "email": data["email"], "password_hash": password_hash,
               "registration_id": submission["id"], "created_at": audit.now_iso(), "status": "active",
               "profile": {k: v for k, v in data.items() if k not in PROFILE_EXCLUDE}}
    if identity(data):
        account["identity"] = identity(data)
    for _ in range(5):
        try:
            account = services.store.insert_account({**account, "username": _username(services, data["nama_lengkap"])})
            break
        except DuplicateKey as error:  # another registration got there first (unique indexes decide)
            if error.field == "email":
                context.fail("info_selesai", _email_taken())
                return
            if error.field == "identity":
                context.fail("info_selesai", _identity_taken(_IDENTITY_DOCUMENTS[account["identity"].split(":", 1)[0]][1]))
                return
    submission["meta"] = {**submission["meta"], "account_id": account["id"]}
    services.store.delete_secret(_password_key(submission))
    audit.record(services.store, f"account:{account['id']}", "account.created", context.actor,
                 registration_id=submission["id"])
    try:
        services.messenger.send("email", _welcome(services, account))
    except DeliveryError as error:
        # the account exists; the username is also shown on the confirmation page
        log.error("welcome e-mail for account %s not delivered: %s", account["id"], error)
