/* coursekit SCORM runtime: what the SCORM 1.2 and 2004 adapters (scorm12.js, scorm2004.js)
 * share. Finding the LMS's API, a session with it (guarded calls, a last-value cache, an
 * error log, commit, suspend_data and bookmark, finishing once), string helpers and the
 * pagehide / visibilitychange wiring. Each adapter names its version's API functions, data
 * model elements and limits, and keeps its own formats and status logic. No dependencies.
 * Loaded before the adapter; exposes window.CoursekitScorm. */
(function () {
  "use strict";

  var MAX_HOPS = 500; // frames to climb looking for the API (ADL 2004 sample, pipwerks)

  /* The LMS puts its API object (`API` in 1.2, `API_1484_11` in 2004) on a window above us:
   * walk parents, then the opener's. Every access is guarded, because reading a cross-origin
   * frame's property throws. */
  function findAPIWindow(name) {
    function climb(win) {
      for (var hops = 0; win && hops < MAX_HOPS; hops++) {
        try { if (win[name]) return { api: win[name], win: win }; } catch (e) { /* cross-origin: keep climbing */ }
        var parent = null;
        try { parent = win.parent; } catch (e) { parent = null; }
        if (!parent || parent === win) return null;
        win = parent;
      }
      return null;
    }
    var found = climb(window);
    if (!found) {
      try { if (window.top && window.top.opener) found = climb(window.top.opener); } catch (e) { found = null; }
    }
    return found;
  }

  function findAPI(name) {
    var found = findAPIWindow(name);
    return found ? found.api : null;
  }

  function pad(n, width) { n = String(n); while (n.length < width) n = "0" + n; return n; }

  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : (c >= 0xd800 && c < 0xdc00) ? (i++, 4) : 3;
    }
    return n;
  }

  function list(x) { return Array.isArray(x) ? x : x == null || x === "" ? [] : [x]; }

  /* One session with the LMS. `version` names the API object and its functions (api,
   * initialize, finish, setValue, commit, getLastError, getErrorString), the state elements
   * (suspendData, location) and their limits (suspendLimit, locationLimit); `label` prefixes
   * console warnings. `version.sharedSession(win)`, when given, says whether the LMS window
   * `win` that holds the API keeps one API instance, hence one session, for every SCO it
   * launches (Moodle's 2004 player, docs/scorm.md "Moodle"): then a SCO that leaves while the
   * LMS page stays commits instead of terminating, the next SCO carries the session on, and the
   * session terminates when the LMS page itself goes. Every method works without `this`: the
   * player may call them bare. */
  function session(version, label) {
    var api = null, live = false, ended = false, dirty = false, started = 0;
    var host = null, shared = false, hostLeaving = false, terminateWithHost = false;
    var last = {}; // value last written per element: a repeated value is not sent again
    var lms;

    function call(fn, args) {
      try { return String(api[fn].apply(api, args || [])); } catch (e) { return "false"; }
    }
    function writable() { return live && !ended; }
    function set(key, value) {
      value = String(value);
      if (last[key] === value) return true;
      if (call(version.setValue, [key, value]) !== "true") {
        var code = call(version.getLastError);
        lms.errors.push({ element: key, value: value, code: code });
        if (window.console) console.warn("coursekit " + label + ": " + version.setValue + "(" + key + ") failed, error " + code + " " + call(version.getErrorString, [code]));
        return false;
      }
      last[key] = value;
      dirty = true;
      return true;
    }

    lms = {
      errors: [],
      call: call,
      set: set,
      writable: writable,

      /* Find the API and initialize: false when there is no LMS (nothing is recorded). */
      open: function () {
        var found = findAPIWindow(version.api);
        if (!found) return false;
        api = found.api;
        host = found.win;
        try { shared = !!(version.sharedSession && version.sharedSession(host)); } catch (e) { shared = false; }
        var opened = call(version.initialize, [""]) === "true";
        // a shared session left open by the SCO before: the LMS has pointed it at this SCO
        // and answers 103 (already initialized)
        if (!opened && shared && call(version.getLastError) === "103") opened = true;
        if (!opened) return false;
        if (shared) lms.watchHost();
        live = true;
        started = Date.now();
        return true;
      },

      /* Shared session: learn when the LMS page leaves (its pagehide comes before ours), and
       * stop listening when this SCO's page goes first (the LMS is launching another SCO). */
      watchHost: function () {
        function hostGone() {
          hostLeaving = true;
          if (terminateWithHost) {
            terminateWithHost = false;
            call(version.finish, [""]);
          }
        }
        try { host.addEventListener("pagehide", hostGone); } catch (e) { return; }
        window.addEventListener("pagehide", function () {
          if (hostLeaving) return;
          try { host.removeEventListener("pagehide", hostGone); } catch (e) { /* gone already */ }
        });
      },

      /* Milliseconds since open(): the session time. */
      elapsed: function () { return Date.now() - started; },

      commit: function () {
        if (!writable() || !dirty) return;
        dirty = false;
        call(version.commit, [""]);
      },

      saveState: function (state, bookmark) {
        if (!writable()) return;
        if (state != null) {
          state = String(state);
          // an overflowing value is truncated by the LMS and breaks resume: keep the last good one
          if (utf8Length(state) <= version.suspendLimit) set(version.suspendData, state);
          else lms.errors.push({ element: version.suspendData, value: state.length + " characters", code: "limit " + version.suspendLimit });
        }
        if (bookmark && String(bookmark).length <= version.locationLimit) set(version.location, bookmark);
      },

      /* End the session once: `write` sets the last values, then finish. In a shared
       * session, while the LMS page stays, commit instead: terminating would leave the next
       * SCO without a session; the LMS page's own pagehide terminates it, if this SCO is
       * still the one shown. */
      finish: function (write) {
        if (!writable()) return;
        ended = true; // first: a pagehide arriving during this call must not finish twice
        write();
        if (shared && !hostLeaving) {
          call(version.commit, [""]);
          terminateWithHost = true;
          return;
        }
        // no commit: finishing stores everything, and some LMSs fail a commit while unloading
        call(version.finish, [""]);
      }
    };
    return lms;
  }

  /* The player calls exit() and commit() itself; these listeners make an adapter safe on its
   * own too (both calls are idempotent). pagehide, not unload: Chrome drops unload work and
   * LMS frames (Moodle's) forbid unload handlers. */
  function leaveSafely(adapter) {
    window.addEventListener("pagehide", function () { adapter.exit(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") adapter.commit();
    });
  }

  function register(name, createAdapter) {
    if (window.CoursekitPlayer && window.CoursekitPlayer.registerAdapter) {
      window.CoursekitPlayer.registerAdapter(name, createAdapter);
    }
  }

  window.CoursekitScorm = {
    findAPI: findAPI, findAPIWindow: findAPIWindow, session: session, leaveSafely: leaveSafely, register: register,
    pad: pad, utf8Length: utf8Length, list: list
  };
})();
