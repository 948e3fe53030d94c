/* coursekit xAPI core: what the xapi and cmi5 adapters share.
 *
 * - launch parameters, read once and stripped of credentials in the address bar;
 * - statement helpers (UUIDs, UTC timestamps, ISO 8601 durations, interaction responses);
 * - Lrs: every request with X-Experience-API-Version 1.0.3, a persistent send queue and
 *   the State API with a localStorage fallback.
 *
 * Why a queue: a statement is put in localStorage with its final id *before* any network
 * call, and leaves it only once the LRS acknowledged it. A retry (after a 5xx, a network
 * error, a reload) re-sends the same id and the same body, which the LRS treats as a no-op,
 * so nothing is lost and nothing is stored twice under two ids.
 * Credentials (auth, the cmi5 token) live only in memory: never in storage, URLs or logs.
 */
(function (global) {
  "use strict";

  var VERSION = "1.0.3";
  var BATCH = 25; // statements per POST; small enough for a keepalive request (64 KB)
  var MIN_DELAY = 500, MAX_DELAY = 8000; // retry backoff, ms

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var b = new Uint8Array(16);
    global.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

  function now() { return new Date().toISOString(); } // UTC, millisecond precision

  /* ISO 8601 duration, as xAPI wants it: PT1H2M3.45S (never weeks). */
  function duration(ms) {
    ms = Math.max(0, Math.round(ms || 0));
    var cs = Math.round(ms / 10), h = Math.floor(cs / 360000), m = Math.floor((cs % 360000) / 6000);
    var s = (cs % 6000) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (s || !(h || m) ? s + "S" : "");
  }

  function clone(v) { return v === undefined ? v : JSON.parse(JSON.stringify(v)); }

  /* A short non-secret hash for storage keys (FNV-1a): keeps URLs out of key names. */
  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h.toString(36);
  }

  var storage = {
    get: function (key) {
      try { var v = global.localStorage.getItem(key); return v ? JSON.parse(v) : null; } catch (e) { return null; }
    },
    set: function (key, value) {
      try { global.localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
    }
  };

  /* Read the launch parameters once, then remove `secret` ones (auth, fetch) from the
   * address bar so they end up in no bookmark, history entry, referrer or shared link. The
   * launch page's first script already took them out (window.CoursekitLaunchSecrets, read
   * here once and deleted); this catches a page that could not. */
  function readLaunch(secret) {
    var params = new URLSearchParams(global.location.search), out = {};
    params.forEach(function (value, key) { out[key] = value; });
    var early = global.CoursekitLaunchSecrets;
    if (early && typeof early === "object") {
      Object.keys(early).forEach(function (key) { out[key] = String(early[key]); });
      try { delete global.CoursekitLaunchSecrets; } catch (e) { global.CoursekitLaunchSecrets = undefined; }
    }
    var dirty = false;
    (secret || []).forEach(function (key) { if (params.has(key)) { params["delete"](key); dirty = true; } });
    if (dirty && global.history && global.history.replaceState) {
      var q = params.toString();
      try { global.history.replaceState(global.history.state, "", global.location.pathname + (q ? "?" + q : "") + global.location.hash); } catch (e) { /* file:// in some browsers */ }
    }
    return out;
  }

  /* An absolute http(s) URL, or null: launch parameters come from the address bar, which
   * anyone can write (a javascript: or data: URL must never be fetched or navigated to). */
  function httpUrl(value) {
    if (typeof value !== "string" || !/^https?:\/\//i.test(value)) return null;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /* An absolute IRI as xAPI wants an activity id: a scheme, no spaces. */
  function isIri(value) {
    return typeof value === "string" && value.length < 2048 && /^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(value);
  }

  /* The launch actor as a valid 1.0.3 Agent, or null when it is none: older Tin Can LMSs
   * send every field as an array and mbox without "mailto:". Exactly one identifier, of the
   * right shape (xAPI Data 2.4.2.1). */
  function agent(json) {
    var a;
    try { a = typeof json === "string" ? JSON.parse(json) : json; } catch (e) { return null; }
    if (!a || typeof a !== "object" || Array.isArray(a)) return null;
    if (a.objectType && first(a.objectType) !== "Agent") return null;
    var out = { objectType: "Agent" };
    if (a.name != null) {
      if (typeof first(a.name) !== "string") return null;
      out.name = first(a.name).slice(0, 500);
    }
    var ids = ["mbox", "mbox_sha1sum", "openid", "account"].filter(function (k) { return a[k] != null; });
    if (ids.length !== 1) return null;
    var v = first(a[ids[0]]);
    if (ids[0] === "mbox") {
      if (typeof v !== "string") return null;
      v = v.indexOf("mailto:") === 0 ? v : "mailto:" + v;
      if (!/^mailto:[^@\s]+@[^@\s]+$/.test(v)) return null;
      out.mbox = v;
    } else if (ids[0] === "mbox_sha1sum") {
      if (typeof v !== "string" || !/^[0-9a-f]{40}$/i.test(v)) return null;
      out.mbox_sha1sum = v;
    } else if (ids[0] === "openid") {
      if (!httpUrl(v)) return null;
      out.openid = v;
    } else {
      var acc = v && typeof v === "object" ? v : {};
      var home = first(acc.homePage || acc.accountServiceHomePage), name = first(acc.name || acc.accountName);
      if (!isIri(home) || typeof name !== "string" || !name) return null;
      out.account = { homePage: home, name: name };
    }
    return out;
  }

  function first(v) { return Array.isArray(v) ? v[0] : v; }

  /* The player's normalised response (docs/tracker.md) in xAPI's pattern syntax. */
  function responsePattern(answer) {
    var r = answer.response;
    switch (answer.type) {
      case "single": case "multiple": case "ordering": return (r || []).join("[,]");
      case "true-false": return r ? "true" : "false";
      case "matching": return (r || []).map(function (p) { return p[0] + "[.]" + p[1]; }).join("[,]");
      case "numeric": return String(r);
      default: return r == null ? "" : String(r);
    }
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* --- Transport ------------------------------------------------------------------------
   *
   * The faults this has to survive (docs/xapi.md "Faults"): the LRS answers 5xx; the
   * connection is dropped without an answer; the LRS stored the request but the answer is
   * lost; the connection stays open and silent. So:
   * - every request is given up after TIMEOUT (AbortController, and a timer that settles the
   *   promise even if fetch never does): no promise in this file waits forever;
   * - one statement request in flight at a time, the head of the queue, in order: a retry
   *   re-sends the same ids and bodies, which the LRS treats as a no-op (Ralph: 204, or 200
   *   with only the new ids), so a lost answer never stores a statement twice;
   * - after a failure a timer retries (backoff MIN_DELAY..MAX_DELAY) for as long as the page
   *   is open and the queue is not empty; new statements wait for that timer;
   * - the State API has its own request and its own timer: a failing save never holds back a
   *   statement. */
  var TIMEOUT = 10000; // ms without an answer before a request counts as failed
  // Fetch caps the bodies of all keepalive requests in flight at 64 KiB; statements get most
  // of it at pagehide, the state document what is left
  var KEEPALIVE_CAP = 60000, EXIT_STATEMENT_BYTES = 48000;

  function retryable(status) { return status >= 500 || status === 0 || status === 401 || status === 404 || status === 408 || status === 429; }

  function nextDelay(delay) { return delay ? Math.min(MAX_DELAY, delay * 2) : MIN_DELAY; }

  /* One LRS: endpoint + Authorization header (kept in this closure only). */
  function Lrs(endpoint, authorization, queueKey) {
    this.endpoint = endpoint && endpoint.charAt(endpoint.length - 1) !== "/" ? endpoint + "/" : endpoint;
    this.auth = authorization; // never stored, never logged
    this.queueKey = "coursekit.xapi.queue." + hash(queueKey || this.endpoint || "");
    this.deadKey = "coursekit.xapi.rejected." + hash(queueKey || this.endpoint || "");
    this.queue = storage.get(this.queueKey) || [];
    this.timeout = TIMEOUT;
    this.inflight = null; // the one statement request on its way: {ids, abort, promise, keepalive}
    this.delay = 0;
    this.retryAt = 0; // no statement request before this time (backoff)
    this.timer = null;
    this.keepaliveBytes = 0;
    this.closing = false; // the adapter ended the session: any later pagehide sends a keepalive
    var self = this;
    if (global.addEventListener) {
      global.addEventListener("online", function () { self.delay = 0; self.retryAt = 0; self.flush(); });
      global.addEventListener("pagehide", function () { if (self.closing) self.flushOnExit(); });
    }
  }

  Lrs.prototype.url = function (resource, params) {
    var q = [];
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] != null) q.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return this.endpoint + resource + (q.length ? "?" + q.join("&") : "");
  };

  /* fetch(url, init) that settles within `ms` whatever the network does: resolves
   * {status, body} (body parsed as JSON when it is), rejects on network errors and when no
   * whole answer came in time (the request is then aborted). `handle.abort()` gives up now. */
  function timedFetch(url, init, ms, handle) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) init.signal = controller.signal;
    return new Promise(function (resolve, reject) {
      var settled = false, timer;
      function finish(ok, value) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        (ok ? resolve : reject)(value);
      }
      function abort(why) {
        if (controller) { try { controller.abort(); } catch (e) { /* already done */ } }
        finish(false, new Error(why));
      }
      if (handle) handle.abort = function () { abort("aborted"); };
      // the timer covers the whole exchange, the body too: an answer that stalls halfway counts
      timer = setTimeout(function () { abort("no answer within " + ms + " ms"); }, ms);
      var pending;
      try { pending = fetch(url, init); } catch (e) { return finish(false, e); }
      pending.then(function (response) {
        return response.text().then(function (text) {
          var parsed = null;
          try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = text; }
          finish(true, { status: response.status, body: parsed });
        });
      }).then(null, function (error) { finish(false, error); });
    });
  }

  /* fetch with the xAPI headers, through timedFetch. `opts`: keepalive (the request may
   * outlive the page; taken only when it fits the 64 KiB budget), timeout (ms), handle. */
  Lrs.prototype.request = function (method, resource, params, body, opts) {
    opts = opts || {};
    var self = this, headers = { "X-Experience-API-Version": VERSION };
    if (this.auth) headers.Authorization = this.auth;
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
    var reserved = 0;
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      headers["Content-Type"] = "application/json";
      if (opts.keepalive && this.keepaliveBytes + init.body.length <= KEEPALIVE_CAP) {
        init.keepalive = true;
        reserved = init.body.length;
        this.keepaliveBytes += reserved;
      }
    }
    var release = function (v) { self.keepaliveBytes -= reserved; reserved = 0; return v; };
    return timedFetch(this.url(resource, params), init, opts.timeout || this.timeout, opts.handle)
      .then(release, function (e) { release(); throw e; });
  };

  /* request() again after 5xx, network errors and timeouts, for at most `ms`: for the reads a
   * launch cannot do without. Resolves the last answer; rejects when the time is up. */
  Lrs.prototype.requestPatiently = function (method, resource, params, body, ms) {
    var self = this, deadline = Date.now() + (ms || 20000), delay = 0;
    function more() { return Date.now() + nextDelay(delay) < deadline; }
    function again() { delay = nextDelay(delay); return sleep(delay).then(attempt); }
    function attempt() {
      return self.request(method, resource, params, body).then(function (res) {
        return res.status >= 500 && more() ? again() : res;
      }, function (error) {
        if (!more()) throw error;
        return again();
      });
    }
    return attempt();
  };

  Lrs.prototype.save = function () {
    storage.set(this.queueKey, this.queue);
  };

  Lrs.prototype.pending = function () { return this.queue.length; };

  /* Put a statement in the persistent queue (with its final id) and try to send it. */
  Lrs.prototype.enqueue = function (statement) {
    if (!statement.id) statement.id = uuid();
    if (!statement.timestamp) statement.timestamp = now();
    this.queue.push(statement);
    this.save();
    this.flush();
    return statement.id;
  };

  Lrs.prototype.drop = function (ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; });
    this.queue = this.queue.filter(function (s) { return !gone[s.id]; });
    this.save();
  };

  Lrs.prototype.reject = function (statement, status) {
    // a statement the LRS refuses (400/403/413) would block the queue forever: keep it aside
    var dead = storage.get(this.deadKey) || [];
    dead.push({ status: status, statement: statement });
    storage.set(this.deadKey, dead.slice(-200));
    if (global.console) console.warn("coursekit: the LRS rejected statement " + statement.id + " (HTTP " + status + ")");
    this.drop([statement.id]);
  };

  /* The head of the queue: BATCH statements, or what fits in `bytes` (at least one). */
  Lrs.prototype.head = function (bytes) {
    var batch = [], size = 2;
    for (var i = 0; i < this.queue.length && batch.length < BATCH; i++) {
      var n = JSON.stringify(this.queue[i]).length + 1;
      if (bytes && batch.length && size + n > bytes) break;
      batch.push(this.queue[i]);
      size += n;
    }
    return batch;
  };

  Lrs.prototype.retryLater = function () {
    var self = this;
    this.delay = nextDelay(this.delay);
    this.retryAt = Date.now() + this.delay;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.timer = null; self.retryAt = 0; self.flush(); }, this.delay);
  };

  /* Send the head of the queue unless a request is on its way or the backoff says wait (the
   * timer will send). `exit`: the page is going away — the request in flight is abandoned and
   * the head (its statements first, so the order holds) goes at once in a keepalive request.
   * Resolves true when the queue is empty after this attempt. */
  Lrs.prototype.flush = function (exit) {
    var self = this;
    if (!this.endpoint || !this.auth) return Promise.resolve(false); // waits for a launch with credentials
    if (!this.queue.length) return Promise.resolve(true);
    if (this.inflight) {
      if (!exit || this.inflight.keepalive) return this.inflight.promise;
      this.inflight.abort(); // its answer, if one still comes, no longer counts
    } else if (!exit && Date.now() < this.retryAt) {
      return Promise.resolve(false);
    }
    clearTimeout(this.timer);
    this.timer = null;
    var batch = this.head(exit ? EXIT_STATEMENT_BYTES : 0);
    var attempt = { ids: batch.map(function (s) { return s.id; }), keepalive: !!exit, abort: function () {} };
    this.inflight = attempt;
    attempt.promise = this.request("POST", "statements", null, batch, { keepalive: exit, handle: attempt }).then(function (res) {
      if (res.status === 200 || res.status === 204) { // 204: every one of them was already stored
        self.drop(attempt.ids);
        return true;
      }
      if (res.status === 400 || res.status === 403 || res.status === 409 || res.status === 413 || res.status === 422) {
        return self.sendOneByOne(batch, attempt);
      }
      return false;
    }, function () { return false; }).then(function (ok) {
      if (self.inflight !== attempt) return !self.queue.length; // an exit request took over
      self.inflight = null;
      if (ok) {
        self.delay = 0;
        self.retryAt = 0;
        if (self.queue.length) return self.flush();
      } else {
        self.retryLater();
      }
      return !self.queue.length;
    });
    return attempt.promise;
  };

  /* A batch was refused: find the culprit with PUT ?statementId= (idempotent per id).
   * False when the LRS is unreachable (the queue retries later). */
  Lrs.prototype.sendOneByOne = function (batch, attempt) {
    var self = this, i = 0;
    return (function next() {
      if (i >= batch.length) return Promise.resolve(true);
      if (self.inflight !== attempt) return Promise.resolve(false);
      var s = batch[i++];
      return self.request("PUT", "statements", { statementId: s.id }, s, { handle: attempt }).then(function (res) {
        if (res.status === 204 || res.status === 200) { self.drop([s.id]); return next(); }
        if (res.status === 409) {
          // the LRS holds this id already: it is our statement (ids are random UUIDs, bodies
          // never change), stored by an attempt whose answer was lost. Sending it again
          // cannot change anything: it counts as delivered.
          if (global.console) console.warn("coursekit: statement " + s.id + " is already stored (HTTP 409)");
          self.drop([s.id]);
          return next();
        }
        if (retryable(res.status)) return false;
        self.reject(s, res.status);
        return next();
      }, function () { return false; });
    })();
  };

  /* The session ended (the page may be going away): what is queued leaves now in a keepalive
   * request; what does not get through is retried while the page lives, else with the next
   * launch. */
  Lrs.prototype.flushOnExit = function () {
    this.closing = true;
    return this.flush(true);
  };

  /* Wait (at most `ms`) until the queue is empty; true when it is. Never sends more than the
   * queue's own schedule does. */
  Lrs.prototype.drain = function (ms) {
    var self = this, deadline = Date.now() + (ms || 5000);
    return (function wait() {
      if (!self.queue.length) return Promise.resolve(true);
      if (Date.now() > deadline || !self.auth) return Promise.resolve(false);
      self.flush();
      return sleep(100).then(wait);
    })();
  };

  /* --- State API, with browser storage as the fallback --------------------------------- */

  /* A per-launch-context document store: the State API when the LRS has one, localStorage
   * always (so a reload, or an LRS without State API like Ralph, still resumes). The newest
   * copy (savedAt) wins. */
  function StateStore(lrs, where) {
    this.lrs = lrs;
    this.where = where; // {activityId, agent, registration}
    this.key = "coursekit.xapi.state." + hash([lrs && lrs.endpoint, where.activityId, JSON.stringify(where.agent || {}), where.registration].join("|"));
    this.apiWorks = true;
    this.dirty = null; // the newest document not yet acknowledged by the LRS
    this.writing = null; // the one PUT on its way
    this.delay = 0;
    this.timer = null;
  }

  StateStore.prototype.params = function (stateId) {
    var w = this.where;
    return { stateId: stateId, activityId: w.activityId, agent: JSON.stringify(w.agent), registration: w.registration || null };
  };

  StateStore.prototype.online = function () {
    return !!(this.lrs && this.lrs.endpoint && this.lrs.auth && this.apiWorks);
  };

  StateStore.prototype.read = function (stateId) {
    var local = storage.get(this.key + "." + stateId);
    if (!this.online()) return Promise.resolve(local);
    return this.lrs.request("GET", "activities/state", this.params(stateId)).then(function (res) {
      var remote = res.status === 200 && res.body && typeof res.body === "object" ? res.body : null;
      if (!remote) return local;
      if (!local || (remote.savedAt || "") >= (local.savedAt || "")) return remote;
      return local;
    }, function () { return local; }); // the LRS is unreachable: this browser's copy
  };

  /* Save `doc` locally at once, and to the State API: one PUT at a time, the newest document
   * only, retried on a timer until the LRS has it. `exit`: the page is going away (keepalive). */
  StateStore.prototype.write = function (stateId, doc, exit) {
    doc.savedAt = now();
    storage.set(this.key + "." + stateId, doc);
    if (!this.online()) return Promise.resolve(false);
    this.dirty = { id: stateId, doc: clone(doc) };
    if (this.writing && exit && !this.writing.keepalive) this.writing.abort();
    else if (this.writing) return this.writing.promise;
    else if (this.timer && !exit) return Promise.resolve(false); // the retry timer will send it
    return this.send(!!exit);
  };

  StateStore.prototype.send = function (exit) {
    var self = this, job = this.dirty;
    clearTimeout(this.timer);
    this.timer = null;
    if (!job || !this.online()) return Promise.resolve(true);
    this.dirty = null;
    var attempt = { keepalive: exit, abort: function () {} };
    this.writing = attempt;
    attempt.promise = this.lrs.request("PUT", "activities/state", this.params(job.id), job.doc, { keepalive: exit, handle: attempt }).then(function (res) {
      // an LRS without State API (Ralph) answers 404/405/501: browser storage is the store
      if (res.status === 404 || res.status === 405 || res.status === 501) { self.apiWorks = false; return true; }
      return res.status < 300;
    }, function () { return false; }).then(function (ok) {
      if (self.writing !== attempt) return ok; // a newer save took over
      self.writing = null;
      if (!ok && !self.dirty) self.dirty = job; // nothing newer: this one again
      if (ok) self.delay = 0;
      if (!self.dirty || !self.online()) return ok;
      if (ok) return self.send(false);
      self.delay = nextDelay(self.delay);
      self.timer = setTimeout(function () { self.timer = null; self.send(false); }, self.delay);
      return false;
    });
    return attempt.promise;
  };

  /* The activities of the course (player/xapi-activities.js, built from the model). */
  function activities() {
    return global.CoursekitXapiActivities || { items: {}, modules: {}, course: null, language: "en" };
  }

  /* Object and context activities of an answered question (null if the package does not
   * know it, e.g. a course changed under a stale page). */
  function questionParts(answer) {
    var acts = activities(), item = acts.items[answer.quizId || answer.lessonId];
    if (!item || !item.questions[answer.questionId]) return null;
    var grouping = [];
    if (item.module && acts.modules[item.module]) grouping.push({ objectType: "Activity", id: acts.modules[item.module].id });
    return { object: clone(item.questions[answer.questionId]), parent: [{ objectType: "Activity", id: item.activity.id }], grouping: grouping };
  }

  /* Object and parent of a lesson: its module, else `root` (the id of the launch's activity). */
  function itemParts(id, root) {
    var acts = activities(), item = acts.items[id];
    if (!item) return null;
    var parent = item.module && acts.modules[item.module] ? acts.modules[item.module].id : root;
    return { object: clone(item.activity), parent: parent ? [{ objectType: "Activity", id: parent }] : [], grouping: [] };
  }

  /* The adapters' saved document (docs/xapi.md "Resume"): one State API document per launch. */
  var STATE_ID = "https://w3id.org/xapi/coursekit/state";
  var PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress";

  /* A learner's progress as progressed statements report it: a function of the player's
   * progress (0..1) giving the result to send, a whole percentage, or null when it is no
   * news (not a number, or not more than the last one sent). */
  function progressSteps() {
    var last = -1;
    return function (progress) {
      if (typeof progress !== "number") return null;
      var pct = Math.max(0, Math.min(100, Math.round(progress * 100)));
      if (pct <= last) return null;
      last = pct;
      var ext = {};
      ext[PROGRESS] = pct;
      return { extensions: ext };
    };
  }

  /* The player's score (0..100) as the score of a passed/failed statement. */
  function verdictScore(score) {
    var pct = Math.max(0, Math.min(100, score));
    return { scaled: Math.round(pct * 100) / 10000, raw: Math.round(pct), min: 0, max: 100 };
  }

  /* What an adapter's start() resolves to (docs/tracker.md), from its saved document. */
  function startInfo(doc, mode, recording, actor) {
    return {
      state: doc && typeof doc.state === "string" ? doc.state : null,
      bookmark: doc && typeof doc.bookmark === "string" ? doc.bookmark : null,
      mode: mode,
      recording: recording,
      learnerName: actor && actor.name ? String(actor.name) : null
    };
  }

  /* The result of an answered statement: response, success, points, time on question. */
  function answerResult(answer) {
    var result = { response: responsePattern(answer) };
    if (typeof answer.correct === "boolean") result.success = answer.correct;
    if (answer.maxPoints > 0 && typeof answer.points === "number") {
      var raw = Math.max(0, Math.min(answer.points, answer.maxPoints));
      result.score = { scaled: Math.round(raw / answer.maxPoints * 10000) / 10000, raw: raw, min: 0, max: answer.maxPoints };
    }
    if (answer.latencyMs >= 0) result.duration = duration(answer.latencyMs);
    return result;
  }

  global.CoursekitXapi = {
    STATE_ID: STATE_ID,
    progressSteps: progressSteps,
    verdictScore: verdictScore,
    startInfo: startInfo,
    questionParts: questionParts,
    itemParts: itemParts,
    answerResult: answerResult,
    VERSION: VERSION,
    uuid: uuid,
    isUuid: function (v) { return typeof v === "string" && UUID_RE.test(v); },
    now: now,
    duration: duration,
    clone: clone,
    hash: hash,
    storage: storage,
    readLaunch: readLaunch,
    httpUrl: httpUrl,
    isIri: isIri,
    timedFetch: timedFetch,
    TIMEOUT: TIMEOUT,
    nextDelay: nextDelay,
    sleep: sleep,
    agent: agent,
    responsePattern: responsePattern,
    Lrs: Lrs,
    StateStore: StateStore,
    activities: activities,
    verb: function (name, base) {
      var display = {};
      display["en-US"] = name;
      return { id: (base || "http://adlnet.gov/expapi/verbs/") + name, display: display };
    }
  };
})(window);
