"""Plain words for the codes the server stores: one table for pages, documents and e-mails.

Codes (``SERTIFIKAT_STANDAR``, ``MENUNGGU_PERSETUJUAN_LINGKUNGAN``, ``MENENGAH_RENDAH`` …) are
the data contract and stay in the store and the JSON API; people read their labels. Where a
form definition gives a choice labels of its own, the page showing that field uses those (see
``web/forms.py``); this table serves every place that shows a code without its field: the
dashboard, the documents page, the timeline, verification, documents and e-mails.
"""
from .i18n import LazyText, lazy_gettext

# category -> code -> its words (Indonesian, translated through the catalogs); categories only keep the table
# readable: a code means the same wherever it appears (checked below), so lookups need no category
_TABLE: dict[str, dict[str, LazyText]] = {
    "document_type": {
        "NIB": lazy_gettext("NIB (Nomor Induk Berusaha)"),
        "SERTIFIKAT_STANDAR": lazy_gettext("Sertifikat Standar"),
        "PERNYATAAN_MANDIRI": lazy_gettext("Surat Pernyataan Mandiri"),
        "SPPL": lazy_gettext("SPPL (pernyataan pengelolaan lingkungan)"),
    },
    "document_status": {
        "VALID": lazy_gettext("Berlaku"),
        "REVOKED": lazy_gettext("Dicabut"),
        "SUPERSEDED": lazy_gettext("Digantikan"),
        "MENUNGGU_PERSETUJUAN_LINGKUNGAN": lazy_gettext("Menunggu persetujuan lingkungan"),
        "WAITING": lazy_gettext("Menunggu persetujuan lingkungan"),
        "ALTERED": lazy_gettext("Data tidak cocok dengan tanda tangan"),
        "UNKNOWN": lazy_gettext("Tidak dikenal"),
    },
    # the application's tracking statuses (issue/issuance.py, domain section 4)
    "application_status": {
        "DRAF": lazy_gettext("Draf"),
        "DIAJUKAN": lazy_gettext("Diajukan"),
        "RISIKO_TERVALIDASI": lazy_gettext("Risiko tervalidasi"),
        "TERBIT": lazy_gettext("Terbit"),
        "DICABUT": lazy_gettext("Dicabut"),
    },
    # a complaint's workflow (formserver/complaints.py)
    "complaint_status": {
        "BARU": lazy_gettext("Baru"),
        "DIPROSES": lazy_gettext("Diproses"),
        "SELESAI": lazy_gettext("Selesai"),
    },
    "risk": {
        "RENDAH": lazy_gettext("Rendah"),
        "MENENGAH_RENDAH": lazy_gettext("Menengah Rendah"),
        "MENENGAH_TINGGI": lazy_gettext("Menengah Tinggi"),
        "TINGGI": lazy_gettext("Tinggi"),
    },
    "scale": {
        "MIKRO": lazy_gettext("Mikro"),
        "KECIL": lazy_gettext("Kecil"),
        "MENENGAH": lazy_gettext("Menengah"),
        "BESAR": lazy_gettext("Besar"),
        "UMK": lazy_gettext("Usaha Mikro dan Kecil (UMK)"),
        "NON_UMK": lazy_gettext("Non Usaha Mikro dan Kecil"),
    },
    "environmental_obligation": {
        "UKL_UPL": lazy_gettext("UKL-UPL"),
        "AMDAL": lazy_gettext("AMDAL"),
        "PKPLH": lazy_gettext("PKPLH (UKL-UPL)"),
        "SKKL": lazy_gettext("SKKL (AMDAL)"),
    },
    "activity_type": {
        "UTAMA": lazy_gettext("Utama"),
        "PENDUKUNG": lazy_gettext("Pendukung"),
        "KANTOR_CABANG_ADMINISTRASI": lazy_gettext("Kantor Cabang Administrasi"),
        "PENDUKUNG_UMKU": lazy_gettext("Pendukung UMKU"),
    },
    "answer": {
        "YA": lazy_gettext("Ya"),
        "TIDAK": lazy_gettext("Tidak"),
        "SUDAH": lazy_gettext("Sudah"),
        "BELUM": lazy_gettext("Belum"),
    },
}


def _merge(table: dict[str, dict[str, LazyText]]) -> dict[str, LazyText]:
    merged: dict[str, LazyText] = {}
    for codes in table.values():
        for code, pair in codes.items():
            if code in merged and merged[code] != pair:
                raise ValueError(f"label table: {code} has two labels, {merged[code]} and {pair}")
            merged[code] = pair
    return merged


LABELS: dict[str, LazyText] = _merge(_TABLE)
CATEGORIES: dict[str, frozenset[str]] = {name: frozenset(codes) for name, codes in _TABLE.items()}


def label(code, locale: str | None = None) -> str:
    """The words for ``code`` in ``locale`` (default: the request's); an unknown code reads as words, not as a code."""
    if code is None or code == "":
        return ""
    value = str(code)
    words = LABELS.get(value)
    if words is not None:
        return words.in_locale(locale) if locale else str(words)
    if "_" in value and value.upper() == value:  # an unknown code; a lone capitalised word may be an abbreviation
        words = value.replace("_", " ").strip().lower()
        return words[:1].upper() + words[1:]
    return value
