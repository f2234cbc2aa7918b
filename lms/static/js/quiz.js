/* Quiz taking page: autosave each answer, keep unsent answers in localStorage, re-send when back online.
 * quiz-nav.js pages the questions; quiz-submit.js submits (offline-safe) and counts down the time limit. The page never holds a key; the server grades on submission.
 *
 * Two stores per attempt:
 *  - "lms-quiz-<id>": answers not yet acknowledged by the server (position -> response);
 *  - "lms-quiz-<id>-acked": answers the server acknowledged (position -> {v: response, t: saved_ms}).
 * A reload can race an autosave in flight: the server may render the page before that save commits,
 * while the old page receives the acknowledgement and drops the answer from the unsent store. The
 * acknowledged store closes the gap: on load, an acknowledged answer newer than the one the server
 * rendered (data-saved-ms) is shown, so the form never shows (nor re-submits) a stale answer.
 *
 * The form exposes its state for people and tests: data-pending = number of unsent answers,
 * data-state = idle | saving | saved | offline | error (quiz-submit.js adds sending | waiting);
 * each question's fieldset has data-answered = 1 | 0 and fires "quiz:answered" when that changes. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var url = form.dataset.autosaveUrl;
  var storeKey = "lms-quiz-" + form.dataset.attempt;
  var statusEl = document.getElementById("quiz-status");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var ackedKey = storeKey + "-acked";
  var sending = {};
  var memory = {};  // fallback when localStorage is unavailable (private mode)

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return memory[key] || {}; }
  }
  function write(key, value) {
    memory[key] = value;
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function load() { return read(storeKey); }
  function store(pending) {
    write(storeKey, pending);
    form.dataset.pending = String(Object.keys(pending).length);
  }
  function state(name, text) {
    form.dataset.state = name;
    if (statusEl && text !== undefined) { statusEl.textContent = text; }
  }

  function responseOf(fs) {
    var type = fs.dataset.qtype;
    if (type === "single" || type === "true_false") {
      var c = fs.querySelector("input:checked");
      if (!c) { return null; }
      return type === "true_false" ? c.value === "true" : c.value;
    }
    if (type === "multiple") {
      return Array.prototype.map.call(fs.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (type === "numeric") {
      var v = fs.querySelector("input[type=text]").value.trim();
      return v === "" ? null : v;
    }
    if (type === "ordering") {
      var sels = Array.prototype.slice.call(fs.querySelectorAll("select"));
      var ranks = sels.map(function (s) { return parseInt(s.value, 10); });
      var distinct = ranks.filter(function (r, i) { return r && ranks.indexOf(r) === i; });
      if (distinct.length !== sels.length) { return null; }
      return sels.slice().sort(function (a, b) { return parseInt(a.value, 10) - parseInt(b.value, 10); })
        .map(function (s) { return s.dataset.choice; });
    }
    return null;
  }

  function answered(fs) {
    var value = responseOf(fs);
    return value !== null && !(Array.isArray(value) && value.length === 0);
  }
  function mark(fs) {
    fs.dataset.answered = answered(fs) ? "1" : "0";
    fs.dispatchEvent(new CustomEvent("quiz:answered", { bubbles: true }));
  }

  function apply(fs, value) {
    var type = fs.dataset.qtype;
    if (type === "single" || type === "true_false") {
      var want = type === "true_false" && value !== null ? String(value) : value;
      fs.querySelectorAll("input").forEach(function (i) { i.checked = i.value === want; });
    } else if (type === "multiple") {
      fs.querySelectorAll("input").forEach(function (i) { i.checked = (value || []).indexOf(i.value) >= 0; });
    } else if (type === "numeric") {
      fs.querySelector("input[type=text]").value = value === null ? "" : value;
    } else if (type === "ordering" && value) {
      fs.querySelectorAll("select").forEach(function (s) { s.value = String(value.indexOf(s.dataset.choice) + 1); });
    }
  }

  function send(position) {
    var pending = load();
    if (!(position in pending) || sending[position]) { return Promise.resolve(); }
    var value = pending[position];
    sending[position] = true;
    state("saving");
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ position: parseInt(position, 10), response: value })
    }).then(function (r) {
      return r.json().then(function (b) { return [r, b]; }, function () { return [r, {}]; });
    }).then(function (rb) {
      var r = rb[0], body = rb[1];
      sending[position] = false;
      // the attempt was submitted meanwhile (quiz-submit.js cleared what this page kept): keep nothing more
      if (form.dataset.submit === "done") { return; }
      var now = load();
      var same = JSON.stringify(now[position]) === JSON.stringify(value);
      if (r.ok) {
        // remember what the server holds (and when) before forgetting the unsent copy: a page
        // rendered before this save committed is corrected from it on load
        var acked = read(ackedKey);
        acked[position] = { v: value, t: body.saved_ms || Date.now() };
        write(ackedKey, acked);
      }
      if ((r.ok || (r.status >= 400 && r.status < 500 && r.status !== 429)) && same) {
        delete now[position];
        store(now);
      }
      if (position in now) { return send(position); }
      if (r.ok) { state(Object.keys(now).length ? "saving" : "saved", form.dataset.msgSaved); }
      else { state("error", (body.error && body.error.message) || form.dataset.msgError); }
    }, function () {
      sending[position] = false;
      state("offline", form.dataset.msgOffline);
    });
  }

  function flush() {
    return Promise.all(Object.keys(load()).map(send));
  }

  form.querySelectorAll(".quiz-item").forEach(function (fs) {
    var t;
    var handler = function () {
      clearTimeout(t);
      var pending = load();
      pending[fs.dataset.position] = responseOf(fs);
      store(pending);
      mark(fs);
      send(fs.dataset.position);
    };
    fs.addEventListener("change", handler);
    var num = fs.querySelector("input[type=text]");
    if (num) {
      num.addEventListener("input", function () { clearTimeout(t); t = setTimeout(handler, 600); });
    }
  });

  // answers acknowledged after the server rendered this page: show them (then forget them: the page now has them)
  var acked = read(ackedKey);
  Object.keys(acked).forEach(function (position) {
    var fs = form.querySelector('.quiz-item[data-position="' + position + '"]');
    var entry = acked[position];
    if (fs && entry && Number(fs.dataset.savedMs || 0) < Number(entry.t || 0)) { apply(fs, entry.v); mark(fs); }
  });
  write(ackedKey, {});
  // answers not yet sent (connection lost, page reloaded): show them and send them again
  var pending = load();
  form.dataset.pending = String(Object.keys(pending).length);
  Object.keys(pending).forEach(function (position) {
    var fs = form.querySelector('.quiz-item[data-position="' + position + '"]');
    if (fs) { apply(fs, pending[position]); mark(fs); }
  });
  flush();
  window.addEventListener("online", flush);

  // shared with quiz-nav.js (navigator) and quiz-submit.js (offline-safe submission, timer)
  window.LMSQuiz = { form: form, flush: flush, pending: load, answered: answered, state: state };
})();
