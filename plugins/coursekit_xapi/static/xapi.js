/* coursekit tracker adapter "xapi": the Tin Can launch convention (RusticiSoftware/launch).
 *
 * launch.html?endpoint=<LRS>/&auth=<Authorization>&actor=<Agent JSON>&registration=<uuid>
 *            &activity_id=<root activity>
 *
 * Statements (xAPI 1.0.3): initialized; experienced per lesson; answered per question with
 * the full cmi.interaction definition; progressed; completed; passed/failed with score;
 * suspended (unfinished) or terminated (finished) with the session's duration.
 */
(function (global) {
  "use strict";
  var X = global.CoursekitXapi;
  var STATE_ID = X.STATE_ID;

  /* What is wrong with the launch query (anyone can write an address bar): each problem as
   * a sentence; the launch is refused (untracked) when there is one. No parameters at all is
   * no problem: the package was opened outside an LMS. */
  function launchProblems(launch) {
    var problems = [], given = function (k) { return launch[k] != null && launch[k] !== ""; };
    if (!given("endpoint") && !given("auth") && !given("actor")) return problems;
    if (!X.httpUrl(launch.endpoint)) problems.push("endpoint is not an http(s) URL");
    if (!X.agent(launch.actor)) problems.push("actor is not an xAPI Agent with exactly one identifier");
    if (given("auth") && !/^[\x20-\x7e]{1,4096}$/.test(launch.auth)) problems.push("auth is not a printable header value");
    if (given("registration") && !X.isUuid(launch.registration)) problems.push("registration is not a UUID");
    if (given("activity_id") && !X.isIri(launch.activity_id)) problems.push("activity_id is not an absolute IRI");
    return problems;
  }

  global.CoursekitPlayer.registerAdapter("xapi", function createAdapter(config) {
    var acts = X.activities();
    var launch = X.readLaunch(["auth"]); // the credential goes: memory only from here on
    var problems = launchProblems(launch);
    var endpoint = X.httpUrl(launch.endpoint), actor = X.agent(launch.actor);
    // without auth (the learner reloaded: we removed it from the address bar) statements are
    // still queued, and leave with the next launch that brings credentials
    var recording = !problems.length && !!(endpoint && actor);
    if (problems.length && global.console) console.warn("coursekit: launch refused (" + problems.join("; ") + "); progress is not recorded");
    var registration = recording && launch.registration ? launch.registration : null;
    var courseId = (recording && launch.activity_id) || (acts.course && acts.course.id) || config.course;
    var lrs = new X.Lrs(recording ? endpoint : null, recording ? launch.auth : null,
      [launch.endpoint, registration, courseId].join("|"));
    var store = new X.StateStore(recording ? lrs : null,
      { activityId: courseId, agent: actor || { objectType: "Agent", account: { homePage: "urn:coursekit", name: "local" } }, registration: registration });
    delete launch.auth;

    var started = 0, ended = false, doc = null, last = { completed: false, judged: null };
    var progressStep = X.progressSteps();
    var courseObject = function () {
      var o = X.clone(acts.course) || { objectType: "Activity", id: courseId };
      o.id = courseId;
      return o;
    };

    function send(verb, object, result, parent, grouping) {
      if (!recording) return null;
      var context = { contextActivities: {}, language: acts.language, platform: "coursekit" };
      if (registration) context.registration = registration;
      if (parent && parent.length) context.contextActivities.parent = parent;
      var group = (grouping || []).slice();
      if (object.id !== courseId) group.unshift({ objectType: "Activity", id: courseId });
      if (group.length) context.contextActivities.grouping = group;
      if (!Object.keys(context.contextActivities).length) delete context.contextActivities;
      var statement = { id: X.uuid(), actor: actor, verb: X.verb(verb), object: object, context: context, timestamp: X.now() };
      if (result) statement.result = result;
      return lrs.enqueue(statement);
    }

    function sessionTime() { return X.duration(Date.now() - started); }

    function persist(exit) {
      return store.write(STATE_ID, doc, exit);
    }

    function progressed(progress) {
      var result = progressStep(progress);
      if (result) send("progressed", courseObject(), result);
    }

    var api = {
      start: function () {
        started = Date.now();
        return store.read(STATE_ID).then(function (saved) {
          doc = saved && typeof saved === "object" ? saved : {};
          last.judged = doc.judged || null;
          last.completed = !!doc.completed;
          send("initialized", courseObject());
          return X.startInfo(doc, "normal", recording, actor);
        });
      },

      saveState: function (state, bookmark) {
        doc.state = state;
        doc.bookmark = bookmark;
        persist();
      },

      lessonViewed: function (lesson, progress) {
        var parts = X.itemParts(lesson.id, courseId);
        if (parts) send("experienced", parts.object, null, parts.parent);
        progressed(progress);
      },

      questionAnswered: function (answer) {
        var parts = X.questionParts(answer);
        if (!parts) return;
        send("answered", parts.object, X.answerResult(answer), parts.parent, parts.grouping);
      },

      /* The player sends a result after what caused it (the answers, the lesson): the
       * verdict goes out as soon as it is known. */
      setResult: function (result) {
        if (ended || !result) return;
        progressed(result.progress);
        if (result.completed && !last.completed) {
          last.completed = true;
          doc.completed = true;
          send("completed", courseObject(), { completion: true, duration: sessionTime() });
          persist();
        }
        if (result.passed === true || result.passed === false) {
          // a new verdict (first one, a retake that changed it, or a new score) is news
          var judged = (result.passed ? "passed" : "failed") + ":" + result.score;
          if (judged !== last.judged) {
            last.judged = judged;
            doc.judged = judged;
            var r = { success: result.passed, duration: sessionTime() };
            if (typeof result.score === "number") r.score = X.verdictScore(result.score);
            send(result.passed ? "passed" : "failed", courseObject(), r);
            persist();
          }
        }
        doc.finished = !!result.completed && (result.passed !== null || !acts.scored);
      },

      commit: function () {
        persist();
        return lrs.flush();
      },

      exit: function () {
        if (ended) return;
        ended = true;
        send(doc && doc.finished ? "terminated" : "suspended", courseObject(), { duration: sessionTime() });
        // statements first: they get the keepalive budget, the state document what is left
        var flushed = lrs.flushOnExit();
        persist(true);
        return flushed;
      },

      // for tests and the curious: how many statements wait for the LRS
      pending: function () { return lrs.pending(); },
      drain: function (ms) { return lrs.drain(ms); }
    };

    return api;
  });
})(window);
