"""A player that trusts nothing it is handed: hostile saved state in Chromium, from each store.

The issue: saved state with a far-future or NaN submission time, or ``__proto__`` in it, threw
``Invalid time value`` in every format instead of recovering. Here each string of
``test_player_state.HOSTILE`` reaches the player through a real store (localStorage for html,
``cmi.suspend_data`` under scorm-again for SCORM 1.2, the State API of the LRS harness for
xAPI, with hostile documents around it too) and each must give a working player: no page
error, ``Object.prototype`` untouched, what was readable kept, the quiz answered and submitted,
the results page shown.
"""

from __future__ import annotations

import json

import pytest

from browser.demo import RIGHT, demo_course
from browser.launches import Scorm, Tracked, goto, ready
from browser.play import answer, guarded_context, write_site
from browser.resume import TYPES, shown
from coursekit.player import Site
from coursekit_scorm.exporter import Scorm12Exporter
from coursekit_xapi import XapiExporter
from scorm.harness import lms_site, unpack
from test_player_state import HOSTILE
from tests.xapi.fixtures import ralph  # noqa: F401  (fixture)
from tests.xapi.lms import LMS
from tests.xapi.play import drain, extract

COURSE = demo_course()
FINGERPRINT = json.loads(Site(COURSE).files()["course.json"])["fingerprint"]
STATE_ID = "https://w3id.org/xapi/coursekit/state"

#: what survives of each string: is the quiz still submitted, what does q1 show
KEPT = {
    "truncated": (False, ["a"]),
    "fields cut": (False, []),
    "NaN time": (False, ["a"]),
    "negative time": (False, ["a"]),
    "far-future time": (True, ["a"]),
    "time past Date's range": (False, ["a"]),
    "__proto__ everywhere": (False, []),
    "huge numbers": (False, []),
    "wrong types": (False, []),
    "unknown question keys": (False, ["a"]),
    "out-of-range indices": (False, ["a"]),
    "extra fields": (True, ["a"]),
    "half-parsed digits": (False, []),
}
assert set(KEPT) == set(HOSTILE)

#: Object.prototype as a page sees it, and whether a fresh object inherits anything odd
PROTO = "() => [Object.getOwnPropertyNames(Object.prototype).sort().join(), ({}).polluted === undefined, typeof ({}).state]"


def hostile(name: str) -> str:
    """The string with the course's fingerprint filled in (``now_filled`` adds the present
    minute as the browser's clock says it)."""
    return HOSTILE[name].replace("{F}", FINGERPRINT)


def now_filled(page, text: str) -> str:
    return text.replace("{NOW}", page.evaluate("() => Math.floor(Date.now() / 60000).toString(36)"))


CLEAN_PROTO: list[str] = []


@pytest.fixture(autouse=True)
def clean_proto(chromium):
    """Object.prototype's own names in a page Chromium opens untouched."""
    if not CLEAN_PROTO:
        page = chromium.new_page()
        CLEAN_PROTO.append(page.evaluate(PROTO)[0])
        page.close()


def assert_working(frame, kept, windows, name: str) -> None:
    """What was readable is shown (``kept``: is the quiz submitted, what q1 shows), nothing
    reached Object.prototype in any of ``windows``, the quiz can be answered and submitted."""
    submitted, q1 = kept
    for w in windows:
        names, clean, state = w.evaluate(PROTO)
        assert clean and state == "undefined" and names == CLEAN_PROTO[0], (name, "Object.prototype changed", names)
    assert frame.locator(".ck-retake").is_visible() is submitted, name
    assert shown(frame, 1)["value"] == q1, name
    if submitted:
        frame.locator(".ck-retake").click()
    for key, qtype in enumerate(TYPES, start=1):
        answer(frame, key, qtype, RIGHT[f"q{key}"])
    frame.locator(".ck-submit").click()
    assert frame.locator(".ck-quiz-result .ck-score").inner_text() == "Your score: 100% (8 of 8 points).", name


def results_ok(frame, name: str) -> None:
    status = frame.locator("tr[data-item=final] .ck-r-qstatus").inner_text()
    assert status.startswith("Passed · Submitted on "), (name, status)
    assert "Invalid" not in frame.locator("main").inner_text()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_html_localstorage(name, chromium, serve, tmp_path):
    base = serve(write_site(COURSE, tmp_path / "site"))
    context, guard = guarded_context(chromium)
    page = context.new_page()
    page.goto(base + "course.json")  # same origin, no player: nothing saves over the test's string
    key = f"coursekit:{COURSE.id}:"
    page.evaluate("([k, s]) => { localStorage.setItem(k + 'state', s); localStorage.setItem(k + 'bookmark', '__proto__'); }",
                  [key, now_filled(page, hostile(name))])
    for href in ("index.html", "results.html", "lesson-welcome.html"):
        goto(page, base, href)  # every page reads it; none may fail on it (ready() waits for the player)
    goto(page, base, "quiz-final.html")
    assert_working(page, KEPT[name], [page], name)
    goto(page, base, "results.html")
    results_ok(page, name)
    goto(page, base, "index.html")
    assert page.locator(".ck-start").get_attribute("href") == "quiz-final.html", "the bookmark is the page last shown"
    context.close()
    guard.check()


@pytest.fixture(scope="module")
def scorm_root(tmp_path_factory, node_modules):
    root = lms_site(tmp_path_factory.mktemp("lms"), node_modules)
    unpack(Scorm12Exporter(COURSE, {"sco": "single"}).build(tmp_path_factory.mktemp("out")), root / "scorm12")
    return root


@pytest.mark.parametrize("name", list(HOSTILE))
def test_scorm12_suspend_data(name, chromium, serve, scorm_root):
    base = serve(scorm_root)
    probe = chromium.new_page()
    text = now_filled(probe, hostile(name))
    probe.close()
    data = {"suspend_data": text, "core": {"lesson_location": "__proto__", "lesson_status": "incomplete", "entry": "resume"}}
    session = Scorm(chromium, base, "scorm12", data)
    ready(session.frame())  # the shell did not follow the bogus bookmark
    assert session.frame().url.endswith("/index.html")
    for href in ("results.html", "lesson-welcome.html", "lesson-where.html"):
        session.open(href)
    frame = session.open("quiz-final.html")
    assert_working(frame, KEPT[name], [frame, session.lms.sco_frame], name)
    results_ok(session.open("results.html"), name)
    session.leave(submitted=True)
    assert session.lms.finished()["core"]["lesson_status"] == "passed"
    session.close()


#: State API documents no adapter wrote: (document, what the player keeps of it)
def documents(text: str) -> dict:
    return {
        "doc with __proto__ keys": ({"__proto__": {"polluted": "yes", "state": "x"}, "constructor": {"prototype": {"polluted": "yes"}},
                                     "state": text, "bookmark": "__proto__"}, (True, ["a"])),
        "doc with wrong types": ({"state": text, "bookmark": {"href": "quiz-final.html"}, "judged": 12, "completed": "no", "savedAt": 5}, (True, ["a"])),
        "doc a string": (text, (False, [])),
        "doc a list": ([text], (False, [])),
        "doc state a number": ({"state": 12345, "bookmark": 7}, (False, [])),
    }


XAPI_CASES = list(HOSTILE) + list(documents(""))


@pytest.fixture(scope="module")
def xapi_launch(ralph, chromium, tmp_path_factory):
    """One package, one LMS, one registration whose State API document each test replaces.
    Returns the LMS, the first launch and the document's key."""
    package = XapiExporter(COURSE).build(tmp_path_factory.mktemp("xapi"))
    lms = LMS(ralph, extract(package, tmp_path_factory.mktemp("pkg")))
    first = Tracked(chromium, lms, "xapi", COURSE)
    first.open("lesson-welcome.html")
    assert drain(first.page)
    first.close()  # pagehide: the adapter writes its document
    keys = [k for k in lms.state if k[-1] == STATE_ID]
    assert len(keys) == 1, keys
    yield lms, first.launch, keys[0]
    lms.close()


@pytest.mark.parametrize("name", XAPI_CASES)
def test_xapi_state_api(name, chromium, xapi_launch):
    lms, first, key = xapi_launch
    probe = chromium.new_page()
    if name in HOSTILE:
        doc, kept = {"state": now_filled(probe, hostile(name)), "bookmark": "__proto__"}, KEPT[name]
    else:
        doc, kept = documents(now_filled(probe, hostile("far-future time")))[name]
    probe.close()
    with lms.lock:
        lms.state[key] = json.dumps(doc).encode()

    # a fresh browser: the document can only come from the State API
    again = Tracked(chromium, lms, "xapi", COURSE, first)
    ready(again.frame())
    frame = again.open("quiz-final.html")
    assert_working(frame, kept, [frame, again.page], name)
    results_ok(again.open("results.html"), name)
    again.close()
