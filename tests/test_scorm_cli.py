"""The SCORM plugin as users meet it: installed through the ``coursekit`` entry point, its
options read from course.yml by the loader, and ``coursekit validate`` registered through
the ``register_commands`` hook. Runs the real console script in a subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from coursekit.plugins import exporters, make_plugin_manager

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "spec-example"


def coursekit(*args, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coursekit.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_both_formats_are_registered_through_the_entry_point():
    found = exporters(make_plugin_manager())
    assert found["scorm12"].__module__ == found["scorm2004"].__module__ == "coursekit_scorm.exporter"
    assert found["scorm12"].options["sco"].choices == ("single", "multi")


def test_build_with_course_options_then_validate(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course)
    yml = course / "course.yml"
    yml.write_text(yml.read_text() + "exports:\n  scorm12: {sco: multi}\n  scorm2004: {sco: single}\n")
    result = coursekit("build", course, "-f", "scorm12", "-f", "scorm2004", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    twelve = tmp_path / "out" / "course-scorm12.zip"
    with zipfile.ZipFile(twelve) as z:
        names = z.namelist()
    assert any(n.startswith("sco-") for n in names), "sco: multi from course.yml"
    assert "launch.html" not in names, "multi-SCO: only the per-item launch pages"
    for package in (twelve, tmp_path / "out" / "course-scorm2004.zip"):
        checked = coursekit("validate", package)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "valid: 0 error(s)" in checked.stdout


def test_a_wrong_sco_option_is_a_course_error(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course)
    yml = course / "course.yml"
    yml.write_text(yml.read_text() + "exports:\n  scorm2004: {sco: many}\n")
    result = coursekit("check", course)
    assert result.returncode != 0
    assert "sco" in (result.stdout + result.stderr) and "multi" in (result.stdout + result.stderr)


def test_validate_exits_1_with_a_readable_report(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("course/imsmanifest.xml", "<manifest/>")
        z.writestr("../escape.txt", "x")
    result = coursekit("validate", bad)
    assert result.returncode == 1
    assert "INVALID" in result.stdout and "zip-slip" in result.stdout and "not at the zip root" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_names_a_cmi5_or_tin_can_package_given_by_mistake(tmp_path):
    for manifest, kind in (("cmi5.xml", "cmi5 package"), ("tincan.xml", "Tin Can (xAPI) package")):
        package = tmp_path / f"{kind.split()[0]}.zip"
        with zipfile.ZipFile(package, "w") as z:
            z.writestr(manifest, "<x/>")
            z.writestr("index.html", "<p>hi</p>")
        result = coursekit("validate", package)
        assert result.returncode == 1
        assert f"this is a {kind}" in result.stdout, result.stdout
