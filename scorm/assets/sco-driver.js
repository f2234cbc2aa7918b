/* A minimal SCORM 2004 SCO for packages built by scorm.build_course: finds API_1484_11, initializes,
   sets the values the page's data gives, and offers buttons that set values, commit and terminate with
   an adl.nav.request. Tests drive it through window.sco (get, set, commit, finish). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var log = document.getElementById("sco-log");

  function findApi(win) {
    for (var n = 0; win && n < 20; n++) {
      if (win.API_1484_11) { return win.API_1484_11; }
      if (win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  function note(text) { if (log) { log.textContent += text + "\n"; } }

  var sco = {
    api: api,
    get: function (key) { return api ? api.GetValue(key) : ""; },
    set: function (key, value) {
      var ok = api ? api.SetValue(key, String(value)) : "false";
      note(key + " = " + value + " → " + ok);
      return ok;
    },
    apply: function (pairs) { pairs.forEach(function (p) { sco.set(p[0], p[1]); }); },
    commit: function () { return api ? api.Commit("") : "false"; },
    finish: function (request) {
      if (request) { sco.set("adl.nav.request", request); }
      document.body.setAttribute("data-terminated", "true");
      return api ? api.Terminate("") : "false";
    }
  };
  window.sco = sco;
  if (!api) { note("API_1484_11 not found"); return; }
  api.Initialize("");
  document.body.setAttribute("data-initialized", "true");
  sco.apply(data.values);
  sco.commit();
  data.actions.forEach(function (action, i) {
    var button = document.getElementById("sco-action-" + i);
    button.addEventListener("click", function () {
      sco.apply(action.values);
      sco.commit();
      if (action.finish) { sco.finish(action.request); }
    });
  });
}());
