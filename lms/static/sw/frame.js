/* The content origin's download frame (/c/_offline/frame?lms=<origin>), see docs/offline.md.
 * It registers the content service worker (scope /c/) and, asked by the LMS page (only by the window
 * and origin that framed it), stores a module's package files in Cache Storage keyed by version and
 * path, reports progress, removes a module, or clears everything. It never talks to the LMS. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("offline-frame-config").textContent);
  var FILES = "lms-content-files";
  var LAUNCHER = "lms-content-launcher";
  var ready = navigator.serviceWorker
    ? navigator.serviceWorker.register("/c/_offline/sw.js", { scope: "/c/" }).then(function () {
        return navigator.serviceWorker.ready;
      })
    : Promise.reject(new Error("no service worker"));

  function post(msg) { window.parent.postMessage(msg, cfg.lmsOrigin); }

  function keyOf(url, version) {
    var u = new URL(url, location.href);
    var rest = u.pathname.split("/").slice(3).join("/");  // "", "c", token, path…
    return u.origin + "/c/_offline/v/" + version + "/" + rest;
  }

  function isQuota(error) {
    return error && (error.name === "QuotaExceededError" || error.code === 22);
  }

  function store(msg) {
    var done = 0;
    var bytes = 0;
    return caches.open(FILES).then(function (cache) {
      var files = msg.files.slice();
      function next() {
        var file = files.shift();
        if (!file) return null;
        return fetch(file.url, { credentials: "omit" }).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status + " " + file.path);
          return cache.put(keyOf(file.url, msg.version), response);
        }).then(function () {
          done += 1;
          bytes += file.size;
          post({ type: "progress", id: msg.id, done: done, total: msg.files.length, bytes: bytes });
          return next();
        });
      }
      return Promise.all([next(), next(), next()]);  // three at a time
    }).then(function () {
      return caches.open(LAUNCHER).then(function (cache) { return cache.addAll(msg.launcher); });
    });
  }

  function remove(msg) {
    var prefix = location.origin + "/c/_offline/v/" + msg.version + "/";
    return caches.open(FILES).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (r) { return r.url.indexOf(prefix) === 0; })
          .map(function (r) { return cache.delete(r); }));
      });
    });
  }

  function clearAll() {
    return caches.keys().then(function (names) {
      return Promise.all(names.map(function (n) { return caches.delete(n); }));
    });
  }

  var actions = { store: store, remove: remove, clear: clearAll, ping: function () { return Promise.resolve(); } };

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== cfg.lmsOrigin) return;
    var msg = event.data || {};
    var action = actions[msg.type];
    if (!action) return;
    ready.then(function () { return action(msg); }).then(function () {
      post({ type: "done", id: msg.id });
    }).catch(function (error) {
      post({ type: "error", id: msg.id, quota: isQuota(error), message: String(error && error.message || error) });
    });
  });
  ready.then(function () { post({ type: "ready" }); }, function (error) {
    post({ type: "error", id: null, message: String(error && error.message || error) });
  });
})();
