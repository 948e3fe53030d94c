/* coursekit SCORM 2004 4th Edition adapter: the player's tracker interface (docs/tracker.md)
 * on the SCORM 2004 runtime API. Needs scorm-runtime.js (window.CoursekitScorm), loaded
 * first, for what 1.2 and 2004 share. Rules and formats: reference/scorm.md. */
(function () {
  "use strict";

  var K = window.CoursekitScorm; // scorm-runtime.js, loaded first
  var pad = K.pad, list = K.list;

  var VERSION = {
    api: "API_1484_11", initialize: "Initialize", finish: "Terminate", setValue: "SetValue",
    commit: "Commit", getLastError: "GetLastError", getErrorString: "GetErrorString",
    suspendData: "cmi.suspend_data", suspendLimit: 64000, // 3rd and 4th Edition SPM
    location: "cmi.location", locationLimit: 1000
  };

  /* Moodle's SCORM player (mod/scorm, 4.3) keeps one API_1484_11 per player page for all the
   * SCOs of its table of contents, and refuses Initialize for good (104) once one of them has
   * called Terminate; its Initialize first points the data model at the SCO the learner
   * picked, then answers 103 while a session is open. Multi-SCO packages share that session
   * there (scorm-runtime.js `sharedSession`, docs/scorm.md "Moodle"). Recognised by what
   * mod/scorm's module.js and datamodels/scorm_13.js define on the player page. */
  function moodlePlayer(win) {
    return !!(win && win.M && win.M.mod_scorm && win.M.scorm_api);
  }

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
    var version = VERSION;
    if (!single) {
      // one SCO of many: in Moodle's player the SCOs share one session
      version = {};
      for (var k in VERSION) version[k] = VERSION[k];
      version.sharedSession = moodlePlayer;
    }
    var lms = K.session(version, "scorm2004");
    var set = lms.set, writable = lms.writable;
    var mode = "normal", finished = false;
    var interactionCount = 0, interactionIndex = {};
    var adapter;

    function get(key) {
      var value = lms.call("GetValue", [key]);
      return lms.call("GetLastError") !== "0" ? "" : value;
    }

    adapter = {
      errors: lms.errors,

      start: function () {
        var none = { state: null, bookmark: null, mode: "normal", recording: false, learnerName: null };
        if (!lms.open()) return none;
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
        lms.commit(); // when something was written: the attempt is recorded as started
        return { state: state || null, bookmark: bookmark || null, mode: mode, recording: true, learnerName: name || null };
      },

      saveState: lms.saveState,

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

      commit: lms.commit,

      exit: function () {
        lms.finish(function () {
          set("cmi.session_time", timespan(lms.elapsed()));
          set("cmi.exit", finished ? "normal" : "suspend");
          // one SCO: tell the LMS the whole course ends here, so it takes its frame back.
          // Between SCOs of a multi-SCO course only the LMS navigates.
          if (single) set("adl.nav.request", finished ? "exitAll" : "suspendAll");
        });
      }
    };

    K.leaveSafely(adapter);
    return adapter;
  }

  K.register("scorm2004", createAdapter);
  window.CoursekitScorm2004 = { createAdapter: createAdapter, timespan: timespan, timestamp: timestamp, findAPI: K.findAPI };
})();
