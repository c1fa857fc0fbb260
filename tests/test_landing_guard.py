"""The landing guard reads only regular files whose real path stays inside the landing root, within
the size limit of their type; everything else is refused with a reason and never opened."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import fsspec
import pytest

from culture_warehouse.landing import Landing, LandingFile, sha256_of
from culture_warehouse.landing_guard import UnsafeFile, opened_inside
from culture_warehouse.limits import DoorLimits

# Opening a named pipe for reading waits for a writer forever: a test that opened one would
# hang until this timeout fails it.
pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    (landing / "hr").mkdir(parents=True)
    return landing


def refusal(root: Path, relative: str, max_bytes: int = 1 << 20) -> str:
    with pytest.raises(UnsafeFile) as refused, opened_inside(str(root), str(root / relative), max_bytes):
        pass
    return refused.value.reason


def test_a_symlink_to_a_file_outside_the_landing_root_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("employee_number;first_name\nE1;Plantedname\n")
    (root / "hr" / "employees_20260630.csv").symlink_to(outside)
    assert "outside the landing zone" in refusal(root, "hr/employees_20260630.csv")


def test_a_symlinked_folder_pointing_outside_is_refused_for_every_file_under_it(
    root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "employees_20260630.csv").write_text("x\n")
    (root / "mtu").symlink_to(elsewhere)
    assert "outside the landing zone" in refusal(root, "mtu/employees_20260630.csv")


def test_a_symlink_to_a_device_is_refused(root: Path) -> None:
    (root / "hr" / "employees_20260630.csv").symlink_to("/dev/zero")
    assert "outside the landing zone" in refusal(root, "hr/employees_20260630.csv")


def test_a_symlink_inside_the_landing_root_reads_its_target(root: Path) -> None:
    (root / "hr" / "org_units_20260630.csv").write_text("org_unit_code\n1000\n")
    (root / "hr" / "org_units_20260701.csv").symlink_to(root / "hr" / "org_units_20260630.csv")
    with opened_inside(str(root), str(root / "hr" / "org_units_20260701.csv"), 1 << 20) as path:
        assert path.read_text() == "org_unit_code\n1000\n"


def test_a_named_pipe_is_refused_without_being_opened(root: Path) -> None:
    os.mkfifo(root / "hr" / "employees_20260630.csv")
    assert refusal(root, "hr/employees_20260630.csv").startswith("a named pipe (FIFO)")


def test_a_socket_is_refused(root: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "hr" / "employees_20260630.csv"))
        assert refusal(root, "hr/employees_20260630.csv").startswith("a socket")
    finally:
        server.close()


def test_a_folder_and_a_dangling_link_are_refused(root: Path) -> None:
    (root / "hr" / "employees_20260630.csv").mkdir()
    (root / "hr" / "org_units_20260630.csv").symlink_to(root / "hr" / "gone.csv")
    assert refusal(root, "hr/employees_20260630.csv").startswith("a folder")
    assert "to nothing" in refusal(root, "hr/org_units_20260630.csv")


def test_a_file_over_its_size_limit_is_refused_before_it_is_read(root: Path) -> None:
    (root / "hr" / "employees_20260630.csv").write_bytes(b"x" * 2000)
    assert "2000 bytes, more than the limit of 1000" in refusal(root, "hr/employees_20260630.csv", 1000)


def test_a_refused_entry_keeps_its_fingerprint_until_it_is_replaced(root: Path) -> None:
    fifo = root / "hr" / "employees_20260630.csv"
    os.mkfifo(fifo)
    landing = Landing(str(root))
    file = LandingFile("hr/employees_20260630.csv", 0)

    def fingerprint() -> str:
        with pytest.raises(UnsafeFile) as refused, landing.local_copy(file):
            pass
        return refused.value.fingerprint

    first = fingerprint()
    assert first == fingerprint()
    fifo.unlink()
    fifo.write_text("employee_number\nE1\n")
    with landing.local_copy(file) as path:
        assert sha256_of(path) != first


def test_the_limit_follows_the_file_type_and_can_be_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CULTURE_LIMIT_DOCX_MAX_BYTES", "1_000")
    limits = DoorLimits.from_environment()
    assert limits.max_bytes("referat.DOCX") == 1000
    assert limits.max_bytes("employees_20260630.csv") == DoorLimits().csv_max_bytes
    assert limits.max_bytes("referat.md") == DoorLimits().text_max_bytes
    monkeypatch.setenv("CULTURE_LIMIT_CSV_MAX_ROWS", "١٠")
    with pytest.raises(ValueError, match="CULTURE_LIMIT_CSV_MAX_ROWS"):
        DoorLimits.from_environment()


def test_a_remote_landing_copies_regular_files_and_refuses_one_over_its_limit() -> None:
    memory = fsspec.filesystem("memory")
    memory.pipe("/hostile-guard/hr/org_units_20260630.csv", b"org_unit_code\n1000\n")
    memory.pipe("/hostile-guard/minutes/referat.md", b"x" * 5000)
    try:
        landing = Landing("memory://hostile-guard", DoorLimits(text_max_bytes=1000))
        files = {file.path: file for file in landing.files()}
        with landing.local_copy(files["hr/org_units_20260630.csv"]) as path:
            assert path.read_bytes() == b"org_unit_code\n1000\n"
        with (
            pytest.raises(UnsafeFile, match="more than the limit of 1000"),
            landing.local_copy(files["minutes/referat.md"]),
        ):
            pass
    finally:
        memory.rm("/hostile-guard", recursive=True)
