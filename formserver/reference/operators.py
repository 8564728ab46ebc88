"""JsonLogic operators over the reference data: region names, KBLI titles, business scale, risk, environment.

The forms' rules call them by name; the generic logic stage only registers and binds them.
"""
from ..logic import operator


@operator("wilayah_nama")
def _wilayah_nama(context, level=None, code=None):
    wilayah = context.get("wilayah")
    if wilayah is None or not code:
        return None
    try:
        row = wilayah.get(level, code)
    except ValueError:
        return None
    return row["nama"] if row else None


def _number_or_none(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@operator("kbli_judul")
def _kbli_judul(context, kode=None):
    """The KBLI 2020 title of a code; null for an unknown code."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return row["judul"] if row else None


@operator("kbli_uraian")
def _kbli_uraian(context, kode=None):
    """The KBLI 2020 description (uraian) of a code; null for an unknown code."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return row["uraian"] if row else None


@operator("kbli_perizinan_tunggal")
def _kbli_perizinan_tunggal(context, kode=None):
    """Whether the code is flagged for the SNI/Halal questions (reference data, reviewed by the office)."""
    row = context["kbli"].get(str(kode)) if context.get("kbli") and kode else None
    return bool(row and row["perizinan_tunggal"])


@operator("skala_usaha")
def _skala_usaha(context, modal=None):
    """MIKRO/KECIL/MENENGAH/BESAR from the capital, by the thresholds in reference data."""
    from .risk import scale_for_capital
    modal = _number_or_none(modal)
    return scale_for_capital(int(modal)) if modal is not None and modal >= 0 else None


@operator("risiko_kbli")
def _risiko_kbli(context, kode=None, skala=None, luas_lahan_m2=None):
    """The risk level from the current risk table; null when no sourced value exists (never guessed)."""
    risk = context.get("risk")
    if risk is None or not kode or not skala:
        return None
    return risk.lookup(str(kode), str(skala), {"luas_lahan_m2": _number_or_none(luas_lahan_m2)}).tingkat_risiko


@operator("kewajiban_lingkungan")
def _kewajiban_lingkungan(context, kode=None, jenis_usaha=None, luas_lahan_m2=None, *pilihan):
    """SPPL, UKL_UPL or AMDAL: the most demanding of the chosen parameter conditions of the kind of business
    (and of its land-area thresholds), from the environmental reference data; null until every parameter is chosen."""
    table = context.get("lingkungan")
    if table is None or not kode:
        return None
    return table.obligation(str(kode), jenis_usaha, _number_or_none(luas_lahan_m2), pilihan)
