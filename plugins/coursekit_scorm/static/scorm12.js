/* coursekit SCORM 1.2 adapter: the player's tracker interface (docs/tracker.md) on the
 * SCORM 1.2 runtime API. No dependencies. Rules and formats: reference/scorm.md. */
(function () {
  "use strict";

  var SUSPEND_LIMIT = 4096; // SCORM 1.2 cmi.suspend_data; Docebo and Moodle enforce it
  var LOCATION_LIMIT = 255;
  var MAX_HOPS = 500; // frames to climb looking for the API (ADL 2004 sample, pipwerks)

  /* The LMS puts `API` on a window above us: walk parents, then the opener's. Every access
   * is guarded, because reading a cross-origin frame's property throws. */
  function findAPI(name) {
    function climb(win) {
      for (var hops = 0; win && hops < MAX_HOPS; hops++) {
        try { if (win[name]) return win[name]; } catch (e) { /* cross-origin: keep climbing */ }
        var parent = null;
        try { parent = win.parent; } catch (e) { parent = null; }
        if (!parent || parent === win) return null;
        win = parent;
      }
      return null;
    }
    var api = climb(window);
    if (!api) {
      try { if (window.top && window.top.opener) api = climb(window.top.opener); } catch (e) { api = null; }
    }
    return api;
  }

  function pad(n, width) { n = String(n); while (n.length < width) n = "0" + n; return n; }

  /* CMITimespan: HHHH:MM:SS.SS, 2 to 4 hour digits, at most 2 decimals (Moodle's regex). */
  function timespan(ms) {
    var cs = Math.max(0, Math.round((+ms || 0) / 10));
    var h = Math.floor(cs / 360000);
    if (h > 9999) return "9999:59:59.99";
    return pad(h, 2) + ":" + pad(Math.floor(cs / 6000) % 60, 2) + ":" + pad(Math.floor(cs / 100) % 60, 2) + "." + pad(cs % 100, 2);
  }

  /* CMITime: the time of day HH:MM:SS of an interaction. */
  function timeOfDay(stamp) {
    var d = new Date(stamp == null ? Date.now() : stamp);
    if (isNaN(d.getTime())) d = new Date();
    return pad(d.getHours(), 2) + ":" + pad(d.getMinutes(), 2) + ":" + pad(d.getSeconds(), 2);
  }

  /* CMIDecimal as Moodle checks it: no exponent, at most 3 integer digits. */
  function decimal(x, lo, hi) {
    x = Math.min(hi, Math.max(lo, +x || 0));
    return String(Math.round(x * 100) / 100);
  }

  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : (c >= 0xd800 && c < 0xdc00) ? (i++, 4) : 3;
    }
    return n;
  }

  function list(x) { return Array.isArray(x) ? x : x == null || x === "" ? [] : [x]; }

  /* The learner's response in the 1.2 pattern syntax of its interaction type. */
  function response(answer) {
    var r = answer.response;
    switch (answer.type) {
      case "true-false": return r === true || r === "true" || r === "t" ? "t" : "f";
      case "fill-in": return String(r == null ? "" : r).slice(0, 255);
      case "numeric": return String(+r);
      case "matching": return list(r).map(function (p) { return p[0] + "." + p[1]; }).join(",");
      default: return list(r).join(","); // single, multiple, ordering
    }
  }

  function createAdapter(config) {
    var options = (config && config.options) || {};
    var questions = options.questions || {};
    var prefix = options.interactionPrefix || "";
    var api = null, live = false, ended = false, dirty = false;
    var started = 0, nextInteraction = 0, mode = "normal";
    var last = {}; // value last written per element: a repeated value is not sent again
    var finished = false;
    var adapter;

    function call(fn, args) {
      try { return String(api[fn].apply(api, args || [])); } catch (e) { return "false"; }
    }
    function get(key) {
      var value = call("LMSGetValue", [key]);
      return value === "false" && call("LMSGetLastError") !== "0" ? "" : value;
    }
    function set(key, value) {
      value = String(value);
      if (last[key] === value) return true;
      if (call("LMSSetValue", [key, value]) !== "true") {
        var code = call("LMSGetLastError");
        adapter.errors.push({ element: key, value: value, code: code });
        if (window.console) console.warn("coursekit scorm12: LMSSetValue(" + key + ") failed, error " + code + " " + call("LMSGetErrorString", [code]));
        return false;
      }
      last[key] = value;
      dirty = true;
      return true;
    }
    function writable() { return live && !ended; }

    adapter = {
      errors: [],

      start: function () {
        api = findAPI("API");
        var none = { state: null, bookmark: null, mode: "normal", recording: false, learnerName: null };
        if (!api || call("LMSInitialize", [""]) !== "true") return none;
        live = true;
        started = Date.now();
        mode = get("cmi.core.lesson_mode") || "normal";
        var status = get("cmi.core.lesson_status");
        if (mode === "normal" && (status === "" || status === "not attempted")) set("cmi.core.lesson_status", "incomplete");
        // suspend until we know better: a window killed without pagehide still resumes
        set("cmi.core.exit", "suspend");
        var count = parseInt(get("cmi.interactions._count"), 10);
        nextInteraction = isNaN(count) ? 0 : count; // some LMSs lack _count: we count
        var state = get("cmi.suspend_data");
        var bookmark = get("cmi.core.lesson_location");
        var name = get("cmi.core.student_name");
        if (dirty) adapter.commit(); // the attempt is recorded as started
        return { state: state || null, bookmark: bookmark || null, mode: mode, recording: true, learnerName: name || null };
      },

      saveState: function (state, bookmark) {
        if (!writable()) return;
        if (state != null) {
          state = String(state);
          // an overflowing value is truncated by the LMS and breaks resume: keep the last good one
          if (utf8Length(state) <= SUSPEND_LIMIT) set("cmi.suspend_data", state);
          else adapter.errors.push({ element: "cmi.suspend_data", value: state.length + " characters", code: "limit " + SUSPEND_LIMIT });
        }
        if (bookmark && String(bookmark).length <= LOCATION_LIMIT) set("cmi.core.lesson_location", bookmark);
      },

      lessonViewed: function () { /* 1.2 has no progress measure: setResult carries the status */ },

      questionAnswered: function (answer) {
        if (!writable() || mode === "review") return;
        var key = (answer.quizId || answer.lessonId || "") + "." + answer.questionId;
        var info = questions[key] || {};
        var n = "cmi.interactions." + nextInteraction++ + ".";
        // 1.2 interactions are write-only and journaled: every answer is a new record
        set(n + "id", (prefix + key).replace(/[^\x21-\x7e]/g, "_").slice(0, 255));
        set(n + "type", answer.interactionType);
        (info.p || []).forEach(function (pattern, i) { set(n + "correct_responses." + i + ".pattern", pattern); });
        set(n + "student_response", response(answer));
        set(n + "result", answer.correct ? "correct" : "wrong");
        set(n + "weighting", answer.graded === false ? "0" : decimal(answer.maxPoints == null ? 1 : answer.maxPoints, -100, 100));
        set(n + "latency", timespan(answer.latencyMs));
        set(n + "time", timeOfDay(answer.timestamp));
      },

      setResult: function (result) {
        if (!writable() || mode === "review") return;
        var decided = result.passed === true || result.passed === false;
        finished = !!result.completed;
        // Moodle overwrites the status from masteryscore as soon as a raw score exists:
        // the score is written only once final, so both verdicts always agree
        if (decided && result.score != null) {
          set("cmi.core.score.min", "0");
          set("cmi.core.score.max", "100");
          set("cmi.core.score.raw", decimal(result.score, 0, 100));
        }
        var status = !result.completed ? "incomplete" : result.passed === true ? "passed" : result.passed === false ? "failed" : "completed";
        if (mode === "normal") set("cmi.core.lesson_status", status);
      },

      commit: function () {
        if (!writable() || !dirty) return;
        dirty = false;
        call("LMSCommit", [""]);
      },

      exit: function () {
        if (!writable()) return;
        ended = true; // first: a pagehide arriving during this call must not finish twice
        set("cmi.core.session_time", timespan(Date.now() - started));
        set("cmi.core.exit", finished ? "" : "suspend");
        // no LMSCommit: LMSFinish stores everything, and some LMSs fail a commit while unloading
        call("LMSFinish", [""]);
      }
    };

    // The player calls exit() and commit() itself; these listeners make the adapter safe on
    // its own too (both calls are idempotent). pagehide, not unload: Chrome drops unload work
    // and Moodle's frame forbids unload handlers.
    window.addEventListener("pagehide", function () { adapter.exit(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") adapter.commit();
    });
    return adapter;
  }

  if (window.CoursekitPlayer && window.CoursekitPlayer.registerAdapter) {
    window.CoursekitPlayer.registerAdapter("scorm12", createAdapter);
  }
  window.CoursekitScorm12 = { createAdapter: createAdapter, timespan: timespan, findAPI: findAPI };
})();
