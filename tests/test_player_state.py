"""The runtime's rules run under node: the saved-state string and scoring.

The state string is what SCORM 1.2 stores in ``suspend_data`` (4,096 characters, adapters add
a little): a course with 300 answered questions must encode under 3,000 ASCII characters."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path


from browser.demo import big_question, demo_course
from coursekit.model import Course, Lesson, Quiz
from coursekit.player import Site

from conftest import missing

PLAYER = Path(__file__).resolve().parents[1] / "src" / "coursekit" / "player" / "static" / "player.js"


def run_node(course: Course, script: str):
    """Load course.js and player.js as a browser would (no document), run ``script``, return its JSON."""
    node = shutil.which("node")
    if not node:
        missing("node")
    course_js = Site(course).files()["player/course.js"].decode()
    program = f"{course_js}\nrequire({json.dumps(str(PLAYER))});\nconst P = globalThis.CoursekitPlayer;\n" \
              f"console.log(JSON.stringify((() => {{ {script} }})()));"
    program = program.replace("window.CoursekitData", "globalThis.CoursekitData", 1)
    out = subprocess.run([node, "-e", program], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def big_course(n_quizzes: int = 30, per_quiz: int = 10) -> Course:
    """300 questions over 30 quizzes, cycling through the seven types, and 30 lessons."""
    structure = []
    for n in range(n_quizzes):
        structure.append(Lesson(id=f"l{n}", title=f"Lesson {n}", html="<p>x</p>", source=f"l{n}.md"))
        structure.append(Quiz(id=f"z{n}", title=f"Quiz {n}", source=f"z{n}.yml", questions=tuple(big_question(n * per_quiz + i) for i in range(per_quiz))))
    return Course(id="urn:coursekit:big", slug="big", title="Big", structure=tuple(structure))


#: a typical response for each question type (fill-in: a real word; numeric: a decimal)
TYPICAL = """
const typical = (q) => {
  switch (q.type) {
    case "single": return [q.choices[2].id];
    case "multiple": return [q.choices[0].id, q.choices[2].id];
    case "true-false": return false;
    case "fill-in": return "commission";
    case "numeric": return 14.5;
    case "matching": return q.pairs.map((p, i) => [p.source.id, q.pairs[(i + 1) % q.pairs.length].target.id]);
    default: return q.items.map(i => i.id).reverse();
  }
};
"""


def test_300_answered_questions_fit_in_scorm_12_suspend_data():
    result = run_node(big_course(), TYPICAL + """
      const st = P.decodeState(null);
      st.seed = 2176782335;
      P.course.items.forEach(i => { if (i.kind === "lesson") st.viewed[i.id] = true; else st.done[i.id] = 29400000; });
      P.course.questions.forEach(q => { st.answers[q.key] = typical(q); });
      const text = P.encodeState(st);
      return {length: text.length, ascii: /^[\\x20-\\x7e]*$/.test(text), same: JSON.stringify(P.decodeState(text)) === JSON.stringify(st), result: P.computeResult(st, null)};
    """)
    assert result["ascii"] and result["same"]
    assert result["length"] < 3000, result["length"]
    assert result["result"]["completed"] is True


def test_state_round_trips_every_type_and_survives_odd_text():
    result = run_node(demo_course(), """
      const st = P.decodeState(null);
      st.viewed.welcome = true;
      st.answers = {0: ["b"], 1: ["a"], 2: ["a", "c"], 3: true, 4: "l'été, 50 % | ok", 5: -0.25, 6: [["1","b"],["2","a"],["3","c"]], 7: ["c","a","b"]};
      const text = P.encodeState(st);
      const back = P.decodeState(text);
      return {text, same: JSON.stringify(back) === JSON.stringify(st),
              foreign: JSON.stringify(P.decodeState("1|other|0|||")), garbage: Object.keys(P.decodeState("1|" + P.course.fingerprint + "|z|||0,zz,,,,x,9").answers)};
    """)
    assert result["same"], result["text"]
    assert result["text"].isascii()
    assert '"answers":{}' in result["foreign"], "state of another course shape is dropped"
    assert result["garbage"] == ["0"], "unreadable answers are dropped one by one, readable ones kept"


def test_checking_rules():
    result = run_node(demo_course(), """
      const q = (id) => P.course.questions.find(x => x.id === id);
      const c = P.isCorrect;
      return [
        c(q("q1"), ["a"]), !c(q("q1"), ["b"]),
        c(q("q2"), ["b", "a"]), !c(q("q2"), ["a"]), !c(q("q2"), ["a", "b", "c"]),
        c(q("q3"), true), !c(q("q3"), false),
        c(q("q4"), "rgpd"), c(q("q4"), "GDPR"), !c(q("q4"), "gdp r"),
        c(q("q5"), 20), c(q("q5"), 21), c(q("q5"), P.parseNumber("20,5")), !c(q("q5"), 21.01),
        P.parseNumber("1 234,5") === 1234.5, isNaN(P.parseNumber("3,5,1")), isNaN(P.parseNumber("abc")),
        P.parseNumber("1,234.5") === 1234.5, P.parseNumber("1.234,5") === 1234.5, P.parseNumber("-.5") === -0.5,
        c(q("q6"), [["1","a"],["2","b"],["3","c"]]), !c(q("q6"), [["1","b"],["2","a"],["3","c"]]),
        c(q("q7"), ["a","b","c"]), !c(q("q7"), ["b","a","c"]),
      ];
    """)
    assert result == [True] * len(result), result


def test_statuses_follow_the_tracker_contract():
    result = run_node(demo_course(passing_score=70), """
      const st = P.decodeState(null);
      const r = [];
      r.push(P.computeResult(st, null));                        // nothing done
      st.viewed.welcome = st.viewed.where = true;
      r.push(P.computeResult(st, null));                        // lessons viewed, quiz not submitted: score 0, passed null
      st.done.final = 1;
      st.answers = {1: ["a"], 2: ["a", "b"], 3: true, 4: "gdpr", 5: 20.5};   // 6 of 8 points = 75 %
      r.push(P.computeResult(st, null));
      st.answers[1] = ["b"];                                    // 5 of 8 = 62.5 %
      r.push(P.computeResult(st, null));
      r.push(P.computeResult(st, ["welcome"]));                 // a scope without quiz: never passed or failed
      return r;
    """)
    assert result[0] == {"completed": False, "passed": None, "score": 0, "progress": 0}
    assert result[1] == {"completed": False, "passed": None, "score": 0, "progress": 0.67}
    assert result[2] == {"completed": True, "passed": True, "score": 75, "progress": 1}
    assert result[3] == {"completed": True, "passed": False, "score": 62.5, "progress": 1}
    assert result[4] == {"completed": True, "passed": None, "score": None, "progress": 1}


def test_single_quiz_scope_uses_the_quiz_passing_score():
    from dataclasses import replace

    course = demo_course(passing_score=90)
    shop = course.structure[1]
    quiz = replace(shop.items[1], passing_score=60)
    course = replace(course, structure=(course.structure[0], replace(shop, items=(shop.items[0], quiz))))
    result = run_node(course, """
      const st = P.decodeState(null);
      st.done.final = 1;
      st.answers = {1: ["a"], 2: ["a", "b"], 3: true, 4: "gdpr"};   // 5 of 8 = 62.5 %
      return [P.computeResult(st, ["final"]).passed, P.computeResult(st, null).passed];
    """)
    assert result == [True, False]


#: saved states no player wrote: each must give a working state, never an exception.
#: ``{F}`` is the course's fingerprint, ``{NOW}`` the present minute in base 36.
HOSTILE = {
    "truncated": "1|{F}|a|3|{NOW}|1,0,3,1,RG",
    "fields cut": "1|{F}|a|3",
    "NaN time": "1|{F}|a|3|NaN|1,0,3,1,RGPD,20.5,012,012",
    "negative time": "1|{F}|a|3|-5|1,0,3,1,RGPD,20.5,012,012",
    "far-future time": "1|{F}|a|3|zzzzzzzzz|1,0,3,1,RGPD,20.5,012,012",
    "time past Date's range": "1|{F}|a|3|zzzzzzzzzzzzzzzz|1,0,3,1,RGPD,20.5,012,012",
    "__proto__ everywhere": "1|{F}|__proto__|__proto__|constructor|__proto__,constructor,prototype,__proto__,__proto__,__proto__,__proto__,__proto__",
    "huge numbers": "1|{F}|zzzzzzzzzzzzzzzzzzzz|3|{NOW}|zzzzzzzzzzzz,99999999999999999999,zzzzzzzzzzzzzzz,1,%E0%A4%A,1e999,999999,002",
    "wrong types": "1|{F}|[object Object]|true|null|undefined,NaN,-1,true,false,{},[],null",
    "unknown question keys": "1|{F}|a|3||1,0" + ",0" * 200,
    "out-of-range indices": "1|{F}|a|~~|0.0.0|9,0,zz,2,,x,9a9,002",
    "extra fields": "1|{F}|a|3|{NOW}|1,0,3,1,RGPD,20.5,012,012|x|y",
    "half-parsed digits": "1|{F}|a!|3|1!|1!,0!,3!,1!,RGPD,20.5abc,01!,0 2",
}

#: checks every decoded state must pass: well-typed, in range, nothing reached Object.prototype,
#: and it encodes back to a string that decodes to the same state
SOUND = """
const protoBefore = Object.getOwnPropertyNames(Object.prototype).join();
const lessonIds = P.course.items.filter(i => i.kind === "lesson").map(i => i.id);
const quizIds = P.course.items.filter(i => i.kind === "quiz").map(i => i.id);
const now = Math.floor(Date.now() / 60000);
const sound = (st) => {
  const problems = [];
  if (!(Number.isInteger(st.seed) && st.seed >= 0 && st.seed < 2176782336)) problems.push("seed " + st.seed);
  for (const k of Object.keys(st.viewed)) if (!lessonIds.includes(k) || st.viewed[k] !== true) problems.push("viewed " + k);
  for (const k of Object.keys(st.done)) if (!quizIds.includes(k) || !Number.isInteger(st.done[k]) || st.done[k] < 0 || st.done[k] > now + 1440) problems.push("done " + k + "=" + st.done[k]);
  for (const k of Object.keys(st.answers)) {
    const q = P.course.questions[k];
    if (!q || !/^\\d+$/.test(k)) { problems.push("answer key " + k); continue; }
    const again = P.decodeState(P.encodeState({seed: 0, viewed: {}, done: {}, answers: {[k]: st.answers[k]}})).answers[k];
    if (JSON.stringify(again) !== JSON.stringify(st.answers[k])) problems.push("answer " + k + " " + JSON.stringify(st.answers[k]));
  }
  const text = P.encodeState(st);
  if (JSON.stringify(P.decodeState(text)) !== JSON.stringify(st)) problems.push("unstable " + text);
  if (Object.getOwnPropertyNames(Object.prototype).join() !== protoBefore || ({}).polluted !== undefined) problems.push("Object.prototype changed");
  return problems;
};
const fill = (s) => s.replace("{F}", P.course.fingerprint).replace("{NOW}", now.toString(36));
"""


def test_hostile_states_never_throw_and_keep_what_is_readable():
    result = run_node(demo_course(), SOUND + f"""
      const cases = {json.dumps(HOSTILE)};
      const out = {{}};
      for (const [name, text] of Object.entries(cases)) {{
        try {{
          const st = P.decodeState(fill(text));
          out[name] = {{problems: sound(st), st: JSON.parse(JSON.stringify(st)), now}};
        }} catch (e) {{
          out[name] = {{problems: ["threw " + e]}};
        }}
      }}
      for (const junk of [undefined, null, 42, {{}}, [], "", "1", "1|" + P.course.fingerprint, "x".repeat(2000000), "1|" + P.course.fingerprint + "|" + "|".repeat(100000)]) {{
        const st = P.decodeState(junk);
        out[typeof junk + String(junk).length] = {{problems: sound(st), st: JSON.parse(JSON.stringify(st))}};
      }}
      return out;
    """)
    assert {name: r["problems"] for name, r in result.items() if r["problems"]} == {}
    full = {"0": ["b"], "1": ["a"], "2": ["a", "b"], "3": True, "4": "RGPD", "5": 20.5,
            "6": [["1", "a"], ["2", "b"], ["3", "c"]], "7": ["a", "b", "c"]}
    both = {"welcome": True, "where": True}
    st = {name: r["st"] for name, r in result.items()}
    # what survives: every readable piece, each piece on its own
    # (a text cut short still reads as text: only the string's own checks could tell)
    assert st["truncated"]["viewed"] == both and st["truncated"]["answers"] == {"0": ["b"], "1": ["a"], "2": ["a", "b"], "3": True, "4": "RG"}
    assert st["truncated"]["done"] == {}, "a submission that lost answers is reopened, not scored as skipped"
    assert st["fields cut"]["viewed"] == both and st["fields cut"]["seed"] == 10
    for name in ("NaN time", "negative time", "time past Date's range"):
        assert st[name]["done"] == {} and st[name]["answers"] == full, name
    now = result["far-future time"]["now"]
    assert st["far-future time"]["done"] == {"final": now}, "a far-future submission is kept at the present minute"
    assert st["far-future time"]["answers"] == full
    assert st["__proto__ everywhere"]["answers"] == {"4": "__proto__"}, "a fill-in answer may be any text"
    assert st["__proto__ everywhere"]["done"] == {}
    assert st["huge numbers"]["answers"] == {"3": True} and st["huge numbers"]["done"] == {}
    # "true" is no true-false answer ("1" is); as text it is a fill-in answer; "t" is a 6-bit digit
    assert st["wrong types"]["answers"] == {"4": "false"} and st["wrong types"]["viewed"] == {"welcome": True}
    # past the course's 8 questions nothing is read; "0" is a fine answer to some of them
    assert st["unknown question keys"]["answers"] == {"0": ["b"], "1": ["a"], "3": False, "4": "0", "5": 0}
    assert st["out-of-range indices"]["answers"] == {"1": ["a"]}
    assert st["out-of-range indices"]["viewed"] == {}, "a character outside the alphabet marks no lesson viewed"
    assert st["extra fields"]["answers"] == full and list(st["extra fields"]["done"]) == ["final"]
    assert st["half-parsed digits"]["answers"] == {"4": "RGPD"} and st["half-parsed digits"]["done"] == {}


def test_ids_named_like_object_members_are_plain_ids():
    """A lesson may be called ``constructor`` (a valid slug): it is not viewed until it is,
    and a page handing the host odd keys changes nothing."""
    from dataclasses import replace

    course = demo_course()
    welcome = replace(course.structure[0], id="constructor")
    shop = course.structure[1]
    course = replace(course, structure=(welcome, replace(shop, items=(replace(shop.items[0], id="prototype"), shop.items[1]))))
    result = run_node(course, SOUND + """
      const st = P.decodeState(null);
      const fresh = P.computeResult(st, null);
      return {fresh, sound: sound(st), text: P.encodeState(st),
              plain: P.computeResult({seed: 0, viewed: {}, done: {}, answers: {}}, null)};
    """)
    assert result["fresh"]["progress"] == 0 and result["fresh"]["completed"] is False
    assert result["plain"]["progress"] == 0, "plain {} maps read no inherited member as viewed or submitted"
    assert result["sound"] == []
