/* The launcher, on the content origin (lms/templates/player/frame.html): the real scorm-again run-time
 * (wrapped by lms/static/js/rte_adapter.js when present) runs HERE, next to the SCO, primed with the
 * launch state the LMS page sends. The SCO's calls are answered synchronously by that run-time, so what
 * it gets back (return value, error code, initial values, errors after Terminate) is exactly what the
 * run-time answered. Commits and events go to the LMS page (lms/static/js/player.js) by postMessage,
 * which stores them with its CSRF header and durable queue. Messages are origin-checked both ways.
 *
 * LMS page -> launcher: lms-launch {url, state, version, autocommitSeconds, nav, beacon}, lms-unload {timeoutMs},
 *                       lms-commit-result {id, ok, status}
 * launcher -> LMS page: lms-frame-ready, lms-initialized, lms-commit {id, cmi, terminate, elapsedSeconds},
 *                       lms-terminated {navRequest, elapsedSeconds}, lms-unloaded {initialized, terminated,
 *                       elapsedSeconds, cmi}, lms-beaconed {seq}
 * See docs/player.md ("Bridge").
 *
 * Closing the tab: a SCO that terminates in its own pagehide/unload handler posts its last commit while
 * the LMS page is being unloaded too, and that page never gets it. So the launcher remembers the newest
 * commit the page has not confirmed (lms-commit-result), and once this frame is going away it sends that
 * commit — and any the SCO makes from then on — itself with navigator.sendBeacon to the LMS's
 * beacon URL, with the beacon token the page handed over (never the page's CSRF token:
 * lms/player/commit_beacon.py). The sequence number is the page's scheme (microseconds), so a commit
 * the page delivered as well is a harmless duplicate. In the same-origin mode this frame is a client of the
 * LMS's service worker: the beacon URL has a static route past the worker (lms/static/sw/sw.js), else a
 * stopped worker held the beacon until the closing page took it down.
 *
 * A SCO that only calls SetValue (never Commit, never Terminate/LMSFinish) and is unloaded with the page
 * (tab closed, the LMS page navigating elsewhere): the LMS ends its session (SCORM 2004 RTE 3.1.3.2 /
 * SCORM 1.2 RTE 3.4.4): once the SCO's own unload handlers have run (a frame's events come after its
 * parent's, so the launcher listens on the SCO's window) and it still has not terminated, the launcher
 * renders the run-time's own commit of the current state (getCommitObject, through the adapter) and
 * beacons it marked terminate_by_lms with the seconds since Initialize. A page going into the
 * back/forward cache, or a tab merely hidden (visibilitychange; a phone may then kill it without a
 * pagehide), sends what was set since the last commit without ending the session, and tells the page
 * the beacon's sequence (lms-beaconed {seq}) so that its later commits are not older.
 */
(function () {
  "use strict";

  var conf = JSON.parse(document.getElementById("launcher-config").textContent);
  var lmsOrigin = conf.lmsOrigin;
  var scoFrame = document.getElementById("sco");
  var is2004 = conf.version !== "1.2";
  var runtime = null;
  var launched = false;
  var st = { initialized: false, terminated: false, initAt: 0, navRequest: null, commitId: 0 };
  var results = [];
  var beacon = null;     // {url, token, session} from lms-launch
  var unconfirmed = null;  // the newest lms-commit the page has not confirmed
  var leavingPage = false;
  var beaconSeq = 0;
  var dirty = false;        // the SCO set a value since the run-time's last commit
  var endedByLms = false;   // the page already terminated the SCO on its behalf (lms-unloaded)

  // the sequence of the beacon sent, or 0
  function sendBeacon(msg) {
    if (!beacon || !navigator.sendBeacon) return 0;
    beaconSeq += 1;
    var seq = Date.now() * 1000 + 500 + beaconSeq;
    var body = { token: beacon.token, seq: seq, session: beacon.session, cmi: msg.cmi, terminate: !!msg.terminate };
    if (msg.byLms) body.terminate_by_lms = true;
    if (msg.elapsedSeconds !== undefined) body.elapsed = Math.round(msg.elapsedSeconds * 100) / 100;
    try {
      var blob = new Blob([JSON.stringify(body)], { type: "text/plain;charset=UTF-8" });
      return navigator.sendBeacon(beacon.url, blob) ? seq : 0;
    } catch (e) { return 0; }
  }

  // the SCO runs: initialized, not terminated by itself nor by the LMS
  function running() { return !!runtime && st.initialized && !st.terminated && !endedByLms; }

  // the run-time's own commit of the current state (the payload the adapter sends), as a launcher message
  function stateCommit(terminate) {
    var api = runtime.api, cmi;
    try {
      cmi = typeof api.getCommitObject === "function" ? api.getCommitObject(terminate) : api.renderCommitCMI(terminate);
    } catch (e) { cmi = {}; }
    var msg = { cmi: ownValues(cmi), terminate: terminate, byLms: terminate };
    if (terminate) msg.elapsedSeconds = elapsedSeconds();
    return msg;
  }

  // the SCO is gone without Terminate: the LMS ends its session with its data as it stands
  function terminateByLms() {
    if (!running()) return;
    endedByLms = true;
    sendBeacon(stateCommit(true));
  }

  // the page stays (hidden tab, back/forward cache): what was set since the last commit, session open —
  // to the page's durable queue and by beacon (the page may be frozen or killed before it sends)
  function saveWhileHidden() {
    if (dirty && running()) {
      dirty = false;
      st.commitId += 1;
      var commit = stateCommit(false);
      unconfirmed = { type: "lms-commit", id: st.commitId, cmi: commit.cmi, terminate: false };
      post(unconfirmed);
    }
    var seq = unconfirmed ? sendBeacon(unconfirmed) : 0;
    if (seq) post({ type: "lms-beaconed", seq: seq });
  }

  // runs after the SCO's own pagehide/unload handlers, or at once when its window cannot be reached
  function afterScoHandlers() {
    var win = null;
    try { win = scoFrame.contentWindow; win.addEventListener("pagehide", function () {}); } catch (e) { win = null; }
    if (!win || win.location.href === "about:blank") { terminateByLms(); return; }
    var policy = win.document.featurePolicy;
    var noUnload = !!(policy && policy.features && policy.features().indexOf("unload") >= 0 &&
                      !policy.allowsFeature("unload"));
    win.addEventListener(noUnload ? "pagehide" : "unload", terminateByLms);
  }

  function goingAway(ev) {
    if (leavingPage) return;
    if (ev && ev.persisted) { saveWhileHidden(); return; }  // the page may come back as it was
    leavingPage = true;
    if (unconfirmed) sendBeacon(unconfirmed);
    unconfirmed = null;
    if (running()) afterScoHandlers();
  }

  function post(msg) { window.parent.postMessage(msg, lmsOrigin); }

  function elapsedSeconds() {
    return st.initAt ? Math.max(0, (Date.now() - st.initAt) / 1000) : 0;
  }

  // scorm-again renders its default session_time (zero) when the SCO never set one: that is not the
  // SCO's value, so it is left out and the LMS counts Initialize -> Terminate instead
  var ZERO_TIME = /^(PT0H0M0S|PT0S|0000:00:00(\.0+)?|00:00:00(\.0+)?)$/;
  function sessionTimeSet(value) {
    var info = runtime && window.lmsRteAdapter && window.lmsRteAdapter.info(runtime.api);
    return info ? !!info.sessionTimeSet : !ZERO_TIME.test(String(value));
  }
  function ownValues(cmi) {
    var out = {};
    Object.keys(cmi || {}).forEach(function (k) {
      var v = cmi[k];
      if ((k === "cmi.session_time" || k === "cmi.core.session_time") && !sessionTimeSet(v)) return;
      out[k] = v;
    });
    return out;
  }

  var httpService = {
    reportsRequestCompletion: false,
    processHttpRequest: function (url, params, immediate) {
      st.commitId += 1;
      var msg = { type: "lms-commit", id: st.commitId, cmi: ownValues(params), terminate: !!immediate };
      if (immediate) msg.elapsedSeconds = elapsedSeconds();
      dirty = false;
      post(msg);
      if (leavingPage) sendBeacon(msg); else unconfirmed = msg;
      return { result: "true", errorCode: 0 };
    },
    updateSettings: function () {}
  };

  // adl.nav.request_valid.choice/jump.{target=…}: scorm-again asks one validator for both, so the
  // launcher notes which of the two the SCO is reading (see wrapGetValue)
  var asking = "choice";
  function settingsFor(msg) {
    var nav = msg.nav || {};
    var valid = function (target) {
      var map = nav[asking] || {};
      return Object.prototype.hasOwnProperty.call(map, target) && map[target] === true;
    };
    return {
      lmsCommitUrl: "/commit",  // never fetched: httpService above carries every commit
      dataCommitFormat: "flattened",
      autocommit: true,
      autocommitSeconds: Number(msg.autocommitSeconds) || 10,
      sendFullCommit: true,
      logLevel: 5,
      // scorm-again's 1.2 API turns this on unless told: it would make a SCO that is still "incomplete"
      // "failed" from a running practice score; the server applies the mastery score (docs/player.md)
      mastery_override: false,
      // the SCOs the player will open for a choice/jump request (player.js, nav)
      scoItemIdValidator: function (target) { return valid(String(target)); },
      httpService: httpService
    };
  }

  function primeNav(api, nav) {
    // adl.nav.request_valid.* answers what the player will do (player.js honours exactly these)
    var valid = api.adl && api.adl.nav && api.adl.nav.request_valid;
    if (!valid) return;
    var set = function (key, yes) { try { valid[key] = yes ? "true" : "false"; } catch (e) { /* read-only */ } };
    set("continue", !!nav.continue);
    set("previous", !!nav.previous);
    ["exit", "exitAll", "abandon", "abandonAll", "suspendAll"].forEach(function (k) { set(k, true); });
  }

  // a value the run-time took is not committed yet
  function watchSetValue(api, name) {
    var set = api[name];
    api[name] = function () {
      var result = set.apply(api, arguments);
      if (String(result) === "true") dirty = true;
      return result;
    };
  }

  function wrapGetValue(api) {
    var get = api.GetValue;
    api.GetValue = function (element) {
      asking = /^adl\.nav\.request_valid\.jump\./.test(String(element)) ? "jump" : "choice";
      return get.apply(api, arguments);
    };
  }

  function createRuntime(msg) {
    var settings = settingsFor(msg);
    var api = is2004 ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
    var adapter = window.lmsRteAdapter;
    if (adapter && typeof adapter.wrap === "function") {
      // the adapter loads the state itself (array entries in numeric order) and fixes scorm-again's
      // deviations from the RTE books (lms/static/js/rte_adapter.js)
      adapter.wrap(api, is2004 ? "2004" : "1.2", { state: msg.state || {}, sharedData: msg.sharedData });
    } else {
      api.loadFromFlattenedJSON(msg.state || {}, "");
    }
    if (is2004) { primeNav(api, msg.nav || {}); wrapGetValue(api); }
    watchSetValue(api, is2004 ? "SetValue" : "LMSSetValue");
    var exposed = api;
    api.on(is2004 ? "Initialize" : "LMSInitialize", function () {
      st.initialized = true;
      st.initAt = Date.now();
      post({ type: "lms-initialized" });
    });
    if (is2004) api.on("SetValue.adl.nav.request", function (element, value) { st.navRequest = String(value); });
    api.on(is2004 ? "Terminate" : "LMSFinish", function () {
      if (st.terminated) return;
      st.terminated = true;
      var elapsed = elapsedSeconds();
      // after the terminate commit (posted synchronously inside Terminate)
      setTimeout(function () { post({ type: "lms-terminated", navRequest: st.navRequest, elapsedSeconds: elapsed }); }, 0);
    });
    return { api: api, exposed: exposed };
  }

  function beaconOf(msg) {
    var b = msg.beacon;
    if (!b || typeof b.url !== "string" || typeof b.token !== "string") return null;
    if (new URL(b.url, window.location.href).origin !== lmsOrigin) return null;  // only to the LMS
    return { url: b.url, token: b.token, session: String(b.session || "") };
  }

  function launch(msg) {
    if (launched || typeof msg.url !== "string") return;
    var target = new URL(msg.url, window.location.href);
    if (target.origin !== window.location.origin) return;  // only content of this origin
    launched = true;
    beacon = beaconOf(msg);
    runtime = createRuntime(msg);
    // only the API of the package's version: a SCO that looks for API_1484_11 first must not find a
    // 2004 API in front of a 1.2 run-time
    if (is2004) window.API_1484_11 = runtime.exposed; else window.API = runtime.exposed;
    window.lmsLauncher.api = runtime.exposed;
    scoFrame.src = target.href;
  }

  /* The LMS page is leaving the SCO (TOC, Tiếp/Trước, Thoát): unload it so that ITS unload handlers
   * call Terminate/LMSFinish, wait for that (bounded), then report. A SCO that did not terminate is
   * terminated by the LMS: its data as it stands, with the time since Initialize (never a value the
   * SCO did not set). */
  var unloading = false;
  function unload(timeoutMs) {
    if (unloading) return;
    unloading = true;
    var done = false;
    function report() {
      if (done) return;
      done = true;
      setTimeout(function () {
        var msg = { type: "lms-unloaded", initialized: st.initialized, terminated: st.terminated,
                    elapsedSeconds: elapsedSeconds() };
        if (running()) {
          try { msg.cmi = ownValues(runtime.api.renderCommitCMI(false)); } catch (e) { msg.cmi = {}; }
          endedByLms = true;  // the page ends the session with these (player.js leave)
        }
        post(msg);
      }, 0);
    }
    if (!launched) { report(); return; }
    scoFrame.addEventListener("load", function () { if (st.terminated || !st.initialized) report(); else setTimeout(report, 50); });
    setTimeout(report, Math.max(500, Math.min(Number(timeoutMs) || 4000, 10000)));
    try { scoFrame.src = "about:blank"; } catch (e) { report(); }
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== lmsOrigin || ev.source !== window.parent) return;
    var msg = ev.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "lms-launch") launch(msg);
    else if (msg.type === "lms-unload") unload(msg.timeoutMs);
    else if (msg.type === "lms-commit-result") {
      results.push({ id: msg.id, ok: !!msg.ok, status: msg.status });
      if (unconfirmed && msg.id >= unconfirmed.id) unconfirmed = null;  // stored, or refused for good
    }
  });
  // this frame is going away (the tab closes, the LMS page leaves): the unconfirmed commit goes by beacon
  window.addEventListener("pagehide", goingAway);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !leavingPage) saveWhileHidden();
  });
  window.lmsLauncher = { api: null, state: st, results: results };
  post({ type: "lms-frame-ready" });
})();
