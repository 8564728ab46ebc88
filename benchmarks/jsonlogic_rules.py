"""Benchmark: JsonLogic evaluation and one step's validation, as the engine runs them.

Not a test. Prints evaluations per second for a typical form rule (compiled once, as the engine
does, and one-shot), the same for panzi-json-logic when it is installed (for comparison), and
validations per second of the registration's `data_pelaku` step. Run:
    python benchmarks/jsonlogic_rules.py
"""
import json
import time
from pathlib import Path

RULE = {"and": [{"==": [{"var": "jenis_pelaku_usaha"}, "ORANG_PERSEORANGAN"]},
                {"in": [{"var": "kewarganegaraan"}, ["WNI", "WNA"]]},
                {">=": [{"var": "modal"}, 1000000]}]}
DATA = {"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI", "modal": 5000000}
SECONDS = 2.0


def rate(fn) -> float:
    """Calls per second of fn over about SECONDS."""
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for _ in range(1000):
            fn()
        n += 1000
    return n / (time.perf_counter() - start)


def main() -> None:
    from formserver.logic import Logic
    logic = Logic()
    compiled = logic.compile(RULE)
    results = {"datalogic-py, compiled once": rate(lambda: compiled(DATA)),
               "datalogic-py, one-shot": rate(lambda: logic.engine.compile(json.dumps(RULE)).evaluate(DATA))}
    try:
        from json_logic import jsonLogic
        results["panzi-json-logic, one-shot"] = rate(lambda: jsonLogic(RULE, DATA))
    except ImportError:
        pass
    for name, value in results.items():
        print(f"{name:32s} {value:12,.0f} evaluations/s")

    import tempfile

    from formserver.services import Services
    with tempfile.TemporaryDirectory() as data_dir:
        root = Path(__file__).resolve().parent.parent
        svc = Services({"DATA_DIR": data_dir, "FORMS_DIR": str(root / "forms"), "SECRET_KEY": "x", "STORE": "sqlite"})
        form = svc.forms.get("registrasi")
        step = form.steps_by_key["data_pelaku"]
        answers = {"skala_usaha": "UMK", "jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"}
        posted = {"nik": "1401011708900001", "jenis_kelamin": "L", "tempat_lahir": "Bangkinang",
                  "tanggal_lahir": "1990-08-17", "alamat": "Jl. Yamin 1", "provinsi": "14", "kabupaten": "14.01",
                  "kecamatan": "14.01.01", "kelurahan": "14.01.01.1011", "setuju_disclaimer": True}
        assert svc.validator.validate(form, step, posted, answers).ok
        print(f"{'data_pelaku step validation':32s} {rate(lambda: svc.validator.validate(form, step, posted, answers)):12,.0f} validations/s")


if __name__ == "__main__":
    main()
