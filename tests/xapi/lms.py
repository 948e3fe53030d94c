"""The LMS side of an xAPI / cmi5 launch, for the browser tests.

Ralph stores statements but has no State API, no Agent Profile API and no cmi5 launch. This
small HTTP server on 127.0.0.1 plays the LMS in front of it:

- ``/pkg/...``         the extracted package (same origin as the LRS: no CORS needed);
- ``/lrs/statements``  forwarded to Ralph, after checking the credential the LMS handed out;
                       ``outage = True`` makes the LRS answer 503, as a real outage would, and
                       ``faults`` (a ``Faults`` schedule) plays the faults of a real network
                       on every LRS resource: 503, a connection dropped without an answer, a
                       request stored but its response lost, a connection that never answers;
- ``/lrs/activities/state`` and ``/lrs/agents/profile``: an in-memory State and Agent
                       Profile API (``LMS.LaunchData`` is read-only for the AU);
- ``/fetch/<key>``     the cmi5 fetch URL: one POST gives the auth token;
- ``/return``          the returnURL the AU goes to when it exits.

Everything the AU does is logged in ``events`` so the tests can assert the launch sequence.
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import mimetypes
import secrets
import socket
import socketserver
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from .ralph import XAPI_VERSION, Ralph

CMI5 = "https://w3id.org/xapi/cmi5/"


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a browser that gave up on a request (timeout, page closed) is part of the faults
        # under test, not an error of the test double
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


#: what a fault does to one LRS request (statements, State API, Agent Profile alike)
FAULT_KINDS = (
    "503",   # the LRS answers 503 Service Unavailable
    "drop",  # the request is read, then the connection is closed without an answer
    "lost",  # the request reaches the LRS (stored), then the connection closes before the response
    "hang",  # the request is read and never answered: the connection stays open, silent
)


class Faults:
    """A fault schedule: once the ``after``-th statement request has been answered, the LRS
    goes through ``windows`` — ``(seconds, kind)`` pairs, one after the other — then works
    again. ``Faults(2, (10/3, "503"), (10/3, "drop"), (10/3, "lost"))`` is a 10 s outage in
    three thirds starting after the second statement request."""

    def __init__(self, after: int, *windows: tuple[float, str], only: tuple[str, ...] | None = None):
        for _, kind in windows:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; one of {FAULT_KINDS}")
        self.after = after
        self.windows = windows
        #: the LRS resources that fail ("statements", "activities/state", "agents/profile"); None: all
        self.only = only
        self.seen = 0
        self.started: float | None = time.monotonic() if after == 0 else None
        self.lock = threading.Lock()
        self.released = threading.Event()  # set on LMS.close(): hung connections end
        self.applied: list[tuple[str, str, str]] = []  # (kind, method, resource)

    @property
    def total(self) -> float:
        return sum(seconds for seconds, _ in self.windows)

    def statement_answered(self) -> None:
        with self.lock:
            self.seen += 1
            if self.seen == self.after and self.started is None:
                self.started = time.monotonic()

    def start_now(self) -> None:
        with self.lock:
            self.started = time.monotonic()

    def kind(self, resource: str) -> str | None:
        """The fault for a request for ``resource`` arriving now (None: the LRS works)."""
        if resource == "about" or (self.only is not None and resource not in self.only):
            return None
        with self.lock:
            if self.started is None:
                return None
            t = time.monotonic() - self.started
        for seconds, kind in self.windows:
            if t < seconds:
                return kind
            t -= seconds
        return None

    def over(self) -> bool:
        with self.lock:
            return self.started is not None and time.monotonic() - self.started >= self.total

    def wait_over(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.over():
            if time.monotonic() > deadline:
                raise TimeoutError("the fault schedule never started or never ended")
            time.sleep(0.05)


class Launch:
    """One AU launch (cmi5) or one Tin Can launch: what the LMS told the AU."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class LMS:
    def __init__(self, ralph: Ralph, package_dir: Path):
        self.ralph = ralph
        self.package_dir = Path(package_dir)
        self.lock = threading.Lock()
        self.outage = False
        #: a ``Faults`` schedule for the LRS resources, or None
        self.faults: Faults | None = None
        self.events: list[tuple] = []
        self.state: dict[tuple, bytes] = {}
        self.profiles: dict[tuple, bytes] = {}
        self.tokens: dict[str, str] = {}  # fetch key -> token
        self.fetched: set[str] = set()
        self.valid_auth: set[str] = set()
        self.launch_data_writes = 0
        #: False: no State / Agent Profile API, like Ralph (404)
        self.documents_api = True
        #: statements with this verb (last IRI segment) are refused with 400, as an LRS does
        #: with a statement it finds invalid
        self.reject_verb: str | None = None
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def endpoint(self) -> str:
        return self.base + "lrs/"

    def close(self) -> None:
        if self.faults:
            self.faults.released.set()
        self.server.shutdown()
        self.server.server_close()

    def log(self, *event) -> None:
        with self.lock:
            self.events.append(event)

    # --- launches -------------------------------------------------------------------------

    def xapi_launch(self, launch="launch.html", *, actor=None, registration=None, activity_id=None) -> Launch:
        """A Tin Can launch URL (RusticiSoftware/launch): endpoint, auth, actor, registration."""
        auth = "Basic " + base64.b64encode(f"learner-{secrets.token_hex(4)}:{secrets.token_hex(8)}".encode()).decode()
        self.valid_auth.add(auth)
        actor = actor or {"objectType": "Agent", "name": "Ada Learner", "mbox": "mailto:ada@example.org"}
        registration = registration or str(uuid.uuid4())
        query = {"endpoint": self.endpoint, "auth": auth, "actor": json.dumps(actor), "registration": registration}
        if activity_id:
            query["activity_id"] = activity_id
        url = f"{self.base}pkg/{launch}?{urlencode(query)}"
        return Launch(url=url, auth=auth, actor=actor, registration=registration)

    def cmi5_launch(self, au_url: str, publisher_id: str, *, mode="Normal", mastery=None, move_on="CompletedAndPassed",
                    registration=None, actor=None, preferences=None, return_url=True) -> Launch:
        """What a cmi5 LMS does before opening an AU (cmi5 §8, §10): LMS.LaunchData, the
        learner preferences, a ``launched`` statement, a one-time fetch URL."""
        registration = registration or str(uuid.uuid4())
        actor = actor or {"objectType": "Agent", "name": "Ada Learner", "account": {"homePage": "https://lms.example.org", "name": "ada-42"}}
        # the LMS generates the activityId; it must differ from the publisher's AU id
        activity_id = f"https://lms.example.org/activities/{uuid.uuid5(uuid.NAMESPACE_URL, registration + publisher_id)}"
        session = str(uuid.uuid4())
        template = {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
            "extensions": {CMI5 + "context/extensions/sessionid": session},
        }
        data = {"contextTemplate": template, "launchMode": mode, "moveOn": move_on}
        if mastery is not None:
            data["masteryScore"] = mastery
        if isinstance(return_url, str):  # whatever an LMS (or someone) put there
            data["returnURL"] = return_url
        elif return_url:
            data["returnURL"] = self.base + "return"
        agent = json.dumps(actor, sort_keys=True)
        with self.lock:
            self.state[(activity_id, agent, registration, "LMS.LaunchData")] = json.dumps(data).encode()
            if preferences is not None:
                self.profiles[(agent, "cmi5LearnerPreferences")] = json.dumps(preferences).encode()
        key = secrets.token_hex(8)
        token = base64.b64encode(f"au-{key}:{secrets.token_hex(8)}".encode()).decode()
        self.tokens[key] = token
        launched = {
            "id": str(uuid.uuid4()), "actor": actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": activity_id},
            "context": {
                "registration": registration,
                "contextActivities": {**template["contextActivities"], "category": [{"id": CMI5 + "context/categories/cmi5"}]},
                "extensions": {
                    **template["extensions"],
                    CMI5 + "context/extensions/launchmode": mode,
                    CMI5 + "context/extensions/launchurl": f"{self.base}pkg/{au_url}",
                    CMI5 + "context/extensions/moveon": move_on,
                    **({CMI5 + "context/extensions/masteryscore": mastery} if mastery is not None else {}),
                },
            },
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        r = requests.post(f"{self.ralph.endpoint}statements", json=[launched], headers=self.ralph.headers(), timeout=10)
        r.raise_for_status()
        query = {
            "endpoint": self.endpoint, "fetch": f"{self.base}fetch/{key}", "actor": json.dumps(actor),
            "registration": registration, "activityId": activity_id,
        }
        return Launch(
            url=f"{self.base}pkg/{au_url}?{urlencode(query)}", actor=actor, registration=registration,
            activity_id=activity_id, publisher_id=publisher_id, session=session, mode=mode, mastery=mastery,
            token=token, launched_id=launched["id"], fetch_url=query["fetch"],
        )

    # --- reading -----------------------------------------------------------------------------

    def events_of(self, kind: str) -> list[tuple]:
        with self.lock:
            return [e for e in self.events if e[0] == kind]

    # --- HTTP ---------------------------------------------------------------------------------

    def _handler(self):
        lms = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # no access log in the test output
                pass

            def _send(self, status: int, body: bytes | str | dict | list | None = None, ctype="application/json", extra=None):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                elif isinstance(body, str):
                    body = body.encode()
                body = body or b""
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("X-Experience-API-Version", XAPI_VERSION)
                # permissive CORS, so the package may also be served from another origin
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Experience-API-Version")
                self.send_header("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, OPTIONS")
                self.send_header("Access-Control-Expose-Headers", "ETag, Last-Modified, X-Experience-API-Version")
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_OPTIONS(self):
                self._send(204)

            def do_GET(self):
                self._route("GET")

            def do_HEAD(self):
                self._route("HEAD")

            def do_POST(self):
                self._route("POST")

            def do_PUT(self):
                self._route("PUT")

            def do_DELETE(self):
                self._route("DELETE")

            def _route(self, method):
                url = urlsplit(self.path)
                path, query = url.path, {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                body = self._body() if method in ("POST", "PUT") else b""
                lms.log("request", method, path, url.query)
                # what a server hosting the package would log: every URL and every Referer
                lms.log("headers", method, self.path, self.headers.get("Referer"))
                if path.startswith("/pkg/"):
                    return self._static(path[len("/pkg/"):])
                if path.startswith("/fetch/"):
                    return self._fetch(method, path[len("/fetch/"):])
                if path == "/return":
                    lms.log("returned")
                    return self._send(200, "<!doctype html><title>LMS</title><p>Back in the LMS</p>", "text/html; charset=utf-8")
                if path.startswith("/lrs/"):
                    return self._lrs(method, path[len("/lrs/"):], query, body)
                self._send(404, {"detail": "not found"})

            def _static(self, rel):
                target = (lms.package_dir / rel).resolve()
                if lms.package_dir.resolve() not in target.parents or not target.is_file():
                    return self._send(404, "not found", "text/plain")
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                    ctype += "; charset=utf-8"
                self._send(200, target.read_bytes(), ctype)

            def _fetch(self, method, key):
                # cmi5 §8.2: POST only; the token once; then error-code 1 (already in use)
                lms.log("fetch", method, key)
                if method != "POST":
                    return self._send(405, {"error-code": "3", "error-text": "the fetch URL takes POST"})
                if key not in lms.tokens:
                    return self._send(200, {"error-code": "2", "error-text": "unknown fetch URL"})
                with lms.lock:
                    if key in lms.fetched:
                        return self._send(200, {"error-code": "1", "error-text": "the token was already fetched"})
                    lms.fetched.add(key)
                    token = lms.tokens[key]
                    lms.valid_auth.add("Basic " + token)
                self._send(200, {"auth-token": token})

            def _lrs(self, method, resource, query, body):
                auth = self.headers.get("Authorization")
                version = self.headers.get("X-Experience-API-Version")
                lms.log("lrs", method, resource, query.get("stateId") or query.get("profileId"), version, auth in lms.valid_auth)
                if lms.outage:
                    return self._send(503, {"detail": "the LRS is down (test outage)"})
                faults = lms.faults
                kind = faults.kind(resource) if faults else None
                if kind:
                    return self._fault(kind, faults, method, resource, query, body)
                self._answer_lrs(method, resource, query, body)
                if faults and resource == "statements" and method in ("POST", "PUT"):
                    faults.statement_answered()

            def _fault(self, kind, faults, method, resource, query, body):
                ids = _ids(body) if resource == "statements" else []
                lms.log("fault", kind, method, resource, ids)
                with faults.lock:
                    faults.applied.append((kind, method, resource))
                if kind == "503":
                    return self._send(503, {"detail": "the LRS is down (test fault)"})
                if kind == "lost":
                    # the LRS does its work (Ralph stores the statements), the answer goes nowhere
                    real, self.wfile = self.wfile, io.BytesIO()
                    try:
                        self._answer_lrs(method, resource, query, body)
                    finally:
                        self.wfile = real
                elif kind == "hang":
                    faults.released.wait(120)
                self._hang_up()

            def _hang_up(self):
                """Close the connection without a byte of answer."""
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _answer_lrs(self, method, resource, query, body):
                auth = self.headers.get("Authorization")
                version = self.headers.get("X-Experience-API-Version")
                if resource == "about":
                    return self._send(200, {"version": [XAPI_VERSION]})
                if auth not in lms.valid_auth:
                    return self._send(401, {"detail": "unknown credentials"})
                if version != XAPI_VERSION:
                    return self._send(400, {"detail": "X-Experience-API-Version 1.0.3 is required"})
                if resource == "statements":
                    return self._statements(method, query, body)
                if resource in ("activities/state", "agents/profile") and not lms.documents_api:
                    return self._send(404, {"detail": "Not Found"})
                if resource == "activities/state":
                    return self._document(method, lms.state, (query.get("activityId"), _agent(query), query.get("registration"), query.get("stateId")), body)
                if resource == "agents/profile":
                    return self._document(method, lms.profiles, (_agent(query), query.get("profileId")), body)
                self._send(404, {"detail": "no such resource"})

            def _statements(self, method, query, body):
                if method in ("POST", "PUT"):
                    parsed = json.loads(body or b"null")
                    batch = parsed if isinstance(parsed, list) else [parsed]
                    lms.log("statements", method, [s.get("id") for s in batch], [s.get("verb", {}).get("id") for s in batch])
                    if lms.reject_verb and any(s.get("verb", {}).get("id", "").endswith("/" + lms.reject_verb) for s in batch):
                        return self._send(400, {"detail": f"{lms.reject_verb} statements are refused here"})
                url = f"{lms.ralph.endpoint}statements"
                try:
                    r = requests.request(method, url, params=query, data=body or None,
                                         headers={**lms.ralph.headers(), "Content-Type": "application/json"}, timeout=15)
                except requests.RequestException:
                    # Ralph stopped: the LRS is unreachable, as in a real outage
                    return self._send(502, {"detail": "the LRS behind the LMS is unreachable"})
                ctype = r.headers.get("Content-Type", "application/json")
                self._send(r.status_code, r.content, ctype)

            def _document(self, method, store, key, body):
                if any(k is None for k in key):
                    return self._send(400, {"detail": "missing parameter"})
                if key[-1] == "LMS.LaunchData" and method != "GET":
                    lms.launch_data_writes += 1  # cmi5 §10: the AU must never write it
                    return self._send(403, {"detail": "LMS.LaunchData is read-only"})
                with lms.lock:
                    if method in ("GET", "HEAD"):
                        if key not in store:
                            return self._send(404, {"detail": "no such document"})
                        return self._send(200, store[key])
                    if method == "PUT":
                        store[key] = body
                    elif method == "POST":  # merge JSON objects (xAPI Communication §2.2)
                        old = json.loads(store.get(key) or b"{}")
                        old.update(json.loads(body or b"{}"))
                        store[key] = json.dumps(old).encode()
                    elif method == "DELETE":
                        store.pop(key, None)
                return self._send(204)

        return Handler


def _ids(body: bytes) -> list:
    try:
        parsed = json.loads(body or b"null")
    except ValueError:
        return []
    batch = parsed if isinstance(parsed, list) else [parsed]
    return [s.get("id") for s in batch if isinstance(s, dict)]


def _agent(query) -> str | None:
    raw = query.get("agent")
    if raw is None:
        return None
    try:
        return json.dumps(json.loads(raw), sort_keys=True)
    except ValueError:
        return raw
