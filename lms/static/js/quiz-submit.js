/* Quiz taking page: an offline-safe submission and the countdown.
 *
 * "Nộp bài" (or the end of the time) keeps the whole form in localStorage ("lms-quiz-<id>-submit") and
 * posts it with fetch. Without a connection the page shows "Đang chờ kết nối…" (#quiz-waiting) and sends
 * again when the browser is back online and on a backoff (2 s, 4 s … 60 s); a page reloaded with a kept
 * submission sends it at once. The server decides on time (services.close: after the deadline plus grace
 * the answers sent are ignored and what was saved in time is graded). 409 means the attempt is already
 * submitted (a double send): done, like a success — the result page is shown.
 *
 * The form exposes data-submit = idle | sending | waiting | done for people and tests. */
(function () {
  "use strict";
  var quiz = window.LMSQuiz;
  if (!quiz) { return; }
  var form = quiz.form;
  var key = "lms-quiz-" + form.dataset.attempt + "-submit";
  var waiting = document.getElementById("quiz-waiting");
  var status = document.getElementById("quiz-status");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var delay = 2000;
  var timer = null;
  var busy = false;

  function kept() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep(fields) {
    try { localStorage.setItem(key, JSON.stringify(fields)); } catch (e) { /* private mode: memory only */ }
  }
  function forget() {
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }
  function phase(name) {
    form.dataset.submit = name;
    waiting.hidden = name !== "waiting";
    form.querySelectorAll("input, select, button").forEach(function (el) { el.disabled = name !== "idle"; });
  }
  function done(url) {
    phase("done");
    var base = "lms-quiz-" + form.dataset.attempt;
    try {
      Object.keys(localStorage).forEach(function (k) {
        if (k === base || k.indexOf(base + "-") === 0) { localStorage.removeItem(k); }
      });
    } catch (e) { /* private mode: nothing kept */ }
    window.location.assign(url || form.dataset.resultUrl);
  }

  function retry() {
    phase("waiting");
    status.textContent = "";  // #quiz-waiting says it
    clearTimeout(timer);
    timer = setTimeout(send, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function send() {
    var fields = kept();
    if (!fields || busy) { return; }
    busy = true;
    clearTimeout(timer);
    phase("sending");
    status.textContent = form.dataset.msgSending;
    fetch(form.dataset.submitUrl, {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(fields),
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) {
      busy = false;
      if (r.ok && r.redirected && r.url.indexOf(form.dataset.resultUrl) === -1) {
        window.location.assign(r.url);  // the session ended: the login page (the submission stays kept)
      } else if (r.ok || r.status === 409) {
        done(r.ok ? r.url : null);
      } else if (r.status >= 500 || r.status === 429 || r.status === 408) {
        retry();
      } else {
        forget();
        r.json().then(function (b) { return b.error && b.error.message; }, function () { return null; })
          .then(function (message) { phase("idle"); quiz.state("error", message || form.dataset.msgError); });
      }
    }, function () {
      busy = false;
      retry();  // no connection
    });
  }

  function fields() {
    var out = [];
    new FormData(form).forEach(function (value, name) { out.push([name, value]); });
    out.push(["go", "submit"]);
    return out;
  }

  function submit() {
    keep(fields());
    delay = 2000;
    if (navigator.onLine) { quiz.flush().then(send, send); } else { send(); }
  }

  form.addEventListener("submit", function (ev) {
    var submitter = ev.submitter;
    ev.preventDefault();
    if (!submitter || submitter.value !== "submit") { return; }
    var open = form.querySelectorAll('.quiz-item[data-answered="0"]').length;
    var ask = open ? form.dataset.msgConfirmOpen.replace("{n}", open) : form.dataset.msgConfirm;
    if (window.confirm(ask)) { submit(); }
  });
  window.addEventListener("online", function () { if (form.dataset.submit === "waiting") { delay = 2000; send(); } });

  if (kept()) { send(); } else { phase("idle"); }

  var clock = document.getElementById("quiz-timer");
  if (clock) {
    var end = Date.now() + parseInt(clock.dataset.secondsLeft, 10) * 1000;
    var iv = setInterval(function () {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s === 0) {
        clearInterval(iv);
        if (!kept()) { status.textContent = form.dataset.msgTimeUp; submit(); }
      }
    }, 1000);
  }
})();
