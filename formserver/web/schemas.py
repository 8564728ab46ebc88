"""The marshmallow schemas of the JSON API: request schemas load what the views receive, response
schemas describe what they answer; web/openapi.py publishes both (see web/contract.py)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..i18n import lazy_gettext
from ..reference.kbli import MAX_QUERY
from ..reference.wilayah import LEVELS
from .contract import QuerySchema, RequestSchema

STEP_STATUSES = ("done", "current", "todo")
SUBMISSION_STATUSES = ("draft", "processing", "completed")  # processing: answers frozen, being completed


def _d(text: str) -> dict:
    """Field metadata with a description."""
    return {"description": text}


def _values(description: str, required: bool = True):
    """A JSON object of answers or computed values, keyed by field key."""
    return fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=required,
                       metadata=_d(description))


# -- bodies -------------------------------------------------------------------------------------

class Error(Schema):
    error = fields.String(required=True, metadata=_d("A message for people, in the request's language "
                                                       "(?lang=id|en, the session, then Accept-Language)."))


class StepConflict(Error):
    current_step = fields.String(allow_none=True, metadata=_d(
        "Present when the step cannot be filled in yet: the step to continue from."))


class LimitReached(Error):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata=_d(
        "When a step's action reached a limit (verification codes per recipient or per client address, wrong "
        "guesses per recipient): the messages by field path, as for 422."))


class ValidationErrors(Schema):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata=_d("Messages by field path (`field`, `group.0.field`); one or more per path."))


class FormSummary(Schema):
    id = fields.String(required=True, metadata=_d("The form key, e.g. `registrasi`."))
    version = fields.Integer(required=True)
    title = fields.String(required=True, metadata=_d("In the request's language."))


class FormList(Schema):
    forms = fields.List(fields.Nested(FormSummary), required=True)


class Form(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    definition = fields.Dict(required=True, metadata=_d(
        "The form definition as published (docs/FORMAT.md; JSON Schema at /schema/form.json)."))


class StepInfo(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STEP_STATUSES))


class Account(Schema):
    username = fields.String(required=True)


class Submission(Schema):
    id = fields.String(required=True)
    form_id = fields.String(required=True)
    form_version = fields.Integer(required=True, metadata=_d("The definition version the draft is pinned to."))
    status = fields.String(required=True, validate=validate.OneOf(SUBMISSION_STATUSES))
    current_step = fields.String(required=True, allow_none=True, metadata=_d(
        "The first step still to fill in; null once the submission is completed."))
    steps = fields.List(fields.Nested(StepInfo), required=True, metadata=_d("The steps on this submission's path."))
    version = fields.Integer(required=True, metadata=_d(
        "Bumped on every change; send it back (body `version` or If-Match) to refuse stale writes."))
    version_notice = fields.Nested(lambda: VersionNotice(), metadata=_d(
        "Present after an administrator moved the draft to a newer version of the form, until a step is saved: "
        "what changed and, when the new version did not accept a completed step, the step to fill in again."))


class SubmissionDetail(Submission):
    ticket = fields.String(metadata=_d("The reference number the submitter was given (a complaint's `ADU-YYYY-NNNNNN`), "
                                       "when the form gives one."))
    data = _values("The stored answers (never passwords).")
    computed = _values("The values of computed fields.")
    account = fields.Nested(Account, allow_none=True, metadata=_d(
        "Only when the submission belongs to an account (null if that account is gone)."))


VERSION_RANGE = validate.Range(min=0, max=2**53, error=lazy_gettext("Versi harus bilangan bulat 0 atau lebih."))


class StepPut(RequestSchema):
    values = _values("The step's answers by field key; hidden fields are ignored.")
    version = fields.Integer(allow_none=True, strict=True, validate=VERSION_RANGE, metadata=_d(
        "The submission version the client read; a newer one gives 409. The If-Match header wins over it."))


class IfMatch(QuerySchema):
    if_match = fields.String(data_key="If-Match", validate=validate.Regexp(
        r'^\s*(\*|"?[0-9]{1,15}"?)\s*$', error=lazy_gettext("If-Match harus berupa nomor versi atau *.")),
        metadata=_d("The expected submission version, quoted or not (wins over the body's `version`); "
                    "`*` saves whatever the current version is."))


class StepSaved(Schema):
    next_step = fields.String(required=True, allow_none=True, metadata=_d("null once the submission is completed."))
    computed = _values("The values of computed fields.")
    status = fields.String(required=True, validate=validate.OneOf(SUBMISSION_STATUSES))
    version = fields.Integer(required=True)
    account = fields.Nested(Account, metadata=_d("Present when the submission belongs to an account "
                                                 "(e.g. right after the registration created it)."))


class PreviewRequest(RequestSchema):
    values = _values("The step's answers not yet saved.")


class Option(Schema):
    value = fields.Raw(required=True)
    label = fields.String(required=True)


class FieldPreview(Schema):
    visible = fields.Boolean(required=True)
    required = fields.Boolean(required=True)
    options = fields.List(fields.Nested(Option), required=True, allow_none=True,
                          metadata=_d("The choices available now; null for fields without choices."))


class Preview(Schema):
    fields_ = fields.Dict(keys=fields.String(), values=fields.Nested(FieldPreview), required=True, data_key="fields",
                          metadata=_d("The state of the step's fields by field path."))
    computed = _values("The values of computed fields for these answers.")
    shown = fields.List(fields.String(), required=True,
                        metadata=_d("The step's visible field paths, sorted: what a page shows for these answers. "
                                    "An HTML form posts them back as `_shown`, so that an error on a shown field is "
                                    "reported as an error rather than as a newly revealed question."))


class Sent(Schema):
    sent = fields.Boolean(required=True)


NOT_EMPTY = lazy_gettext("Wajib diisi.")


class Login(RequestSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=1024, error=NOT_EMPTY),
                             metadata=_d("Username or e-mail."))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024, error=NOT_EMPTY))
    challenge_id = fields.String(validate=validate.Length(max=100), metadata=_d(
        "Needed after 3 failed log-ins for the account or from the client address (then a 401 says "
        "`challenge_required`): the `id` from POST /api/v1/auth/challenge."))
    challenge_answer = fields.String(validate=validate.Length(max=100), metadata=_d(
        "The characters in the challenge's picture, or the answer to its question in digits. A challenge is "
        "good for one try."))


class LoginFailed(Error):
    challenge_required = fields.Boolean(metadata=_d(
        "True when the next log-in must carry an answered challenge (`challenge_id`, `challenge_answer`)."))


class Challenge(Schema):
    id = fields.String(required=True, metadata=_d("Send it back as `challenge_id`."))
    question = fields.String(required=True, metadata=_d(
        "The text alternative to the picture: a sum in words, in the request's language "
        "(\"Berapa tujuh ditambah tiga? Jawab dengan angka.\")."))
    image = fields.String(required=True, metadata=_d("URL of the picture (PNG) of the same challenge."))


class RecoveryRequest(RequestSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=1024, error=NOT_EMPTY),
                             metadata=_d("Username or e-mail."))
    channel = fields.String(load_default="email", validate=validate.OneOf(("email", "whatsapp")), metadata=_d(
        "Where the code goes: the account's own e-mail, or its WhatsApp number (e-mail when it has none)."))


class RecoveryRequested(Schema):
    requested = fields.Boolean(required=True)
    message = fields.String(required=True, metadata=_d("The same whether or not the account exists."))


class RecoveryReset(RequestSchema):
    code = fields.String(required=True, validate=validate.Length(max=100),
                         metadata=_d("The 6 digits sent; valid 10 minutes, 5 tries."))
    password = fields.String(required=True, validate=validate.Length(max=1024),
                             metadata=_d("The new password (the registration's password policy)."))
    password_confirmation = fields.String(required=True, validate=validate.Length(max=1024))


class RecoveryDone(Schema):
    reset = fields.Boolean(required=True)


class PasswordChange(RequestSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    password = fields.String(required=True, validate=validate.Length(max=1024),
                             metadata=_d("The new password (the registration's password policy)."))
    password_confirmation = fields.String(required=True, validate=validate.Length(max=1024))


class PasswordChanged(Schema):
    changed = fields.Boolean(required=True)


class LoginOk(Schema):
    username = fields.String(required=True)


class LoggedOut(Schema):
    logged_out = fields.Boolean(required=True)


class WilayahItem(Schema):
    kode = fields.String(required=True, metadata=_d("Kemendagri code, e.g. `14.01`."))
    nama = fields.String(required=True)


class WilayahQuery(QuerySchema):
    parent = fields.String(required=True, validate=validate.Length(min=1, max=20, error=lazy_gettext(
        "Kode induk 1 sampai 20 karakter.")),
        metadata=_d("The parent region's code (provinsi for kabupaten, and so on)."))


class WilayahList(Schema):
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent = fields.String(required=True, allow_none=True)
    items = fields.List(fields.Nested(WilayahItem), required=True, metadata=_d("Sorted by name."))


class KbliItem(Schema):
    kode = fields.String(required=True, metadata=_d("Five-digit KBLI 2020 code, e.g. `47111`."))
    judul = fields.String(required=True)
    kategori = fields.String(required=True, metadata=_d("KBLI kategori letter, A–U."))
    score = fields.Integer(required=True, metadata=_d("Higher is a better match; ties are in code order."))


KBLI_LIMIT_DEFAULT = 20
KBLI_LIMIT_MAX = 50


class KbliQuery(QuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=MAX_QUERY, error=lazy_gettext(
        "Kata pencarian paling panjang {max} karakter.")),
        metadata=_d("Digits match code prefixes, words match title word prefixes; empty gives no items."))
    limit = fields.Integer(load_default=KBLI_LIMIT_DEFAULT, validate=validate.Range(min=1, error=lazy_gettext(
        "limit harus bilangan bulat positif.")),
        metadata=_d(f"At most this many items; values above {KBLI_LIMIT_MAX} give {KBLI_LIMIT_MAX}."))


class KbliList(Schema):
    q = fields.String(required=True)
    items = fields.List(fields.Nested(KbliItem), required=True, metadata=_d("Best match first."))


class KbliRisk(Schema):
    tingkat_risiko = fields.String(required=True, allow_none=True, metadata=_d(
        "RENDAH, MENENGAH_RENDAH, MENENGAH_TINGGI or TINGGI; null when no table row states it."))
    known = fields.Boolean(required=True, metadata=_d("False: the risk is not known and must not be issued."))
    regulation = fields.String(required=True, allow_none=True)
    table_id = fields.String(required=True, allow_none=True)
    sumber_url = fields.String(required=True, allow_none=True, metadata=_d("Where the row's value comes from."))
    perizinan_berusaha = fields.String(required=True, allow_none=True)
    kewajiban_sni = fields.String(required=True, allow_none=True, metadata=_d("yes, no or unknown."))


class KbliRiskByScale(Schema):
    MIKRO = fields.Nested(KbliRisk, required=True)
    KECIL = fields.Nested(KbliRisk, required=True)
    MENENGAH = fields.Nested(KbliRisk, required=True)
    BESAR = fields.Nested(KbliRisk, required=True)


class RiskTableRef(Schema):
    id = fields.String(required=True)
    regulation = fields.String(required=True)
    effective = fields.String(required=True, metadata=_d("ISO date the table applies from."))


class KbliDetail(Schema):
    kode = fields.String(required=True)
    judul = fields.String(required=True)
    uraian = fields.String(required=True)
    kategori = fields.String(required=True)
    perizinan_tunggal = fields.Boolean(required=True, metadata=_d("SNI/Halal questions apply (office default)."))
    perizinan_tunggal_sumber = fields.String(required=True)
    risiko = fields.Nested(KbliRiskByScale, required=True, metadata=_d("Under the table in force today."))
    table = fields.Nested(RiskTableRef, required=True, allow_none=True, metadata=_d("The table in force today."))


class IssuedDocument(Schema):
    id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("NIB", "SERTIFIKAT_STANDAR", "PERNYATAAN_MANDIRI", "SPPL")))
    number = fields.String(required=True)
    status = fields.String(required=True, metadata=_d("VALID, REVOKED, SUPERSEDED or MENUNGGU_PERSETUJUAN_LINGKUNGAN."))
    url = fields.String(required=True, metadata=_d("The signed PDF (owner and officers only)."))
    verify_url = fields.String(required=True, metadata=_d("The public verification page the QR code opens."))


class Issuance(Schema):
    status = fields.String(required=True, metadata=_d("TERBIT, MENUNGGU_PERSETUJUAN_LINGKUNGAN, ..."))
    nib = fields.String(required=True, metadata=_d("13 digits, the last a check digit."))
    documents = fields.List(fields.Nested(IssuedDocument), required=True)


class SubmitRequest(RequestSchema):
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), metadata=_d(
        "The last step's answers; default {\"setuju_terbitkan\": true}."))


class NewSubmission(RequestSchema):
    """No body is needed; a JSON object sent is accepted and ignored."""

    class Meta:
        unknown = EXCLUDE


class VerifiedActivity(Schema):
    kbli = fields.String(required=True)
    judul = fields.String(allow_none=True, metadata=_d("The KBLI title."))
    nama_usaha = fields.String(allow_none=True, metadata=_d("The business name, as signed."))
    alamat_usaha = fields.String(allow_none=True, metadata=_d("The business address, as signed."))


class VerificationResult(Schema):
    valid = fields.Boolean(required=True)
    status = fields.String(required=True, metadata=_d(
        "VALID, REVOKED, SUPERSEDED, MENUNGGU_PERSETUJUAN_LINGKUNGAN, ALTERED or UNKNOWN (also a document whose "
        "issuance has not finished)."))
    type = fields.String()
    number = fields.String()
    issued_at = fields.String()
    nib = fields.String()
    holder = fields.String(metadata=_d("The holder's name, masked."))
    kbli = fields.List(fields.String())
    activities = fields.List(fields.Nested(VerifiedActivity), metadata=_d(
        "The signed business data to compare with the paper: name, address, KBLI code and title."))
    revoked_at = fields.String(metadata=_d("When it was revoked (REVOKED)."))
    superseded_by = fields.String(metadata=_d("A SUPERSEDED NIB document: the number of the one that replaced it."))


class PdfUpload(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "The PDF to check (at most 5 MiB)."})


class PdfCheckResult(Schema):
    valid = fields.Boolean(required=True, metadata=_d(
        "True only for an unchanged file signed by the office whose document is in force."))
    status = fields.String(required=True, metadata=_d(
        "VALID; UNSIGNED, SIGNATURE_BROKEN, UNTRUSTED, MODIFIED (changed after signing), UNKNOWN, MISMATCH; "
        "or the document's own status: REVOKED, SUPERSEDED, MENUNGGU_PERSETUJUAN_LINGKUNGAN, ALTERED."))
    number = fields.String(allow_none=True, metadata=_d("The number of the document the file is, or claims to be."))
    reasons = fields.List(fields.String(), required=True, metadata=_d(
        "Why, for people, in the request's language; the deciding reason first."))


class TimelineEvent(Schema):
    at = fields.String(required=True)
    type = fields.String(required=True, metadata=_d(
        "submission.created, submission.step_saved, application.status, document.revoked, submission.assisted "
        "(an officer files for the applicant), environment.approved or environment.refused."))
    actor = fields.String(required=True)
    from_ = fields.String(data_key="from", metadata=_d("The old status (application.status)."))
    to = fields.String(metadata=_d("The new status (application.status; DICABUT for document.revoked)."))
    step = fields.String()
    reason = fields.String(metadata=_d("Why the document was revoked (document.revoked)."))
    document_type = fields.String(metadata=_d("The revoked document's type (document.revoked)."))
    number = fields.String(metadata=_d("The revoked document's number (document.revoked)."))
    assisted_by = fields.String(metadata=_d("The officer who did it for the applicant (assisted filing)."))
    on_behalf_of = fields.String(metadata=_d("The applicant's account it was done for (assisted filing)."))
    activity = fields.String(metadata=_d("The activity the environmental decision is about."))
    jenis = fields.String(metadata=_d("The environmental approval's document type (environment.approved)."))
    nomor = fields.String(metadata=_d("The environmental approval's number (environment.approved)."))
    penerbit = fields.String(metadata=_d("The authority that issued the environmental approval (environment.approved)."))


class Timeline(Schema):
    id = fields.String(required=True)
    events = fields.List(fields.Nested(TimelineEvent), required=True)


# -- complaints and the satisfaction survey (formserver/complaints.py, formserver/survey.py) ------------------

class ComplaintQuery(QuerySchema):
    kontak = fields.String(required=True, validate=validate.Length(min=1, max=254), metadata=_d(
        "The e-mail address or mobile number the complaint was sent with (any spelling of the same number)."))


class ComplaintAnswer(Schema):
    at = fields.String(required=True, metadata=_d("When the officers answered (ISO 8601, UTC)."))
    text = fields.String(required=True)


class ComplaintStatus(Schema):
    ticket = fields.String(required=True, metadata=_d("`ADU-YYYY-NNNNNN`."))
    status = fields.String(required=True, validate=validate.OneOf(("BARU", "DIPROSES", "SELESAI")), metadata=_d(
        "BARU (received), DIPROSES (being handled), SELESAI (closed)."))
    subject = fields.String(required=True)
    submitted_at = fields.String(required=True)
    answers = fields.List(fields.Nested(ComplaintAnswer), required=True, metadata=_d(
        "The officers' answers to the complainant, oldest first (internal notes are never shown)."))


class IkmQuery(QuerySchema):
    from_ = fields.Date(data_key="from", required=True, metadata=_d("First day, YYYY-MM-DD."))
    to = fields.Date(required=True, metadata=_d("Last day (included), YYYY-MM-DD, not before `from`."))


class IkmElement(Schema):
    key = fields.String(required=True, metadata=_d("The element's field key in forms/skm.json."))
    label = fields.String(required=True)
    nrr = fields.Float(required=True, allow_none=True, metadata=_d(
        "The element's mean score (1–4), rounded to 3 decimals; null without respondents."))


class Ikm(Schema):
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    ikm = fields.Float(required=True, allow_none=True, metadata=_d(
        "The index: mean of the nine NRR × 25, rounded half up to 2 decimals; null without respondents."))
    mutu = fields.String(required=True, allow_none=True, validate=validate.OneOf(("A", "B", "C", "D")), metadata=_d(
        "A 88.31–100, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99 (PermenPANRB 14/2017)."))
    respondents = fields.Integer(required=True)
    elements = fields.List(fields.Nested(IkmElement), required=True)


class IkmPageQuery(QuerySchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    semester = fields.String(validate=validate.Regexp(r"^\d{4}-[12]$", error=lazy_gettext(
        "Semester ditulis TAHUN-1 atau TAHUN-2, misalnya 2026-1.")))


class OperatorReference(Schema):
    scale = fields.List(fields.List(fields.Raw()), required=True,
                        metadata=_d("[scale, inclusive upper bound of the capital or null], smallest first."))
    environment = fields.Dict(required=True, metadata=_d(
        "The environmental screening lists: `order` (the obligations, lightest first) and `kinds` (each jenis usaha "
        "with the KBLI prefixes it applies to and its parameters' conditions and obligations)."))
    bupm = fields.Dict(keys=fields.String(), values=fields.List(fields.List(fields.String())), required=True, metadata=_d(
        "The BUPM activities per KBLI code in the table in force: [[value, label], ...]; empty when none are sourced."))


class FormRules(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    definition = fields.Dict(required=True, metadata=_d("The form definition with its rules (docs/FORMAT.md)."))
    reference = fields.Nested(OperatorReference, required=True)


class KbliRules(Schema):
    kode = fields.String(required=True)
    entry = fields.Dict(required=True, allow_none=True, metadata=_d(
        "`judul`, `uraian`, `perizinan_tunggal` and `risiko` ({scale: [[level, aturan or null], ...]} in the table "
        "in force); null for a code KBLI 2020 does not have."))


class DraftSaved(Schema):
    version = fields.Integer(required=True, metadata=_d("The submission's new version (send it with the next draft)."))
    kept = fields.List(fields.String(), required=True, metadata=_d("The answers stored (visible and valid)."))
    not_kept = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True, metadata=_d(
        "Answers not stored, with the reason (they stay in the browser until they are valid)."))


class DraftConflict(Error):
    version = fields.Integer(metadata=_d("The submission's current version, when it changed since the client read it."))
    values = _values("The step's stored answers in that version: the client shows both and lets the applicant choose.",
                     required=False)
    current_step = fields.String(allow_none=True, metadata=_d("When the step cannot be filled in now: where to continue."))


# -- form administration (web/admin_api.py) ------------------------------------------------------

VERSION_STATUSES = ("draft", "published", "retired")
DEFINITION = fields.Dict(required=True, metadata=_d(
    "A form definition (docs/FORMAT.md; JSON Schema at /schema/form.json). Its `version` is ignored: the server "
    "numbers versions."))


class DefinitionBody(RequestSchema):
    definition = DEFINITION


class AdminPreviewRequest(RequestSchema):
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict,
                          metadata=_d("Sample answers by field key; nothing is stored."))


class StrictBoolean(fields.Boolean):
    """JSON true or false only (marshmallow's Boolean also takes 0, 1, "yes", …)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class PublishRequest(RequestSchema):
    acknowledge_drafts = StrictBoolean(load_default=False, metadata=_d(
        "Required (true) when drafts exist on other versions: they stay on their versions until migrated."))


class MigrateRequest(RequestSchema):
    to = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31), metadata=_d(
        "The published version to move drafts to."))


class DiffQuery(QuerySchema):
    from_ = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1, max=2**31))
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31))


class VersionSummary(Schema):
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(VERSION_STATUSES))
    created_at = fields.String(required=True)
    created_by = fields.String(required=True, metadata=_d("`account:<id>`, or `system:forms-dir` for a shipped file."))
    updated_at = fields.String(required=True)
    updated_by = fields.String(required=True)
    published_at = fields.String(allow_none=True, metadata=_d("The last publication (a roll-back publishes again)."))
    published_by = fields.String(allow_none=True)


class AdminForm(Schema):
    id = fields.String(required=True)
    published_version = fields.Integer(required=True, allow_none=True)
    versions = fields.List(fields.Nested(VersionSummary), required=True)


class AdminFormList(Schema):
    forms = fields.List(fields.Nested(AdminForm), required=True)


class AdminVersion(VersionSummary):
    definition = fields.Dict(required=True)


class VersionCreated(Schema):
    version = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(VERSION_STATUSES))


class Problem(Schema):
    pointer = fields.String(required=True, metadata=_d("RFC 6901 JSON pointer into the definition, e.g. "
                                                         "`/steps/2/fields/3/visible_if` (empty: the whole document)."))
    message = fields.String(required=True)


class Problems(Schema):
    problems = fields.List(fields.Nested(Problem), metadata=_d("When the definition (or sample answers) has "
                                                                "problems: each with its place."))
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata=_d(
        "When the body does not fit the request schema: messages by field path, as elsewhere in the API."))


class FieldFlags(Schema):
    visible = fields.Boolean(required=True)
    required = fields.Boolean(required=True)


class StepFlags(Schema):
    fields_ = fields.Dict(keys=fields.String(), values=fields.Nested(FieldFlags), required=True, data_key="fields")


class AdminPreview(Schema):
    path = fields.List(fields.String(), required=True, metadata=_d("The step keys these answers lead through."))
    steps = fields.Dict(keys=fields.String(), values=fields.Nested(StepFlags), required=True)
    computed = _values("Computed values for these answers.")


class DraftCount(Schema):
    version = fields.Integer(required=True, allow_none=True)
    drafts = fields.Integer(required=True)


class SentBack(Schema):
    submission_id = fields.String(required=True)
    from_version = fields.Integer(required=True, allow_none=True)
    step = fields.String(required=True, allow_none=True, metadata=_d("Where the draft would resume."))
    reasons = fields.List(fields.String(), required=True)


class Impact(Schema):
    version = fields.Integer(required=True)
    drafts = fields.List(fields.Nested(DraftCount), required=True, metadata=_d("Drafts on each other version."))
    accepted = fields.Integer(required=True, metadata=_d("Drafts this version accepts as they are."))
    sent_back = fields.List(fields.Nested(SentBack), required=True)


class Published(Schema):
    published_version = fields.Integer(required=True)
    previous_version = fields.Integer(required=True, allow_none=True)
    drafts = fields.List(fields.Nested(DraftCount), required=True, metadata=_d("Drafts left on other versions."))


class PublishRefused(Error):
    drafts = fields.List(fields.Nested(DraftCount), metadata=_d("Present when drafts are on other versions."))


class Migrated(Schema):
    to = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    sent_back = fields.Integer(required=True)


class Diff(Schema):
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)
    changes = fields.List(fields.Dict(), required=True, metadata=_d(
        "Steps and fields added, removed and changed, each with its changed attributes and words in id/en "
        "(formserver/admin/diff.py)."))
    summary = fields.List(fields.String(), required=True, metadata=_d("The changes in sentences."))
    same = fields.Boolean(required=True)


class VersionNotice(Schema):
    from_version = fields.Integer(required=True, allow_none=True)
    to_version = fields.Integer(required=True)
    at = fields.String(required=True)
    changes = fields.List(fields.String(), required=True, metadata=_d("What changed, in the request's language."))
    sent_back = fields.Boolean(required=True)
    step = fields.String(required=True, allow_none=True, metadata=_d("The step to fill in again, when sent back."))
    reasons = fields.List(fields.String(), required=True)
# -- office variants (formserver/variant_versions.py) -----------------------------------------------------------


class VariantBody(RequestSchema):
    document = fields.Dict(required=True, metadata=_d(
        "A variant document (variant.json: `name`, `identity`, `forms`; docs/VARIANTS.md). Its images are those "
        "of the variant's published version (upload new ones on the admin pages)."))


class VariantPreviewRequest(RequestSchema):
    form = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata=_d("The id of the form to show with the variant's overlay applied."))


class VariantAsset(Schema):
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class VariantVersions(Schema):
    variant = fields.String(required=True)
    published_version = fields.Integer(required=True, allow_none=True)
    versions = fields.List(fields.Nested(VersionSummary), required=True)


class VariantVersion(VersionSummary):
    variant = fields.String(required=True)
    document = fields.Dict(required=True)
    assets = fields.Dict(keys=fields.String(), values=fields.Nested(VariantAsset), required=True,
                         metadata=_d("The version's images by file name (the identity's `logo` and `crest` name them)."))


class VariantPublished(Schema):
    published_version = fields.Integer(required=True)
    previous_version = fields.Integer(required=True, allow_none=True)


class VariantPreview(Schema):
    form = fields.String(required=True)
    definition = fields.Dict(required=True, metadata=_d("The effective definition: the published base with the "
                                                         "version's overlay applied."))
    office = fields.Dict(required=True, metadata=_d("The office identity as pages and documents show it."))
    problems = fields.List(fields.Nested(Problem), required=True, metadata=_d(
        "The version's problems (overlay entries left out of the effective definition among them)."))


# -- the officers' back office ------------------------------------------------------------------

OFFICER_STATUSES = ("DRAF", "DIAJUKAN", "RISIKO_TERVALIDASI", "MENUNGGU_PERSETUJUAN_LINGKUNGAN", "TERBIT", "DICABUT")


class OfficerSearchQuery(QuerySchema):
    q = fields.String(load_default="", validate=validate.Length(max=200, error=lazy_gettext(
        "Kata pencarian paling panjang {max} karakter.")),
        metadata=_d("Words of the applicant's or a business's name; 13 digits find a NIB, 16 a NIK, 5 a KBLI code."))
    nib = fields.String(load_default="", validate=validate.Regexp(r"^(\d{13})?$", error=lazy_gettext(
        "NIB terdiri dari 13 angka.")), metadata=_d("The NIB, 13 digits."))
    nik = fields.String(load_default="", validate=validate.Regexp(r"^[A-Za-z0-9]{0,20}$", error=lazy_gettext(
        "NIK terdiri dari 16 angka; nomor paspor dari huruf dan angka.")),
        metadata=_d("The applicant's NIK, or a foreign applicant's passport number."))
    kbli = fields.String(load_default="", validate=validate.Regexp(r"^(\d{5})?$", error=lazy_gettext(
        "Kode KBLI terdiri dari 5 angka.")), metadata=_d("A KBLI 2020 code of one of its activities."))
    status = fields.String(load_default="", validate=validate.OneOf(("", *OFFICER_STATUSES), error=lazy_gettext(
        "Status tidak dikenal.")), metadata=_d("The tracking status."))
    risk = fields.String(load_default="", validate=validate.OneOf(("", "RENDAH", "MENENGAH_RENDAH", "MENENGAH_TINGGI", "TINGGI"),
                                                                 error=lazy_gettext("Tingkat risiko tidak dikenal.")),
                         metadata=_d("The risk level of one of its activities."))
    from_ = fields.Date(data_key="from", load_default=None, error_messages={"invalid": lazy_gettext(
        "Tanggal 'dari' harus tanggal yang sah (TTTT-BB-HH).")},
        metadata=_d("Last changed on or after this day (WIB), YYYY-MM-DD."))
    to = fields.Date(load_default=None, error_messages={"invalid": lazy_gettext(
        "Tanggal 'sampai' harus tanggal yang sah (TTTT-BB-HH).")},
        metadata=_d("Last changed on or before this day (WIB), YYYY-MM-DD."))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500, error=lazy_gettext(
        "Halaman harus bilangan bulat 1 sampai 500.")),
        metadata=_d("The page, 20 results each, newest change first."))

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError(lazy_gettext("Tanggal 'dari' harus sebelum atau sama dengan tanggal 'sampai'."), "to")


class OfficerSubmission(Schema):
    id = fields.String(required=True)
    form_id = fields.String(required=True)
    status = fields.String(required=True, metadata=_d("The tracking status (DRAF, DIAJUKAN, ..., TERBIT, DICABUT)."))
    nib = fields.String(required=True, allow_none=True)
    holder = fields.String(required=True, metadata=_d("The applicant's name."))
    updated_at = fields.String(required=True, metadata=_d("The last change, ISO 8601 UTC."))


class OfficerSubmissionList(Schema):
    items = fields.List(fields.Nested(OfficerSubmission), required=True)
    total = fields.Integer(required=True, metadata=_d(
        "How many applications match: exact unless one of the two flags below says otherwise."))
    total_is_estimate = fields.Boolean(required=True, metadata=_d(
        "The total is an estimate (a search on several terms whose rarest is carried by more than 2,000 "
        "applications: its share of matches among the newest 2,000, times their number)."))
    total_capped = fields.Boolean(required=True, metadata=_d(
        "The total is a lower bound: at least this many match (a search with dates stops counting at 10,000, "
        "or at the matches among the newest 2,000 applications of its rarest term)."))
    page = fields.Integer(required=True)
