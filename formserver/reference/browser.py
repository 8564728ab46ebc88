"""The reference data the browser needs to run the custom operators itself (client/operators.js).

Sent once per form (the scale thresholds, the environmental kinds of business and their conditions) and
once per KBLI code (its title, description, flag and risk rows in the table in force); the browser
caches them. Whatever it has not loaded it reports as "checked when connected", never guessed.
"""
from . import lingkungan
from .risk import _scale_bounds


def operator_reference() -> dict:
    """The data every form's rules may need, independent of the answers."""
    return {
        "scale": [list(pair) for pair in _scale_bounds()],
        # lingkungan.json as checked at start: the kinds with their KBLI prefixes, conditions and land thresholds
        "environment": {"order": list(lingkungan.OBLIGATIONS), "kinds": lingkungan.shipped().data["jenis_usaha"]},
    }


def with_bupm(reference: dict, bupm) -> dict:
    """The reference data plus the BUPM activity lists in force (an office's table, empty as shipped)."""
    return {**reference, "bupm": bupm.lists()}


def kbli_entry(kbli, risk, kode: str, on=None) -> dict | None:
    """One KBLI code's data for the operators, or None for a code KBLI 2020 does not have."""
    row = kbli.get(kode)
    if row is None:
        return None
    return {"judul": row["judul"], "uraian": row["uraian"], "perizinan_tunggal": bool(row["perizinan_tunggal"]),
            "risiko": {skala: [list(pair) for pair in rows] for skala, rows in risk.levels(row["kode"], on).items()}}
