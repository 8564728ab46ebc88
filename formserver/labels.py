"""Plain words for the codes the server stores: one table for pages, documents and e-mails.

Codes (``SERTIFIKAT_STANDAR``, ``MENUNGGU_PERSETUJUAN_LINGKUNGAN``, ``MENENGAH_RENDAH`` …) are
the data contract and stay in the store and the JSON API; people read their labels. Where a
form definition gives a choice labels of its own, the page showing that field uses those (see
``web/forms.py``); this table serves every place that shows a code without its field: the
dashboard, the documents page, the timeline, verification, documents and e-mails.
"""
from .i18n import current_locale

# category -> code -> (Indonesian, English); categories only keep the table readable: a code
# means the same wherever it appears (checked below), so lookups need no category
_TABLE: dict[str, dict[str, tuple[str, str]]] = {
    "document_type": {
        "NIB": ("NIB (Nomor Induk Berusaha)", "NIB (business identification number)"),
        "SERTIFIKAT_STANDAR": ("Sertifikat Standar", "Standard certificate"),
        "PERNYATAAN_MANDIRI": ("Surat Pernyataan Mandiri", "Self-declaration"),
        "SPPL": ("SPPL (pernyataan pengelolaan lingkungan)", "SPPL (environmental management statement)"),
    },
    "document_status": {
        "VALID": ("Berlaku", "In force"),
        "REVOKED": ("Dicabut", "Revoked"),
        "SUPERSEDED": ("Digantikan", "Superseded"),
        "MENUNGGU_PERSETUJUAN_LINGKUNGAN": ("Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
        "WAITING": ("Menunggu persetujuan lingkungan", "Waiting for the environmental approval"),
        "ALTERED": ("Data tidak cocok dengan tanda tangan", "Data does not match the signature"),
        "UNKNOWN": ("Tidak dikenal", "Unknown"),
    },
    # the application's tracking statuses (issue/issuance.py, domain section 4)
    "application_status": {
        "DRAF": ("Draf", "Draft"),
        "DIAJUKAN": ("Diajukan", "Submitted"),
        "RISIKO_TERVALIDASI": ("Risiko tervalidasi", "Risk validated"),
        "TERBIT": ("Terbit", "Issued"),
        "DICABUT": ("Dicabut", "Revoked"),
    },
    # a complaint's workflow (formserver/complaints.py)
    "complaint_status": {
        "BARU": ("Baru", "New"),
        "DIPROSES": ("Diproses", "Being handled"),
        "SELESAI": ("Selesai", "Closed"),
    },
    "risk": {
        "RENDAH": ("Rendah", "Low"),
        "MENENGAH_RENDAH": ("Menengah Rendah", "Medium-low"),
        "MENENGAH_TINGGI": ("Menengah Tinggi", "Medium-high"),
        "TINGGI": ("Tinggi", "High"),
    },
    "scale": {
        "MIKRO": ("Mikro", "Micro"),
        "KECIL": ("Kecil", "Small"),
        "MENENGAH": ("Menengah", "Medium"),
        "BESAR": ("Besar", "Large"),
        "UMK": ("Usaha Mikro dan Kecil (UMK)", "Micro and small enterprise (UMK)"),
        "NON_UMK": ("Non Usaha Mikro dan Kecil", "Not a micro or small enterprise"),
    },
    "environmental_obligation": {
        "UKL_UPL": ("UKL-UPL", "UKL-UPL"),
        "AMDAL": ("AMDAL", "AMDAL"),
        "PKPLH": ("PKPLH (UKL-UPL)", "PKPLH (UKL-UPL)"),
        "SKKL": ("SKKL (AMDAL)", "SKKL (AMDAL)"),
    },
    "activity_type": {
        "UTAMA": ("Utama", "Main"),
        "PENDUKUNG": ("Pendukung", "Supporting"),
        "KANTOR_CABANG_ADMINISTRASI": ("Kantor Cabang Administrasi", "Administrative branch office"),
        "PENDUKUNG_UMKU": ("Pendukung UMKU", "Supporting (UMKU)"),
    },
    "answer": {
        "YA": ("Ya", "Yes"),
        "TIDAK": ("Tidak", "No"),
        "SUDAH": ("Sudah", "Yes"),
        "BELUM": ("Belum", "Not yet"),
    },
}


def _merge(table: dict[str, dict[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for codes in table.values():
        for code, pair in codes.items():
            if code in merged and merged[code] != pair:
                raise ValueError(f"label table: {code} has two labels, {merged[code]} and {pair}")
            merged[code] = pair
    return merged


LABELS: dict[str, tuple[str, str]] = _merge(_TABLE)
CATEGORIES: dict[str, frozenset[str]] = {name: frozenset(codes) for name, codes in _TABLE.items()}


def label(code, locale: str | None = None) -> str:
    """The words for ``code`` in ``locale`` (default: the request's); an unknown code reads as words, not as a code."""
    if code is None or code == "":
        return ""
    value = str(code)
    pair = LABELS.get(value)
    if pair is not None:
        return pair[1] if (locale or current_locale.get()) == "en" else pair[0]
    if "_" in value and value.upper() == value:  # an unknown code; a lone capitalised word may be an abbreviation
        words = value.replace("_", " ").strip().lower()
        return words[:1].upper() + words[1:]
    return value
