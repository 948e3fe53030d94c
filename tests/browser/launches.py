"""One launch of each format in Chromium, for the tests that relaunch: ``open(href)`` shows a
player page and returns its frame, ``leave()`` ends the session as a learner does,
``relaunch()`` starts the next one the way that format's LMS does."""

from __future__ import annotations

import time

from browser.play import guarded_context
from scorm.harness import LMS as ScormLMS, resume_data
from tests.xapi.play import drain, wait_ready

#: the State API document the xAPI and cmi5 adapters keep (docs/xapi.md "Resume")
STATE_ID = "https://w3id.org/xapi/coursekit/state"


def ready(frame) -> None:
    """The player ran on the page just loaded."""
    frame.wait_for_function("() => { const p = document.querySelector('.ck-progress'); return p && !p.hidden; }")


def goto(frame, base_url: str, href: str):
    frame.goto(base_url.rsplit("/", 1)[0] + "/" + href)
    ready(frame)
    return frame


# --- one launch of each format: open(href) shows a page, leave() ends the session as a learner does


class Html:
    """Every page its own host, state in localStorage: a relaunch is a reload."""

    def __init__(self, chromium, base):
        self.context, self.guard = guarded_context(chromium)
        self.page = self.context.new_page()
        self.base = base

    def open(self, href):
        return goto(self.page, self.base + "index.html", href)

    def leave(self, submitted, saved_text=None):
        pass

    def relaunch(self):
        self.page.reload()
        ready(self.page)
        return self

    def close(self):
        self.context.close()
        self.guard.check()


class Scorm:
    def __init__(self, chromium, base, fmt, data=None):
        self.chromium, self.base, self.fmt = chromium, base, fmt
        self.version = "1.2" if fmt == "scorm12" else "2004"
        self.context, self.guard = guarded_context(chromium)
        self.lms = ScormLMS(self.context, base)
        self.lms.launch(self.version, f"{fmt}/launch.html", data)
        self.lms.page.frame_locator("#sco").locator("#ck-frame").wait_for(state="attached")

    def frame(self):
        return self.lms.page.frame_locator("#sco").locator("#ck-frame").element_handle().content_frame()

    def open(self, href):
        f = self.frame()
        ready(f)
        return goto(f, f.url, href)

    def leave(self, submitted, saved_text=None):
        if submitted:
            self.frame().locator(".ck-exit").click()  # the learner's exit control
        else:
            self.lms.close_sco()  # the learner leaves half-way: the LMS unloads the SCO
        self.lms.page.wait_for_function("lms.finished !== null")
        assert self.lms.failed_calls() == []

    def relaunch(self):
        stored = self.lms.finished()
        assert stored["suspend_data"].startswith("1|")
        self.close()
        again = Scorm(self.chromium, self.base, self.fmt, resume_data(self.version, stored))
        ready(again.frame())
        return again

    def close(self):
        self.context.close()
        self.guard.check()


class Tracked:
    """xAPI (Tin Can launch) or cmi5 (LMS launch sequence) in front of Ralph."""

    def __init__(self, chromium, lms, fmt, course, first=None, mode="Normal"):
        self.chromium, self.lms, self.fmt, self.course, self.first = chromium, lms, fmt, course, first
        if fmt == "xapi":
            extra = {"registration": first.registration, "actor": first.actor} if first else {}
            self.launch = lms.xapi_launch(activity_id=course.id, **extra)
        else:
            extra = {"registration": first.registration, "actor": first.actor} if first else {}
            self.launch = lms.cmi5_launch("launch.html", f"{course.id}/au", mastery=0.7, mode=mode, **extra)
        # a fresh browser each launch: no localStorage, the state comes from the State API
        self.context, self.guard = guarded_context(chromium)
        self.page = self.context.new_page()
        self.page.goto(self.launch.url)
        wait_ready(self.page)

    def frame(self):
        return self.page.locator("#ck-frame").element_handle().content_frame()

    def open(self, href):
        f = self.frame()
        return goto(f, self.page.url.split("?", 1)[0], href)

    def leave(self, submitted, saved_text=None):
        """``saved_text``: text the stored state must hold before the next launch reads it
        (the State API write is asynchronous)."""
        if submitted:
            self.frame().locator(".ck-exit").click()
            if self.fmt == "cmi5":
                # a cmi5 exit drains the queue (5 s at most), then goes to the LMS's returnURL:
                # the page to ask is gone once it did
                self.page.wait_for_url(lambda url: url.startswith(self.lms.base + "return"), timeout=30_000)
                return
        assert drain(self.page), "statements still queued"
        if not submitted:
            # the learner leaves: pagehide writes the state (a navigation, bounded by
            # Playwright's timeout, where page.close() could wait forever on a busy machine)
            self.page.goto("about:blank")
            deadline = time.monotonic() + 15
            while saved_text and saved_text.encode() not in (self.saved() or b"") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not saved_text or saved_text.encode() in (self.saved() or b""), "the state written on leaving lacks " + saved_text

    def saved(self):
        """The adapters' State API document of this launch, as the LMS holds it."""
        with self.lms.lock:
            docs = [v for k, v in self.lms.state.items() if k[-1] == STATE_ID and k[2] == self.launch.registration]
        return docs[0] if docs else None

    def check(self):
        # a first launch's State API read answers 404 (no document yet): Chromium logs it
        self.guard.errors[:] = [e for e in self.guard.errors if "status of 404" not in e]
        self.guard.check()

    def relaunch(self, mode="Normal"):
        self.context.close()
        self.check()
        again = Tracked(self.chromium, self.lms, self.fmt, self.course, self.launch, mode)
        ready(again.frame())
        return again

    def close(self):
        self.context.close()
        self.check()
