"""Plain words for the codes the server stores: one table for pages, documents and e-mails.

Codes (``SERTIFIKAT_STANDAR``, ``MENUNGGU_PERSETUJUAN_LINGKUNGAN``, ``MENENGAH_RENDAH`` …) are
the data contract and stay in the store and the JSON API; people read their labels. Where a
form definition gives a choice labels of its own, the page showing that field uses those (see
``web/forms.py``); this table serves every place that shows a code without its field: the
dashboard, the documents page, the timeline, verification, documents and e-mails.
"""
from .i18n import Bi, LazyText

# category -> code -> its words (Indonesian, translated through the catalogs); categories only keep the table
# readable: a code means the same wherever it appears (checked below), so lookups need no category
_TABLE: dict[str, dict[str, LazyText]] = {
    "document_type": {
        "NIB": Bi("NIB (Nomor Induk Berusaha)", "NIB (business identification number)"),
        "SERTIFIKAT_STANDAR": Bi("Sertifikat Standar", "Standard certificate"),
        "PERNYATAAN_MANDIRI": Bi("Surat Pernyataan Mandiri", "Self-declaration"),
        "SPPL": Bi("SPPL (pernyataan pengelolaan lingkungan)", "SPPL (environmental management statement)"),
    },
    "document_status": {
        "VALID": Bi("Berlaku", "In force"),
        "REVOKED": Bi("Dicabut", "Revoked"),
        "SUPERSEDED": Bi("Digantikan", "Superseded"),
        "MENUNGGU_PERSETUJUAN_LINGKUNGAN": Bi("Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
        "WAITING": Bi("Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
        "ALTERED": Bi("Data tidak cocok dengan tanda tangan", "Data does not match the signature"),
        "UNKNOWN": Bi("Tidak dikenal", "Unknown"),
    },
    # the application's tracking statuses (issue/issuance.py, domain section 4)
    "application_status": {
        "DRAF": Bi("Draf", "Draft"),
        "DIAJUKAN": Bi("Diajukan", "Submitted"),
        "RISIKO_TERVALIDASI": Bi("Risiko tervalidasi", "Risk validated"),
        "TERBIT": Bi("Terbit", "Issued"),
        "DICABUT": Bi("Dicabut", "Revoked"),
    },
    # a complaint's workflow (formserver/complaints.py)
    "complaint_status": {
        "BARU": Bi("Baru", "New"),
        "DIPROSES": Bi("Diproses", "Being handled"),
        "SELESAI": Bi("Selesai", "Closed"),
    },
    "risk": {
        "RENDAH": Bi("Rendah", "Low"),
        "MENENGAH_RENDAH": Bi("Menengah Rendah", "Medium-low"),
        "MENENGAH_TINGGI": Bi("Menengah Tinggi", "Medium-high"),
        "TINGGI": Bi("Tinggi", "High"),
    },
    "scale": {
        "MIKRO": Bi("Mikro", "Micro"),
        "KECIL": Bi("Kecil", "Small"),
        "MENENGAH": Bi("Menengah", "Medium"),
        "BESAR": Bi("Besar", "Large"),
        "UMK": Bi("Usaha Mikro dan Kecil (UMK)", "Micro and small enterprise (UMK)"),
        "NON_UMK": Bi("Non Usaha Mikro dan Kecil", "Not a micro or small enterprise"),
    },
    "environmental_obligation": {
        "UKL_UPL": Bi("UKL-UPL", "UKL-UPL"),
        "AMDAL": Bi("AMDAL", "AMDAL"),
        "PKPLH": Bi("PKPLH (UKL-UPL)", "PKPLH (UKL-UPL)"),
        "SKKL": Bi("SKKL (AMDAL)", "SKKL (AMDAL)"),
    },
    "activity_type": {
        "UTAMA": Bi("Utama", "Main"),
        "PENDUKUNG": Bi("Pendukung", "Supporting"),
        "KANTOR_CABANG_ADMINISTRASI": Bi("Kantor Cabang Administrasi", "Administrative branch office"),
        "PENDUKUNG_UMKU": Bi("Pendukung UMKU", "Supporting (UMKU)"),
    },
    "answer": {
        "YA": Bi("Ya", "Yes"),
        "TIDAK": Bi("Tidak", "No"),
        "SUDAH": Bi("Sudah", "Yes"),
        "BELUM": Bi("Belum", "Not yet"),
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
