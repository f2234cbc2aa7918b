/*
 * sco-runtime.js — the run-time script of the SCOs built by scorm/build.py.
 *
 * Talks to the LMS through SCORM 1.2 (window.API) or SCORM 2004 (window.API_1484_11), found in a
 * parent or opener window. One SCO = one module; its pages are the lessons. The script:
 *   - restores the page (bookmark) and the answered questions (suspend_data) on resume;
 *   - reports each practice answer as a cmi.interaction, the practice score, progress,
 *     completion (last page reached) and success (score >= pass mark);
 *   - commits after each page and answer, and terminates on Exit or when the page goes away.
 * No dependencies; ES5 so that old Android browsers run it.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("sco-data").textContent);
  var pages = data.pages;
  var lastPage = pages.length - 1;
  var startedAt = new Date();

  /* ---- finding the API ------------------------------------------------------------------- */

  function scan(win, name) {
    var tries = 0;
    try {
      while (win && !win[name] && win.parent && win.parent !== win) {
        tries += 1;
        if (tries > 10) { return null; }
        win = win.parent;
      }
      return (win && win[name]) || null;
    } catch (e) {
      return null; /* a cross-origin frame on the way */
    }
  }

  function findAPI(name) {
    var api = scan(window, name);
    try {
      if (!api && window.opener) { api = scan(window.opener, name); }
      if (!api && window.top && window.top.opener) { api = scan(window.top.opener, name); }
    } catch (e) { /* opener from another origin */ }
    return api;
  }

  function pad(n, width) {
    var s = String(Math.floor(n));
    while (s.length < (width || 2)) { s = "0" + s; }
    return s;
  }

  /* Adapters give both versions one interface: get, set, commit, finish, and formats. */
  function adapter12(api) {
    return {
      version: "1.2",
      init: function () { return String(api.LMSInitialize("")) === "true"; },
      get: function (el) { return String(api.LMSGetValue(el)); },
      set: function (el, v) { return String(api.LMSSetValue(el, String(v))) === "true"; },
      commit: function () { return api.LMSCommit(""); },
      finish: function () { return api.LMSFinish(""); },
      el: {
        entry: "cmi.core.entry", location: "cmi.core.lesson_location", exit: "cmi.core.exit",
        sessionTime: "cmi.core.session_time", raw: "cmi.core.score.raw", min: "cmi.core.score.min",
        max: "cmi.core.score.max", response: "student_response", status: "cmi.core.lesson_status"
      },
      choiceSep: ",",
      letter: function (i) { return "abcdefghijklmnopqrstuvwxyz".charAt(i); },
      bool: function (b) { return b ? "t" : "f"; },
      wrong: "wrong",
      stamp: function (d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); },
      duration: function (ms) {
        var s = ms / 1000;
        return pad(s / 3600, 4) + ":" + pad((s % 3600) / 60) + ":" + pad(s % 60) + "." + pad((ms % 1000) / 10);
      }
    };
  }

  function adapter2004(api) {
    return {
      version: "2004",
      init: function () { return String(api.Initialize("")) === "true"; },
      get: function (el) { return String(api.GetValue(el)); },
      set: function (el, v) { return String(api.SetValue(el, String(v))) === "true"; },
      commit: function () { return api.Commit(""); },
      finish: function () { return api.Terminate(""); },
      el: {
        entry: "cmi.entry", location: "cmi.location", exit: "cmi.exit", sessionTime: "cmi.session_time",
        raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max", response: "learner_response"
      },
      choiceSep: "[,]",
      letter: function (i) { return "abcdefghijklmnopqrstuvwxyz".charAt(i); },
      bool: function (b) { return b ? "true" : "false"; },
      wrong: "incorrect",
      stamp: function (d) {
        return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
          pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
      },
      duration: function (ms) {
        var s = Math.round(ms / 100) / 10;
        var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
        return "PT" + h + "H" + m + "M" + Math.round((s % 60) * 10) / 10 + "S";
      }
    };
  }

  var lms = null;
  (function connect() {
    var api2004 = findAPI("API_1484_11");
    var api12 = api2004 ? null : findAPI("API");
    var candidate = api2004 ? adapter2004(api2004) : (api12 ? adapter12(api12) : null);
    if (candidate && candidate.init()) { lms = candidate; }
  })();

  /* ---- state ------------------------------------------------------------------------------ */

  var state = { page: 0, visited: {}, answers: {} }; /* answers: id -> {r: response, c: correct} */
  var finished = false;
  var reportedStatus = "";

  function restore() {
    if (!lms || lms.get(lms.el.entry) !== "resume") { return; }
    try {
      var saved = JSON.parse(lms.get("cmi.suspend_data") || "{}");
      (saved.v || []).forEach(function (i) { if (i >= 0 && i <= lastPage) { state.visited[i] = true; } });
      state.answers = saved.a || {};
    } catch (e) { state.answers = {}; }
    var bookmark = parseInt(lms.get(lms.el.location), 10);
    if (bookmark >= 0 && bookmark <= lastPage) { state.page = bookmark; }
  }

  function suspendData() {
    return JSON.stringify({ v: Object.keys(state.visited).map(Number).sort(function (a, b) { return a - b; }), a: state.answers });
  }

  function allQuestions() {
    var list = [];
    pages.forEach(function (p) { list = list.concat(p.questions); });
    return list;
  }

  function practiceScore() {
    var qs = allQuestions();
    if (!qs.length) { return null; }
    var right = qs.filter(function (q) { return state.answers[q.id] && state.answers[q.id].c; }).length;
    return Math.round((right / qs.length) * 10000) / 100;
  }

  function allSeen() { return Object.keys(state.visited).length >= pages.length; }

  function allAnswered() {
    return allQuestions().every(function (q) { return !!state.answers[q.id]; });
  }

  /* ---- reporting -------------------------------------------------------------------------- */

  /* Success is decided once the learner has answered everything, or is leaving after the last page. */
  function reportProgress(leaving) {
    if (!lms) { return; }
    var score = practiceScore();
    var passed = score !== null && data.passMark !== null && score >= data.passMark;
    var decided = allAnswered() || !!leaving;
    lms.set(lms.el.location, state.page);
    lms.set("cmi.suspend_data", suspendData());
    if (score !== null) {
      lms.set(lms.el.min, 0);
      lms.set(lms.el.max, 100);
      lms.set(lms.el.raw, score);
    }
    if (lms.version === "1.2") {
      var status = "incomplete";
      if (allSeen() && data.passMark === null) { status = "completed"; }
      if (allSeen() && data.passMark !== null && decided) { status = passed ? "passed" : "failed"; }
      if (status !== reportedStatus) { lms.set(lms.el.status, status); reportedStatus = status; }
    } else {
      lms.set("cmi.progress_measure", Math.round((Object.keys(state.visited).length / pages.length) * 1000) / 1000);
      if (score !== null) { lms.set("cmi.score.scaled", Math.round(score * 100) / 10000); }
      lms.set("cmi.completion_status", state.visited[lastPage] ? "completed" : "incomplete");
      if (data.passMark !== null && state.visited[lastPage] && decided) {
        lms.set("cmi.success_status", passed ? "passed" : "failed");
      }
    }
  }

  function pattern(q) {
    if (q.type === "true_false") { return lms.bool(q.key); }
    if (q.type === "numeric") {
      return lms.version === "1.2" ? String(q.key) : (q.key - q.tolerance) + "[:]" + (q.key + q.tolerance);
    }
    var keys = q.type === "multiple" ? q.key : [q.key];
    return keys.map(lms.letter).join(lms.choiceSep);
  }

  function responseText(q, response) {
    if (q.type === "true_false") { return lms.bool(response); }
    if (q.type === "numeric") { return String(response); }
    return response.map(lms.letter).join(lms.choiceSep);
  }

  function reportInteraction(q, response, correct) {
    if (!lms) { return; }
    var n = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
    var base = "cmi.interactions." + n + ".";
    var type = q.type === "true_false" ? "true-false" : (q.type === "numeric" ? "numeric" : "choice");
    lms.set(base + "id", q.id);
    lms.set(base + "type", type);
    lms.set(base + (lms.version === "1.2" ? "time" : "timestamp"), lms.stamp(new Date()));
    if (lms.version !== "1.2") { lms.set(base + "description", q.text); }
    lms.set(base + "weighting", 1);
    lms.set(base + "correct_responses.0.pattern", pattern(q));
    lms.set(base + lms.el.response, responseText(q, response));
    lms.set(base + "result", correct ? "correct" : lms.wrong);
  }

  function commit() { if (lms) { lms.commit(); } }

  function finish() {
    if (finished) { return; }
    finished = true;
    if (!lms) { return; }
    reportProgress(true);
    var done = lms.version === "1.2" ? allSeen() : !!state.visited[lastPage];
    lms.set(lms.el.exit, done ? (lms.version === "1.2" ? "" : "normal") : "suspend");
    lms.set(lms.el.sessionTime, lms.duration(new Date() - startedAt));
    lms.commit();
    lms.finish();
  }

  /* ---- grading ---------------------------------------------------------------------------- */

  function readResponse(form, q) {
    if (q.type === "numeric") {
      var text = form.querySelector("input").value.replace(",", ".").trim();
      return text === "" || isNaN(Number(text)) ? null : Number(text);
    }
    var picked = [];
    Array.prototype.forEach.call(form.querySelectorAll("input:checked"), function (input) {
      picked.push(input.value);
    });
    if (!picked.length) { return null; }
    if (q.type === "true_false") { return picked[0] === "true"; }
    return picked.map(Number).sort(function (a, b) { return a - b; });
  }

  function isCorrect(q, r) {
    if (q.type === "numeric") { return Math.abs(r - q.key) <= q.tolerance + 1e-9; }
    if (q.type === "true_false") { return r === q.key; }
    var keys = (q.type === "multiple" ? q.key.slice() : [q.key]).sort(function (a, b) { return a - b; });
    return keys.join(",") === r.join(",");
  }

  function showAnswer(form, q, answer) {
    var box = form.querySelector(".feedback");
    box.hidden = false;
    box.className = "feedback " + (answer.c ? "correct" : "incorrect");
    box.querySelector(".verdict").textContent = answer.c ? "Đúng ✓" : "Chưa đúng ✗";
    Array.prototype.forEach.call(form.querySelectorAll("input, button"), function (el) { el.disabled = true; });
    if (q.type === "numeric") { form.querySelector("input").value = String(answer.r); return; }
    Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) {
      input.checked = q.type === "true_false" ? String(answer.r) === input.value
        : answer.r.indexOf(Number(input.value)) !== -1;
    });
  }

  function wireQuestion(form, q) {
    if (state.answers[q.id]) { showAnswer(form, q, state.answers[q.id]); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (state.answers[q.id]) { return; }
      var r = readResponse(form, q);
      if (r === null) { setStatus("Hãy chọn hoặc nhập câu trả lời trước khi kiểm tra."); return; }
      var answer = { r: r, c: isCorrect(q, r) };
      state.answers[q.id] = answer;
      showAnswer(form, q, answer);
      reportInteraction(q, r, answer.c);
      reportProgress();
      commit();
      render();
    });
  }

  /* ---- pages ------------------------------------------------------------------------------ */

  function setStatus(text) { document.querySelector(".status").textContent = text; }

  function render() {
    Array.prototype.forEach.call(document.querySelectorAll(".page"), function (section) {
      section.hidden = Number(section.getAttribute("data-page")) !== state.page;
    });
    document.getElementById("btn-prev").disabled = state.page === 0;
    document.getElementById("btn-next").disabled = state.page === lastPage;
    var seen = Object.keys(state.visited).length;
    document.querySelector(".progress-bar").style.width = Math.round((seen / pages.length) * 100) + "%";
    var score = practiceScore();
    setStatus("Đã xem " + seen + "/" + pages.length + " bài" +
      (score === null ? "" : " · Điểm ôn tập: " + score + "/100") + (lms ? "" : " · (không kết nối LMS)"));
  }

  function goTo(index) {
    state.page = Math.max(0, Math.min(lastPage, index));
    state.visited[state.page] = true;
    render();
    window.scrollTo(0, 0);
    reportProgress();
    commit();
  }

  function start() {
    restore();
    var byId = {};
    pages.forEach(function (p) { p.questions.forEach(function (q) { byId[q.id] = q; }); });
    Array.prototype.forEach.call(document.querySelectorAll("form.question"), function (form) {
      wireQuestion(form, byId[form.getAttribute("data-qid")]);
    });
    document.getElementById("btn-prev").addEventListener("click", function () { goTo(state.page - 1); });
    document.getElementById("btn-next").addEventListener("click", function () { goTo(state.page + 1); });
    document.getElementById("btn-exit").addEventListener("click", function () {
      finish();
      document.getElementById("pages").hidden = true;
      document.querySelector(".sco-nav").hidden = true;
      document.getElementById("exited").hidden = false;
    });
    window.addEventListener("pagehide", finish);
    if (!("onpagehide" in window)) { window.addEventListener("unload", finish); }
    if (lms && lms.version === "1.2" && lms.get(lms.el.status) === "not attempted") {
      lms.set(lms.el.status, "incomplete");
    }
    goTo(state.page);
  }

  start();
})();
