/* coursekit SCORM 2004 4th Edition adapter: the player's tracker interface (docs/tracker.md)
 * on the SCORM 2004 runtime API. No dependencies. Rules and formats: reference/scorm.md. */
(function () {
  "use strict";

  var SUSPEND_LIMIT = 64000; // 3rd and 4th Edition SPM
  var LOCATION_LIMIT = 1000;
  var MAX_HOPS = 500; // frames to climb looking for the API (ADL 2004 sample, pipwerks)

  /* The LMS puts `API_1484_11` on a window above us: walk parents, then the opener's.
   * Every access is guarded, because reading a cross-origin frame's property throws. */
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

  /* timeinterval (second, 10,2): PT1H2M3.45S; integer hours and minutes, at most two
   * decimals on seconds, and PT0S for nothing (Moodle's regex rejects P0S and 3 decimals). */
  function timespan(ms) {
    var cs = Math.max(0, Math.round((+ms || 0) / 10));
    var h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = Math.floor(cs / 100) % 60, c = cs % 100;
    var out = "PT" + (h ? h + "H" : "") + (m ? m + "M" : "");
    if (s || c || (!h && !m)) out += s + (c ? "." + pad(c, 2).replace(/0$/, "") : "") + "S";
    return out;
  }

  /* time (second, 10,0): YYYY-MM-DDThh:mm:ss.ssZ. toISOString's three decimals fail Moodle's
   * regex, which also wants the decimals before a time zone. */
  function timestamp(stamp) {
    var d = new Date(stamp == null ? Date.now() : stamp);
    if (isNaN(d.getTime())) d = new Date();
    return d.toISOString().slice(0, 22) + "Z";
  }

  /* real(10,7) as Moodle checks it: a leading digit, no exponent. */
  function decimal(x, lo, hi, places) {
    x = Math.min(hi, Math.max(lo, +x || 0));
    var text = x.toFixed(places == null ? 2 : places).replace(/\.?0+$/, "");
    return text === "-0" || text === "" ? "0" : text;
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

  /* The learner's response in the 2004 syntax of its interaction type. */
  function response(answer) {
    var r = answer.response;
    switch (answer.type) {
      case "true-false": return r === true || r === "true" || r === "t" ? "true" : "false";
      // a leading "{" would read as a {lang=} delimiter; "[,]" would split the response
      case "fill-in": return String(r == null ? "" : r).replace(/^\{+/, "").split("[,]").join(",").slice(0, 250);
      case "numeric": return decimal(r, -1e9, 1e9, 6);
      case "matching": return list(r).map(function (p) { return p[0] + "[.]" + p[1]; }).join("[,]");
      default: return list(r).join("[,]"); // single, multiple, ordering
    }
  }

  function createAdapter(config) {
    var options = (config && config.options) || {};
    var questions = options.questions || {};
    var prefix = options.interactionPrefix || "";
    var single = options.sco !== "multi";
    var api = null, live = false, ended = false, dirty = false;
    var started = 0, mode = "normal", finished = false;
    var interactionCount = 0, interactionIndex = {};
    var last = {}; // value last written per element: a repeated value is not sent again
    var adapter;

    function call(fn, args) {
      try { return String(api[fn].apply(api, args || [])); } catch (e) { return "false"; }
    }
    function get(key) {
      var value = call("GetValue", [key]);
      return call("GetLastError") !== "0" ? "" : value;
    }
    function set(key, value) {
      value = String(value);
      if (last[key] === value) return true;
      if (call("SetValue", [key, value]) !== "true") {
        var code = call("GetLastError");
        adapter.errors.push({ element: key, value: value, code: code });
        if (window.console) console.warn("coursekit scorm2004: SetValue(" + key + ") failed, error " + code + " " + call("GetErrorString", [code]));
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
        api = findAPI("API_1484_11");
        var none = { state: null, bookmark: null, mode: "normal", recording: false, learnerName: null };
        if (!api || call("Initialize", [""]) !== "true") return none;
        live = true;
        started = Date.now();
        mode = get("cmi.mode") || "normal";
        var completion = get("cmi.completion_status");
        if (mode === "normal" && (completion === "" || completion === "not attempted" || completion === "unknown")) {
          set("cmi.completion_status", "incomplete");
        }
        // suspend until we know better: a window killed without pagehide still resumes
        set("cmi.exit", "suspend");
        // 2004 interactions are readable: a question answered again updates its record
        var count = parseInt(get("cmi.interactions._count"), 10) || 0;
        for (var i = 0; i < count; i++) interactionIndex[get("cmi.interactions." + i + ".id")] = i;
        interactionCount = count;
        // on a first launch these are "not initialized" (error 403): read them on resume only
        var resume = get("cmi.entry") === "resume";
        var state = resume ? get("cmi.suspend_data") : "";
        var bookmark = resume ? get("cmi.location") : "";
        var name = get("cmi.learner_name");
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
        if (bookmark && String(bookmark).length <= LOCATION_LIMIT) set("cmi.location", bookmark);
      },

      lessonViewed: function (lesson, progress) {
        if (!writable() || mode !== "normal" || progress == null) return;
        set("cmi.progress_measure", decimal(finished ? 1 : progress, 0, 1, 4));
      },

      questionAnswered: function (answer) {
        if (!writable() || mode === "review") return;
        var key = (answer.quizId || answer.lessonId || "") + "." + answer.questionId;
        var info = questions[key] || {};
        var id = (prefix + key).replace(/\s/g, "_");
        // older Moodle releases want the identifier to end with a letter or digit
        if (!/[A-Za-z0-9]$/.test(id)) id += "0";
        var index = interactionIndex[id];
        if (index == null) { index = interactionCount++; interactionIndex[id] = index; }
        var n = "cmi.interactions." + index + ".";
        // id, then type, first: the other elements depend on them (error 408 otherwise)
        set(n + "id", id);
        set(n + "type", answer.interactionType);
        (info.p || []).forEach(function (pattern, i) { set(n + "correct_responses." + i + ".pattern", pattern); });
        var given = response(answer);
        if (given !== "") set(n + "learner_response", given);
        set(n + "result", answer.correct ? "correct" : "incorrect");
        set(n + "weighting", answer.graded === false ? "0" : decimal(answer.maxPoints == null ? 1 : answer.maxPoints, -1e6, 1e6));
        set(n + "latency", timespan(answer.latencyMs));
        set(n + "timestamp", timestamp(answer.timestamp));
        if (info.d) set(n + "description", info.d);
      },

      setResult: function (result) {
        if (!writable() || mode !== "normal") return;
        finished = !!result.completed;
        var decided = result.passed === true || result.passed === false;
        // the LMS derives success from score.scaled and the manifest's pass mark: the score
        // is written once final, so both verdicts always agree
        if (decided && result.score != null) {
          set("cmi.score.min", "0");
          set("cmi.score.max", "100");
          set("cmi.score.raw", decimal(result.score, 0, 100));
          set("cmi.score.scaled", decimal(result.score / 100, 0, 1, 4));
        }
        if (result.progress != null || finished) set("cmi.progress_measure", decimal(finished ? 1 : result.progress, 0, 1, 4));
        set("cmi.completion_status", finished ? "completed" : "incomplete");
        if (decided) set("cmi.success_status", result.passed ? "passed" : "failed");
      },

      commit: function () {
        if (!writable() || !dirty) return;
        dirty = false;
        call("Commit", [""]);
      },

      exit: function () {
        if (!writable()) return;
        ended = true; // first: a pagehide arriving during this call must not terminate twice
        set("cmi.session_time", timespan(Date.now() - started));
        set("cmi.exit", finished ? "normal" : "suspend");
        // one SCO: tell the LMS the whole course ends here, so it takes its frame back.
        // Between SCOs of a multi-SCO course only the LMS navigates.
        if (single) set("adl.nav.request", finished ? "exitAll" : "suspendAll");
        call("Terminate", [""]); // Terminate commits: no separate Commit while unloading
      }
    };

    // The player calls exit() and commit() itself; these listeners make the adapter safe on
    // its own too (both calls are idempotent). pagehide, not unload: Chrome drops unload work
    // and LMS frames may forbid unload handlers.
    window.addEventListener("pagehide", function () { adapter.exit(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") adapter.commit();
    });
    return adapter;
  }

  if (window.CoursekitPlayer && window.CoursekitPlayer.registerAdapter) {
    window.CoursekitPlayer.registerAdapter("scorm2004", createAdapter);
  }
  window.CoursekitScorm2004 = { createAdapter: createAdapter, timespan: timespan, timestamp: timestamp, findAPI: findAPI };
})();
