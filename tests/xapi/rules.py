"""Checks on stored statements: xAPI validity (Ralph's model) and the cmi5 rules (cmi5 §9).

``cmi5_problems`` returns every broken rule as a sentence, so a failing test says all that is
wrong at once."""

from __future__ import annotations

import json

import re
from collections import Counter

ADL = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
CAT_CMI5 = CMI5 + "context/categories/cmi5"
CAT_MOVEON = CMI5 + "context/categories/moveon"
SESSION = CMI5 + "context/extensions/sessionid"
MASTERY = CMI5 + "context/extensions/masteryscore"
PROGRESS = CMI5 + "result/extensions/progress"
DEFINED = {ADL + v for v in ("initialized", "completed", "passed", "failed", "terminated")}
LMS_ONLY = {ADL + "launched", "https://w3id.org/xapi/adl/verbs/abandoned", "https://w3id.org/xapi/adl/verbs/waived", "https://w3id.org/xapi/adl/verbs/satisfied"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def verb(s) -> str:
    return s["verb"]["id"].rsplit("/", 1)[1]


def by_time(statements):
    return sorted(statements, key=lambda s: s["timestamp"])


def validate_xapi(statements) -> list[str]:
    """Every statement against two independent validators: Ralph's ``BaseXapiStatement``
    (pydantic) and npm ``@learninglocker/xapi-validation`` (the rules Learning Locker
    applies: IRIs, UUIDs, durations, timestamps, language tags, score ranges)."""
    from ralph.models.xapi.base.statements import BaseXapiStatement

    problems = []
    for s in statements:
        try:
            BaseXapiStatement.model_validate(s)
        except Exception as exc:  # pydantic's ValidationError, reported whole
            problems.append(f"{s.get('id')} ({s['verb']['id']}): {exc}")
    problems.extend(learninglocker_problems(statements))
    return problems


_LEARNINGLOCKER = """
const validate = require("@learninglocker/xapi-validation").default;
const statements = JSON.parse(require("fs").readFileSync(0, "utf8"));
const report = statements.map((s) => validate(s).map(
  (w) => w.path.join(".") + ": " + (w.typeName || w.name) + " " + JSON.stringify(w.data)));
process.stdout.write(JSON.stringify(report));
"""


def learninglocker_problems(statements) -> list[str]:
    """What npm ``@learninglocker/xapi-validation`` finds, one line per warning."""
    import shutil
    import subprocess

    from conftest import REPO, missing

    if not (REPO / "node_modules" / "@learninglocker" / "xapi-validation").is_dir() or not shutil.which("node"):
        missing("node and npm @learninglocker/xapi-validation (npm ci)")
    statements = list(statements)
    out = subprocess.run(
        ["node", "-e", _LEARNINGLOCKER], input=json.dumps(statements), capture_output=True, text=True, cwd=REPO, check=True
    )
    report = json.loads(out.stdout)
    return [f"{s.get('id')} ({s['verb']['id']}): {w}" for s, warnings in zip(statements, report) for w in warnings]


def _categories(s) -> set[str]:
    return {a["id"] for a in (s.get("context", {}).get("contextActivities", {}).get("category") or [])}


def cmi5_problems(statements, launches) -> list[str]:
    """``statements``: everything stored for one registration (the LMS's ``launched`` too);
    ``launches``: the ``Launch`` of each session, in order."""
    problems: list[str] = []
    say = problems.append
    sessions = {launch.session: launch for launch in launches}
    # in the order the LRS stored them, which is the order the AU queued them
    au = [s for s in statements if s["verb"]["id"] not in LMS_ONLY]
    per_session: dict[str, list] = {}
    for s in au:
        ctx = s.get("context") or {}
        sid = (ctx.get("extensions") or {}).get(SESSION)
        launch = sessions.get(sid)
        if launch is None:
            say(f"{verb(s)} {s['id']}: session id {sid!r} is none the LMS gave")
            continue
        per_session.setdefault(sid, []).append(s)
        if not UUID.match(s.get("id", "")):
            say(f"{verb(s)}: id {s.get('id')!r} is not a UUID")
        if not (s.get("timestamp", "").endswith("Z") or s.get("timestamp", "").endswith("+00:00")):
            say(f"{verb(s)}: timestamp {s.get('timestamp')!r} is not UTC")
        if {k: v for k, v in s["actor"].items() if k != "objectType"} != {k: v for k, v in launch.actor.items() if k != "objectType"}:
            say(f"{verb(s)}: actor {s['actor']} is not the launch actor")
        if ctx.get("registration") != launch.registration:
            say(f"{verb(s)}: registration {ctx.get('registration')}")
        grouping = [a["id"] for a in (ctx.get("contextActivities") or {}).get("grouping") or []]
        if launch.publisher_id not in grouping:
            say(f"{verb(s)}: the contextTemplate's publisher id is missing from grouping")
        cats = _categories(s)
        result = s.get("result") or {}
        defined = s["verb"]["id"] in DEFINED
        if defined:
            if s["object"]["id"] != launch.activity_id:
                say(f"{verb(s)}: object {s['object']['id']} is not the launch activityId")
            if CAT_CMI5 not in cats:
                say(f"{verb(s)}: no cmi5 category")
            flags = "success" in result or "completion" in result
            if flags and CAT_MOVEON not in cats:
                say(f"{verb(s)}: success/completion without the moveon category")
            if not flags and CAT_MOVEON in cats:
                say(f"{verb(s)}: moveon category without success/completion")
            v = verb(s)
            if v in ("terminated", "completed", "passed", "failed") and not DURATION.match(result.get("duration", "")):
                say(f"{v}: duration {result.get('duration')!r}")
            if v == "completed" and (result.get("completion") is not True or "success" in result or "score" in result):
                say(f"completed: result {result}")
            if v in ("initialized", "terminated") and ({"success", "completion", "score"} & set(result)):
                say(f"{v}: result {result}")
            if v in ("passed", "failed"):
                if result.get("success") is not (v == "passed") or "completion" in result:
                    say(f"{v}: result {result}")
                score = result.get("score") or {}
                scaled = score.get("scaled")
                if scaled is None or not 0 <= scaled <= 1:
                    say(f"{v}: scaled score {scaled!r}")
                if "raw" in score and ("min" not in score or "max" not in score or not isinstance(score["raw"], int)):
                    say(f"{v}: raw score without integer raw, min and max: {score}")
                if launch.mastery is not None and scaled is not None:
                    if (v == "passed") != (scaled >= launch.mastery):
                        say(f"{v} with scaled {scaled} against masteryScore {launch.mastery}")
                    if (ctx.get("extensions") or {}).get(MASTERY) != launch.mastery:
                        say(f"{v}: masteryscore extension {(ctx.get('extensions') or {}).get(MASTERY)!r}")
        else:
            if CAT_CMI5 in cats or CAT_MOVEON in cats:
                say(f"{verb(s)}: a cmi5-allowed statement carries a cmi5 or moveon category")
        if PROGRESS in result.get("extensions", {}):
            p = result["extensions"][PROGRESS]
            if not (isinstance(p, int) and 0 <= p <= 100):
                say(f"{verb(s)}: progress {p!r}")

    for sid, items in per_session.items():
        launch = sessions[sid]
        verbs = [verb(s) for s in items]
        if verbs[0] != "initialized":
            say(f"session {launch.mode}: first statement is {verbs[0]}, not initialized")
        if verbs[-1] != "terminated":
            say(f"session {launch.mode}: last statement is {verbs[-1]}, not terminated")
        counts = Counter(v for v, s in zip(verbs, items) if s["verb"]["id"] in DEFINED)
        for v, n in counts.items():
            if n > 1:
                say(f"session: {v} {n} times")
        if counts["passed"] + counts["failed"] > 1:
            say("session: both passed and failed")
        if launch.mode in ("Browse", "Review") and set(verbs) != {"initialized", "terminated"}:
            say(f"{launch.mode} session sent {verbs}")
    if launches:
        missing = [lc.mode for lc in launches if lc.session not in per_session]
        if missing:
            say(f"sessions without statements: {missing}")

    all_verbs = [verb(s) for s in au]
    if all_verbs.count("completed") > 1:
        say("completed more than once in the registration")
    if all_verbs.count("passed") > 1:
        say("passed more than once in the registration")
    if "passed" in all_verbs and "failed" in all_verbs[all_verbs.index("passed"):]:
        say("failed after passed in the registration")
    return problems
