"""A student in headless Chromium going through Moodle's own SCORM player: log in, open the
activity, Enter, play coursekit's player inside Moodle's frame, move between SCOs with Moodle's
table of contents, leave with Moodle's "Exit activity".

Every page error, console error and Moodle debug message is collected (``problems``), and the
runtime API of Moodle's player is watched: every call the SCO makes and every non-zero
``GetLastError`` / ``LMSGetLastError`` after it (``api_calls`` / ``api_errors``).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from .site import STUDENT_PASSWORD

#: Moodle's pages try to load MathJax from a CDN: blocked, and those console errors are Moodle's
MATHJAX = re.compile(r"mathjax|cdn\.jsdelivr\.net|cdnjs", re.I)

#: an image Moodle 4.3's YUI tree view asks for and its theme does not have (not the package's)
MOODLE_OWN_404 = re.compile(r"/theme/yui_image\.php\?file=3\.18\.1/arrows\.png$")

#: wraps the API object Moodle's player.php puts on its window, once it exists, so that each call
#: of the content (its arguments, result and the error code right after) is recorded on the page
API_SPY = r"""
(() => {
  if (window.top !== window) return;  // Moodle's API lives on the top page (player.php)
  const names = {API: ['LMSInitialize','LMSFinish','LMSGetValue','LMSSetValue','LMSCommit'],
                 API_1484_11: ['Initialize','Terminate','GetValue','SetValue','Commit']};
  window.__ckCalls = window.__ckCalls || [];
  function wrap(key) {
    const api = window[key];
    if (!api || api.__ckWrapped) return;
    api.__ckWrapped = true;
    const lastError = key === 'API' ? 'LMSGetLastError' : 'GetLastError';
    const diagnostic = key === 'API' ? 'LMSGetDiagnostic' : 'GetDiagnostic';
    const real = api[lastError].bind(api), why = api[diagnostic].bind(api);
    for (const fn of names[key]) {
      const original = api[fn].bind(api);
      api[fn] = function (...args) {
        const result = original(...args);
        const code = String(real());
        const call = {fn, args: args.map(String), result: String(result), error: code, at: Date.now()};
        if (code !== '0') call.diagnostic = String(why(code));  // Moodle says which HTTP status failed
        window.__ckCalls.push(call);
        return result;
      };
    }
  }
  const timer = setInterval(() => {
    wrap('API'); wrap('API_1484_11');
    if (window.API || window.API_1484_11) clearInterval(timer);
  }, 5);
  window.addEventListener('load', () => { wrap('API'); wrap('API_1484_11'); });
  setTimeout(() => clearInterval(timer), 120000);
})();
"""

#: a PHP warning, notice or error as display_errors prints it into an HTML page
PHP_MESSAGE = re.compile(r"(<b>)?(Warning|Notice|Deprecated|Fatal error|Parse error)(</b>)?: .{0,300}? in (<b>)?/\S+\.php")

#: Moodle's debugging() output on a page (debugdisplay is on in the test site)
DEBUG_SELECTOR = ".debuggingmessage, .notifytiny, div.alert-danger .debuginfo"


class Learner:
    """One student's browser context on the test Moodle."""

    def __init__(self, browser, site, username: str):
        self.site = site
        self.username = username
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.problems: list[str] = []
        self.external: list[str] = []
        self.context.route("**/*", self._route)
        self.context.add_init_script(API_SPY)
        self.context.on("page", self._watch)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30000)
        self.log_start = site.log_size()
        self.calls: list[dict] = []  # the API calls of every player page this learner left

    def _route(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "about", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            if not MATHJAX.search(route.request.url):
                self.external.append(route.request.url)
            route.abort()

    def _watch(self, page):
        def console(message):
            # a failed load is reported with its address by the response handler below
            if message.type == "error" and not MATHJAX.search(message.text) and "Failed to load resource" not in message.text:
                self.problems.append(f"console: {message.text}")

        def response(r):
            if r.status >= 400 and not MOODLE_OWN_404.search(r.url):
                self.problems.append(f"HTTP {r.status}: {r.url}")

        page.on("console", console)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("response", response)

    # --- Moodle's pages -----------------------------------------------------------------------

    def log_in(self) -> None:
        self.page.goto(self.site.url + "/login/index.php")
        self.page.fill("#username", self.username)
        self.page.fill("#password", STUDENT_PASSWORD)
        self.page.click("#loginbtn")
        self.page.wait_for_selector("body#page-my-index, body#page-site-index, .usermenu", timeout=30000)
        self._debug_messages()

    def enter(self, cmid: int) -> None:
        """The activity page, then its Enter button (Moodle's player.php)."""
        self.page.goto(f"{self.site.url}/mod/scorm/view.php?id={cmid}")
        self._debug_messages()
        # "Enter" (mode normal); the button beside it, "Preview", is browse mode, which tracks nothing
        self.page.locator("#scormviewform button#n").click()
        self.page.wait_for_selector("#scorm_object")
        self._debug_messages()

    def exit_activity(self) -> None:
        """Moodle's "Exit activity" link: the player page unloads (the SCO's pagehide)."""
        self._collect_calls()
        self.page.get_by_role("link", name=re.compile("Exit activity", re.I)).click()
        self.page.wait_for_load_state("load")
        self._debug_messages()

    def toc(self, title: str) -> None:
        """Open a SCO from the table of contents of Moodle's player."""
        self.page.locator("#scorm_tree a, #scorm_toc a").filter(has_text=re.compile(r"^\s*" + re.escape(title) + r"\s*$")).first.click()

    def sco(self):
        """The coursekit launch page inside Moodle's frame."""
        return self.page.frame_locator("#scorm_object")

    def content(self):
        """The player's page inside the launch page inside Moodle's frame."""
        return self.sco().frame_locator("#ck-frame")

    def wait_for_call(self, fn: str, *args: str, timeout: float = 20000) -> None:
        self.page.wait_for_function(
            "([fn, args]) => (window.__ckCalls || []).some(c => c.fn === fn && args.every((a, i) => c.args[i] === a))",
            arg=[fn, list(args)], timeout=timeout,
        )

    def settle(self, quiet_ms: int = 500) -> None:
        """Wait until the SCO has made no API call for ``quiet_ms``: what it meant to store is stored."""
        self.page.wait_for_function(
            """(quiet) => {
                const n = (window.__ckCalls || []).length;
                if (window.__ckSeen !== n) { window.__ckSeen = n; window.__ckSince = Date.now(); return false; }
                return Date.now() - window.__ckSince >= quiet;
            }""",
            arg=quiet_ms, polling=100, timeout=30000,
        )

    def page_calls(self) -> list[dict]:
        try:
            return self.page.evaluate("window.__ckCalls || []")
        except Exception:  # noqa: BLE001 - a page mid-navigation has no calls to give
            return []

    def _collect_calls(self) -> None:
        self.calls.extend(self.page_calls())

    def all_calls(self) -> list[dict]:
        return self.calls + self.page_calls()

    def _debug_messages(self) -> None:
        for text in self.page.locator(DEBUG_SELECTOR).all_inner_texts():
            self.problems.append(f"moodle debug: {text.strip()[:500]}")
        # PHP's own messages, which debugdisplay prints into the page as text
        for m in PHP_MESSAGE.finditer(self.page.content()):
            self.problems.append(f"php: {m.group(0)[:500]}")

    def close(self) -> None:
        self.context.close()


def api_errors(calls: list[dict]) -> list[dict]:
    """Calls that failed: a SetValue/Initialize/Commit/Terminate not "true", or any call
    followed by a non-zero error code (a GetValue of an element never set, 403, counts:
    the adapters read only what exists)."""
    bad = []
    for call in calls:
        if call["error"] != "0":
            bad.append(call)
        elif call["fn"] not in ("GetValue", "LMSGetValue") and call["result"] != "true":
            bad.append(call)
    return bad
