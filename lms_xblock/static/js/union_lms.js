/* The block's JS: when the LMS page in the iframe reports progress or the end of the module
   (window.postMessage from the backend's origin), ask the block's `refresh` handler, which asks the
   backend server to server. Nothing from the message is sent on: the browser never carries a score. */
function UnionLmsXBlock(runtime, element, init) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var status = root.querySelector(".union-lms-status");
  var busy = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(init.refreshUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: "{}"
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (status && data && data.text) { status.textContent = data.text; }
      else if (status && data && data.message) { status.textContent = data.message; }
    }).catch(function () {}).then(function () { busy = false; });
  }

  window.addEventListener("message", function (event) {
    if (!init.backendOrigin || event.origin !== init.backendOrigin) { return; }
    var data = event.data || {};
    if (data.type === "union-lms:ended" || data.type === "union-lms:progress") { refresh(); }
  });
}
