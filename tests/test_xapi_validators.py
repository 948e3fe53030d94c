"""The two statement validators the LRS tests rely on catch what they must: a validator
that accepts anything would make every xAPI test pass for nothing."""

from xapi.rules import learninglocker_problems, validate_xapi

GOOD = {
    "id": "6f1d3d57-0c4c-4d3e-9f0e-1a2b3c4d5e6f",
    "actor": {"mbox": "mailto:ada@example.org", "objectType": "Agent"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
    "object": {"id": "https://example.org/courses/sample", "objectType": "Activity"},
    "result": {"score": {"scaled": 0.8, "raw": 80, "min": 0, "max": 100}, "success": True, "duration": "PT1M2.5S"},
    "timestamp": "2026-11-26T10:01:02.123Z",
}


def test_a_valid_statement_passes_both():
    assert validate_xapi([GOOD]) == []


def test_learninglocker_rejects_out_of_range_score_and_bad_duration():
    bad = {**GOOD, "result": {"score": {"scaled": 1.5}, "duration": "12 seconds"}}
    problems = learninglocker_problems([bad])
    assert any("result.score.scaled" in p for p in problems), problems
    assert any("result.duration" in p for p in problems), problems


def test_both_reject_a_statement_id_that_is_not_a_uuid():
    bad = {**GOOD, "id": "statement-1"}
    problems = validate_xapi([bad])
    assert len(problems) >= 2, problems  # one from Ralph's model, at least one from Learning Locker's
