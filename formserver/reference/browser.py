"""The reference data the browser needs to run the custom operators itself (client/operators.js).

Sent once per form (the scale thresholds, the environmental parameter sets and their rules) and
once per KBLI code (its title, description, flag and risk rows in the table in force); the browser
caches them. Whatever it has not loaded it reports as "checked when connected", never guessed.
"""
from .risk import _environment, _scale_bounds


def operator_reference() -> dict:
    """The data every form's rules may need, independent of the answers."""
    env = _environment()
    return {
        "scale": [list(pair) for pair in _scale_bounds()],
        "environment": {
            "default": env["jenis_usaha_bawaan"],
            "prefixes": env["kbli_awalan"],
            "sets": {name: {"keys": [p["key"] for p in spec["parameter"]], "aturan": spec["aturan"]}
                     for name, spec in env["jenis_usaha"].items()},
        },
    }


def kbli_entry(kbli, risk, kode: str, on=None) -> dict | None:
    """One KBLI code's data for the operators, or None for a code KBLI 2020 does not have."""
    row = kbli.get(kode)
    if row is None:
        return None
    return {"judul": row["judul"], "uraian": row["uraian"], "perizinan_tunggal": bool(row["perizinan_tunggal"]),
            "risiko": {skala: [list(pair) for pair in rows] for skala, rows in risk.levels(row["kode"], on).items()}}
