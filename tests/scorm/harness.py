"""The LMS side of the SCORM tests: a served site with scorm-again, checks of every value
against Moodle's runtime regexes, and the data an LMS hands back on relaunch.

Moodle's regexes are those of moodle/moodle ``mod/scorm/datamodels/scorm_12.js`` and
``scorm_13.js`` (quoted in reference/scorm.md); scorm-again is laxer, so the tests apply
them on top of it.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# --- Moodle's regexes ------------------------------------------------------------------------

M12 = {
    "identifier": r"^[\x21-\x7E]{1,255}$",
    "string255": r"^[\s\S]{0,255}$",
    "time": r"^([0-2][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,2})?$",
    "timespan": r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?$",
    "decimal": r"^-?([0-9]{0,3})(\.[0-9]*)?$",
    "status": r"^passed$|^completed$|^failed$|^incomplete$|^browsed$",
    "exit": r"^time-out$|^suspend$|^logout$|^$",
    "type": r"^true-false$|^choice$|^fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$",
    "result": r"^correct$|^wrong$|^unanticipated$|^neutral$|^([0-9]{0,3})?(\.[0-9]*)?$",
}
M2004 = {
    "long_identifier": r"^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})$",
    # the older releases' form: still deployed, so both must pass
    "long_identifier_old": r"^\S{0,4000}[a-zA-Z0-9]$",
    "short_identifier": r"^[\w.]{1,250}$",
    "langstring250": r"^(\{lang=([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9-]{2,8})?\})?([^{].{0,250}$)?",
    "time": r"^(19[7-9][0-9]|20[0-2][0-9]|203[0-8])((-(0[1-9]|1[0-2]))((-(0[1-9]|[1-2][0-9]|3[0-1]))(T([0-1][0-9]|2[0-3])((:[0-5][0-9])((:[0-5][0-9])((\.[0-9]{1,2})((Z|([+|-]([0-1][0-9]|2[0-3])))(:[0-5][0-9])?)?)?)?)?)?)?)?$",
    "timespan": r"^P(\d+Y)?(\d+M)?(\d+D)?(T(((\d+H)(\d+M)?(\d+(\.\d{1,2})?S)?)|((\d+M)(\d+(\.\d{1,2})?S)?)|((\d+(\.\d{1,2})?S))))?$",
    "decimal": r"^-?([0-9]{1,5})(\.[0-9]{1,18})?$",
    "cstatus": r"^completed$|^incomplete$|^not attempted$|^unknown$",
    "sstatus": r"^passed$|^failed$|^unknown$",
    "exit": r"^time-out$|^suspend$|^logout$|^normal$|^$",
    "type": r"^true-false$|^choice$|^(long-)?fill-in$|^matching$|^performance$|^sequencing$|^likert$|^numeric$|^other$",
    "result": r"^correct$|^incorrect$|^unanticipated$|^neutral$|^-?([0-9]{1,4})(\.[0-9]{1,18})?$",
    "nav": r"^previous$|^continue$|^exit$|^exitAll$|^abandon$|^abandonAll$|^suspendAll$|^\{target=\S{0,200}[a-zA-Z0-9]\}choice$",
}


def matches(kind: dict, name: str, value: str) -> bool:
    return re.search(kind[name], value) is not None


def pattern_problems_12(kind: str, value: str) -> list[str]:
    """Per-type syntax of 1.2 patterns and responses (reference/scorm.md, section 5)."""
    rules = {
        "true-false": r"^[tf]$",
        "choice": r"^[0-9a-z](,[0-9a-z])*$",
        "fill-in": r"^[\s\S]{0,255}$",
        "numeric": r"^-?[0-9]*(\.[0-9]+)?$",
        "matching": r"^[0-9a-z]+\.[0-9a-z]+(,[0-9a-z]+\.[0-9a-z]+)*$",
        "sequencing": r"^[0-9a-z](,[0-9a-z])*$",
    }
    return [] if re.search(rules[kind], value) else [f"1.2 {kind} {value!r}"]


def pattern_problems_2004(kind: str, value: str, correct: bool) -> list[str]:
    """Per-type syntax of 2004 patterns and responses, as Moodle's scorm_13.js splits them."""
    short = M2004["short_identifier"]
    bad = [f"2004 {kind} {value!r}"]
    if kind == "true-false":
        return [] if value in ("true", "false") else bad
    if kind in ("choice", "sequencing"):
        ids = value.split("[,]")
        ok = all(re.search(short, i) for i in ids) and (kind == "sequencing" or len(set(ids)) == len(ids))
        return [] if ok else bad
    if kind == "matching":
        return [] if all(re.search(short, a) and re.search(short, b) for a, _, b in (p.partition("[.]") for p in value.split("[,]"))) else bad
    if kind == "numeric":
        dec = M2004["decimal"]
        if correct:
            low, sep, high = value.partition("[:]")
            return [] if sep and all(not x or re.search(dec, x) for x in (low, high)) else bad
        return [] if re.search(dec, value) else bad
    if kind == "fill-in":
        text = re.sub(r"^(\{(case_matters|order_matters)=(true|false)\})+", "", value)
        return [] if all(re.search(M2004["langstring250"], part) for part in text.split("[,]")) else bad
    return bad


# --- the served LMS ----------------------------------------------------------------------------


def lms_site(root: Path, node_modules: Path) -> Path:
    """A folder with the test LMS page and scorm-again; packages go under ``pkg/``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "lms.html", root / "lms.html")
    shutil.copy(node_modules / "scorm-again" / "dist" / "scorm-again.js", root / "scorm-again.js")
    return root


def unpack(package: Path, target: Path) -> Path:
    """Extract a package as an LMS does (ours are checked safe by the validator first)."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(target)
    return target


def resume_data(version: str, cmi: dict) -> dict:
    """What an LMS loads on relaunch after ``exit = suspend``: the stored elements, with
    ``entry = resume``; write-only elements (exit, session_time) are not handed back."""
    cmi = cmi.get("cmi", cmi)
    interactions = {k: v for k, v in (cmi.get("interactions") or {}).items() if k.isdigit()}
    if version == "1.2":
        core = cmi["core"]
        return {
            "suspend_data": cmi.get("suspend_data", ""),
            "core": {
                "lesson_location": core.get("lesson_location", ""),
                "lesson_status": core.get("lesson_status", ""),
                "entry": "resume",
                "score": core.get("score", {}),
            },
            "interactions": interactions,
        }
    data = {
        "suspend_data": cmi.get("suspend_data", ""),
        "location": cmi.get("location", ""),
        "completion_status": cmi.get("completion_status", "unknown"),
        "success_status": cmi.get("success_status", "unknown"),
        "entry": "resume",
        "interactions": interactions,
    }
    score = {k: v for k, v in (cmi.get("score") or {}).items() if v != ""}
    if score:
        data["score"] = score
    if cmi.get("progress_measure"):
        data["progress_measure"] = cmi["progress_measure"]
    return data


class LMS:
    """One browser page playing the LMS for one SCO launch."""

    def __init__(self, browser, base_url: str):
        # a Browser or a BrowserContext: both open pages
        self.page = browser.new_page()
        self.base_url = base_url
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def launch(self, version: str, href: str, data: dict | None = None, settings: dict | None = None):
        self.version = version
        self.page.goto(self.base_url + "lms.html")
        self.page.evaluate(
            "([v, href, data, settings]) => startLMS(v, href, data, settings)",
            [version, href, data, settings or {}],
        )
        self.page.wait_for_selector("#sco")
        return self.sco()

    def sco(self):
        return self.page.frame_locator("#sco")

    @property
    def sco_frame(self):
        return self.page.frame("sco") or next(f for f in self.page.frames if f.parent_frame == self.page.main_frame)

    def calls(self) -> list[dict]:
        return self.page.evaluate("lms.calls")

    def failed_calls(self) -> list[dict]:
        """Every call whose result says it failed, with the scorm-again error code."""
        bad = []
        for c in self.calls():
            if c["fn"] in ("LMSGetValue", "GetValue"):
                if c["error"] != "0":
                    bad.append(c)
            elif c["result"] != "true":
                bad.append(c)
        return bad

    def cmi(self) -> dict:
        return self.page.evaluate("cmiJSON()")["cmi"]

    def finished(self) -> dict | None:
        snapshot = self.page.evaluate("lms.finished")
        return snapshot["cmi"] if snapshot else None

    def wait_for_set(self, key: str, value: str) -> None:
        """Wait until the SCO has set ``key`` to ``value``: a page's heading shows before its
        script has told the LMS anything, so a test that leaves at once races the player."""
        self.page.wait_for_function(
            "([key, value]) => lms.calls.some(c => (c.fn === 'LMSSetValue' || c.fn === 'SetValue')"
            " && c.args[0] === key && c.args[1] === value)",
            arg=[key, value],
        )

    def close_sco(self) -> None:
        self.page.evaluate("closeSCO()")

    def close(self) -> None:
        self.page.close()


def set_values(calls: list[dict]) -> dict[str, list[str]]:
    """Every value the content set, by element, in order."""
    out: dict[str, list[str]] = {}
    for c in calls:
        if c["fn"] in ("LMSSetValue", "SetValue"):
            out.setdefault(c["args"][0], []).append(c["args"][1])
    return out


def dump(obj) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False)[:4000]


# --- data-model checks -------------------------------------------------------------------------


def interaction_problems(version: str, cmi: dict) -> list[str]:
    """Every interaction value Moodle would reject (empty list when all pass)."""
    problems = []
    for index, it in sorted((cmi.get("interactions") or {}).items()):
        if not index.isdigit():
            continue
        kind = it.get("type", "")
        where = f"interaction {index} ({it.get('id')})"
        patterns = [p["pattern"] for k, p in sorted((it.get("correct_responses") or {}).items()) if k.isdigit()]
        if version == "1.2":
            checks = {
                "id": (it.get("id", ""), "identifier"), "type": (kind, "type"), "result": (it.get("result", ""), "result"),
                "weighting": (it.get("weighting", ""), "decimal"), "latency": (it.get("latency", ""), "timespan"),
                "time": (it.get("time", ""), "time"), "student_response": (it.get("student_response", ""), "string255"),
            }
            for name, (value, rule) in checks.items():
                if not matches(M12, rule, value):
                    problems.append(f"{where}: {name} {value!r} fails Moodle's {rule}")
            if it.get("weighting") and not -100 <= float(it["weighting"]) <= 100:
                problems.append(f"{where}: weighting outside -100..100")
            for p in patterns:
                problems += [f"{where}: pattern {x}" for x in pattern_problems_12(kind, p)]
            problems += [f"{where}: response {x}" for x in pattern_problems_12(kind, it.get("student_response", ""))]
        else:
            checks = {
                "id": (it.get("id", ""), "long_identifier"), "id (old Moodle)": (it.get("id", ""), "long_identifier_old"),
                "type": (kind, "type"), "result": (it.get("result", ""), "result"), "weighting": (it.get("weighting", ""), "decimal"),
                "latency": (it.get("latency", ""), "timespan"), "timestamp": (it.get("timestamp", ""), "time"),
            }
            if it.get("description"):
                checks["description"] = (it["description"], "langstring250")
            for name, (value, rule) in checks.items():
                if not matches(M2004, rule, value):
                    problems.append(f"{where}: {name} {value!r} fails Moodle's {rule}")
            for p in patterns:
                problems += [f"{where}: pattern {x}" for x in pattern_problems_2004(kind, p, True)]
            problems += [f"{where}: response {x}" for x in pattern_problems_2004(kind, it.get("learner_response", ""), False)]
        if not patterns:
            problems.append(f"{where}: no correct response pattern")
    return problems


def interactions_by_id(cmi: dict) -> dict[str, dict]:
    """The last record of each interaction id (1.2 journals a new record per answer)."""
    out = {}
    for index, it in sorted((cmi.get("interactions") or {}).items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else -1):
        if index.isdigit():
            out[it["id"]] = it
    return out


# --- a learner for any course ------------------------------------------------------------------


def form_response(question, right: bool):
    """What a learner enters for ``question`` (the shapes of browser.play.answer), right or wrong."""
    kind = question.type
    if kind in ("single", "multiple"):
        good = list(question.correct_choice_ids)
        bad = [c.id for c in question.choices if not c.correct][:1] or good[:0]
        if kind == "single":
            return good[0] if right else bad[0]
        return good if right else bad
    if kind == "true-false":
        given = bool(question.answer) if right else not question.answer
        return "true" if given else "false"
    if kind == "fill-in":
        return question.answers[0] if right else "zzz-not-an-answer"
    if kind == "numeric":
        value = question.answer if question.answer is not None else (question.minimum if question.minimum is not None else question.maximum)
        return str(value) if right else str((question.maximum if question.maximum is not None else value) + 1000)
    if kind == "matching":
        targets = [p.target_id for p in question.pairs]
        if not right:
            targets = targets[1:] + targets[:1]
        return {p.source_id: t for p, t in zip(question.pairs, targets)}
    if kind == "ordering":
        ids = [i.id for i in question.items]
        return ids if right else ids[::-1]
    raise ValueError(kind)


def play_course(frame, course, right=lambda question: True) -> None:
    """Walk the whole course from its home page: every lesson shown, every inline check and
    every quiz question answered (``right(question)`` says how), every quiz submitted."""
    from browser.play import answer
    from coursekit.player.data import question_keys

    keys = question_keys(course)
    items = course.items
    frame.locator(".ck-start").click()
    for position, item in enumerate(items):
        frame.locator(f'body[data-item="{item.id}"]').wait_for(state="attached")
        for question in item.questions:
            key = keys[(item.id, question.id)]
            answer(frame, key, question.type, form_response(question, right(question)))
            if item.kind == "lesson":
                frame.locator(f"#ck-q{key} .ck-check").click()
                frame.locator(f"#ck-q{key} .ck-verdict").wait_for()
        if item.kind == "quiz":
            frame.locator(".ck-submit").click()
            frame.locator(".ck-quiz-result .ck-status").wait_for()
        if position < len(items) - 1:
            frame.locator(".ck-next").click()
