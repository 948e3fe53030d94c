"""The xapi exporter: tincan.xml, activity definitions and deterministic packages."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import pytest
from lxml import etree

from tests.xapi.courses import tracked_course as demo_course
from coursekit_xapi import Cmi5Exporter, XapiExporter
from coursekit_xapi.activities import CourseActivities, correct_responses

NS = {"t": "http://projecttincan.com/tincan.xsd"}


def build(tmp_path, exporter=XapiExporter, course=None, **options):
    course = course or demo_course()
    return exporter(course, options or None).build(tmp_path)


def test_package_layout_and_tincan_xml(tmp_path):
    path = build(tmp_path)
    assert path.name == "tracked-xapi.zip"
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert {"tincan.xml", "launch.html", "activities.json", "index.html", "player/player.js",
                "player/xapi.js", "player/xapi-core.js", "player/xapi-activities.js"} <= names
        root = etree.fromstring(z.read("tincan.xml"))
        launch = z.read("launch.html").decode()
    activities = root.findall("t:activities/t:activity", NS)
    launches = root.findall(".//t:launch", NS)
    # exactly one launchable activity: the course, with a plain relative launch page
    assert len(launches) == 1 and launches[0].text == "launch.html"
    assert launches[0].getparent().get("id") == "https://example.org/courses/tracked"
    assert launches[0].getparent().get("type") == "http://adlnet.gov/expapi/activities/course"
    ids = [a.get("id") for a in activities]
    assert len(ids) == len(set(ids))
    assert "https://example.org/courses/tracked/module/shop" in ids
    assert "https://example.org/courses/tracked/lesson/where/question/check" in ids
    q6 = root.find("t:activities/t:activity[@id='https://example.org/courses/tracked/quiz/final/question/q6']", NS)
    assert q6.findtext("t:interactionType", namespaces=NS) == "matching"
    assert [p.text for p in q6.findall("t:correctResponsePatterns/t:correctResponsePattern", NS)] == ["1[.]a[,]2[.]b"]
    for a in activities:
        assert a.find("t:name", NS).get("lang") == "en"
    # the shell loads the player first, then the definitions, the core and the adapter
    assert launch.index("player/player.js") < launch.index("player/xapi-activities.js") < launch.index("player/xapi-core.js") < launch.index("player/xapi.js")
    assert '"adapter": "xapi"' in launch or '"adapter":"xapi"' in launch


def test_patterns_for_every_question_type():
    quiz = next(i for i in demo_course().items if i.id == "final")
    got = {q.id: correct_responses(q) for q in quiz.questions}
    assert got == {
        "q1": ["a"], "q2": ["a[,]b"], "q3": ["true"], "q4": ["GDPR", "RGPD"], "q5": ["20[:]21"],
        "q6": ["1[.]a[,]2[.]b"], "q7": ["a[,]b[,]c"],
    }


def test_activity_definitions_validate_as_xapi_objects(tmp_path):
    """Every definition in activities.json is a valid xAPI Activity (Ralph's own model)."""
    from ralph.models.xapi.base.statements import BaseXapiStatement

    with zipfile.ZipFile(build(tmp_path)) as z:
        doc = json.loads(z.read("activities.json"))
    kinds = {a["definition"]["type"].rsplit("/", 1)[1] for a in doc["activities"]}
    assert kinds == {"course", "module", "lesson", "assessment", "cmi.interaction"}
    assert doc["parents"]["https://example.org/courses/tracked/quiz/final/question/q1"] == "https://example.org/courses/tracked/quiz/final"
    assert doc["parents"]["https://example.org/courses/tracked/quiz/final"] == "https://example.org/courses/tracked/module/shop"
    for activity in doc["activities"]:
        statement = {
            "id": "3a4b1c9e-8f0d-4d5e-9a1b-2c3d4e5f6a7b",
            "actor": {"mbox": "mailto:learner@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": activity,
        }
        BaseXapiStatement.model_validate(statement)
    q2 = next(a for a in doc["activities"] if a["id"].endswith("/final/question/q2"))["definition"]
    assert q2["interactionType"] == "choice" and [c["id"] for c in q2["choices"]] == ["a", "b", "c"]
    q6 = next(a for a in doc["activities"] if a["id"].endswith("/final/question/q6"))["definition"]
    assert [c["id"] for c in q6["source"]] == ["1", "2"] and [c["id"] for c in q6["target"]] == ["a", "b"]


def test_ids_are_stable_and_packages_byte_identical(tmp_path):
    a = build(tmp_path / "a").read_bytes()
    b = build(tmp_path / "b").read_bytes()
    assert a == b
    c = build(tmp_path / "c", Cmi5Exporter).read_bytes()
    d = build(tmp_path / "d", Cmi5Exporter).read_bytes()
    assert c == d
    # ids derive from the course id and the author's ids only
    ids = [x["id"] for x in CourseActivities(demo_course()).activities]
    assert ids == [x["id"] for x in CourseActivities(dataclasses.replace(demo_course(), language="fr", title="Vendre")).activities]


def test_registered_through_the_plugin_hook():
    import coursekit_xapi
    from coursekit.plugins import exporters, make_plugin_manager

    pm = make_plugin_manager(entry_points=False)
    pm.register(coursekit_xapi)
    found = exporters(pm)
    assert found["xapi"] is XapiExporter and found["cmi5"] is Cmi5Exporter
