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
   * address bar so they end up in no bookmark, history entry, referrer or shared link. */
  function readLaunch(secret) {
    var params = new URLSearchParams(global.location.search), out = {};
    params.forEach(function (value, key) { out[key] = value; });
    var dirty = false;
    (secret || []).forEach(function (key) { if (params.has(key)) { params["delete"](key); dirty = true; } });
    if (dirty && global.history && global.history.replaceState) {
      var q = params.toString();
      try { global.history.replaceState(global.history.state, "", global.location.pathname + (q ? "?" + q : "") + global.location.hash); } catch (e) { /* file:// in some browsers */ }
    }
    return out;
  }

  /* The launch actor as a valid 1.0.3 Agent: older Tin Can LMSs send every field as an array. */
  function agent(json) {
    var a;
    try { a = typeof json === "string" ? JSON.parse(json) : json; } catch (e) { return null; }
    if (!a || typeof a !== "object") return null;
    var first = function (v) { return Array.isArray(v) ? v[0] : v; };
    var out = { objectType: "Agent" };
    if (a.name) out.name = String(first(a.name));
    if (a.mbox) { var m = String(first(a.mbox)); out.mbox = m.indexOf("mailto:") === 0 ? m : "mailto:" + m; }
    else if (a.mbox_sha1sum) out.mbox_sha1sum = String(first(a.mbox_sha1sum));
    else if (a.openid) out.openid = String(first(a.openid));
    else if (a.account) {
      var acc = first(a.account) || {};
      out.account = { homePage: String(first(acc.homePage || acc.accountServiceHomePage)), name: String(first(acc.name || acc.accountName)) };
    } else return null;
    return out;
  }

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

  /* One LRS: endpoint + Authorization header (kept in this closure only). */
  function Lrs(endpoint, authorization, queueKey) {
    this.endpoint = endpoint && endpoint.charAt(endpoint.length - 1) !== "/" ? endpoint + "/" : endpoint;
    this.auth = authorization; // never stored, never logged
    this.queueKey = "coursekit.xapi.queue." + hash(queueKey || this.endpoint || "");
    this.deadKey = "coursekit.xapi.rejected." + hash(queueKey || this.endpoint || "");
    this.queue = storage.get(this.queueKey) || [];
    this.inFlight = {}; // ids sent and not yet answered
    this.delay = 0;
    this.flushing = null;
    this.timer = null;
    this.listeners = [];
    var self = this;
    if (global.addEventListener) global.addEventListener("online", function () { self.delay = 0; self.flush(); });
  }

  Lrs.prototype.url = function (resource, params) {
    var q = [];
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] != null) q.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return this.endpoint + resource + (q.length ? "?" + q.join("&") : "");
  };

  /* fetch with the xAPI headers; resolves {status, body} and rejects only on network errors. */
  Lrs.prototype.request = function (method, resource, params, body, keepalive) {
    var headers = { "X-Experience-API-Version": VERSION };
    if (this.auth) headers.Authorization = this.auth;
    var init = { method: method, headers: headers, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      headers["Content-Type"] = "application/json";
      // keepalive lets the request outlive the page (pagehide); it is capped at 64 KB
      if (keepalive && init.body.length < 60000) init.keepalive = true;
    }
    return fetch(this.url(resource, params), init).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = text; }
        return { status: response.status, body: parsed };
      });
    });
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

  Lrs.prototype.retryLater = function () {
    var self = this;
    this.delay = this.delay ? Math.min(MAX_DELAY, this.delay * 2) : MIN_DELAY;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.flush(); }, this.delay);
  };

  function retryable(status) { return status >= 500 || status === 0 || status === 401 || status === 404 || status === 408 || status === 429; }

  /* Send the queue in order, a batch at a time. One flush at a time: concurrent sends of
   * the same id could race inside the LRS. Resolves true when the queue is empty. */
  Lrs.prototype.flush = function (keepalive) {
    var self = this;
    // without credentials (a reload dropped them) statements wait for the next launch
    if (!this.endpoint || !this.auth) return Promise.resolve(false);
    if (this.flushing) { if (keepalive) this.flushing.keepalive = true; return this.flushing.promise; }
    clearTimeout(this.timer);
    var state = { keepalive: !!keepalive };
    state.promise = (function loop() {
      if (!self.queue.length) return Promise.resolve(true);
      var batch = self.queue.slice(0, BATCH);
      batch.forEach(function (s) { self.inFlight[s.id] = true; });
      var done = function () { batch.forEach(function (s) { delete self.inFlight[s.id]; }); };
      return self.request("POST", "statements", null, batch, state.keepalive).then(function (res) {
        done();
        if (res.status === 200 || res.status === 204) { // 204: all of them were already stored
          self.delay = 0;
          self.drop(batch.map(function (s) { return s.id; }));
          return loop();
        }
        if (res.status === 400 || res.status === 403 || res.status === 409 || res.status === 413 || res.status === 422) {
          return self.sendOneByOne(batch).then(function (ok) { return ok ? loop() : (self.retryLater(), false); });
        }
        self.retryLater();
        return false;
      }, function () { done(); self.retryLater(); return false; });
    })().then(function (result) {
      self.flushing = null;
      self.listeners.forEach(function (fn) { try { fn(result); } catch (e) { /* a listener's problem */ } });
      return result;
    });
    this.flushing = state;
    return state.promise;
  };

  /* A batch was refused: find the culprit with PUT ?statementId= (idempotent per id). */
  Lrs.prototype.sendOneByOne = function (batch) {
    var self = this, i = 0;
    return (function next() {
      if (i >= batch.length) return Promise.resolve(true);
      var s = batch[i++];
      return self.request("PUT", "statements", { statementId: s.id }, s).then(function (res) {
        if (res.status === 204 || res.status === 200) { self.drop([s.id]); return next(); }
        if (res.status === 409) { // this id is already stored: sending it again cannot help
          if (global.console) console.warn("coursekit: statement " + s.id + " already stored with another body");
          self.drop([s.id]); return next();
        }
        if (retryable(res.status)) return false;
        self.reject(s, res.status);
        return next();
      }, function () { return false; });
    })();
  };

  /* The page is going away: send what is not already on its way in one keepalive POST.
   * What does not get through stays queued and goes with the next launch. */
  Lrs.prototype.flushOnExit = function () {
    var self = this;
    if (!this.endpoint || !this.auth || !this.queue.length) return Promise.resolve(!this.queue.length);
    if (!this.flushing) return this.flush(true);
    var rest = this.queue.filter(function (s) { return !self.inFlight[s.id]; }).slice(0, BATCH);
    if (!rest.length) return this.flushing.promise;
    rest.forEach(function (s) { self.inFlight[s.id] = true; });
    return this.request("POST", "statements", null, rest, true).then(function (res) {
      rest.forEach(function (s) { delete self.inFlight[s.id]; });
      if (res.status === 200 || res.status === 204) self.drop(rest.map(function (s) { return s.id; }));
      return self.flushing ? self.flushing.promise : self.flush();
    }, function () { rest.forEach(function (s) { delete self.inFlight[s.id]; }); return false; });
  };

  /* Wait (at most `ms`) until the queue is empty; true when it is. */
  Lrs.prototype.drain = function (ms) {
    var self = this, deadline = Date.now() + (ms || 5000);
    return (function wait() {
      if (!self.queue.length) return Promise.resolve(true);
      if (Date.now() > deadline || !self.auth) return Promise.resolve(false);
      var p = self.flushing ? self.flushing.promise : self.flush();
      return Promise.race([p, sleep(250)]).then(function () { return sleep(50); }).then(wait);
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
    this.dirty = null;
  }

  StateStore.prototype.params = function (stateId) {
    var w = this.where;
    return { stateId: stateId, activityId: w.activityId, agent: JSON.stringify(w.agent), registration: w.registration || null };
  };

  StateStore.prototype.read = function (stateId) {
    var self = this, local = storage.get(this.key + "." + stateId);
    if (!this.lrs || !this.lrs.endpoint || !this.lrs.auth) return Promise.resolve(local);
    return this.lrs.request("GET", "activities/state", this.params(stateId)).then(function (res) {
      var remote = res.status === 200 && res.body && typeof res.body === "object" ? res.body : null;
      if (!remote) return local;
      if (!local || (remote.savedAt || "") >= (local.savedAt || "")) return remote;
      return local;
    }, function () { return local; });
  };

  StateStore.prototype.write = function (stateId, doc) {
    var self = this;
    doc.savedAt = now();
    storage.set(this.key + "." + stateId, doc);
    if (!this.lrs || !this.lrs.endpoint || !this.lrs.auth || !this.apiWorks) return Promise.resolve(false);
    this.dirty = { id: stateId, doc: doc };
    if (this.writing) return this.writing;
    this.writing = (function loop() {
      var job = self.dirty;
      if (!job) return Promise.resolve(true);
      self.dirty = null;
      return self.lrs.request("PUT", "activities/state", self.params(job.id), job.doc).then(function (res) {
        // an LRS without State API (Ralph) answers 404/405/501: browser storage is the store
        if (res.status === 404 || res.status === 405 || res.status === 501) { self.apiWorks = false; self.dirty = null; return false; }
        if (res.status >= 300 && !self.dirty) self.dirty = job; // retried with the next save
        return res.status < 300 ? loop() : false;
      }, function () { if (!self.dirty) self.dirty = job; return false; });
    })().then(function (r) { self.writing = null; return r; });
    return this.writing;
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
