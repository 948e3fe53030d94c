/* coursekit SCORM 1.2 adapter: the player's tracker interface (docs/tracker.md) on the
 * SCORM 1.2 runtime API. Needs scorm-runtime.js (window.CoursekitScorm), loaded first, for
 * what 1.2 and 2004 share. Rules and formats: reference/scorm.md. */
(function () {
  "use strict";

  var K = window.CoursekitScorm; // scorm-runtime.js, loaded first
  var pad = K.pad, list = K.list;

  var VERSION = {
    api: "API", initialize: "LMSInitialize", finish: "LMSFinish", setValue: "LMSSetValue",
    commit: "LMSCommit", getLastError: "LMSGetLastError", getErrorString: "LMSGetErrorString",
    suspendData: "cmi.suspend_data", suspendLimit: 4096, // the 1.2 limit; Docebo and Moodle enforce it
    location: "cmi.core.lesson_location", locationLimit: 255
  };

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
    var lms = K.session(VERSION, "scorm12");
    var set = lms.set, writable = lms.writable;
    var nextInteraction = 0, mode = "normal";
    var finished = false;
    var adapter;

    function get(key) {
      var value = lms.call("LMSGetValue", [key]);
      return value === "false" && lms.call("LMSGetLastError") !== "0" ? "" : value;
    }

    adapter = {
      errors: lms.errors,

      start: function () {
        var none = { state: null, bookmark: null, mode: "normal", recording: false, learnerName: null };
        if (!lms.open()) return none;
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
        lms.commit(); // when something was written: the attempt is recorded as started
        return { state: state || null, bookmark: bookmark || null, mode: mode, recording: true, learnerName: name || null };
      },

      saveState: lms.saveState,

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

      commit: lms.commit,

      exit: function () {
        lms.finish(function () {
          set("cmi.core.session_time", timespan(lms.elapsed()));
          set("cmi.core.exit", finished ? "" : "suspend");
        });
      }
    };

    K.leaveSafely(adapter);
    return adapter;
  }

  K.register("scorm12", createAdapter);
  window.CoursekitScorm12 = { createAdapter: createAdapter, timespan: timespan, findAPI: K.findAPI };
})();
