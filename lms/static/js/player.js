/* The LMS side of the SCORM player (lms/templates/player/play.html): the launcher frame, the durable
 * commit queue (memory + localStorage, retried with exponential backoff, flushed with keepalive on
 * pagehide) and SCO navigation.
 *
 * The run-time itself (scorm-again, with lms/static/js/rte_adapter.js) runs in the launcher on the
 * content origin (lms/static/js/launcher.js), next to the SCO, which it answers synchronously. The
 * launcher posts commits and events here; this page stores them with its CSRF header and answers
 * lms-commit-result. Navigation never writes the SCO's data: the SCO is unloaded so that its own
 * handlers terminate it, and one that does not is terminated by the LMS. See docs/player.md.
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

  /* ``extra``: fields of a terminate commit the server reads besides the data — elapsed (seconds
   * since Initialize, for a SCO that set no session_time) and terminate_by_lms (the SCO never
   * terminated; the LMS did). ``ids``: the launcher's commit ids, answered with lms-commit-result. */
  function enqueue(cmi, terminate, extra, ids) {
    var diff = changes(cmi);
    if (cfg.preview) {  // a lecturer's preview: nothing is stored (docs/player.md)
      setStatus("preview", "Xem thử: không lưu");
      answer(ids || [], true, 0);
      return { seq: 0, session: sessionKey, cmi: diff, terminate: !!terminate };
    }
    // a newer commit absorbs the older ones of this page not yet being sent
    var inflight = sending && queue.length ? queue.slice(0, 1) : [];
    var waiting = queue.slice(inflight.length);
    var merged = {};
    var item = { seq: nextSeq(), session: sessionKey, cmi: merged, terminate: !!terminate, ids: [] };
    waiting.forEach(function (c) {
      if (c.session !== sessionKey) return;
      Object.assign(merged, c.cmi);
      item.terminate = item.terminate || !!c.terminate;
      ["elapsed", "terminate_by_lms"].forEach(function (k) { if (c[k] !== undefined) item[k] = c[k]; });
      item.ids = item.ids.concat(c.ids || []);
    });
    Object.assign(merged, diff);
    Object.assign(item, extra || {});
    item.ids = item.ids.concat(ids || []);
    queue = inflight.concat(waiting.filter(function (c) { return c.session !== sessionKey; }));
    queue.push(item);
    save();
    kick();
    return item;
  }

  function body(item) {
    var out = { seq: item.seq, session: item.session, cmi: item.cmi, terminate: !!item.terminate };
    if (item.elapsed !== undefined) out.elapsed = item.elapsed;
    if (item.terminate_by_lms) out.terminate_by_lms = true;
    return JSON.stringify(out);
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
      body: body(item)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (res) {
      sending = false;
      if (res.status === 200) {
        queue.shift();
        save();
        answer(item.ids, true, 200);
        delay = 500;
        setStatus(queue.length ? "saving" : "saved", queue.length ? "Đang lưu…" : "Đã lưu");
        if (res.body && res.body.refused && res.body.refused.length) {  // stored, but for these elements
          window.lmsPlayer.lastRefused = res.body.refused;
          setStatus("partial", "Đã lưu (một số dữ liệu không hợp lệ bị bỏ qua)");
        }
        if (res.body && res.body.attempt) document.dispatchEvent(new CustomEvent("lms:attempt", { detail: res.body.attempt }));
        kick();
        return;
      }
      if (res.status === 422 || (res.status === 400 && res.body && res.body.error && res.body.error.code !== "csrf")) {
        queue.shift();  // the server refused the data itself: retrying cannot help
        save();
        answer(item.ids, false, res.status);
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
          body: body(item)
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

  /* ---- the launcher (content origin) ---- */
  var launcherOrigin = new URL(cfg.frameUrl, window.location.href).origin;
  var UNLOAD_TIMEOUT = 4000;
  var sco = { launched: false, initialized: false, terminated: false, navRequest: null };
  var unloadWaiter = null;
  var leaving = false;

  function toLauncher(msg) {
    if (frame.contentWindow) frame.contentWindow.postMessage(msg, launcherOrigin);
  }

  function answer(ids, ok, status) {
    (ids || []).forEach(function (id) { toLauncher({ type: "lms-commit-result", id: id, ok: ok, status: status }); });
  }

  // what the player will do for each navigation request: the server's answer (cfg.navValid, from the
  // manifest's control modes, SCORM 2004 only) without the SCOs the TOC shows locked; adl.nav.request_valid
  // answers exactly this and afterTerminate() honours exactly this
  var locked = {};
  document.querySelectorAll("#toc [data-item]").forEach(function (li) {
    if (li.querySelector("[data-locked]")) locked[li.getAttribute("data-item")] = true;
  });
  function openable(id) { return Object.prototype.hasOwnProperty.call(cfg.items || {}, id) && !locked[id]; }
  function idOf(url) {
    var found = null;
    Object.keys(cfg.items || {}).forEach(function (id) { if (cfg.items[id] === url) found = id; });
    return found;
  }
  function navigation() {
    var server = cfg.navValid || {};
    var given = function (key, fallback) { return server[key] === undefined ? fallback : server[key] === true; };
    var targets = function (key) {
      var out = {};
      Object.keys(cfg.items || {}).forEach(function (id) {
        var map = server[key];
        out[id] = openable(id) && (!map || map[id] === true);
      });
      return out;
    };
    return {
      continue: !!cfg.next && openable(idOf(cfg.next)) && given("continue", true),
      previous: !!cfg.prev && openable(idOf(cfg.prev)) && given("previous", true),
      choice: targets("choice"),
      jump: targets("jump")
    };
  }
  // a sequenced SCORM 2004 package: scorm-again's engine decides (lms/static/js/sequencing.js)
  var seqCtl = cfg.sequencing && window.lmsSequencing ? new window.lmsSequencing.Controller(cfg, csrf) : null;
  var scoCmi = Object.assign({}, cfg.state || {});  // the SCO's data as the page last received it
  var delivered = seqCtl ? seqCtl.boot() : cfg.scoId;
  var nav = seqCtl ? seqCtl.nav() : navigation();
  if (seqCtl) { seqCtl.shapeToc(document); seqCtl.shapeButtons(document, nav); }

  // only data elements, as strings: whatever the content origin posts, nothing else reaches the server
  function cleanCmi(cmi) {
    var out = {};
    if (!cmi || typeof cmi !== "object") return out;
    Object.keys(cmi).forEach(function (k) {
      var v = cmi[k];
      if (!/^(cmi|adl)\./.test(k) || (v !== null && typeof v === "object")) return;
      out[k] = v === undefined || v === null ? "" : String(v);
    });
    return out;
  }
  function seconds(value) {
    var n = Number(value);
    return isFinite(n) && n >= 0 ? Math.round(n * 100) / 100 : 0;
  }

  function onMessage(ev) {
    if (ev.origin !== launcherOrigin || ev.source !== frame.contentWindow) return;
    var msg = ev.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "lms-frame-ready" && !sco.launched) {
      sco.launched = true;
      toLauncher({ type: "lms-launch", url: cfg.contentUrl, state: cfg.state, version: cfg.version,
                   beacon: cfg.beacon ? { url: cfg.beacon.url, token: cfg.beacon.token, session: sessionKey } : null,
                   autocommitSeconds: cfg.autocommitSeconds || 10, nav: nav, sharedData: cfg.sharedData });
    } else if (msg.type === "lms-initialized") {
      sco.initialized = true;
    } else if (msg.type === "lms-commit") {
      var extra = msg.terminate ? { elapsed: seconds(msg.elapsedSeconds) } : {};
      Object.assign(scoCmi, cleanCmi(msg.cmi));
      enqueue(cleanCmi(msg.cmi), !!msg.terminate, extra, [msg.id]);
    } else if (msg.type === "lms-terminated" && !sco.terminated) {
      sco.terminated = true;
      sco.navRequest = typeof msg.navRequest === "string" ? msg.navRequest : null;
      // scorm-again's commits leave adl.* out: the server saves the suspendAll position from this one
      if (sco.navRequest && sco.navRequest !== "_none_") enqueue({ "adl.nav.request": sco.navRequest }, true);
      if (!leaving) afterTerminate();
    } else if (msg.type === "lms-beaconed") {  // a hidden tab's beacon (launcher.js): later commits are newer
      lastSeq = Math.max(lastSeq, Number(msg.seq) || 0);
    } else if (msg.type === "lms-unloaded" && unloadWaiter) {
      unloadWaiter(msg);
    }
  }

  function go(url) {
    whenIdle(8000).then(function () { window.location.href = url; });
  }

  // a 2004 SCO's adl.nav.request after Terminate: exactly what request_valid said is possible
  function afterTerminate() {
    var req = sco.navRequest || "_none_";
    if (seqCtl) return seqAfter(req, true);
    var target = /^\{target=([^}]+)\}(choice|jump)$/.exec(req);
    if (req === "continue" && nav.continue) return go(cfg.next);
    if (req === "previous" && nav.previous) return go(cfg.prev);
    if (target && nav[target[2]][target[1]] === true) return go(cfg.items[target[1]]);
    if (/^(exit|exitAll|suspendAll|abandon|abandonAll)$/.test(req)) return go(cfg.exitUrl);
    setStatus("closed", "Bài học đã đóng");
  }

  // unload the SCO (the launcher blanks its frame, so the SCO's own handlers terminate it) and report
  function unloadSco() {
    return new Promise(function (resolve) {
      if (!sco.launched) { resolve(null); return; }
      var timer = setTimeout(function () { unloadWaiter = null; resolve(null); }, UNLOAD_TIMEOUT + 1500);
      unloadWaiter = function (msg) { clearTimeout(timer); unloadWaiter = null; resolve(msg); };
      toLauncher({ type: "lms-unload", timeoutMs: UNLOAD_TIMEOUT });
    });
  }

  function leave(url, then) {
    if (leaving) return;
    leaving = true;
    setStatus("leaving", "Đang đóng bài học…");
    unloadSco().then(function (report) {
      if (report && report.initialized && !report.terminated && !sco.terminated) {
        // the SCO never terminated: the LMS does (its data as it stands, time since Initialize)
        Object.assign(scoCmi, cleanCmi(report.cmi));
        enqueue(cleanCmi(report.cmi), true, { terminate_by_lms: true, elapsed: seconds(report.elapsedSeconds) });
      }
      if (then) then(); else go(url);
    });
  }

  /* ---- sequencing: the engine's answer to a request, then the delivered SCO, the end, or my modules ---- */
  function seqAfter(req, fromSco, target) {
    var r = seqCtl.request(scoCmi, req, fromSco, target);
    if (!fromSco && r.ended === "suspend_all") enqueue({ "adl.nav.request": "suspendAll" }, true);  // RTE 4.2.8
    if (r.current && (r.current !== cfg.scoId || r.delivered || !sco.launched)) {  // a retry delivers it anew
      return seqCtl.save().then(function () { go(cfg.items[r.current]); });
    }
    if (!r.current) {
      return seqCtl.save().then(function () {
        if (r.ended === "suspend_all" || r.ended === "abandon_all") go(cfg.exitUrl);
        else showEnd();
      });
    }
    leaving = false;  // refused, or the SCO ended without a request: the learner chooses what next
    nav = seqCtl.nav();
    seqCtl.shapeToc(document);
    seqCtl.shapeButtons(document, nav);
    seqCtl.save();
    setStatus("closed", r.refused ? "Không thể chuyển bài theo yêu cầu này" : "Bài học đã đóng");
  }
  function seqLeave(req, target) {
    leave(null, function () { seqAfter(req, false, target); });
  }
  function showEnd() {
    seqCtl.showEnd(document, frame);
    setStatus("ended", "Đã kết thúc khoá học");
  }

  function onNav(id, plain, request) {
    document.getElementById(id).addEventListener("click", function () {
      if (seqCtl) seqLeave(request); else if (plain()) leave(plain());
    });
  }
  onNav("nav-prev", function () { return cfg.prev; }, "previous");
  onNav("nav-next", function () { return cfg.next; }, "continue");
  onNav("nav-exit", function () { return cfg.exitUrl; }, "suspendAll");
  document.querySelectorAll('#toc a[data-nav="choice"]').forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      if (seqCtl) seqLeave("choice", a.closest("[data-item]").getAttribute("data-item")); else leave(a.href);
    });
  });
  window.addEventListener("pagehide", flushKeepalive);
  window.addEventListener("online", kick);
  window.addEventListener("message", onMessage);

  window.lmsPlayer = { queue: function () { return queue.slice(); }, whenIdle: whenIdle, config: cfg, sco: sco,
                       nav: nav, leave: leave, sequencing: seqCtl };

  /* ---- start: replay what an earlier page left, then open the launcher ---- */
  if (!cfg.preview) { adoptStored(); kick(); }
  if (seqCtl && delivered !== cfg.scoId) {  // the engine delivers another activity, or none (the end)
    if (delivered) seqCtl.save().then(function () { window.location.replace(cfg.items[delivered]); });
    else seqCtl.save().then(showEnd);
    return;
  }
  if (seqCtl) seqCtl.save();
  frame.src = cfg.frameUrl + (cfg.frameUrl.indexOf("?") >= 0 ? "&" : "?") + "lms=" + encodeURIComponent(window.location.origin);
})();
