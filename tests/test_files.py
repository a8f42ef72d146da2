import pytest

from npssim.files import atomic_path


def write_text(target, text):
    with atomic_path(target) as temporary:
        temporary.write_text(text)


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failed_write_keeps_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_written_file_gets_the_usual_permissions(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "x")
    reference = tmp_path / "b.txt"
    reference.write_text("x")
    assert target.stat().st_mode == reference.stat().st_mode
