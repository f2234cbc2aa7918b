// The LTI launched page: enter the player when this browser kept the launch session (its cookie in the
// platform's iframe); otherwise offer the new-window fallback (a one-use resume link).
(function () {
  "use strict";
  var root = document.getElementById("lti-launched");
  if (!root) { return; }
  function blocked() {
    root.querySelector("[data-lti-wait]").classList.add("d-none");
    root.querySelector("[data-lti-blocked]").classList.remove("d-none");
  }
  fetch(root.dataset.probe, { credentials: "include", cache: "no-store" })
    .then(function (r) { return r.ok ? r.json() : { launched: false }; })
    .then(function (body) {
      if (body.launched) { window.location.replace(root.dataset.frame); } else { blocked(); }
    })
    .catch(blocked);
})();
