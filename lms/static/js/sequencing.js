/* SCORM 2004 sequencing in the LMS page (docs/sequencing.md "Engine"): scorm-again's sequencing engine
 * (a Scorm2004API instance that no SCO ever sees) holds the activity tree built on the server from the
 * manifest (scorm/sequencing_tree.py) and the learner's saved state (lms/player/sequencing.py). The SCO
 * itself runs in the launcher on the content origin; when it ends, its outcome (the cmi elements the
 * page received) is replayed into the engine's run-time (Initialize, SetValue, Terminate), so that the
 * engine applies the SN book's termination, rollup and sequencing processes, and the navigation request
 * (the SCO's adl.nav.request, or the LMS's buttons) is processed by the engine's overall sequencing
 * process (SN 4.2). No navigation decision is made here by hand.
 *
 * Loaded before player.js; plain script (also loaded by the Node tests in tests/scorm/test_engine.py).
 */
(function (root) {
  "use strict";

  // what the engine needs of a SCO's data to decide (SN 4.2.x: tracking data it reads)
  var OUTCOME = /^cmi\.(completion_status|success_status|score\.(scaled|raw|min|max)|progress_measure|exit|objectives\.\d+\.(id|success_status|completion_status|score\.(scaled|raw|min|max)|progress_measure))$/;

  function Engine(settings, saved) {
    this.settings = settings;
    this.errors = [];
    this.ended = null;
    this.build(saved);
  }

  Engine.prototype.build = function (saved) {
    var self = this;
    this.used = false;
    this.api = new root.Scorm2004API({ logLevel: 5, autocommit: false, lmsCommitUrl: false,
                                       sequencing: JSON.parse(JSON.stringify(this.settings)) });
    this.service = this.api.getSequencingService();
    this.service.setEventListeners({
      onSequencingError: function (error) { self.errors.push(String(error)); },
      onActivityDelivery: function () { self.deliveries = (self.deliveries || 0) + 1; },
      onSequencingSessionEnd: function (data) { self.ended = data && data.reason; }
    });
    if (saved && saved.tree) this.api.deserializeSequencingState(saved.tree);
    if (saved && saved.objectives) this.api.restoreGlobalObjectiveSnapshot(saved.objectives);
  };

  // the engine's run-time serves one SCO session; the next one gets a fresh run-time on the same state
  // (as a new page does)
  Engine.prototype.fresh = function () {
    if (this.used) this.build({ tree: this.api.serializeSequencingState(),
                                objectives: this.process().getGlobalObjectiveMapSnapshot() });
    this.used = true;
  };

  Engine.prototype.process = function () { return this.service.getOverallSequencingProcess(); };
  Engine.prototype.state = function () { return this.service.getSequencingState(); };

  Engine.prototype.current = function () {
    var a = this.state().currentActivity;
    return a ? a.id : null;
  };

  Engine.prototype.suspended = function () {
    var s = JSON.parse(this.api.serializeSequencingState()).sequencing || {};
    return s.suspendedActivity || null;
  };

  // a navigation request of SN 4.2 (start, resumeAll, continue, previous, choice, jump, exit, exitAll,
  // suspendAll, abandon, abandonAll, retry, retryAll): {ok, current, ended, error}
  Engine.prototype.navigate = function (request, target) {
    var before = this.errors.length;
    this.ended = null;
    var ok = this.api.processNavigationRequest(request, target || undefined);
    return { ok: !!ok, current: this.current(), ended: this.ended,
             error: this.errors.length > before ? this.errors[this.errors.length - 1] : null };
  };

  // the delivered SCO ended: its outcome goes through the engine's own run-time, then its request
  Engine.prototype.finish = function (cmi, request) {
    this.fresh();
    var api = this.api;
    var before = this.errors.length;
    this.ended = null;
    if (api.Initialize("") !== "true") return this.navigate(request || "_none_");
    Object.keys(cmi || {}).sort(byIndex).forEach(function (k) {
      if (OUTCOME.test(k) && cmi[k] !== "") api.SetValue(k, String(cmi[k]));
    });
    var target = /^\{target=([^}]+)\}(choice|jump)$/.exec(request || "");
    if (request && request !== "_none_") api.SetValue("adl.nav.request", request);
    api.Terminate("");
    var delivered = this.current();
    var out = { ok: true, current: delivered, ended: this.ended,
                error: this.errors.length > before ? this.errors[this.errors.length - 1] : null };
    if (target && out.error) out.ok = false;
    return out;
  };

  function byIndex(a, b) {  // objectives.N.id before that objective's other elements
    var ia = /\.id$/.test(a) ? 0 : 1;
    var ib = /\.id$/.test(b) ? 0 : 1;
    return a < b ? (ia <= ib ? -1 : 1) : a > b ? (ia < ib ? -1 : 1) : 0;
  }

  // what request_valid answers and the buttons/TOC offer (SN 4.2 look-ahead, with hiddenFromChoice and
  // disabled rules applied by the engine)
  Engine.prototype.validity = function (ids) {
    var p = this.process();
    var out = { continue: false, previous: false, choice: {}, jump: {} };
    try { out.continue = !!p.predictContinueEnabled(); } catch (e) { out.continue = false; }
    try { out.previous = !!p.predictPreviousEnabled(); } catch (e) { out.previous = false; }
    var toc = this.toc();
    (ids || []).forEach(function (id) {
      out.choice[id] = !!(toc[id] && toc[id].choice);
      out.jump[id] = Object.prototype.hasOwnProperty.call(toc, id);
    });
    return out;
  };

  // per activity: hidden from choice (a hiddenFromChoice pre-condition rule true on it or an ancestor,
  // SN 3.4.2, evaluated by the engine's own rules) and whether a choice of it would be valid now
  Engine.prototype.toc = function () {
    var p = this.process();
    var out = {};
    function hiddenHere(a) {
      var rules = (a.sequencingRules && a.sequencingRules.preConditionRules) || [];
      return rules.some(function (r) {
        try { return r.action === "hiddenFromChoice" && r.evaluate(a) === true; } catch (e) { return false; }
      });
    }
    (function walk(a, hidden) {
      var h = hidden || hiddenHere(a);
      var ok = false;
      try { ok = !h && !!p.predictChoiceEnabled(a.id); } catch (e) { ok = false; }
      out[a.id] = { hidden: h, choice: ok };
      (a.children || []).forEach(function (c) { walk(c, h); });
    })(this.state().rootActivity, false);
    return out;
  };

  Engine.prototype.hideLmsUi = function () {
    var p = this.process();
    var a = this.state().currentActivity;
    try { return p.getEffectiveHideLmsUi(a) || []; } catch (e) { return []; }
  };

  // the root activity's rolled-up status (SN 4.6)
  Engine.prototype.rootStatus = function () {
    var s = JSON.parse(this.api.serializeSequencingState()).sequencing || {};
    var rootId = this.state().rootActivity && this.state().rootActivity.id;
    var r = (s.activityStates || {})[rootId] || {};
    return { completion: r.completionStatus || "unknown", success: r.successStatus || "unknown",
             measureKnown: !!r.objectiveMeasureStatus, measure: r.objectiveNormalizedMeasure || 0 };
  };

  Engine.prototype.snapshot = function () {
    return { tree: this.api.serializeSequencingState(),
             objectives: this.process().getGlobalObjectiveMapSnapshot(),
             root: this.rootStatus(), current: this.current() };
  };

  /* ---- the page (browser only): used by player.js when #player-config has ``sequencing`` ---- */

  function Controller(cfg, csrf) {
    var s = cfg.sequencing;
    this.cfg = cfg;
    this.csrf = csrf;
    this.lastSeq = Number(s.seq) || 0;
    this.engine = new Engine(s.settings, { tree: s.tree, objectives: s.objectives });
    this.ids = Object.keys(cfg.items || {});
  }

  // the activity to deliver on this page: the engine's current one, else start / resumeAll (SN 4.2)
  Controller.prototype.boot = function () {
    var e = this.engine;
    if (!e.current()) e.navigate(e.suspended() ? "resumeAll" : "start");
    return e.current();
  };

  Controller.prototype.nav = function () { return this.engine.validity(this.ids); };

  // after the SCO ended (its outcome ``cmi``), the request ``request`` (a SCO's adl.nav.request, or the
  // LMS's "continue"/"previous"/"choice"/"suspendAll" with ``target``): {current, ended, refused}
  Controller.prototype.request = function (cmi, request, fromSco, target) {
    var e = this.engine;
    var before = e.deliveries || 0;
    var r;
    if (fromSco && !this.finished) {
      this.finished = true;
      r = e.finish(cmi, request);
    } else {
      if (e.current() && !this.finished) e.finish(cmi, "_none_");
      this.finished = true;
      r = request === "_none_" ? { ok: true } : e.navigate(request, target);
    }
    return { current: e.current(), ended: r.ended || (e.current() ? null : "ended"), refused: !!r.error && !r.ok,
             error: r.error, delivered: (e.deliveries || 0) > before };
  };

  Controller.prototype.save = function () {
    var snap = this.engine.snapshot();
    this.lastSeq = Math.max(Date.now() * 1000, this.lastSeq + 1);
    if (this.cfg.preview || !this.cfg.sequencing.saveUrl) return Promise.resolve(snap);
    var body = JSON.stringify({ seq: this.lastSeq, tree: snap.tree, objectives: snap.objectives });
    var self = this;
    var attempt = function (n) {
      return fetch(self.cfg.sequencing.saveUrl, {
        method: "POST", credentials: "same-origin", keepalive: body.length < 60000,
        headers: { "Content-Type": "application/json", "X-CSRFToken": self.csrf, "Accept": "application/json" },
        body: body
      }).then(function (res) {
        if (res.status >= 500 && n < 5) throw new Error("retry");
        return res.json().catch(function () { return {}; });
      }).catch(function () {
        return new Promise(function (ok) { setTimeout(ok, 300 * (n + 1)); }).then(function () { return attempt(n + 1); });
      });
    };
    return attempt(0).then(function () { return snap; });
  };

  // the TOC shaped by the rules: hidden from choice → not shown; not choosable now → not a link
  Controller.prototype.shapeToc = function (doc) {
    var toc = this.engine.toc();
    doc.querySelectorAll("#toc [data-item]").forEach(function (li) {
      var id = li.getAttribute("data-item");
      var t = toc[id];
      if (!t) return;
      if (t.hidden) { li.hidden = true; li.setAttribute("data-seq", "hidden"); return; }
      var a = li.querySelector('a[data-nav="choice"]');
      if (a && !t.choice && a.getAttribute("aria-current") !== "page") {
        var span = doc.createElement("span");
        span.className = "d-block py-2 text-muted";
        span.setAttribute("data-locked", "seq");
        span.textContent = a.textContent;
        a.replaceWith(span);
      }
    });
  };

  // Next/Previous only where flow allows them and the package does not hide them (adlnav:hideLMSUI)
  Controller.prototype.shapeButtons = function (doc, nav) {
    var hide = this.engine.hideLmsUi();
    var bind = { "nav-next": ["continue", nav.continue], "nav-prev": ["previous", nav.previous],
                 "nav-exit": ["suspendAll", true] };
    Object.keys(bind).forEach(function (id) {
      var el = doc.getElementById(id);
      if (!el) return;
      el.disabled = !bind[id][1];
      if (hide.indexOf(bind[id][0]) >= 0) el.hidden = true;
    });
  };

  // the end of the course (the sequencing session ended): what the rollup made of it (SN 4.6)
  Controller.prototype.showEnd = function (doc, frame) {
    var status = this.engine.rootStatus();
    var end = doc.getElementById("seq-end");
    frame.hidden = true;
    end.classList.remove("d-none");
    end.setAttribute("data-completion", status.completion);
    end.setAttribute("data-success", status.success);
    end.querySelectorAll("[data-when]").forEach(function (el) {
      var when = el.getAttribute("data-when");
      el.classList.toggle("d-none", when !== status.completion && when !== status.success);
    });
    ["nav-prev", "nav-next"].forEach(function (id) { doc.getElementById(id).disabled = true; });
  };

  root.lmsSequencing = { Engine: Engine, Controller: Controller };
})(typeof window !== "undefined" ? window : this);
