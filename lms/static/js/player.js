/* The LMS side of the SCORM player: scorm-again configured from #player-config, a durable commit
 * queue (memory + localStorage, retried with exponential backoff, flushed with keepalive on pagehide),
 * SCO navigation (previous/next/choice and 2004 adl.nav.request after Terminate), and the cross-origin
 * bridge (CrossFrameLMS) when the content is served from LMS_CONTENT_ORIGIN.
 * See docs/player.md.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("player-config").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var statusEl = document.getElementById("save-status");
  var alertEl = document.getElementById("player-alert");
  var frame = document.getElementById("sco-frame");
  var PREFIX = "lms-commits:" + cfg.attemptId + ":" + cfg.scoId + ":";
  var tabId = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  var sessionKey = tabId;

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function showAlert(text) {
    alertEl.textContent = text;
    alertEl.classList.remove("d-none");
  }

  /* ---- commit sequence: increasing across reloads and tabs (time-based, never below the server's) ---- */
  var lastSeq = Number(cfg.lastSeq) || 0;
  function nextSeq() {
    lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
    return lastSeq;
  }

  /* ---- the durable queue ---- */
  var queue = [];
  var sending = false;
  var delay = 500;
  var timer = null;

  function storageKey() { return PREFIX + tabId; }
  function save() {
    try {
      if (queue.length) localStorage.setItem(storageKey(), JSON.stringify(queue));
      else localStorage.removeItem(storageKey());
    } catch (e) { /* storage full or disabled: the memory queue still retries */ }
  }
  function adoptStored() {
    // commits left by an earlier page (reload, crash) of this attempt and SCO, oldest first
    var found = [];
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          found = found.concat(JSON.parse(localStorage.getItem(key) || "[]"));
          localStorage.removeItem(key);
        }
      }
    } catch (e) { found = []; }
    found.sort(function (a, b) { return a.seq - b.seq; });
    found.forEach(function (c) { lastSeq = Math.max(lastSeq, c.seq); });
    queue = found.concat(queue);
    save();
  }

  // only what changed since the last commit is sent (the server merges element by element), so a
  // second tab's stale copy of other elements never overwrites newer values
  var baseline = {};
  Object.keys(cfg.state || {}).forEach(function (k) { baseline[k] = String(cfg.state[k]); });

  function changes(cmi) {
    var diff = {};
    Object.keys(cmi || {}).forEach(function (k) {
      var v = cmi[k];
      if (v !== null && typeof v === "object") return;
      v = v === undefined || v === null ? "" : String(v);
      if (baseline[k] !== v && !(v === "" && baseline[k] === undefined)) diff[k] = v;
      baseline[k] = v;
    });
    return diff;
  }

  function enqueue(cmi, terminate) {
    var diff = changes(cmi);
    if (cfg.preview) {  // a lecturer's preview: nothing is stored (docs/player.md)
      setStatus("preview", "Xem thử: không lưu");
      return { seq: 0, session: sessionKey, cmi: diff, terminate: !!terminate };
    }
    // a newer commit absorbs the older ones of this page not yet being sent
    var inflight = sending && queue.length ? queue.slice(0, 1) : [];
    var waiting = queue.slice(inflight.length);
    var merged = {};
    waiting.forEach(function (c) { if (c.session === sessionKey) Object.assign(merged, c.cmi); });
    Object.assign(merged, diff);
    var item = { seq: nextSeq(), session: sessionKey, cmi: merged, terminate: !!terminate };
    queue = inflight.concat(waiting.filter(function (c) { return c.session !== sessionKey; }));
    queue.push(item);
    save();
    kick();
    return item;
  }

  function kick() {
    if (sending || !queue.length) return;
    if (timer) { clearTimeout(timer); timer = null; }
    sending = true;
    setStatus("saving", "Đang lưu…");
    var item = queue[0];
    fetch(cfg.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (res) {
      sending = false;
      if (res.status === 200) {
        queue.shift();
        save();
        delay = 500;
        setStatus(queue.length ? "saving" : "saved", queue.length ? "Đang lưu…" : "Đã lưu");
        if (res.body && res.body.attempt) document.dispatchEvent(new CustomEvent("lms:attempt", { detail: res.body.attempt }));
        kick();
        return;
      }
      if (res.status === 422 || (res.status === 400 && res.body && res.body.error && res.body.error.code !== "csrf")) {
        queue.shift();  // the server refused the data itself: retrying cannot help
        save();
        window.lmsPlayer.lastError = res.body;
        showAlert((res.body.error && res.body.error.message) || "Dữ liệu bài học không hợp lệ.");
        setStatus("refused", "Không lưu được");
        kick();
        return;
      }
      if (res.status === 401 || res.status === 403 || (res.body && res.body.error && res.body.error.code === "csrf")) {
        showAlert("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại; kết quả học vẫn được giữ trên máy này.");
      }
      retryLater();
    }).catch(function () {
      sending = false;
      retryLater();
    });
  }

  function retryLater() {
    setStatus("retrying", "Mất kết nối, đang thử lại…");
    timer = setTimeout(kick, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function flushKeepalive() {
    // the page is going away: hand the unsent commits to the browser (they stay in localStorage too)
    if (cfg.preview) return;
    queue.forEach(function (item) {
      try {
        fetch(cfg.commitUrl, {
          method: "POST", keepalive: true, credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify(item)
        }).catch(function () {});
      } catch (e) { /* body over the keepalive limit: sent on the next visit */ }
    });
  }

  function whenIdle(timeoutMs) {
    return new Promise(function (resolve) {
      var until = Date.now() + (timeoutMs || 5000);
      (function check() {
        if (!queue.length || Date.now() > until) resolve(!queue.length);
        else setTimeout(check, 50);
      })();
    });
  }

  /* ---- scorm-again ---- */
  var httpService = {
    reportsRequestCompletion: false,
    processHttpRequest: function (url, params, immediate) {
      enqueue(params, immediate);
      return { result: "true", errorCode: 0 };
    },
    updateSettings: function () {}
  };
  var settings = {
    lmsCommitUrl: cfg.commitUrl,
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: cfg.autocommitSeconds || 10,
    xhrHeaders: { "X-CSRFToken": csrf },
    sendFullCommit: true,
    logLevel: 4,
    // scorm-again's 1.2 API turns this on unless told: it would make a SCO that is still "incomplete"
    // "failed" (= completed) from a running practice score. The server applies the mastery score once
    // the SCO reports a finished status (lms.player.services.sco_outcome).
    mastery_override: false,
    httpService: httpService
  };
  var is2004 = cfg.version !== "1.2";
  var api = is2004 ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
  api.loadFromFlattenedJSON(cfg.state, "");
  window.lmsPlayer = { api: api, queue: function () { return queue.slice(); }, whenIdle: whenIdle, config: cfg };

  var navRequest = null;
  var terminated = false;
  var initialized = false;
  api.on(is2004 ? "Initialize" : "LMSInitialize", function () { initialized = true; });
  if (is2004) {
    api.on("SetValue.adl.nav.request", function (element, value) { navRequest = value; });
  }
  api.on(is2004 ? "Terminate" : "LMSFinish", function () {
    terminated = true;
    setTimeout(afterTerminate, 0);
  });

  function go(url) {
    whenIdle(8000).then(function () { window.location.href = url; });
  }

  function afterTerminate() {
    var req = navRequest || "_none_";
    var choice = /^\{target=([^}]+)\}choice$/.exec(req) || /^\{target=([^}]+)\}jump$/.exec(req);
    if (req === "continue" && cfg.next) return go(cfg.next);
    if (req === "previous" && cfg.prev) return go(cfg.prev);
    if (choice && cfg.items[choice[1]]) return go(cfg.items[choice[1]]);
    if (req === "exit" || req === "exitAll" || req === "suspendAll" || req === "abandonAll") return go(cfg.exitUrl);
    setStatus("closed", "Bài học đã đóng");
  }

  function commitBeforeLeaving() {
    if (initialized && !terminated) {
      try { if (is2004) api.Commit(""); else api.LMSCommit(""); } catch (e) { /* not running */ }
    }
  }

  function leave(url) {
    commitBeforeLeaving();
    if (initialized && !terminated) {
      try {
        if (is2004) { api.SetValue("cmi.exit", "suspend"); api.Terminate(""); }
        else { api.LMSSetValue("cmi.core.exit", "suspend"); api.LMSFinish(""); }
      } catch (e) { /* already closed */ }
    }
    go(url);
  }

  document.getElementById("nav-prev").addEventListener("click", function () { if (cfg.prev) leave(cfg.prev); });
  document.getElementById("nav-next").addEventListener("click", function () { if (cfg.next) leave(cfg.next); });
  document.getElementById("nav-exit").addEventListener("click", function () { leave(cfg.exitUrl); });
  document.querySelectorAll('#toc a[data-nav="choice"]').forEach(function (a) {
    a.addEventListener("click", function (ev) { ev.preventDefault(); leave(a.href); });
  });
  window.addEventListener("pagehide", function () { commitBeforeLeaving(); flushKeepalive(); });
  window.addEventListener("online", kick);

  /* ---- start: replay what an earlier page left, then open the SCO ---- */
  if (!cfg.preview) { adoptStored(); kick(); }
  if (cfg.frameUrl) {
    window.API = undefined;
    var Lms = window.CrossFrameLMS.default || window.CrossFrameLMS;
    var bridge = null;
    window.addEventListener("message", function (ev) {
      if (ev.origin !== cfg.contentOrigin || ev.source !== frame.contentWindow) return;
      if (ev.data && ev.data.type === "lms-frame-ready") {
        // scorm-again's default limit (100 calls/s) drops calls — data — of real SCOs: one answer of
        // the shipped course is ~12 calls, each followed by a cache refresh. A flood only slows this tab.
        if (!bridge) bridge = new Lms(api, cfg.contentOrigin, { rateLimit: 5000 });
        frame.contentWindow.postMessage({ type: "lms-launch", url: cfg.contentUrl, state: cfg.state, version: cfg.version }, cfg.contentOrigin);
      }
    });
    frame.src = cfg.frameUrl + "?lms=" + encodeURIComponent(window.location.origin);
  } else {
    if (is2004) window.API_1484_11 = api; else window.API = api;
    frame.src = cfg.contentUrl;
  }
})();
