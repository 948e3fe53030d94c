"""``coursekit validate`` on hostile packages: every case is a report with exit 1, in
bounded time, never a traceback, a hang or a file followed outside the package.

The hand-written cases each stand for one family; the property tests feed mutated zips
and manifests and require the same of every one (derandomized, so CI runs the same cases).
"""

from __future__ import annotations

import io
import os
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursekit.cli import cli
from coursekit_scorm.validate import MAX_ENTRIES, validate_package

MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>
    <item identifier="i" identifierref="r"><title>T</title></item></organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>
"""


def make_zip(path: Path, entries: dict[str, bytes] | None = None, *, manifest: bytes = MANIFEST) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", manifest)
        for name, data in (entries or {"index.html": b"<p>hi</p>"}).items():
            z.writestr(name, data)
    return path


def run_validate(path) -> tuple[int, str]:
    """The command as a user runs it (through click, in this process)."""
    result = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    output = result.output
    assert "Traceback" not in output
    return result.exit_code, output


def refused(path, *needles: str) -> str:
    start = time.monotonic()
    code, output = run_validate(path)
    assert time.monotonic() - start < 10
    assert code == 1, output
    assert "INVALID" in output
    for needle in needles:
        assert needle in output, output
    return output


def test_a_clean_package_still_validates(tmp_path):
    code, output = run_validate(make_zip(tmp_path / "ok.zip"))
    assert "error(s)" in output
    assert "corrupt" not in output and "DOCTYPE" not in output


# --- what the path names -----------------------------------------------------------------------


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "pkg.zip"
    os.mkfifo(fifo)
    # a subprocess: if validate opened the FIFO for reading it would block forever
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "validate", str(fifo)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "is a FIFO, not a zip file" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("make, kind", [
    (lambda p: p.mkdir(), "a folder"),
    (lambda p: None, "cannot be read"),
])
def test_a_folder_or_a_missing_path_is_a_report_line(tmp_path, make, kind):
    target = tmp_path / "pkg.zip"
    make(target)
    refused(target, kind)


def test_a_device_and_a_socket_are_refused(tmp_path):
    refused("/dev/zero", "is a device")
    sock_path = tmp_path / "s.zip"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(sock_path))
        refused(sock_path, "is a socket")
    finally:
        server.close()


def test_a_fifo_in_the_schemas_folder_is_skipped(tmp_path):
    from coursekit_scorm import schemas

    folder = tmp_path / "xsd"
    folder.mkdir()
    for name, data in schemas.bundled_files("1.2").items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "extra.xsd")
    (folder / schemas.REQUIRED["1.2"][0]).unlink()
    os.mkfifo(folder / schemas.REQUIRED["1.2"][0])
    assert schemas.files_in_dir(folder, "1.2") is None  # returns at once, nothing opened


# --- the zip itself --------------------------------------------------------------------------------


def test_a_corrupt_deflate_stream_names_the_entry(tmp_path):
    path = make_zip(tmp_path / "c.zip", {"index.html": b"<p>" + b"lesson text " * 500 + b"</p>"})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("index.html")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + 40):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    refused(path, "'index.html': corrupt data")


def test_a_corrupt_manifest_stream_is_a_report_line(tmp_path):
    path = make_zip(tmp_path / "c.zip")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("imsmanifest.xml")
    start = info.header_offset + 30 + len(info.filename.encode())
    for i in range(start, start + 30):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    refused(path, "imsmanifest.xml")


def unix_entry(name: str, data: bytes, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def test_a_symlink_entry_is_an_error(tmp_path):
    path = make_zip(tmp_path / "l.zip")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(unix_entry("evil.html", b"/etc/passwd", stat.S_IFLNK | 0o777), b"/etc/passwd")
    refused(path, "'evil.html': a symbolic link")


@pytest.mark.parametrize("name, why", [
    ("aux.png", "Windows device name AUX"),
    ("assets/com1.pdf", "Windows device name COM1"),
    ("nul.txt", "Windows device name NUL"),
    ("CON", "Windows device name CON"),
    ("LPT1.x", "Windows device name LPT1"),
    ("notes.", "ending with a dot"),
    ("a<b.html", "characters outside"),
    ("a|b.html", "characters outside"),
    ("a\x01b.html", "control character"),
    ("../evil.html", "zip-slip"),
    ("/etc/evil.html", "absolute path"),
    ("C:/evil.html", "absolute path"),
    ("a\\evil.html", "backslash"),
    ("caf\u00e9.html", "non-ASCII"),
])
def test_names_a_learner_cannot_unpack_are_errors(tmp_path, name, why):
    refused(make_zip(tmp_path / "n.zip", {"index.html": b"x", name: b"x"}), why)


def test_an_entry_name_that_is_not_utf8_is_named(tmp_path):
    path = make_zip(tmp_path / "u.zip", {"index.html": b"x", "caf\u00e9.html": b"x"})
    data = path.read_bytes()
    # the UTF-8 flag stays set, the name's bytes become Latin-1
    path.write_bytes(data.replace("caf\u00e9".encode("utf-8"), b"caf\xe9\xff"))
    refused(path, "not valid UTF-8", "caf")


def test_names_differing_only_in_case_are_an_error(tmp_path):
    refused(make_zip(tmp_path / "c.zip", {"index.html": b"x", "lesson-Intro.html": b"a", "lesson-intro.html": b"b"}),
            "differ only in letter case")


def test_a_file_and_a_folder_of_the_same_name_are_an_error(tmp_path):
    refused(make_zip(tmp_path / "c.zip", {"index.html": b"x", "assets": b"a", "assets/x.png": b"b"}),
            "both a file and a folder")


def test_an_entry_stored_twice_is_an_error(tmp_path):
    path = make_zip(tmp_path / "d.zip")
    with pytest.warns(UserWarning):
        with zipfile.ZipFile(path, "a") as z:
            z.writestr("index.html", b"again")
    refused(path, "stored twice")


def test_an_encrypted_entry_is_an_error(tmp_path):
    path = make_zip(tmp_path / "e.zip", {"index.html": b"x", "secret.html": b"not really encrypted"})
    data = bytearray(path.read_bytes())
    # zipfile clears the flags it writes: set the encryption bit in both headers by hand
    local = data.find(b"PK\x03\x04", data.find(b"secret.html") - 40)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"secret.html"))
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    refused(path, "'secret.html': encrypted entry")


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("imsmanifest.xml", MANIFEST)
        with z.open("index.html", "w") as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                entry.write(chunk)
    refused(path, "zip bomb")


def test_a_size_that_lies_is_caught_by_the_bounded_read(tmp_path):
    path = make_zip(tmp_path / "lie.zip", {"index.html": b"y" * 100_000})
    data = bytearray(path.read_bytes())
    # shrink the declared size of index.html in the central directory only
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("index.html")
    at = data.find(b"index.html", data.find(b"PK\x01\x02"))
    size_at = at - 46 + 24
    assert int.from_bytes(data[size_at : size_at + 4], "little") == info.file_size
    data[size_at : size_at + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    refused(path, "index.html")


def test_too_many_entries_are_refused_before_the_directory_is_read(tmp_path):
    path = tmp_path / "many.zip"
    # a real zip whose end record announces more entries than allowed
    make_zip(path)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (0xFFFF).to_bytes(2, "little") * 2
    path.write_bytes(bytes(data))
    out = refused(path)
    assert "entries" in out or "not a readable zip" in out
    assert MAX_ENTRIES < 0xFFFF * 2


# --- the manifest -------------------------------------------------------------------------------


@pytest.mark.parametrize("manifest", [
    b'<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + MANIFEST.split(b"\n", 1)[1].replace(b"<title>T</title>", b"<title>&x;</title>", 1),
    b'<?xml version="1.0"?>\n<!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">\n' + MANIFEST.split(b"\n", 1)[1],
    b'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<m>&c;</m>',
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<m>&x;</m>'.encode("utf-16"),
])
def test_a_dtd_or_entity_in_the_manifest_is_refused(tmp_path, manifest):
    refused(make_zip(tmp_path / "x.zip", manifest=manifest), "DOCTYPE")


def test_a_deeply_nested_manifest_is_a_report_line(tmp_path):
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    refused(make_zip(tmp_path / "deep.zip", manifest=deep), "imsmanifest.xml")


def test_a_huge_manifest_is_refused_unread(tmp_path):
    path = tmp_path / "huge.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("imsmanifest.xml", "w") as entry:
            entry.write(b"<manifest>")
            for _ in range(25):
                entry.write(b"<!-- " + os.urandom(512 * 1024).hex().encode()[: 1024 * 1024] + b" -->")
            entry.write(b"</manifest>")
    refused(path, "larger than")


def test_hostile_schema_files_in_the_package_are_a_report_line(tmp_path):
    from coursekit_scorm import schemas

    files = dict(schemas.bundled_files("1.2"))
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaaaaaaaa">'
              + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 16) for i in range(8))
              + b']><xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:annotation><xsd:documentation>&i;'
              b'</xsd:documentation></xsd:annotation></xsd:schema>')
    files["imscp_rootv1p1p2.xsd"] = laughs
    files["adlcp_rootv1p2.xsd"] = b'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:include schemaLocation="file:///etc/passwd"/></xsd:schema>'
    path = make_zip(tmp_path / "s.zip", {"index.html": b"x", **files})
    start = time.monotonic()
    code, output = run_validate(path)
    assert time.monotonic() - start < 10
    assert code == 1, output
    assert "do not load" in output or "XSD" in output, output
    assert "root:" not in output  # /etc/passwd was never read


# --- property tests: whatever the bytes, a report -----------------------------------------------

BASE = None


def base_zip() -> bytes:
    global BASE
    if BASE is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("imsmanifest.xml", MANIFEST)
            z.writestr("index.html", b"<p>" + b"text " * 200 + b"</p>")
            z.writestr("assets/a.png", b"\x89PNG" + bytes(range(256)))
        BASE = buffer.getvalue()
    return BASE


def check_report(path: Path) -> None:
    start = time.monotonic()
    report = validate_package(path)
    assert time.monotonic() - start < 10
    text = report.text()
    assert text.splitlines()[-1].startswith(("valid:", "INVALID:"))
    code, output = run_validate(path)
    assert code in (0, 1)
    assert code == (0 if report.ok else 1)


@settings(derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=20))
def test_mutated_zip_bytes_always_give_a_report(tmp_path, flips):
    data = bytearray(base_zip())
    for where, value in flips:
        data[where % len(data)] = value
    path = tmp_path / "m.zip"
    path.write_bytes(bytes(data))
    check_report(path)


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=len(MANIFEST)), st.integers(min_value=0, max_value=len(MANIFEST)),
       st.sampled_from([b"", b"<!DOCTYPE m>", b"&x;", b"<![CDATA[", b"<!--", b"\x00", b"\xff\xfe", b"<a>" * 300,
                        b'<resource identifier="r" href="../../etc/passwd"/>', b"]]>", b"<?pi x?>", b"\xc3"]))
def test_mutated_manifests_always_give_a_report(tmp_path, start, end, insert):
    start, end = sorted((start, end))
    manifest = MANIFEST[:start] + insert + MANIFEST[end:]
    path = make_zip(tmp_path / "m.zip", manifest=manifest)
    check_report(path)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(derandomize=True, max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(min_size=1, max_size=30), st.integers(min_value=0, max_value=0o177777)), min_size=1, max_size=6))
def test_any_entry_names_and_modes_give_a_report(tmp_path, entries):
    path = tmp_path / "n.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("imsmanifest.xml", MANIFEST)
        for name, mode in entries:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = mode << 16
            try:
                z.writestr(info, b"x")
            except (ValueError, UnicodeEncodeError):
                pass
    check_report(path)
