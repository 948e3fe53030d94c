/* coursekit tracker adapter "cmi5": an AU following the cmi5 launch (AICC cmi5, Quartz).
 *
 * launch.html?endpoint=<LRS>&fetch=<token URL>&actor=<Agent>&registration=<uuid>&activityId=<IRI>
 *
 * start(): POST the fetch URL once (auth token, memory only), GET the LMS.LaunchData state
 * (never written), GET the cmi5LearnerPreferences agent profile, then "initialized".
 * The cmi5 rules held here: defined statements use the launch activityId as object, carry the
 * cmi5 category, and moveon only when they have success/completion; order initialized ...
 * terminated, no defined verb twice in a session, one of passed/failed per session, completed
 * and passed once per registration, no failed after passed, masteryScore decides and is
 * reported, durations, the contextTemplate (sessionid) everywhere, Browse/Review send only
 * initialized and terminated, then the AU goes to returnURL.
 */
(function (global) {
  "use strict";
  var X = global.CoursekitXapi;
  var CMI5 = "https://w3id.org/xapi/cmi5/";
  var CAT_CMI5 = CMI5 + "context/categories/cmi5";
  var CAT_MOVEON = CMI5 + "context/categories/moveon";
  var EXT_MASTERY = CMI5 + "context/extensions/masteryscore";
  var STATE_ID = X.STATE_ID;

  function asArray(v) { return v == null ? [] : Array.isArray(v) ? v : [v]; }

  /* What is wrong with the launch query (cmi5 8.1; anyone can write an address bar): each
   * problem as a sentence. No parameters at all is no problem: opened outside an LMS. */
  function launchProblems(launch, fetchUrl) {
    var problems = [], given = function (k) { return launch[k] != null && launch[k] !== ""; };
    if (!given("endpoint") && !fetchUrl && !given("actor") && !given("activityId")) return problems;
    if (!X.httpUrl(launch.endpoint)) problems.push("endpoint is not an http(s) URL");
    if (!fetchUrl) problems.push("fetch is not an http(s) URL");
    if (!X.agent(launch.actor)) problems.push("actor is not an xAPI Agent with exactly one identifier");
    if (!X.isUuid(launch.registration)) problems.push("registration is not a UUID");
    if (!X.isIri(launch.activityId)) problems.push("activityId is not an absolute IRI");
    return problems;
  }

  /* LMS.LaunchData as the AU may use it, or an Error saying what is wrong (cmi5 10.2). */
  function checkLaunchData(data) {
    if (!data || typeof data !== "object" || Array.isArray(data)) return new Error("cmi5: LMS.LaunchData is not a JSON object");
    if (data.contextTemplate != null && (typeof data.contextTemplate !== "object" || Array.isArray(data.contextTemplate))) {
      return new Error("cmi5: LMS.LaunchData contextTemplate is not an object");
    }
    if (data.launchMode != null && ["Normal", "Browse", "Review"].indexOf(data.launchMode) < 0) {
      return new Error("cmi5: LMS.LaunchData launchMode " + JSON.stringify(String(data.launchMode)).slice(0, 40) + " is none of Normal, Browse, Review");
    }
    return null;
  }

  global.CoursekitPlayer.registerAdapter("cmi5", function createAdapter(config) {
    var acts = X.activities();
    var launch = X.readLaunch(["fetch"]); // one-time token URL: memory only
    var fetchUrl = X.httpUrl(launch.fetch);
    delete launch.fetch;
    var problems = launchProblems(launch, fetchUrl);
    var actor = problems.length ? null : X.agent(launch.actor);
    var activityId = launch.activityId, registration = launch.registration;
    var complete = !problems.length && !!fetchUrl;
    if (problems.length && global.console) console.warn("coursekit: cmi5 launch refused (" + problems.join("; ") + "); progress is not recorded");
    var endpoint = complete ? X.httpUrl(launch.endpoint) : null;
    var lrs = new X.Lrs(endpoint, null, [endpoint, registration, activityId].join("|"));
    var store = null;
    var launchData = null, preferences = null, template = {}, mastery = null;
    var recording = false, normal = false, started = 0, ended = false;
    var doc = {}, sent = {}, finished = false;
    var progressStep = X.progressSteps();

    function courseGrouping() {
      return acts.course && acts.course.id !== activityId ? [{ objectType: "Activity", id: acts.course.id }] : [];
    }

    /* Every statement: the launch actor, registration and the whole contextTemplate. */
    function statement(verb, object, result, extra) {
      extra = extra || {};
      var context = X.clone(template) || {};
      context.registration = registration;
      var ca = context.contextActivities || {};
      Object.keys(ca).forEach(function (k) { ca[k] = asArray(ca[k]); });
      var category = ca.category || [];
      if (extra.defined) category.push({ objectType: "Activity", id: CAT_CMI5 });
      if (extra.moveon) category.push({ objectType: "Activity", id: CAT_MOVEON });
      if (category.length) ca.category = category;
      if (extra.parent && extra.parent.length) ca.parent = (ca.parent || []).concat(extra.parent);
      if (extra.grouping && extra.grouping.length) ca.grouping = (ca.grouping || []).concat(extra.grouping);
      if (Object.keys(ca).length) context.contextActivities = ca;
      if (extra.mastery != null) {
        context.extensions = context.extensions || {};
        context.extensions[EXT_MASTERY] = extra.mastery;
      }
      var s = { id: X.uuid(), actor: actor, verb: X.verb(verb), object: object, context: context, timestamp: X.now() };
      if (result) s.result = result;
      return s;
    }

    function au() { return { objectType: "Activity", id: activityId }; }

    /* A cmi5-defined statement, at most once per session and only between the two ends. */
    function defined(verb, result, mastery) {
      if (!recording || ended || sent[verb] || (verb !== "initialized" && !sent.initialized)) return false;
      var flags = result && ("success" in result || "completion" in result);
      sent[verb] = true;
      lrs.enqueue(statement(verb, au(), result, { defined: true, moveon: flags, mastery: mastery }));
      return true;
    }

    /* A cmi5-allowed statement: Normal mode only, inside the session. */
    function allowed(verb, object, result, parent, grouping) {
      if (!recording || !normal || ended || !sent.initialized) return;
      lrs.enqueue(statement(verb, object, result, { parent: parent, grouping: grouping }));
    }

    /* POST the fetch URL; again only when no answer came (network error, timeout, 5xx): an
     * answer, even an error-code one, is final (the LMS hands the token out once). */
    function fetchToken(url) {
      var deadline = Date.now() + 20000, delay = 0;
      function attempt() {
        var init = { method: "POST", cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
        return X.timedFetch(url, init, X.TIMEOUT).then(function (res) {
          return res.status >= 500 && more() ? again() : res;
        }, function (error) {
          if (!more()) throw error;
          return again();
        });
      }
      function more() { return Date.now() + X.nextDelay(delay) < deadline; }
      function again() { delay = X.nextDelay(delay); return X.sleep(delay).then(attempt); }
      return attempt();
    }

    function elapsed() { return X.duration(Date.now() - started); }
    function persist(exit) { if (store && (normal || !recording)) store.write(STATE_ID, doc, exit); }

    function localStart() {
      store = new X.StateStore(null, { activityId: activityId || config.course, agent: actor || {}, registration: registration });
      return store.read(STATE_ID).then(function (saved) { doc = saved || {}; return result(); });
    }

    function result() {
      return X.startInfo(doc, normal || !launchData ? "normal" : String(launchData.launchMode || "Normal").toLowerCase(), recording, actor);
    }

    function progressed(progress) {
      // no progress once completed in this registration (cmi5 9.5.5.1)
      if (doc.cmi5 && doc.cmi5.completed) return;
      var res = progressStep(progress);
      if (res) allowed("progressed", au(), res);
    }

    var api = {
      start: function () {
        started = Date.now();
        if (!complete) return localStart();
        var where = { activityId: activityId, agent: actor, registration: registration };
        var agentParam = JSON.stringify(actor);
        // 1. the fetch URL, POSTed once: its answer is the only credential we ever get
        var url = fetchUrl;
        fetchUrl = null;
        return fetchToken(url).then(function (res) {
          var body = res.body;
          if (res.status !== 200 || !body || !body["auth-token"]) throw new Error("cmi5 fetch failed (error-code " + (body && body["error-code"]) + ")");
          lrs.auth = "Basic " + body["auth-token"];
        }).then(function () {
          // 2. LMS.LaunchData: read, never written
          return lrs.requestPatiently("GET", "activities/state", { stateId: "LMS.LaunchData", activityId: activityId, agent: agentParam, registration: registration });
        }).then(function (res) {
          if (res.status !== 200) throw new Error("cmi5: no LMS.LaunchData (HTTP " + res.status + ")");
          var bad = checkLaunchData(res.body);
          if (bad) throw bad;
          launchData = res.body;
          template = launchData.contextTemplate || {};
          var m = launchData.masteryScore;
          mastery = typeof m === "number" && m >= 0 && m <= 1 ? m : null;
          if (m != null && mastery === null && global.console) console.warn("coursekit: cmi5 masteryScore " + String(m).slice(0, 20) + " is not a number from 0 to 1; ignored");
          normal = String(launchData.launchMode || "Normal") === "Normal";
          // 3. learner preferences, before the first statement (404: the learner has none)
          return lrs.requestPatiently("GET", "agents/profile", { agent: agentParam, profileId: "cmi5LearnerPreferences" })
            .then(null, function () { return { status: 0, body: null }; }); // no preferences: the player's defaults
        }).then(function (res) {
          preferences = res.status === 200 && res.body && typeof res.body === "object" ? res.body : null;
          store = new X.StateStore(lrs, where);
          return store.read(STATE_ID);
        }).then(function (saved) {
          doc = saved && typeof saved === "object" ? saved : {};
          doc.cmi5 = doc.cmi5 || {};
          recording = true;
          // 4. the session starts
          defined("initialized");
          return result();
        })["catch"](function (error) {
          if (global.console) console.warn("coursekit: " + error.message + "; progress is not recorded");
          recording = false;
          return localStart().then(function (r) { r.mode = "normal"; return r; });
        });
      },

      saveState: function (state, bookmark) {
        doc.state = state;
        doc.bookmark = bookmark;
        persist();
      },

      lessonViewed: function (lesson, progress) {
        var parts = X.itemParts(lesson.id, activityId);
        if (parts) allowed("experienced", parts.object, null, parts.parent, courseGrouping());
        progressed(progress);
      },

      questionAnswered: function (answer) {
        var parts = X.questionParts(answer);
        if (parts) allowed("answered", parts.object, X.answerResult(answer), parts.parent, parts.grouping.concat([au()], courseGrouping()));
      },

      /* The player sends a result after what caused it (the answers, the lesson): the
       * verdict goes out as soon as it is known, after the answered statements. */
      setResult: function (r) {
        if (!r || !recording || !normal || ended) return;
        var c = doc.cmi5;
        if (r.completed && !c.completed) {
          progressed(r.progress);
          if (defined("completed", { completion: true, duration: elapsed() })) { c.completed = true; persist(); }
        } else if (!r.completed) {
          progressed(r.progress);
        }
        if ((r.passed === true || r.passed === false) && typeof r.score === "number" && !c.passed && !sent.passed && !sent.failed) {
          var score = X.verdictScore(r.score);
          // the LMS's masteryScore decides (cmi5 9.5.1); the player's verdict otherwise
          var pass = mastery != null ? score.scaled >= mastery : r.passed;
          var res = { success: pass, duration: elapsed(), score: score };
          // a resumed session reports the old verdict again: that is not news for the LMS
          var verdict = (pass ? "passed" : "failed") + ":" + score.scaled;
          if (c.verdict !== verdict && defined(pass ? "passed" : "failed", res, mastery)) {
            if (pass) c.passed = true;
            c.verdict = verdict;
            persist();
          }
        }
        finished = !!r.completed;
      },

      commit: function () {
        persist();
        return lrs.flush();
      },

      exit: function () {
        if (ended || !started) return;
        if (!recording) { ended = true; return; }
        defined("terminated", { duration: elapsed() });
        ended = true; // terminated is the last statement of the session
        // statements first: they get the keepalive budget, the state document what is left
        var flushed = lrs.flushOnExit();
        persist(true);
        // returnURL is only ever navigated to, and only when it is an http(s) URL: a
        // javascript: or data: one (anyone can write LaunchData's source) would run as script
        var given = launchData && launchData.returnURL, back = X.httpUrl(given);
        if (given && !back && global.console) console.warn("coursekit: cmi5 returnURL is not an http(s) URL; the AU stays here");
        if (back) {
          // a timer never fires once the page is unloading: this only runs for an explicit exit
          return Promise.race([lrs.drain(5000), new Promise(function (r) { setTimeout(r, 5000); })]).then(function () {
            global.location.assign(back);
          });
        }
        return flushed;
      },

      // for tests and the curious
      pending: function () { return lrs.pending(); },
      drain: function (ms) { return lrs.drain(ms); },
      launchMode: function () { return launchData ? launchData.launchMode : null; },
      preferences: function () { return preferences; },
      finished: function () { return finished; }
    };

    return api;
  });
})(window);
