/* rte_adapter.js — the ONE adapter that makes scorm-again 3.4.3 answer as the SCORM RTE books say.
 *
 * API (for the player page; load after scorm-again's bundle):
 *
 *   var api = new window.Scorm2004API(settings);              // or Scorm12API
 *   window.lmsRteAdapter.wrap(api, "2004", { state: cfg.state });   // version "1.2" or "2004"
 *   // wrap() loads `state` (instead of api.loadFromFlattenedJSON) and patches the API methods of
 *   // this instance in place; it returns the same api. Call it before Initialize.
 *   window.lmsRteAdapter.info(api)  // -> { phase: "before"|"running"|"after", sessionTimeSet: bool }
 *
 * `sessionTimeSet` tells whether the SCO itself set cmi.session_time / cmi.core.session_time (scorm-again
 * otherwise sends its default PT0H0M0S / 00:00:00; the server then uses Initialize→Terminate).
 *
 * No fork and no copy of scorm-again: every call goes to scorm-again, except where the book's answer
 * differs; each difference below is shown by the rule table (scorm/cmi/ruletable, run in Chromium by
 * tests/e2e/test_rte_rule_table.py) and listed in docs/conformance.md:
 *  D1 SetValue/GetValue("cmi") changes/returns the data model object → 401 (2004 RTE 3.1.7.6; 1.2 401).
 *  D2 flattened state loads array entries in text order ("10" < "2"): only 10 comments_from_learner
 *     come back on resume → entries are loaded one by one in numeric order (2004 RTE 4.2.2).
 *  D3 GetValue of an array entry that does not exist answers 403 → 301 (2004 RTE 4.1.1 / 3.1.7.4).
 *  D4 values the book forbids are accepted (language tags, {lang=} in localized strings, timeinterval
 *     "P"/"PT"/weeks, impossible dates, years outside 1970-2038, nav requests, response patterns,
 *     1.2 exit "normal", CMITimespan minutes 60, 1.2 result "incorrect") → refused with 406 / 405
 *     (2004 RTE 4.1.1, 4.2.9.1, 4.4.1; 1.2 RTE 3.4.3).
 *  D5 values the book allows are refused ("" location and language, delivery_speed 0, time zones in
 *     timestamps, fill-in with both flags and {lang=}, "other" patterns) → stored (2004 RTE 4.1.1, 4.2.9.1).
 *  D6 missing dependency accepted: objectives.n.* / interactions.n.* before their id → 408 (RTE 4.2.9, 4.2.17).
 *  D7 audio_captioning outside -1/0/1 answers 407 → 406 (a state, RTE 4.2.13).
 *  D8 initial values: adl.nav.request reads 405 instead of "_none_" (RTE 4.4.1); cmi.launch_data reads ""
 *     instead of 403 when the LMS gave none (RTE 4.2.10); 1.2 cmi.core.score.max reads "100" instead of ""
 *     and cmi.core.total_time is reformatted (1.2 RTE 3.4.4).
 *  D9 1.2 LMSGetValue("") answers 0 → 201; calls after LMSFinish answer 0 → 101 (1.2 RTE 3.3.4).
 */
(function () {
  "use strict";

  var LANG = /^(?:[A-Za-z]{2,3}|[iIxX])(?:-[A-Za-z0-9]{1,8})*$/;
  var REAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
  var SHORT_ID = /^[^\s\[\]{}]+$/;
  var TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,2})?(?:Z|[+-]\d{2}(?::\d{2})?)?)?)?)?)?)?$/;
  var INTERVAL = /^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
  var NAV = ["continue", "previous", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_"];
  var FLAG = /^\{(case_matters|order_matters)=(true|false)\}/;

  function isLanguage(t) { return t === "" || LANG.test(t); }
  function isLocalized(t) {
    if (t.indexOf("{lang=") !== 0) return true;
    var m = /^\{lang=([^{}]*)\}/.exec(t);
    return !!m && m[1] !== "" && LANG.test(m[1]);
  }
  function isTime(t) {
    var m = TIME.exec(t);
    if (!m) return false;
    var y = +m[1], mo = m[2] ? +m[2] : 1, d = m[3] ? +m[3] : 1;
    if (y < 1970 || y > 2038 || mo < 1 || mo > 12 || d < 1) return false;
    if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
    return !(m[4] && +m[4] > 23) && !(m[5] && +m[5] > 59) && !(m[6] && +m[6] > 59);
  }
  function isInterval(t) { return INTERVAL.test(t) && t !== "P" && t !== "PT" && t.slice(-1) !== "T"; }
  function ids(t, unique) {
    var items = t.split("[,]");
    if (!items.every(function (i) { return SHORT_ID.test(i); })) return false;
    return !unique || items.filter(function (v, i) { return items.indexOf(v) === i; }).length === items.length;
  }
  function records(t, step) {
    return t.split("[,]").every(function (r) { var p = r.split("[.]"); return p.length === 2 && step(p[0], p[1]); });
  }
  function numericRange(t) {
    if (t.indexOf("[:]") < 0) return REAL.test(t);
    var p = t.split("[:]");
    if (p.length !== 2 || !p.every(function (x) { return x === "" || REAL.test(x); })) return false;
    return p[0] === "" || p[1] === "" || parseFloat(p[0]) <= parseFloat(p[1]);
  }
  function stripFlags(t, allowed) {
    var seen = {}, m;
    while (t.indexOf("{case_matters=") === 0 || t.indexOf("{order_matters=") === 0) {
      m = FLAG.exec(t);
      if (!m || allowed.indexOf(m[1]) < 0 || seen[m[1]]) return null;
      seen[m[1]] = true;
      t = t.slice(m[0].length);
    }
    return t;
  }
  function flagged(allowed, check) { return function (t) { var r = stripFlags(t, allowed); return r !== null && check(r); }; }
  function performanceStep(name, answer) {
    if (name === "" && answer === "") return false;
    if (name && !SHORT_ID.test(name)) return false;
    return answer.indexOf("[:]") >= 0 ? numericRange(answer) : true;
  }
  function fillIn(t) { return t.split("[,]").every(isLocalized); }
  function matching(t) { return records(t, function (a, b) { return SHORT_ID.test(a) && SHORT_ID.test(b); }); }
  function anything() { return true; }
  // 2004 RTE 4.2.9.1 (patterns) and 4.2.9.2 (learner responses), per interaction type
  var PATTERN = {
    "true-false": function (t) { return t === "true" || t === "false"; },
    "choice": function (t) { return t === "" || ids(t, true); },
    "fill-in": flagged(["case_matters", "order_matters"], fillIn),
    "long-fill-in": flagged(["case_matters"], isLocalized),
    "likert": function (t) { return SHORT_ID.test(t); },
    "matching": matching,
    "performance": flagged(["order_matters"], function (t) { return records(t, performanceStep); }),
    "sequencing": function (t) { return ids(t, false); },
    "numeric": numericRange,
    "other": anything
  };
  var RESPONSE = {
    "true-false": PATTERN["true-false"], "choice": PATTERN.choice, "fill-in": fillIn, "long-fill-in": isLocalized,
    "likert": PATTERN.likert, "matching": matching,
    "performance": function (t) { return records(t, performanceStep); },
    "sequencing": PATTERN.sequencing, "numeric": function (t) { return REAL.test(t); }, "other": anything
  };
  // a value scorm-again accepts for each type: written first, then replaced by the real value (D5)
  var PLACEHOLDER = { "true-false": "true", "choice": "a", "fill-in": "a", "long-fill-in": "a", "likert": "a",
                      "matching": "a[.]b", "performance": "a[.]b", "sequencing": "a", "numeric": "1", "other": "a" };

  function key(name) { return name.replace(/\.\d+\./g, ".n."); }
  function oneOf(list) { return function (t) { return list.indexOf(t) >= 0; }; }
  function rangeCheck(low) { return function (t) { return !REAL.test(t) ? 406 : parseFloat(t) < low ? 407 : 0; }; }
  function ok(check, code) { return function (t) { return check(t) ? 0 : code; }; }

  // 2004: element key -> value check answering the book's code (only where scorm-again deviates)
  var CHECK_2004 = {
    "cmi.learner_preference.language": ok(isLanguage, 406),
    "cmi.learner_preference.audio_captioning": ok(oneOf(["-1", "0", "1"]), 406),
    "cmi.learner_preference.delivery_speed": rangeCheck(0),
    "cmi.session_time": ok(isInterval, 406),
    "cmi.interactions.n.latency": ok(isInterval, 406),
    "cmi.location": ok(anything, 406),
    "cmi.objectives.n.description": ok(isLocalized, 406),
    "cmi.interactions.n.description": ok(isLocalized, 406),
    "cmi.comments_from_learner.n.comment": ok(isLocalized, 406),
    "cmi.comments_from_learner.n.timestamp": ok(isTime, 406),
    "cmi.interactions.n.timestamp": ok(isTime, 406),
    "adl.nav.request": ok(function (t) { return NAV.indexOf(t) >= 0 || /^\{target=[^{}\s]+\}(choice|jump)$/.test(t); }, 406)
  };
  var CHECK_12 = {
    "cmi.core.exit": ok(oneOf(["time-out", "suspend", "logout", ""]), 405),
    "cmi.core.session_time": ok(function (t) { return /^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$/.test(t); }, 405),
    "cmi.interactions.n.result": ok(function (t) {
      return ["correct", "wrong", "unanticipated", "neutral"].indexOf(t) >= 0 || REAL.test(t);
    }, 405)
  };

  function Adapter(api, version, state) {
    this.api = api;
    this.is2004 = version !== "1.2";
    this.state = state || {};
    this.phase = "before";
    this.sessionTimeSet = false;
    this.navRequest = null;
    this.scoreMaxSet = false;
  }

  // walk api.cmi along a dotted name; arrays are followed through childArray
  Adapter.prototype.node = function (parts) {
    var cur = this.api.cmi;
    for (var i = 1; i < parts.length && cur; i++) {
      cur = /^\d+$/.test(parts[i]) ? (cur.childArray || [])[+parts[i]] : cur[parts[i]];
    }
    return cur;
  };
  // the object that keeps `field`: `obj` itself or one of its parts (cmi.location lives in cmi.content)
  function holder(obj, field) {
    if (!obj) return null;
    if (field in obj) return obj;
    for (var k in obj) {
      if (obj[k] && typeof obj[k] === "object" && !Array.isArray(obj[k]) && field in obj[k]) return obj[k];
    }
    return null;
  }

  Adapter.prototype.fail = function (code, value) { this.api.lastErrorCode = String(code); return value; };

  // the array entry a name points into does not exist (beyond _count)
  Adapter.prototype.missingEntry = function (name, inclusive) {
    var parts = name.split(".");
    for (var i = 1; i < parts.length; i++) {
      if (!/^\d+$/.test(parts[i])) continue;
      var arr = this.node(parts.slice(0, i));
      var count = arr && arr.childArray ? arr.childArray.length : 0;
      if (+parts[i] > count || (+parts[i] === count && !inclusive)) return true;
    }
    return false;
  };

  // 2004 RTE 4.2.9 / 4.2.17: interactions.n.* need id (responses also type); objectives.n.* need id (D6)
  Adapter.prototype.dependency = function (name) {
    var m = /^cmi\.(interactions|objectives)\.(\d+)\.(.+)$/.exec(name);
    if (!m || m[3] === "id" || this.missingEntry(name, true)) return 0;
    var entry = this.node(["cmi", m[1], m[2]]);
    if (!entry || !entry.id) return 408;
    if (m[1] === "interactions" && /^(learner_response|correct_responses\.)/.test(m[3]) && !entry.type) return 408;
    return 0;
  };

  Adapter.prototype.bookCode = function (name, value) {
    var k = key(name), text = String(value);
    if (this.is2004) {
      var dep = this.dependency(name);
      if (dep) return dep;
      var m = /^cmi\.interactions\.(\d+)\.(learner_response|correct_responses\.\d+\.pattern)$/.exec(name);
      if (m) {
        var entry = this.node(["cmi", "interactions", m[1]]);
        var table = m[2] === "learner_response" ? RESPONSE : PATTERN;
        return table[entry.type] && table[entry.type](text) ? 0 : 406;
      }
      return CHECK_2004[k] ? CHECK_2004[k](text) : null;
    }
    return CHECK_12[k] ? CHECK_12[k](text) : null;
  };

  // D5: scorm-again refused a value the book allows: write a value it takes, then the real one
  Adapter.prototype.storeAnyway = function (set, name, value) {
    var parts = name.split("."), leaf = parts[parts.length - 1];
    var m = /^cmi\.interactions\.(\d+)\./.exec(name), placeholder = "x";
    if (m && /pattern|learner_response/.test(leaf)) placeholder = PLACEHOLDER[this.node(["cmi", "interactions", m[1]]).type];
    else if (/timestamp/.test(leaf)) placeholder = "2000-01-01T00:00:00";
    else if (leaf === "language") placeholder = "en";
    else if (leaf === "delivery_speed") placeholder = "1";
    if (String(set(name, placeholder)) !== "true") return false;
    var owner = holder(this.node(parts.slice(0, -1)), "_" + leaf);
    if (!owner) return false;
    owner["_" + leaf] = String(value);
    return true;
  };

  Adapter.prototype.setValue = function (set, name, value) {
    if (this.phase === "after" && !this.is2004) return this.fail(101, "false");  // D9
    if (this.phase !== "running") return set(name, value);
    if (name === "cmi") return this.fail(401, "false");  // D1
    var code = typeof name === "string" ? this.bookCode(name, value) : null;
    if (code) return this.fail(code, "false");  // D4, D6, D7
    var result = set(name, value);
    if (String(result) !== "true" && code === 0 && /^40[67]$/.test(String(this.api.lastErrorCode))) {
      if (!this.storeAnyway(set, name, value)) return result;
      this.api.lastErrorCode = "0";
      result = "true";
    }
    if (String(result) === "true") this.remember(name, value);
    return result;
  };

  Adapter.prototype.remember = function (name, value) {
    if (name === "cmi.session_time" || name === "cmi.core.session_time") this.sessionTimeSet = true;
    if (name === "adl.nav.request") this.navRequest = String(value);
    if (name === "cmi.core.score.max") this.scoreMaxSet = true;
  };

  Adapter.prototype.getValue = function (get, name) {
    if (this.phase === "after" && !this.is2004) return this.fail(101, "");  // D9
    if (this.phase !== "running") return get(name);
    if (name === "cmi") return this.fail(this.is2004 ? 401 : 401, "");  // D1
    if (name === "" && !this.is2004) return this.fail(201, "");  // D9
    if (this.is2004 && name === "adl.nav.request") {  // D8
      this.api.lastErrorCode = "0";
      return this.navRequest !== null ? this.navRequest : (this.state[name] || "_none_");
    }
    if (this.is2004 && name === "cmi.launch_data" && !(name in this.state)) return this.fail(403, "");  // D8
    if (!this.is2004 && name === "cmi.core.score.max" && !this.scoreMaxSet && !(name in this.state)) {
      get(name);
      return "";  // D8
    }
    if (!this.is2004 && name === "cmi.core.total_time" && name in this.state) { get(name); return this.state[name]; }
    var value = get(name);
    if (this.is2004 && String(this.api.lastErrorCode) === "403" && typeof name === "string" &&
        this.missingEntry(name.replace(/\._(count|children)$/, ""), false)) {
      return this.fail(301, "");  // D3
    }
    return value;
  };

  // D2: one entry at a time, arrays in numeric order (scorm-again sorts flattened keys as text)
  Adapter.prototype.load = function () {
    var api = this.api, state = this.state;
    var names = Object.keys(state).sort(function (a, b) {
      var pa = a.split("."), pb = b.split(".");
      for (var i = 0; i < Math.min(pa.length, pb.length); i++) {
        if (pa[i] === pb[i]) continue;
        var na = /^\d+$/.test(pa[i]), nb = /^\d+$/.test(pb[i]);
        if (na && nb) return +pa[i] - +pb[i];
        var rank = { id: 0, type: 1 };
        var ra = pa[i] in rank ? rank[pa[i]] : 2, rb = pb[i] in rank ? rank[pb[i]] : 2;
        return ra !== rb ? ra - rb : (pa[i] < pb[i] ? -1 : 1);
      }
      return pa.length - pb.length;
    });
    names.forEach(function (name) { var one = {}; one[name] = state[name]; api.loadFromFlattenedJSON(one, ""); });
  };

  Adapter.prototype.patch = function () {
    var self = this, api = this.api;
    var n = this.is2004
      ? { init: "Initialize", term: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit" }
      : { init: "LMSInitialize", term: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit" };
    var orig = {};
    Object.keys(n).forEach(function (k) { orig[k] = api[n[k]].bind(api); });
    api[n.init] = function (p) {
      var r = orig.init(p);
      if (String(r) === "true") self.phase = "running";
      return r;
    };
    api[n.term] = function (p) {
      if (self.phase === "after" && !self.is2004) return self.fail(101, "false");
      var r = orig.term(p);
      if (String(r) === "true") self.phase = "after";
      return r;
    };
    api[n.get] = function (name) { return self.getValue(orig.get, name); };
    api[n.set] = function (name, value) { return self.setValue(orig.set, name, value); };
    api[n.commit] = function (p) {
      if (self.phase === "after" && !self.is2004) return self.fail(101, "false");  // D9
      return orig.commit(p);
    };
  };

  var adapters = typeof WeakMap === "function" ? new WeakMap() : null;

  window.lmsRteAdapter = {
    /** Load `options.state` into `api` and make its API methods answer as the RTE books say. */
    wrap: function (api, version, options) {
      var adapter = new Adapter(api, String(version), (options && options.state) || {});
      adapter.load();
      adapter.patch();
      if (adapters) adapters.set(api, adapter);
      return api;
    },
    /** What the adapter observed: the API phase and whether the SCO set its session time itself. */
    info: function (api) {
      var a = adapters && adapters.get(api);
      return a ? { phase: a.phase, sessionTimeSet: a.sessionTimeSet } : null;
    }
  };
})();
