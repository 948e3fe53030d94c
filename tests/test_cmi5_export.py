"""The cmi5 exporter: cmi5.xml valid against the CourseStructure XSD, single and multi AU."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.xapi.courses import tracked_course as demo_course
import coursekit_xapi
from coursekit_xapi import Cmi5Exporter
from coursekit_xapi.manifests import mastery

NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}


#: shipped with the plugin (Apache 2.0, see its README): the tests never read ../shared for it
XSD = Path(coursekit_xapi.__file__).parent / "schemas" / "cmi5" / "CourseStructure.xsd"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def cmi5(tmp_path, course=None, **options):
    path = Cmi5Exporter(course or demo_course(), options or None).build(tmp_path)
    with zipfile.ZipFile(path) as z:
        return path, set(z.namelist()), etree.fromstring(z.read("cmi5.xml"))


def test_single_au_is_valid_and_scored(tmp_path, schema):
    path, names, root = cmi5(tmp_path)
    assert path.name == "tracked-cmi5.zip"
    schema.assertValid(root)
    aus = root.findall(".//c:au", NS)
    assert len(aus) == 1
    au = aus[0]
    assert au.get("moveOn") == "CompletedAndPassed" and au.get("masteryScore") == "0.7"
    assert au.get("id") == "https://example.org/courses/tracked/au"
    assert au.findtext("c:url", namespaces=NS) == "launch.html" and "launch.html" in names
    assert root.find("c:course", NS).get("id") == "https://example.org/courses/tracked"
    assert {"player/cmi5.js", "player/xapi-core.js", "player/xapi-activities.js"} <= names


def test_multi_au_one_per_lesson_and_quiz_in_blocks(tmp_path, schema):
    _, names, root = cmi5(tmp_path, au="multi")
    schema.assertValid(root)
    aus = root.findall(".//c:au", NS)
    assert [a.get("id") for a in aus] == ["https://example.org/courses/tracked/au/welcome", "https://example.org/courses/tracked/au/where", "https://example.org/courses/tracked/au/final"]
    moves = {a.get("id").rsplit("/", 1)[1]: (a.get("moveOn"), a.get("masteryScore")) for a in aus}
    assert moves == {"welcome": ("Completed", None), "where": ("Completed", None), "final": ("CompletedAndPassed", "0.7")}
    block = root.find("c:block", NS)
    assert block.get("id") == "https://example.org/courses/tracked/module/shop" and len(block.findall("c:au", NS)) == 2
    for au in aus:
        assert au.findtext("c:url", namespaces=NS) in names
    # every id in the structure is unique
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_unscored_course_moves_on_when_completed(tmp_path, schema):
    course = demo_course()
    lessons_only = dataclasses.replace(course, structure=(course.structure[0],))
    _, _, root = cmi5(tmp_path, course=lessons_only)
    schema.assertValid(root)
    au = root.find(".//c:au", NS)
    assert au.get("moveOn") == "Completed" and au.get("masteryScore") is None


def test_mastery_score_has_at_most_four_decimals():
    assert [mastery(x) for x in (0, 70, 100, 85.5, 33.333333)] == ["0", "0.7", "1", "0.855", "0.3333"]


def test_option_is_declared_for_the_loader():
    option = Cmi5Exporter.options["au"]
    assert option.default == "single" and option.problem("multi") is None and option.problem("many")
