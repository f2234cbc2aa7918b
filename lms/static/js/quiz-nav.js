/* Quiz taking page: one question per screen with a navigator (answered / flagged / unanswered), Previous
 * and Next, and a toggle between "one question" and "all questions".
 *
 * Mode: "one" below 768 px or when the quiz is one_per_page (data-one-per-page="1"), "all" otherwise; the
 * learner's choice (toggle) is kept per attempt. Flags and the current question are kept in localStorage
 * ("lms-quiz-<id>-flags", "lms-quiz-<id>-at") so that a reload comes back to the same place.
 * Without JavaScript the page shows every question and the navigator stays hidden. */
(function () {
  "use strict";
  var quiz = window.LMSQuiz;
  if (!quiz) { return; }
  var form = quiz.form;
  var base = "lms-quiz-" + form.dataset.attempt;
  var items = Array.prototype.slice.call(form.querySelectorAll(".quiz-item"));
  var nav = document.getElementById("quiz-nav");
  var navButtons = Array.prototype.slice.call(nav.querySelectorAll(".quiz-nav-item"));
  var prev = document.getElementById("quiz-prev");
  var next = document.getElementById("quiz-next");
  var toggle = document.getElementById("quiz-mode");
  var progress = document.getElementById("quiz-progress");

  function get(key, fallback) {
    try { var v = localStorage.getItem(base + key); return v === null ? fallback : JSON.parse(v); } catch (e) { return fallback; }
  }
  function put(key, value) {
    try { localStorage.setItem(base + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  var flags = get("-flags", {});
  var narrow = window.matchMedia("(max-width: 767.98px)").matches;
  var mode = get("-mode", form.dataset.onePerPage === "1" || narrow ? "one" : "all");
  var at = Math.min(Math.max(get("-at", parseInt(form.dataset.startPage, 10) || 1) - 1, 0), items.length - 1);

  function describe(i) {
    var fs = items[i];
    var words = [nav.dataset[fs.dataset.answered === "1" ? "answered" : "unanswered"]];
    if (flags[fs.dataset.position]) { words.push(nav.dataset.flagged); }
    return fs.dataset.position + ": " + words.join(", ");
  }

  function paint() {
    var done = 0;
    items.forEach(function (fs, i) {
      var b = navButtons[i];
      var answered = fs.dataset.answered === "1";
      var flagged = !!flags[fs.dataset.position];
      done += answered ? 1 : 0;
      b.classList.toggle("is-answered", answered);
      b.classList.toggle("is-flagged", flagged);
      b.classList.toggle("is-current", mode === "one" && i === at);
      b.dataset.state = flagged ? "flagged" : (answered ? "answered" : "unanswered");
      b.setAttribute("aria-label", describe(i));
      if (mode === "one" && i === at) { b.setAttribute("aria-current", "step"); } else { b.removeAttribute("aria-current"); }
      var flag = fs.querySelector(".quiz-flag");
      flag.setAttribute("aria-pressed", flagged ? "true" : "false");
      flag.classList.toggle("active", flagged);
    });
    progress.textContent = progress.dataset.template.replace("{n}", done).replace("{total}", items.length);
  }

  function show(i, focus) {
    at = Math.min(Math.max(i, 0), items.length - 1);
    put("-at", at + 1);
    items.forEach(function (fs, j) { fs.hidden = mode === "one" && j !== at; });
    prev.hidden = mode !== "one" || at === 0;
    next.hidden = mode !== "one" || at === items.length - 1;
    toggle.textContent = mode === "one" ? toggle.dataset.labelAll : toggle.dataset.labelOne;
    paint();
    if (focus) {
      var legend = items[at].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus({ preventScroll: true });
      items[at].scrollIntoView({ block: "nearest" });
      if (mode === "one") { window.scrollTo(0, 0); }
    }
  }

  navButtons.forEach(function (b, i) {
    b.addEventListener("click", function () {
      if (mode === "all") { items[i].scrollIntoView({ block: "start" }); at = i; paint(); return; }
      show(i, true);
    });
  });
  prev.addEventListener("click", function () { show(at - 1, true); });
  next.addEventListener("click", function () { show(at + 1, true); });
  toggle.addEventListener("click", function () {
    mode = mode === "one" ? "all" : "one";
    put("-mode", mode);
    show(at, false);
  });
  items.forEach(function (fs) {
    var flag = fs.querySelector(".quiz-flag");
    flag.hidden = false;
    flag.addEventListener("click", function () {
      if (flags[fs.dataset.position]) { delete flags[fs.dataset.position]; } else { flags[fs.dataset.position] = 1; }
      put("-flags", flags);
      paint();
    });
  });
  form.addEventListener("quiz:answered", paint);

  nav.hidden = false;
  toggle.hidden = false;
  form.classList.add("quiz-enhanced");
  show(at, false);
})();
