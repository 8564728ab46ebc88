"""The formserver command."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "formserver.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_check_accepts_the_shipped_forms():
    result = run("check", "forms/registrasi.json")
    assert result.returncode == 0 and "OK" in result.stdout


def test_check_reports_problems_with_pointers(tmp_path):
    doc = json.loads((ROOT / "forms" / "registrasi.json").read_text())
    doc["steps"][0]["fields"][0]["visible_if"] = {"==": [{"var": "tidak_ada"}, 1]}
    doc["steps"][1]["key"] = "skala"
    del doc["steps"][2]["title"]["en"]
    broken = tmp_path / "rusak.json"
    broken.write_text(json.dumps(doc))
    bad_json = tmp_path / "bukan.json"
    bad_json.write_text("{ not json")
    result = run("check", str(broken), str(bad_json))
    assert result.returncode == 1
    assert "/steps/2/title" in result.stdout
    assert "line 1" in result.stdout
