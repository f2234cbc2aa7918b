/* Runs the rule table (scorm/cmi/ruletable, exported as JSON) against scorm-again in the page.
 * window.rteRuleTable.run(cases, wrap) -> [{ident, result, code, setupError}] ; `wrap` true puts each
 * API through window.lmsRteAdapter.wrap(api, version) first. Mirrors scorm/cmi/ruletable/run.py. */
(function () {
  "use strict";
  var NAMES = {
    "1.2": { init: "LMSInitialize", term: "LMSFinish", get: "LMSGetValue", set: "LMSSetValue",
             commit: "LMSCommit", err: "LMSGetLastError" },
    "2004": { init: "Initialize", term: "Terminate", get: "GetValue", set: "SetValue", commit: "Commit",
              err: "GetLastError" }
  };

  function makeApi(version, state, wrap) {
    var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5, dataCommitFormat: "flattened",
                     mastery_override: false };
    var api = version === "1.2" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    var keys = Object.keys(state);
    if (wrap) api = window.lmsRteAdapter.wrap(api, version, { state: state });
    else if (keys.length) api.loadFromFlattenedJSON(state, "");
    return api;
  }

  function runCase(c, wrap) {
    var n = NAMES[c.version];
    var state = {};
    c.state.forEach(function (pair) { state[pair[0]] = pair[1]; });
    var api = makeApi(c.version, state, wrap);
    var out = { ident: c.ident, result: null, code: null, setupError: null };
    try {
      if (c.phase !== "before") {
        if (String(api[n.init]("")) !== "true") out.setupError = "Initialize " + api[n.err]();
      }
      c.setup.forEach(function (pair) {
        if (out.setupError) return;
        var r = api[n.set](pair[0], pair[1]);
        if (String(r) !== "true") out.setupError = "SetValue(" + pair[0] + ") -> " + api[n.err]();
      });
      if (!out.setupError && c.phase === "after" && String(api[n.term]("")) !== "true") {
        out.setupError = "Terminate " + api[n.err]();
      }
      if (out.setupError) return out;
      var r;
      if (c.call === "get") r = api[n.get](c.element);
      else if (c.call === "set") r = api[n.set](c.element, c.value);
      else r = api[n[c.call]](c.value);
      out.result = String(r);
      out.code = parseInt(String(api[n.err]()), 10);
    } catch (e) {
      out.setupError = "exception: " + e;
    }
    return out;
  }

  window.rteRuleTable = {
    run: function (cases, wrap) { return cases.map(function (c) { return runCase(c, wrap); }); }
  };
})();
