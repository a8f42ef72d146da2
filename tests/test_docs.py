from pathlib import Path

from npssim.cli import params_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_odd_parameter_table_matches_the_schema():
    text = (ROOT / "docs" / "ODD.md").read_text()
    begin, end = "<!-- params:begin -->", "<!-- params:end -->"
    table = text[text.index(begin) + len(begin) : text.index(end)].strip()
    assert table == params_markdown(), "regenerate with: npssim params --markdown"


def test_readme_names_every_bundled_scenario():
    readme = (ROOT / "README.md").read_text()
    for path in (ROOT / "npssim" / "scenarios").glob("*.toml"):
        assert f"`{path.name}`" in readme, path.name
