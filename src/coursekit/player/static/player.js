/* coursekit player runtime. One host per launch owns the learner's state and talks to a
 * tracker adapter (docs/tracker.md); every page finds that host in window.parent or becomes
 * one with the built-in browser-storage adapter. No dependency, no network: it must run from
 * file://, inside any LMS frame, and stay a few kilobytes. */
(function (root) {
  "use strict";
  var data = root.CoursekitData || { course: null, strings: {} };
  var course = data.course;
  var S = data.strings || {};
  var adapters = Object.create(null); // by name: a name never reaches Object.prototype
  var noop = function () {};
  var P = (root.CoursekitPlayer = {
    course: course,
    strings: S,
    host: null,
    registerAdapter: function (name, factory) {
      adapters[name] = factory;
    }
  });
  if (!course) return;

  var items = course.items, questions = course.questions;

  // --- maps that trust no key: a lesson may be called "constructor", a stored state may say
  // "__proto__"; neither may reach Object.prototype or read from it --------------------------

  function dict() {
    return Object.create(null);
  }

  function has(o, k) {
    return o != null && Object.prototype.hasOwnProperty.call(o, k);
  }

  function own(o, k) {
    return has(o, k) ? o[k] : undefined;
  }

  var itemById = dict();
  items.forEach(function (i) { itemById[i.id] = i; });
  var lessons = items.filter(function (i) { return i.kind === "lesson"; });
  var quizzes = items.filter(function (i) { return i.kind === "quiz"; });

  // --- checking answers ---------------------------------------------------------------------

  function norm(text) {
    return String(text).trim().replace(/\s+/g, " ");
  }

  /** "3,5", "3.5", "1 234,5", "1,234.5", "1.234,5" -> number; NaN when it is not a number.
   *  With both separators, the first one groups thousands and the last one is the decimal. */
  function parseNumber(text) {
    var t = String(text).replace(/[\s\u00a0\u202f]/g, "");
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) t = t.split(t.indexOf(",") < t.indexOf(".") ? "," : ".").join("");
    t = t.replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? parseFloat(t) : NaN;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function isCorrect(q, r) {
    var c = q.correctResponses;
    switch (q.type) {
      case "single":
      case "multiple":
        return same(r.slice().sort(), c[0].slice().sort());
      case "true-false":
        return r === c[0];
      case "fill-in":
        return c.some(function (a) {
          return q.caseSensitive ? norm(a) === r : norm(a).toLowerCase() === r.toLowerCase();
        });
      case "numeric":
        // a small relative margin so that 0.1 + 0.2 still equals 0.3
        var eps = function (x) { return 1e-9 * Math.max(1, Math.abs(x)); };
        return (c[0].min == null || r >= c[0].min - eps(c[0].min)) && (c[0].max == null || r <= c[0].max + eps(c[0].max));
      default: // matching, ordering: the same pairs / the same order
        return same(r, c[0]);
    }
  }

  // --- the state string: compact ASCII, so SCORM 1.2's 4,096 characters hold 300 answers -----
  // "1|fingerprint|seed|viewed lessons (6 bits a char)|quiz submission minutes|answers"
  // Answers refer to questions by key and to choices, pairs and items by index.

  var B64 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

  function width(n) {
    return n < 36 ? 1 : 2;
  }

  function pad(n, w) {
    var s = n.toString(36);
    while (s.length < w) s = "0" + s;
    return s;
  }

  function ids(list) {
    return list.map(function (x) { return x.id; });
  }

  function encodeResponse(q, r) {
    switch (q.type) {
      case "single":
        return ids(q.choices).indexOf(r[0]).toString(36);
      case "multiple":
        return ids(q.choices).reduce(function (m, id, i) { return r.indexOf(id) >= 0 ? m + Math.pow(2, i) : m; }, 0).toString(36);
      case "true-false":
        return r ? "1" : "0";
      case "fill-in":
        return encodeURIComponent(r);
      case "numeric":
        return String(r);
      case "matching":
        var targets = q.pairs.map(function (p) { return p.target.id; });
        return r.map(function (pair) { return pad(targets.indexOf(pair[1]), width(targets.length)); }).join("");
      default:
        var order = ids(q.items);
        return r.map(function (id) { return pad(order.indexOf(id), width(order.length)); }).join("");
    }
  }

  var BASE36 = /^[0-9a-z]+$/;

  /** A base-36 whole number of at most ``digits`` digits; NaN for anything else (parseInt
   *  alone reads "1!" as 1 and "-" as NaN). */
  function int36(text, digits) {
    return typeof text === "string" && text.length <= digits && BASE36.test(text) ? parseInt(text, 36) : NaN;
  }

  function decodeIndexes(text, list) {
    var w = width(list.length), out = [];
    if (text.length !== w * list.length) throw new Error("length");
    for (var i = 0; i < text.length; i += w) {
      var n = int36(text.substr(i, w), w);
      if (!(n < list.length)) throw new Error("index");
      out.push(list[n]);
    }
    return out;
  }

  /** The response ``text`` encodes for ``q``; throws on anything the encoder cannot have written. */
  function decodeResponse(q, text) {
    switch (q.type) {
      case "single":
        var n = int36(text, 2);
        if (!(n < q.choices.length)) throw new Error("choice");
        return [q.choices[n].id];
      case "multiple":
        var mask = int36(text, 11);
        if (!(mask > 0 && mask < Math.pow(2, q.choices.length))) throw new Error("choices");
        return ids(q.choices).filter(function (id, i) { return Math.floor(mask / Math.pow(2, i)) % 2; });
      case "true-false":
        if (text !== "0" && text !== "1") throw new Error("boolean");
        return text === "1";
      case "fill-in":
        var t = norm(decodeURIComponent(text));
        if (!t) throw new Error("empty");
        return t;
      case "numeric":
        // exactly what String(number) writes, and finite
        if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(text) || !isFinite(parseFloat(text))) throw new Error("number");
        return parseFloat(text);
      case "matching":
        var targets = decodeIndexes(text, q.pairs.map(function (p) { return p.target.id; }));
        return q.pairs.map(function (p, i) { return [p.source.id, targets[i]]; });
      default:
        var order = decodeIndexes(text, ids(q.items));
        if (order.slice().sort().join() !== ids(q.items).sort().join()) throw new Error("order");
        return order;
    }
  }

  /** ``r`` as the state keeps it (a plain copy, normalised), or undefined when it is not a
   *  response the question can have: whatever a page hands in is checked as a stored one is. */
  function cleanResponse(q, r) {
    try {
      return decodeResponse(q, encodeResponse(q, JSON.parse(JSON.stringify(r))));
    } catch (e) {
      return undefined;
    }
  }

  function answerOf(st, key) {
    return own(st.answers, key);
  }

  /** A quiz's submission minute, or null when it was not submitted. */
  function doneAt(st, id) {
    var m = own(st.done, id);
    return typeof m === "number" && isFinite(m) ? m : null;
  }

  function encodeState(st) {
    var bits = "";
    for (var i = 0; i < lessons.length; i += 6) {
      var v = 0;
      for (var j = 0; j < 6; j++) if (lessons[i + j] && own(st.viewed, lessons[i + j].id) === true) v |= 1 << j;
      bits += B64[v];
    }
    var done = quizzes.map(function (q) { var m = doneAt(st, q.id); return m == null ? "" : m.toString(36); }).join(".");
    var answers = questions.map(function (q) { return answerOf(st, q.key) == null ? "" : encodeResponse(q, answerOf(st, q.key)); });
    return ["1", course.fingerprint, st.seed.toString(36), bits, done, answers.join(",").replace(/,+$/, "")].join("|");
  }

  var SEEDS = 2176782336; // 36^6: a seed is at most six base-36 digits
  var STATE_MAX = 1048576; // characters; a state holding 300 answers is about 1,600
  var DAY = 1440; // minutes

  function freshState() {
    return { seed: Math.floor(Math.random() * SEEDS), viewed: dict(), done: dict(), answers: dict() };
  }

  /** The state a string describes; a string from another version of the course gives a fresh one.
   *  Whatever the string holds (any store can hand back anything: truncated, edited, from a
   *  bug), this never throws: each unreadable piece is dropped and the rest kept
   *  (docs/tracker.md "Reading a saved state"). */
  function decodeState(text) {
    var st = freshState();
    if (typeof text !== "string" || text.length > STATE_MAX) return st;
    var f = text.split("|");
    if (f[0] !== "1" || f[1] !== course.fingerprint) return st;
    while (f.length < 6) f.push(""); // truncated: what is left is read
    var seed = int36(f[2], 6);
    if (seed >= 0) st.seed = seed;
    lessons.forEach(function (l, i) {
      var v = B64.indexOf(f[3].charAt(Math.floor(i / 6)));
      if (v >= 0 && (v >> i % 6) & 1) st.viewed[l.id] = true;
    });
    // a submission minute is a whole number of minutes since 1970; one later than a day ahead
    // of this device's clock cannot be right, the submission is kept at the present minute
    var latest = Math.floor(Date.now() / 60000);
    f[4].split(".").slice(0, quizzes.length).forEach(function (m, i) {
      var minute = int36(m, 9);
      if (minute >= 0) st.done[quizzes[i].id] = minute > latest + DAY ? latest : minute;
    });
    f[5].split(",").slice(0, questions.length).forEach(function (text, key) {
      if (!text) return;
      try {
        st.answers[key] = decodeResponse(questions[key], text);
      } catch (e) {
        // one unreadable answer is dropped, the rest of the learner's work is kept
      }
    });
    // a quiz is submitted only with every question answered: a submission that lost an answer
    // would be scored as if the learner had skipped it, so it is reopened with what survived
    quizzes.forEach(function (quiz) {
      if (has(st.done, quiz.id) && quiz.questions.some(function (key) { return !has(st.answers, key); })) delete st.done[quiz.id];
    });
    return st;
  }

  // --- scores and statuses, exactly as docs/tracker.md "Statuses" -----------------------------

  function round2(x) {
    return Math.round(x * 100) / 100;
  }

  function quizScore(st, quiz) {
    var earned = 0;
    quiz.questions.forEach(function (key) {
      var q = questions[key];
      if (answerOf(st, key) != null && isCorrect(q, answerOf(st, key))) earned += q.points;
    });
    return { earned: earned, total: quiz.points, score: quiz.points ? round2((earned / quiz.points) * 100) : 0 };
  }

  function inScope(scope, id) {
    return !scope || scope.indexOf(id) >= 0;
  }

  function computeResult(st, scope) {
    var scoped = items.filter(function (i) { return inScope(scope, i.id); });
    var finished = scoped.filter(function (i) { return i.kind === "lesson" ? own(st.viewed, i.id) === true : doneAt(st, i.id) != null; });
    var scored = scoped.filter(function (i) { return i.scored; });
    var score = null, passed = null;
    if (scored.length) {
      var weights = 0, sum = 0, all = true;
      scored.forEach(function (quiz) {
        weights += quiz.weight;
        if (doneAt(st, quiz.id) != null) sum += quiz.weight * quizScore(st, quiz).score;
        else all = false;
      });
      score = round2(sum / weights);
      var threshold = scope && scored.length === 1 ? scored[0].passingScore : course.passingScore;
      if (all) passed = score >= threshold;
    }
    return {
      completed: finished.length === scoped.length,
      passed: passed,
      score: score,
      progress: scoped.length ? round2(finished.length / scoped.length) : 1
    };
  }

  // --- the host: one per launch ---------------------------------------------------------------

  /** The course's item ``id`` of ``kind``; throws for any other id (a page of another course). */
  function item(id, kind) {
    var i = own(itemById, id);
    if (!i || i.kind !== kind) throw new Error("no " + kind + " " + id + " in this course");
    return i;
  }

  /** The question whose key is ``key`` (a number or its decimal string), else null. */
  function question(key) {
    return /^(0|[1-9]\d{0,6})$/.test(String(key)) && questions[+key] ? questions[+key] : null;
  }

  function warn(e) {
    if (root.console) root.console.warn("coursekit tracker:", e);
  }

  var PAGES = ["index.html", "results.html"].concat(items.map(function (i) { return i.href; })); // what a bookmark can be

  function Host(config) {
    var self = this;
    self.config = config;
    self.scope = config.scope || null;
    self.state = freshState();
    self.bookmark = null;
    self.exited = false;
    self.last = null;
    // pagehide ends the session: listened to before the adapter exists, so this runs before an
    // adapter's own pagehide safety net and the page's unsaved input (exit() asks the page for
    // it) still reaches the adapter
    if (root.addEventListener) root.addEventListener("pagehide", function () { self.exit(); });
    var factory = typeof config.adapter === "string" ? adapters[config.adapter] : undefined;
    if (!factory) warn("no adapter named " + config.adapter + "; progress is not recorded");
    try {
      self.adapter = factory ? factory(config, course) : {};
    } catch (e) {
      warn(e);
      self.adapter = {};
    }
    self.ready = Promise.resolve()
      .then(function () { return self.adapter.start ? self.adapter.start() : { recording: false }; })
      .catch(function (e) { warn(e); return { recording: false }; })
      .then(function (info) {
        // an adapter hands on what its store gave it: only its own fields of the right type count
        var state = own(info, "state"), bookmark = own(info, "bookmark"), mode = own(info, "mode"), name = own(info, "learnerName");
        try {
          self.state = decodeState(state);
        } catch (e) {
          warn(e); // decodeState is written never to throw; if it did, the learner still gets a player
        }
        self.bookmark = PAGES.indexOf(bookmark) >= 0 ? bookmark : null;
        self.mode = mode === "review" || mode === "browse" ? mode : "normal";
        self.recording = own(info, "recording") !== false;
        self.learnerName = typeof name === "string" && name ? name.slice(0, 200) : null;
        self.changed();
        return self;
      });
  }

  Host.prototype = {
    /** The host window's visibility. Added after the page set up its listeners, so a page's
     *  last unsaved input is flushed before the session is committed. */
    listen: function () {
      var self = this;
      root.document.addEventListener("visibilitychange", function () {
        if (root.document.visibilityState === "hidden") self.call("commit");
      });
    },
    /** Call an adapter method; an adapter's failure must never break the learner's page. */
    call: function (name) {
      var args = [].slice.call(arguments, 1), adapter = this.adapter;
      if (this.exited || typeof adapter[name] !== "function") return;
      try {
        var r = adapter[name].apply(adapter, args);
        if (r && typeof r.catch === "function") r.catch(warn);
      } catch (e) {
        warn(e);
      }
    },
    /** Values from a page live in the page's realm; adapters get plain copies of their own. */
    copy: function (x) {
      return JSON.parse(JSON.stringify(x));
    },
    result: function () {
      return computeResult(this.state, this.scope);
    },
    quizScore: function (quizId) {
      return quizScore(this.state, item(quizId, "quiz"));
    },
    inScope: function (id) {
      return inScope(this.scope, id);
    },
    changed: function () {
      if (this.mode === "review") return;
      this.call("saveState", encodeState(this.state), this.bookmark);
      var result = this.result();
      if (!same(result, this.last)) {
        this.last = result;
        this.call("setResult", this.copy(result));
      }
    },
    visit: function (href) {
      this.bookmark = href;
      this.changed();
    },
    /** What the learner did reaches the adapter before the result it changes (docs/tracker.md). */
    lessonViewed: function (id) {
      var lesson = item(id, "lesson");
      this.state.viewed[lesson.id] = true;
      this.call("lessonViewed", { id: lesson.id, title: lesson.title }, this.result().progress);
      this.changed();
      this.call("commit");
    },
    /** Record responses (``{key: response or null}``), then save once. Keys that are not a
     *  question's and responses the question cannot have are ignored. */
    setAnswers: function (responses) {
      var answers = this.state.answers;
      Object.keys(responses || {}).forEach(function (key) {
        var q = question(key), r = responses[key];
        if (!q) return;
        if (r == null) delete answers[q.key];
        else if ((r = cleanResponse(q, r)) !== undefined) answers[q.key] = r;
      });
      this.changed();
    },
    setAnswer: function (key, response) {
      var one = {};
      one[key] = response;
      this.setAnswers(one);
    },
    answered: function (answer) {
      this.call("questionAnswered", this.copy(answer));
    },
    submitQuiz: function (quizId, answers) {
      var self = this, quiz = item(quizId, "quiz"), got = dict();
      answers.forEach(function (a) { got[a.key] = a.response; });
      // all or nothing: a submission is every question of the quiz with a valid response
      var clean = quiz.questions.map(function (key) { return cleanResponse(questions[key], got[key]); });
      if (clean.indexOf(undefined) >= 0) throw new Error("submission of " + quiz.id + " without a valid response to every question");
      quiz.questions.forEach(function (key, i) { self.state.answers[key] = clean[i]; });
      self.state.done[quiz.id] = Math.floor(Date.now() / 60000);
      answers.forEach(function (a) { self.answered(a.answer); });
      self.changed();
      self.call("commit");
    },
    retake: function (quizId) {
      var self = this, quiz = item(quizId, "quiz");
      delete self.state.done[quiz.id];
      quiz.questions.forEach(function (key) { delete self.state.answers[key]; });
      self.changed();
    },
    exit: function () {
      if (this.exited) return;
      // the shell unloads before the page in its frame: what the page has not saved yet (a
      // text field still focused) is asked for first
      if (this.pageFlush) {
        try {
          this.pageFlush();
        } catch (e) {
          warn(e);
        }
      }
      this.changed();
      this.call("commit");
      this.call("exit");
      this.exited = true;
    }
  };

  // --- the built-in adapter: the browser's localStorage (the html format) -----------------------

  P.registerAdapter("storage", function (config, course) {
    var key = "coursekit:" + course.id + ":", ls = null;
    try {
      ls = root.localStorage;
      ls.setItem(key + "probe", "1");
      ls.removeItem(key + "probe");
    } catch (e) {
      ls = null; // storage disabled (privacy settings): the player says progress is not recorded
    }
    return {
      start: function () {
        return { state: ls && ls.getItem(key + "state"), bookmark: ls && ls.getItem(key + "bookmark"), mode: "normal", recording: !!ls, learnerName: null };
      },
      saveState: function (state, bookmark) {
        if (!ls) return;
        ls.setItem(key + "state", state);
        if (bookmark) ls.setItem(key + "bookmark", bookmark);
      },
      lessonViewed: noop,
      questionAnswered: noop,
      setResult: noop,
      commit: noop,
      exit: noop
    };
  });

  // --- pages -------------------------------------------------------------------------------------

  var doc = root.document;
  var lang = course.language || "en";
  try {
    new Intl.NumberFormat(lang);
  } catch (e) {
    lang = "en"; // a tag the browser's Intl cannot read must not stop the player
  }

  function $(sel, el) {
    return (el || doc).querySelector(sel);
  }

  function $$(sel, el) {
    return [].slice.call((el || doc).querySelectorAll(sel));
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function percent(x) {
    return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(x / 100);
  }

  function num(x) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(x);
  }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** Small deterministic RNG (mulberry32): the same learner sees the same shuffled order. */
  function rng(seed) {
    return function () {
      seed = (seed + 0x6d2b79f5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffled(list, random) {
    var a = list.slice();
    for (var i = a.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1)), t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** One question widget: reads and writes its native controls, shows feedback. */
  function Widget(box, host, shuffle) {
    var w = this;
    w.box = box;
    w.q = questions[+box.getAttribute("data-key")];
    w.host = host;
    w.shown = Date.now();
    w.changedAt = w.shown;
    var random = rng((host.state.seed ^ Math.imul(w.q.key + 1, 2654435761)) >>> 0);
    var type = w.q.type;
    if (shuffle && (type === "single" || type === "multiple")) {
      var list = $(".ck-choices", box);
      shuffled($$("li", list), random).forEach(function (li) { list.appendChild(li); });
    }
    if (shuffle && type === "matching") {
      var rows = $(".ck-pairs", box);
      shuffled($$("li", rows), random).forEach(function (li) { rows.appendChild(li); });
      var targets = shuffled(ids(w.q.pairs.map(function (p) { return p.target; })), random);
      $$("select", box).forEach(function (s) {
        targets.forEach(function (id) { s.appendChild($('option[value="' + id + '"]', s)); });
      });
    }
    if (type === "ordering") {
      w.selects = $$("select", box);
      if (shuffle) {
        var order = shuffled(ids(w.q.items), random);
        if (same(order, ids(w.q.items))) order.push(order.shift()); // never start solved
        w.write(order);
      }
      w.current = w.read();
    }
    // "change" (a pick, or leaving a text field) saves; "input" only clears stale feedback, so a
    // tracked format does not send its state on every keystroke
    box.addEventListener("change", function (e) {
      if (type === "ordering") w.swap(e.target);
      w.changedAt = Date.now();
      if (w.onchange) w.onchange(true);
    });
    box.addEventListener("input", function () {
      w.changedAt = Date.now();
      if (w.onchange) w.onchange(false);
    });
  }

  Widget.prototype = {
    controls: function () {
      return $$("input,select", this.box);
    },
    /** The normalised response, null when unanswered, NaN for a numeric field that is not a number. */
    read: function () {
      var q = this.q, box = this.box;
      switch (q.type) {
        case "single":
        case "multiple":
          var picked = $$("input:checked", box).map(function (i) { return i.value; });
          return picked.length ? ids(q.choices).filter(function (id) { return picked.indexOf(id) >= 0; }) : null;
        case "true-false":
          var c = $("input:checked", box);
          return c ? c.value === "true" : null;
        case "fill-in":
          var t = norm($("input", box).value);
          return t ? t : null;
        case "numeric":
          var v = $("input", box).value;
          return v.trim() ? parseNumber(v) : null;
        case "matching":
          var pairs = q.pairs.map(function (p) { return [p.source.id, $("#ck-q" + q.key + "-" + p.source.id).value]; });
          return pairs.every(function (p) { return p[1]; }) ? pairs : null;
        default:
          return this.selects.map(function (s) { return s.value; });
      }
    },
    write: function (r) {
      var q = this.q, box = this.box;
      switch (q.type) {
        case "single":
        case "multiple":
          $$("input", box).forEach(function (i) { i.checked = r.indexOf(i.value) >= 0; });
          break;
        case "true-false":
          $$("input", box).forEach(function (i) { i.checked = i.value === String(r); });
          break;
        case "fill-in":
          $("input", box).value = r;
          break;
        case "numeric":
          // the learner's decimal separator, no grouping: what parseNumber reads back
          $("input", box).value = new Intl.NumberFormat(lang, { useGrouping: false, maximumFractionDigits: 20 }).format(r);
          break;
        case "matching":
          r.forEach(function (p) { $("#ck-q" + q.key + "-" + p[0]).value = p[1]; });
          break;
        default:
          this.selects.forEach(function (s, i) { s.value = r[i]; });
          this.current = r.slice();
      }
    },
    /** Ordering: picking an item for a position moves the item that was there to the freed one,
     *  so the selects always hold each item exactly once. */
    swap: function (select) {
      var i = this.selects.indexOf(select), moved = select.value, old = this.current[i];
      var j = this.current.indexOf(moved);
      if (j >= 0 && j !== i) this.selects[j].value = old;
      this.current = this.read();
    },
    reset: function () {
      this.controls().forEach(function (c) {
        if (c.type === "radio" || c.type === "checkbox") c.checked = false;
        else if (c.tagName === "INPUT") c.value = "";
        else if (c.closest(".ck-pairs")) c.value = "";
      });
      this.clear();
    },
    disable: function (off) {
      this.controls().forEach(function (c) { c.disabled = off; });
    },
    clear: function () {
      var box = this.box;
      $$(".ck-cfb,.ck-fb,.ck-explain", box).forEach(function (e) { e.hidden = true; });
      $$(".ck-mark", box).forEach(function (e) { e.textContent = ""; e.className = "ck-mark"; });
      var v = $(".ck-verdict", box);
      v.textContent = "";
      v.className = "ck-verdict";
    },
    /** Verdict, the feedback of every picked choice, right/wrong marks, the explanation. */
    feedback: function (r) {
      var q = this.q, box = this.box, ok = isCorrect(q, r);
      this.clear();
      function mark(li, right) {
        var m = $(".ck-mark", li);
        m.textContent = right ? "✓ " + S.chosen_correct : "✗ " + S.chosen_wrong;
        m.className = "ck-mark " + (right ? "ck-ok" : "ck-ko");
      }
      if (q.choices || q.type === "true-false") {
        $$(".ck-choices li", box).forEach(function (li) {
          var id = li.getAttribute("data-id");
          var picked = q.choices ? r.indexOf(id) >= 0 : String(r) === id;
          if (!picked) return;
          mark(li, q.choices ? q.correctResponses[0].indexOf(id) >= 0 : String(q.correctResponses[0]) === id);
          var fb = $(".ck-cfb", li);
          if (fb) fb.hidden = false;
        });
      } else if (q.type === "matching") {
        var right = dict();
        q.pairs.forEach(function (p) { right[p.source.id] = p.target.id; });
        r.forEach(function (p) { mark($('li[data-id="' + p[0] + '"]', box), right[p[0]] === p[1]); });
      } else if (q.type === "ordering") {
        var lis = $$(".ck-order li", box);
        r.forEach(function (id, i) { mark(lis[i], q.correctResponses[0][i] === id); });
      }
      var v = $(".ck-verdict", box);
      v.textContent = ok ? S.correct : S.incorrect;
      v.className = "ck-verdict " + (ok ? "ck-ok" : "ck-ko");
      [ok ? ".ck-fb-ok" : ".ck-fb-ko", ".ck-explain"].forEach(function (sel) {
        var e = $(sel, box);
        if (e) e.hidden = false;
      });
      return ok;
    },
    /** The tracker's answer object (docs/tracker.md). */
    answer: function (r) {
      var q = this.q, now = Date.now();
      return {
        quizId: q.quizId,
        lessonId: q.lessonId,
        questionId: q.id,
        type: q.type,
        interactionType: q.interactionType,
        graded: q.graded,
        response: r,
        correct: isCorrect(q, r),
        points: isCorrect(q, r) ? q.points : 0,
        maxPoints: q.points,
        latencyMs: Math.max(0, this.changedAt - this.shown),
        timestamp: new Date(now).toISOString()
      };
    },
    /** Nothing entered, or nothing the host would keep (a number too big to be finite...). */
    invalid: function (r) {
      return r == null || cleanResponse(this.q, r) === undefined;
    },
    say: function (text) {
      var v = $(".ck-verdict", this.box);
      v.textContent = text;
      v.className = "ck-verdict ck-ko";
    }
  };

  function inlineQuestions(host) {
    $$(".ck-q").forEach(function (box) {
      var w = new Widget(box, host, false);
      var button = $(".ck-check", box);
      var saved = host.state.answers[w.q.key];
      if (saved != null) {
        w.write(saved);
        w.feedback(saved);
      }
      // a knowledge check stays open to another try, as in the session it was answered in;
      // review mode shows it read-only
      if (host.mode === "review") return w.disable(true);
      button.hidden = false;
      button.addEventListener("click", function () {
        var r = w.read();
        if (w.invalid(r)) return w.say(r == null ? S.answer_first : S.not_number);
        w.feedback(r);
        host.setAnswer(w.q.key, r);
        host.answered(w.answer(r));
      });
    });
  }

  function quizPage(host, quiz) {
    var form = $(".ck-quiz"), submit = $(".ck-submit"), retake = $(".ck-retake"), out = $(".ck-quiz-result");
    var widgets = $$(".ck-q", form).map(function (box) { return new Widget(box, host, quiz.shuffle); });
    var locked = host.mode === "review";

    function showResult(focus) {
      var s = host.quizScore(quiz.id);
      out.textContent = "";
      out.appendChild(el("p", "ck-score", fill(S.quiz_score, { score: percent(s.score), earned: num(s.earned), total: num(s.total) })));
      if (quiz.scored) {
        var pass = s.score >= quiz.passingScore;
        out.appendChild(el("p", "ck-status " + (pass ? "ck-ok" : "ck-ko"), (pass ? S.passed : S.failed) + " · " + fill(S.passing_score, { score: percent(quiz.passingScore) })));
      }
      widgets.forEach(function (w) {
        var r = host.state.answers[w.q.key];
        w.disable(true);
        if (r != null) w.feedback(r);
      });
      submit.hidden = true;
      retake.hidden = locked;
      if (focus) out.focus();
    }

    function open() {
      widgets.forEach(function (w) {
        w.disable(locked);
        var r = host.state.answers[w.q.key];
        if (r != null) w.write(r);
      });
      out.textContent = "";
      submit.hidden = locked;
      retake.hidden = true;
    }

    // a text field saves when left; leaving the page (or hiding it) must not lose what was typed
    function flush() {
      if (locked || host.state.done[quiz.id] != null) return;
      var drafts = {};
      widgets.forEach(function (w) {
        var r = w.read();
        drafts[w.q.key] = w.invalid(r) ? null : r;
      });
      host.setAnswers(drafts);
    }
    root.addEventListener("pagehide", flush);
    host.pageFlush = flush;
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "hidden") flush();
    });
    widgets.forEach(function (w) {
      w.onchange = function (save) {
        w.clear();
        if (!save) return;
        var r = w.read();
        host.setAnswer(w.q.key, w.invalid(r) ? null : r);
      };
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (host.state.done[quiz.id] != null || locked) return;
      var missing = widgets.filter(function (w) {
        var r = w.read();
        if (typeof r === "number" && w.invalid(r)) w.say(S.not_number);
        return w.invalid(r);
      });
      if (missing.length) {
        out.textContent = fill(S.unanswered, { n: missing.length });
        missing[0].controls()[0].focus();
        return;
      }
      host.submitQuiz(quiz.id, widgets.map(function (w) {
        var r = w.read();
        return { key: w.q.key, response: r, answer: w.answer(r) };
      }));
      showResult(true);
    });
    retake.addEventListener("click", function () {
      host.retake(quiz.id);
      widgets.forEach(function (w) { w.reset(); });
      open();
      widgets[0] && widgets[0].controls()[0].focus();
    });
    if (host.state.done[quiz.id] != null) {
      // a quiz submitted earlier (another session, another page): the learner's own responses,
      // read-only, under their feedback
      widgets.forEach(function (w) {
        var r = host.state.answers[w.q.key];
        if (r != null) w.write(r);
      });
      showResult(false);
    } else open();
  }

  function statusText(r) {
    if (r.passed === true) return S.passed;
    if (r.passed === false) return S.failed;
    return r.completed ? S.completed : r.progress > 0 ? S.in_progress : S.not_started;
  }

  function resultsPage(host) {
    var r = host.result();
    $(".ck-r-status").textContent = statusText(r);
    var score = $(".ck-r-score");
    if (score) score.textContent = r.score == null ? "–" : percent(r.score);
    $(".ck-r-progress").textContent = percent(r.progress * 100);
    var dates = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
    $$(".ck-results tr[data-item]").forEach(function (tr) {
      var quiz = itemById[tr.getAttribute("data-item")], done = doneAt(host.state, quiz.id);
      if (done == null) return;
      var s = host.quizScore(quiz.id);
      tr.querySelector(".ck-r-qscore").textContent = percent(s.score);
      var verdict = quiz.scored ? (s.score >= quiz.passingScore ? S.passed : S.failed) + " · " : "";
      var when = new Date(done * 60000); // decodeState keeps it a real date; formatting must not fail anyway
      tr.querySelector(".ck-r-qstatus").textContent = verdict + (isFinite(when.getTime()) ? fill(S.submitted_on, { date: dates.format(when) }) : S.submitted);
    });
  }

  function homePage(host) {
    $$(".ck-st").forEach(function (span) {
      var id = span.getAttribute("data-item"), it = itemById[id];
      if (it.kind === "lesson") span.textContent = host.state.viewed[id] ? "· " + S.viewed : "";
      else span.textContent = host.state.done[id] != null ? "· " + S.submitted + " · " + percent(host.quizScore(id).score) : "";
    });
    var start = $(".ck-start"), b = host.bookmark;
    if (start && b && b !== "index.html" && /^[\w.-]+\.html$/.test(b)) {
      start.href = b;
      start.textContent = S.resume;
    }
  }

  function chrome(host, own) {
    var progress = $(".ck-progress");
    if (progress) {
      var p = host.result().progress * 100;
      $("progress", progress).value = p;
      $(".ck-progress-v", progress).textContent = percent(p);
      progress.hidden = false;
    }
    if (!host.recording) {
      var banner = el("p", "ck-banner", S.not_recorded);
      banner.setAttribute("role", "note");
      doc.body.insertBefore(banner, $("main"));
    }
    if (!own) {
      // tracked formats: the LMS session ends explicitly too, not only when the window closes
      var li = el("li"), button = el("button", "ck-exit", S.exit);
      button.type = "button";
      button.addEventListener("click", function () {
        host.exit();
        var done = el("p", "ck-banner", S.exited);
        done.setAttribute("role", "status");
        doc.body.insertBefore(done, $("main"));
        li.hidden = true;
      });
      li.appendChild(button);
      $(".ck-nav ul").appendChild(li);
      // a launch that covers part of the course must not lead the learner outside it
      $$(".ck-pager a").forEach(function (a) {
        var target = items.filter(function (i) { return i.href === a.getAttribute("href"); })[0];
        if (host.scope && (!target || !host.inScope(target.id))) a.hidden = true;
      });
    }
  }

  function page(host, own) {
    var body = doc.body, kind = body.className.match(/ck-(home|lesson|quiz|results)\b/);
    kind = kind && kind[1];
    var id = body.getAttribute("data-item"), href = body.getAttribute("data-page");
    host.pageFlush = null; // a page before this one has nothing left to save
    if (kind === "lesson" || kind === "quiz") host.visit(href);
    if (kind === "lesson") {
      host.lessonViewed(id);
      inlineQuestions(host);
    }
    if (kind === "quiz") quizPage(host, itemById[id]);
    if (kind === "results") resultsPage(host);
    if (kind === "home") homePage(host);
    chrome(host, own);
  }

  function shell(host) {
    var frame = doc.getElementById("ck-frame"), start = host.config.start || "index.html", b = host.bookmark;
    var target = items.filter(function (i) { return i.href === b; })[0];
    // resume at the bookmark when it is a page of this launch's scope
    frame.src = target && host.inScope(target.id) ? b : start;
  }

  function boot() {
    var parentHost = null;
    try {
      if (root.parent !== root && root.parent.CoursekitPlayer && root.parent.CoursekitPlayer.host) parentHost = root.parent.CoursekitPlayer.host;
    } catch (e) {
      // another origin (or file:// in Chromium): this page is its own host
    }
    var own = !parentHost;
    var host = parentHost;
    if (own) {
      var cfg = doc.getElementById("ck-config");
      P.host = host = new Host(cfg ? JSON.parse(cfg.textContent) : { course: course.id, adapter: "storage", start: "index.html", scope: null, options: {} });
    }
    host.ready.then(function () {
      if (doc.getElementById("ck-frame")) shell(host);
      else page(host, own);
      if (own) host.listen();
    });
  }

  // for the unit tests (node) and for adapters that want to reuse the rules
  P.encodeState = encodeState;
  P.decodeState = decodeState;
  P.isCorrect = isCorrect;
  P.computeResult = computeResult;
  P.parseNumber = parseNumber;

  if (doc) {
    // deferred adapter scripts run after this one but before DOMContentLoaded: boot only then
    var booted = false, once = function () {
      if (!booted) {
        booted = true;
        boot();
      }
    };
    if (doc.readyState === "complete") once();
    else {
      doc.addEventListener("DOMContentLoaded", once);
      root.addEventListener("load", once);
    }
  }
})(typeof window !== "undefined" ? window : globalThis);
