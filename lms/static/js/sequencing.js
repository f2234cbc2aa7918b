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
    var self = this;
    this.errors = [];
    this.ended = null;
    this.api = new root.Scorm2004API({ logLevel: 5, autocommit: false, lmsCommitUrl: false,
                                       sequencing: JSON.parse(JSON.stringify(settings)) });
    this.service = this.api.getSequencingService();
    this.service.setEventListeners({
      onSequencingError: function (error) { self.errors.push(String(error)); },
      onSequencingSessionEnd: function (data) { self.ended = data && data.reason; }
    });
    if (saved && saved.tree) this.api.deserializeSequencingState(saved.tree);
    if (saved && saved.objectives) this.api.restoreGlobalObjectiveSnapshot(saved.objectives);
  }

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
    (ids || []).forEach(function (id) {
      var ok = false;
      try { ok = !!p.predictChoiceEnabled(id); } catch (e) { ok = false; }
      out.choice[id] = ok;
      out.jump[id] = true;
    });
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

  root.lmsSequencing = { Engine: Engine };
})(typeof window !== "undefined" ? window : this);
