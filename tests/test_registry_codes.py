"""The register refuses malformed division codes with the row and the reason; ``--strict``
imports nothing. One parser (:func:`geonames.divisions.codes.validate_code`) decides."""

from __future__ import annotations

import pytest

from geonames.divisions.codes import validate_code
from geonames.names.model import PlaceName
from tests.conftest import run_cli

BAD = ["ABC", "-1", "1e5", "50 01", "5001101001234567890", "500110600", "990101"]


@pytest.mark.parametrize("bad", BAD)
def test_import_refuses_a_malformed_code_and_stores_nothing(tmp_path, capsys, bad):
    db = str(tmp_path / "reg.gpkg")
    assert run_cli(capsys, "registry", "init", "--db", db)[0] == 0
    table = tmp_path / "places.csv"
    table.write_text("name,division_code\n解放碑街道,500103001\n新华村,{}\n"
                     .format(f'"{bad}"'), encoding="utf-8")
    code, out, err = run_cli(capsys, "registry", "import", str(table), "--db", db,
                             "--effective", "2023-12-31", "--strict")
    assert code == 2
    assert "row 3" in err + out and validate_code(bad) in err + out
    code, out, _ = run_cli(capsys, "registry", "search", "解放碑", "--db", db, "--json")
    assert out.strip() == "[]"            # nothing stored, not even the good row


def test_without_strict_only_the_bad_row_is_refused(tmp_path, capsys):
    db = str(tmp_path / "reg.gpkg")
    run_cli(capsys, "registry", "init", "--db", db)
    table = tmp_path / "places.csv"
    table.write_text("name,division_code\n解放碑街道,500103001\n新华村,1e5\n"
                     "某村,650102001401\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "registry", "import", str(table), "--db", db,
                           "--effective", "2023-12-31")
    assert code == 1
    assert "rejected 3: 新华村 — division code '1e5' must be digits only" in out
    assert "imported 2 names" in out      # 650102001401: village part 401 is valid


def test_the_register_model_uses_the_same_parser():
    with pytest.raises(ValueError, match="has 19 digits"):
        PlaceName("p", "新华村", division_code="5001101001234567890")
    assert PlaceName("p", "某村", division_code="650102001401").division_code
