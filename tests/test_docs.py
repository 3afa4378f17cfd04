"""The CLI reference in docs/ is the commands' own help, regenerated."""

import importlib.util

from tests.conftest import ROOT


def test_cli_reference_is_up_to_date(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_cli_docs",
                                                  ROOT / "scripts" / "make_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "cli.md")
    module.main()
    fresh = (tmp_path / "cli.md").read_text(encoding="utf-8")
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert fresh == committed, "docs/cli.md is stale: run scripts/make_cli_docs.py"
    for group in ("inspect coverage", "inspect run", "lines extract", "names lint",
                  "registry search", "heritage impact", "divisions translate"):
        assert f"## `geonames {group}`" in committed


def test_docs_index_links_exist():
    import re

    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+\.md)\)", index)
    assert len(links) >= 15
    missing = [link for link in links if not (ROOT / "docs" / link).exists()]
    assert not missing
