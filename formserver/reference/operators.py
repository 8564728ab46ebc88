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


@operator("jenis_usaha_lingkungan")
def _jenis_usaha_lingkungan(context, kode=None):
    """The environmental parameter set of a KBLI code (reference data)."""
    from .risk import environmental_parameter_set
    return environmental_parameter_set(str(kode))["jenis_usaha"] if kode else None


@operator("kewajiban_lingkungan")
def _kewajiban_lingkungan(context, kode=None, luas_lahan_m2=None, luas_bangunan_m2=None, kapasitas_produksi=None):
    """SPPL, UKL_UPL or AMDAL by the reference data's rules for the code's parameter set."""
    from .risk import environmental_obligation
    if not kode:
        return None
    params = {"luas_lahan_m2": _number_or_none(luas_lahan_m2), "luas_bangunan_m2": _number_or_none(luas_bangunan_m2),
              "kapasitas_produksi": _number_or_none(kapasitas_produksi)}
    return environmental_obligation(str(kode), params, context["logic"])
