/* A test SCO for SCORM 1.2 and 2004 (<body data-scorm="1.2|2004">): finds the API, initializes,
 * shows what the LMS handed it (entry, bookmark, suspend data, launch data), and exposes window.sco
 * for the browser tests to drive.
 *
 * Like real content, when its page goes away (pagehide, or sco.unloadEvent) while running it reports its session time,
 * suspends and terminates itself — unless a test set sco.unloadMode = "hang" (a SCO that never
 * terminates). With ?manual=1 it does not initialize by itself: sco.run(calls) drives the API with a
 * list of [method, ...args] and returns, for each, the return value and GetLastError's answer. */
(function () {
  "use strict";
  var v12 = document.body.getAttribute("data-scorm") === "1.2";
  function find(win, name) {
    for (var n = 0; win && n < 12; n++) {
      try { if (win[name]) return win[name]; } catch (e) { /* cross-origin ancestor */ }
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = find(window, v12 ? "API" : "API_1484_11");
  var K = v12 ? {
    init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", fin: "LMSFinish",
    err: "LMSGetLastError", entry: "cmi.core.entry", loc: "cmi.core.lesson_location", exit: "cmi.core.exit",
    name: "cmi.core.student_name", session: "cmi.core.session_time", time: "00:01:30"
  } : {
    init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", fin: "Terminate",
    err: "GetLastError", entry: "cmi.entry", loc: "cmi.location", exit: "cmi.exit",
    name: "cmi.learner_name", session: "cmi.session_time", time: "PT1M30S"
  };
  var params = new URLSearchParams(window.location.search);
  var page = params.get("page") || "";
  var started = Date.now();
  var sco = {
    version: v12 ? "1.2" : "2004",
    page: page,
    api: api,
    get: function (k) { return api[K.get](k); },
    set: function (k, value) { var r = api[K.set](k, String(value)); return r; },
    error: function () { return api[K.err](); },
    commit: function () { return api[K.commit](""); },
    finish: function () { sco.finished = true; return api[K.fin](""); },
    finished: false,
    unloadMode: "terminate",
    run: function (calls) {
      return calls.map(function (call) {
        var ret = api[call[0]].apply(api, call.slice(1));
        var code = String(api[K.err]());
        return { call: call, ret: ret === undefined ? null : String(ret), err: code };
      });
    },
    time: function (t) { return sco.set(K.session, t || K.time); },
    suspend: function (location, data) {
      sco.set(K.loc, location);
      sco.set("cmi.suspend_data", data);
      sco.set(K.exit, "suspend");
      sco.time();
      return sco.finish();
    },
    nav: function (request) { return sco.set("adl.nav.request", request); },
    complete: function (raw, passed) {
      if (v12) {
        sco.set("cmi.core.score.raw", raw);
        sco.set("cmi.core.score.max", 100);
        sco.set("cmi.core.score.min", 0);
        sco.set("cmi.core.lesson_status", passed === false ? "failed" : (passed ? "passed" : "completed"));
      } else {
        sco.set("cmi.score.raw", raw);
        sco.set("cmi.score.max", 100);
        sco.set("cmi.score.min", 0);
        sco.set("cmi.score.scaled", raw / 100);
        sco.set("cmi.completion_status", "completed");
        if (passed !== undefined) sco.set("cmi.success_status", passed ? "passed" : "failed");
      }
      sco.set(K.exit, v12 ? "" : "normal");
      sco.time();
    }
  };
  window.sco = sco;
  sco.unloadEvent = "pagehide";  // or "unload" / "beforeunload", as older content does
  function finishOnUnload(ev) {
    if (ev.type !== sco.unloadEvent) return;
    if (!api || sco.finished || !sco.initialized || sco.unloadMode === "hang") return;
    var s = Math.max(1, Math.round((Date.now() - started) / 1000));
    sco.set(K.session, v12 ? "00:00:" + (s < 10 ? "0" : "") + Math.min(s, 59) : "PT" + s + "S");
    sco.set(K.exit, "suspend");
    sco.finish();
  }
  ["pagehide", "unload", "beforeunload"].forEach(function (type) { window.addEventListener(type, finishOnUnload); });
  if (params.get("manual") === "1") { document.body.setAttribute("data-ready", "1"); return; }
  var ok = api ? api[K.init]("") : "no api";
  sco.initialized = String(ok) === "true";
  function show(id, value) { document.getElementById(id).textContent = value; }
  show("init", String(ok));
  show("entry", api ? sco.get(K.entry) : "");
  show("location", api ? sco.get(K.loc) : "");
  show("suspend", api ? sco.get("cmi.suspend_data") : "");
  show("launch", api ? sco.get("cmi.launch_data") : "");
  show("learner", api ? sco.get(K.name) : "");
  show("page", page);
  document.body.setAttribute("data-ready", "1");
})();
