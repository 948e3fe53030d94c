"""Launch parameters are input from anyone who can write an address bar, and they carry the
learner's LRS credentials. Proved in Chromium against the test LMS (which logs every URL and
Referer a server hosting the package would see) and a real Ralph:

- the credentials (Tin Can ``auth``, the cmi5 fetch URL and its token) reach no request's URL
  or Referer, no storage, no statement; every page of every format sets ``no-referrer`` before
  it loads anything;
- a cmi5 ``returnURL`` that is not an http(s) URL is never navigated to nor run;
- a bad endpoint, actor, registration or activity id leaves the player untracked, with its
  message, and no error."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest
from lxml import html as lxml_html

from coursekit.plugins import exporters, make_plugin_manager
from coursekit_xapi import Cmi5Exporter, XapiExporter

from tests.xapi.courses import tracked_course
from tests.xapi.faultruns import registration_statements
from tests.xapi.fixtures import browser_context, lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.play import drain, exit_course, open_page, play, wait_ready
from tests.xapi.rules import verb

COURSE = tracked_course()
AU_ID = f"{COURSE.id}/au"


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkgs")
    return {"xapi": XapiExporter(COURSE).build(out / "xapi"), "cmi5": Cmi5Exporter(COURSE).build(out / "cmi5")}


def leaks(lms, secrets, *, allowed=()) -> list[str]:
    """Requests whose URL or Referer holds one of ``secrets`` (raw or URL-encoded), except
    the URLs in ``allowed`` (the launch URL the LMS opens, the fetch URL the AU posts to)."""
    found = []
    for _, method, url, referer in lms.events_of("headers"):
        for where, text in (("URL", url), ("Referer", referer or "")):
            if where == "URL" and any(url.startswith(a) for a in allowed):
                continue
            for secret in secrets:
                if secret in text or quote(secret, safe="") in text or secret in unquote(text):
                    found.append(f"{method} {url[:80]}: {where} holds a credential")
    return found


def storage_of(page) -> str:
    return page.evaluate("() => JSON.stringify([Object.assign({}, localStorage), Object.assign({}, sessionStorage), document.cookie])")


def test_tin_can_credentials_reach_no_url_referer_storage_or_statement(packages, lms_for, browser_context, ralph):
    lms = lms_for(packages["xapi"])
    launch = lms.xapi_launch(activity_id=COURSE.id)
    secret = launch.auth.split(" ", 1)[1]
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    assert "auth=" not in page.url and "endpoint=" in page.url
    play(page, COURSE, right=True)
    exit_course(page)
    assert drain(page, 20000)
    launch_path = "/pkg/launch.html?"
    assert leaks(lms, [launch.auth, secret], allowed=[launch_path]) == []
    # the page's own requests (stylesheet, scripts, frame pages) carry no Referer at all
    pkg = [e for e in lms.events_of("headers") if e[2].startswith("/pkg/") and not e[2].startswith(launch_path)]
    assert len(pkg) >= 10 and all(e[3] is None for e in pkg), [e for e in pkg if e[3]][:3]
    # the only request with the launch query is the LMS's own navigation
    assert sum(e[2].startswith(launch_path) for e in lms.events_of("headers")) == 1
    assert secret not in storage_of(page) and secret not in page.url
    stored = registration_statements(ralph, launch.registration)
    assert stored and secret not in json.dumps(stored)
    assert page.evaluate("() => 'CoursekitLaunchSecrets' in window") is False


def test_cmi5_fetch_url_and_token_reach_no_url_referer_storage_or_statement(packages, lms_for, browser_context, ralph):
    lms = lms_for(packages["cmi5"])
    launch = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7)
    key = launch.fetch_url.rsplit("/", 1)[1]
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    assert "fetch=" not in page.url
    play(page, COURSE, right=True)
    assert drain(page, 20000)
    stored_storage = storage_of(page)
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    assert leaks(lms, [key, launch.token], allowed=["/pkg/launch.html?", "/fetch/"]) == []
    # the return to the LMS does not tell it (or a log) where the learner came from
    returned = [e for e in lms.events_of("headers") if e[2] == "/return"]
    assert returned and returned[0][3] is None
    assert key not in stored_storage and launch.token not in stored_storage
    stored = registration_statements(ralph, launch.registration)
    assert "completed" in [verb(s) for s in stored]
    assert launch.token not in json.dumps(stored) and key not in json.dumps(stored)


@pytest.mark.parametrize("target", [
    "javascript:window.__ran=1;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "JaVaScRiPt:alert(1)",
    "../../nonsense here",
    " javascript:alert(1)",
])
def test_a_cmi5_return_url_that_is_not_http_is_never_followed(target, packages, lms_for, browser_context, ralph):
    lms = lms_for(packages["cmi5"])
    launch = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7, return_url=target)
    page = browser_context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(launch.url)
    wait_ready(page)
    open_page(page, COURSE.lessons[0].href)
    exit_course(page)
    # the AU leaves for an http(s) returnURL as soon as its queue drained: give it that, and more
    assert drain(page, 10000)
    page.wait_for_timeout(1500)
    assert dialogs == [] and page.evaluate("() => window.__ran") is None
    assert page.url.startswith(lms.base + "pkg/launch.html")
    assert not browser_context.errors
    # the session itself was recorded and ended properly
    verbs = [verb(s) for s in registration_statements(ralph, launch.registration)]
    assert verbs[-1] == "terminated", verbs


def _untracked(page, lms) -> None:
    wait_ready(page)
    assert page.evaluate("() => CoursekitPlayer.host.recording") is False
    open_page(page, COURSE.lessons[0].href)
    banner = page.locator("#ck-frame").content_frame.locator(".ck-banner")
    assert banner.count() >= 1  # the player says progress is not recorded
    assert [e for e in lms.events_of("lrs")] == []


@pytest.mark.parametrize("field, value", [
    ("endpoint", "javascript:alert(1)//"),
    ("endpoint", "/lrs/"),
    ("actor", '{"name": "Ada"}'),
    ("actor", '{"mbox": "mailto:a@example.org", "account": {"homePage": "https://x", "name": "y"}}'),
    ("actor", "not json"),
    ("registration", "1234"),
    ("activity_id", "not an iri"),
])
def test_a_bad_tin_can_launch_runs_untracked_without_an_error(field, value, packages, lms_for, browser_context):
    lms = lms_for(packages["xapi"])
    launch = lms.xapi_launch(activity_id=COURSE.id)
    name = {"activity_id": "activity_id"}.get(field, field)
    url = re.sub(rf"([?&]){name}=[^&]*", lambda m: m.group(1) + name + "=" + quote(value, safe=""), launch.url)
    assert url != launch.url
    page = browser_context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(url)
    _untracked(page, lms)
    assert any("launch refused" in m for m in messages), messages
    assert not browser_context.errors


@pytest.mark.parametrize("field, value", [
    ("endpoint", "data:text/plain,x"),
    ("fetch", "javascript:alert(1)"),
    ("actor", "[]"),
    ("registration", "x"),
    ("activityId", "relative/id"),
])
def test_a_bad_cmi5_launch_runs_untracked_without_an_error(field, value, packages, lms_for, browser_context, ralph):
    lms = lms_for(packages["cmi5"])
    launch = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7)
    url = re.sub(rf"([?&]){field}=[^&]*", lambda m: m.group(1) + field + "=" + quote(value, safe=""), launch.url)
    assert url != launch.url
    page = browser_context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    _untracked(page, lms)
    assert lms.events_of("fetch") == [] and dialogs == []
    assert not browser_context.errors


def test_every_page_of_every_format_sets_no_referrer_before_loading_anything(tmp_path):
    import zipfile

    found = exporters(make_plugin_manager())
    assert {"html", "scorm12", "scorm2004", "xapi", "cmi5"} <= set(found)
    pages = 0
    for name, cls in sorted(found.items()):
        out = cls(COURSE).build(tmp_path / name)
        if out.is_dir():
            files = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.html")}
        else:
            with zipfile.ZipFile(out) as z:
                files = {n: z.read(n) for n in z.namelist() if n.endswith(".html")}
        assert files, name
        for path, data in files.items():
            head = lxml_html.document_fromstring(data).head
            first = head[0]
            assert first.tag == "meta" and first.get("name") == "referrer" and first.get("content") == "no-referrer", f"{name}:{path}"
            pages += 1
    assert pages >= 25
