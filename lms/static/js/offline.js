/* Offline study on LMS pages (docs/offline.md): registers the service worker (/sw.js), offers the
 * Vietnamese install prompt, adds "Tải về để học offline" to the learner's modules, shows what waits
 * to be sent and what arrived, asks the worker to send on "online", and clears everything at logout.
 * The content origin's files are stored by its own frame (/c/_offline/frame), never by this page. */
(function () {
  "use strict";
  var PAGES = "lms-offline-pages";
  var KEY = "lms-offline:modules";
  var ORIGIN_KEY = "lms-offline:content-origin";
  var canWork = "serviceWorker" in navigator && window.isSecureContext && "caches" in window;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function mb(bytes) {
    if (bytes < 1048576) return Math.max(1, Math.round(bytes / 1024)).toLocaleString("vi-VN") + " KB";
    return (bytes / 1048576).toLocaleString("vi-VN", { maximumFractionDigits: 1, minimumFractionDigits: 1 }) + " MB";
  }
  function when(ms) {
    return new Date(ms).toLocaleString("vi-VN", { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
  }
  function downloads() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function saveDownloads(all) {
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* shown by the caller's next check */ }
  }

  /* ---- the service worker ---- */
  var worker = canWork ? navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(function () { return navigator.serviceWorker.ready; }) : Promise.reject(new Error("no sw"));
  worker.catch(function () {});

  function ask(message) {
    return worker.then(function (reg) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        (navigator.serviceWorker.controller || reg.active).postMessage(message, [channel.port2]);
      });
    });
  }

  /* ---- the content origin's frame ---- */
  var frames = {};
  function contentFrame(frameUrl) {
    if (frames[frameUrl]) return frames[frameUrl];
    var url = frameUrl + "?lms=" + encodeURIComponent(location.origin);
    var origin = new URL(url, location.href).origin;
    var iframe = el("iframe", { src: url, title: "offline", hidden: "", "aria-hidden": "true", tabindex: "-1" });
    var waiting = {};
    var seq = 0;
    var ready = new Promise(function (resolve, reject) {
      window.addEventListener("message", function (event) {
        if (event.source !== iframe.contentWindow || event.origin !== origin) return;
        var msg = event.data || {};
        if (msg.type === "ready") resolve();
        else if (msg.type === "error" && msg.id === null) reject(msg);
        var job = waiting[msg.id];
        if (!job) return;
        if (msg.type === "progress" && job.progress) job.progress(msg);
        if (msg.type === "done") { delete waiting[msg.id]; job.resolve(); }
        if (msg.type === "error") { delete waiting[msg.id]; job.reject(msg); }
      });
    });
    document.body.appendChild(iframe);
    frames[frameUrl] = {
      send: function (message, progress) {
        return ready.then(function () {
          return new Promise(function (resolve, reject) {
            message.id = ++seq;
            waiting[message.id] = { resolve: resolve, reject: reject, progress: progress };
            iframe.contentWindow.postMessage(message, origin);
          });
        });
      }
    };
    return frames[frameUrl];
  }

  /* ---- download / remove ---- */
  function quotaMessage() {
    return "Máy không còn đủ chỗ trống để tải học phần này. Hãy xoá bớt học phần đã tải hoặc giải phóng bộ nhớ máy rồi thử lại.";
  }
  function isQuota(error) {
    return error && (error.quota || error.name === "QuotaExceededError");
  }

  function checkRoom(bytes) {
    if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve();
    if (navigator.storage.persist) navigator.storage.persist().catch(function () {});
    return navigator.storage.estimate().then(function (est) {
      if (est.quota && est.quota - (est.usage || 0) < bytes * 1.1) throw { quota: true };
    });
  }

  function download(plan, ui) {
    var frame = contentFrame(plan.frameUrl);
    var launcher = plan.launcher.concat([plan.launcherPage + "&lms=" + encodeURIComponent(location.origin)]);
    return checkRoom(plan.totalBytes).then(function () {
      return frame.send({ type: "store", version: plan.version, files: plan.files, launcher: launcher }, function (p) {
        ui.text("Đang tải " + p.done + "/" + p.total + " tệp (" + mb(p.bytes) + " / " + mb(plan.totalBytes) + ")…");
      });
    }).then(function () {
      return caches.open(PAGES).then(function (cache) { return cache.addAll(plan.pages); });
    }).then(function () {
      return ask({ type: "downloaded", attempt: plan.attempt });
    }).then(function () {
      var all = downloads();
      all[plan.module] = { title: plan.title, version: plan.version, versionNumber: plan.versionNumber,
        attempt: plan.attempt, bytes: plan.totalBytes, at: Date.now(), pages: plan.pages, frameUrl: plan.frameUrl };
      saveDownloads(all);
      try { localStorage.setItem(ORIGIN_KEY, plan.contentOrigin || location.origin); } catch (e) { /* full */ }
    });
  }

  function remove(code) {
    var item = downloads()[code];
    if (!item) return Promise.resolve();
    return contentFrame(item.frameUrl).send({ type: "remove", version: item.version }).then(function () {
      return caches.open(PAGES);
    }).then(function (cache) {
      return Promise.all(item.pages.map(function (p) { return cache.delete(p); }));
    }).then(function () {
      return ask({ type: "removed", attempt: item.attempt });
    }).then(function () {
      var all = downloads();
      delete all[code];
      saveDownloads(all);
    });
  }

  /* ---- the buttons on the learner's module rows ---- */
  function rowUi(row) {
    var cell = row.querySelector("td:last-child");
    var box = el("div", { class: "offline-box small mt-1", "data-offline": row.dataset.module });
    var note = el("span", { class: "offline-note me-2", role: "status", "aria-live": "polite" });
    box.appendChild(note);
    cell.appendChild(box);
    return {
      box: box,
      text: function (t) { note.textContent = t; },
      button: function (label, action, kind) {
        var b = el("button", { type: "button", class: "btn btn-sm tap " + (kind || "btn-outline-secondary"),
          "data-offline-action": action }, label);
        box.appendChild(b);
        return b;
      },
      reset: function () { Array.prototype.slice.call(box.querySelectorAll("button")).forEach(function (b) { b.remove(); }); }
    };
  }

  function showRow(row) {
    var code = row.dataset.module;
    var ui = row._offlineUi || (row._offlineUi = rowUi(row));
    ui.reset();
    var item = downloads()[code];
    if (item) {
      ui.text("Đã tải về (" + mb(item.bytes) + ", phiên bản " + item.versionNumber + ", lúc " + when(item.at) + ").");
      ui.button("Xoá bản tải về", "remove").addEventListener("click", function () {
        ui.text("Đang xoá…");
        remove(code).then(function () { ui.text("Đã xoá bản tải về."); showRow(row); },
          function () { ui.text("Không xoá được bản tải về. Hãy thử lại."); });
      });
      return;
    }
    if (row.dataset.status === "completed") { ui.text(""); return; }
    ui.text("");
    ui.button("Tải về để học offline", "plan").addEventListener("click", function () { offer(row, ui); });
  }

  function offer(row, ui) {
    ui.reset();
    ui.text("Đang tính dung lượng…");
    fetch("/offline/modules/" + encodeURIComponent(row.dataset.module) + "/plan", {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().then(function (body) { if (!r.ok) throw body; return body; });
    }).then(function (plan) {
      ui.text("Cần " + mb(plan.totalBytes) + " (" + plan.fileCount + " tệp).");
      ui.button("Tải về", "download", "btn-primary").addEventListener("click", function () {
        ui.reset();
        ui.text("Đang tải…");
        download(plan, ui).then(function () { showRow(row); }, function (error) {
          if (window.console) console.warn("offline download failed", error && (error.message || error.name), error);
          var refused = /ServiceWorker/.test(String(error && error.message));
          ui.text(isQuota(error) ? quotaMessage() : refused
            ? "Trình duyệt không cho phép lưu nội dung học phần trên máy (máy chủ nội dung phải cùng tên miền với hệ thống). Hãy báo quản trị viên."
            : "Tải về không thành công. Hãy kiểm tra kết nối rồi thử lại.");
          ui.button("Thử lại", "plan").addEventListener("click", function () { offer(row, ui); });
        });
      });
      ui.button("Huỷ", "cancel").addEventListener("click", function () { showRow(row); });
    }).catch(function (body) {
      ui.text((body && body.error && body.error.message) || "Không lấy được danh sách tệp. Hãy thử lại khi có mạng.");
      ui.button("Thử lại", "plan").addEventListener("click", function () { offer(row, ui); });
    });
  }

  /* ---- what waits to be sent, what arrived ---- */
  var retryTimer = null;
  function showStatus() {
    var table = document.getElementById("my-modules");
    if (!table) return;
    var box = document.getElementById("offline-status");
    if (!box) {
      box = el("div", { id: "offline-status", class: "alert alert-light small", role: "status", "aria-live": "polite" });
      table.closest(".table-responsive").insertAdjacentElement("beforebegin", box);
    }
    ask({ type: "status" }).then(function (s) {
      var lines = [];
      if (s.waiting.length) {
        lines.push("Đang chờ gửi lên máy chủ: " + s.waiting.length + " lần lưu (từ " + when(s.waiting[0].queuedAt) + ").");
      }
      if (s.problem) lines.push("Chưa gửi được: hãy đăng nhập lại khi có mạng; kết quả vẫn được giữ trên máy này.");
      var last = s.arrived[s.arrived.length - 1];
      if (last) lines.push("Lần đồng bộ gần nhất: " + when(last.arrivedAt) + " (lưu lúc " + when(last.queuedAt) + ").");
      if (!navigator.onLine) lines.unshift("Bạn đang offline. Các học phần đã tải về vẫn học được.");
      box.textContent = lines.join(" ");
      box.dataset.waiting = String(s.waiting.length);
      box.dataset.arrived = String(s.arrived.length);
      box.hidden = !lines.length;
      if (s.waiting.length && navigator.onLine && !retryTimer) {  // keep trying while saves wait
        retryTimer = setTimeout(function () { retryTimer = null; sync(); }, 10000);
      }
    }).catch(function () { box.hidden = true; });
  }

  function freshCsrf() {
    // a page served from the device carries the CSRF token of an older session: take the current one
    return fetch("/offline/csrf", { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (r) { return r.status === 200 ? r.json() : null; }).then(function (body) {
        if (!body || !body.token) return;
        Array.prototype.slice.call(document.querySelectorAll("input[name=csrf_token]")).forEach(function (i) { i.value = body.token; });
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) meta.setAttribute("content", body.token);
      }).catch(function () {});
  }

  function sync() {
    if (!canWork || !navigator.onLine) return;
    ask({ type: "replay" }).then(showStatus, function () {});
    freshCsrf();
  }

  /* ---- the install prompt ---- */
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    var bar = el("div", { id: "install-bar", class: "alert alert-info d-flex flex-wrap gap-2 align-items-center m-2" });
    bar.appendChild(el("span", { class: "flex-grow-1" }, "Cài ứng dụng lên điện thoại để mở nhanh và học cả khi không có mạng."));
    var yes = el("button", { type: "button", class: "btn btn-primary btn-sm tap" }, "Cài đặt");
    var no = el("button", { type: "button", class: "btn btn-outline-secondary btn-sm tap" }, "Để sau");
    bar.appendChild(yes);
    bar.appendChild(no);
    yes.addEventListener("click", function () { event.prompt(); bar.remove(); });
    no.addEventListener("click", function () { bar.remove(); });
    (document.getElementById("main") || document.body).prepend(bar);
  });

  /* ---- logout clears the downloads (the server also sends Clear-Site-Data) ---- */
  function clearContentOrigin(timeout) {
    var origin = localStorage.getItem(ORIGIN_KEY);
    if (!origin) return Promise.resolve();
    return new Promise(function (resolve) {
      var iframe = el("iframe", { src: origin + "/c/_offline/clear", hidden: "", title: "clear" });
      iframe.addEventListener("load", resolve);
      setTimeout(resolve, timeout);
      document.body.appendChild(iframe);
    });
  }

  function within(ms, promise, fallback) {
    return Promise.race([promise, new Promise(function (r) { setTimeout(function () { r(fallback); }, ms); })]);
  }

  function unsentBeforeLogout() {
    // send what can be sent first; what is still waiting would be lost with the downloads
    if (!canWork || !navigator.serviceWorker.controller) return Promise.resolve(0);
    var asked = navigator.onLine ? ask({ type: "replay" }) : ask({ type: "status" });
    return within(3000, asked, null).then(function (s) {
      return s && s.waiting && s.waiting.length ? s.waiting.length : 0;  // an answer of another shape: none
    }, function () { return 0; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || !/\/logout$/.test(new URL(form.action, location.href).pathname)) return;
    if (form.dataset.offlineCleared) return;
    event.preventDefault();
    var done = function () { form.dataset.offlineCleared = "1"; form.submit(); };
    unsentBeforeLogout().then(function (waiting) {
      if (waiting && !window.confirm("Còn " + waiting + " lần lưu kết quả học chưa gửi lên máy chủ. Đăng xuất sẽ " +
          "xoá chúng khỏi máy này. Vẫn đăng xuất?")) return;
      var work = [clearContentOrigin(2000)];
      if (canWork && navigator.serviceWorker.controller) work.push(ask({ type: "clear" }));
      if (navigator.onLine) work.push(freshCsrf());
      within(2500, Promise.all(work), null).then(done, done);
    }).catch(done);  // whatever failed above, the learner is still logged out
  }, true);

  /* ---- start ---- */
  function start() {
    if (!canWork) return;
    Array.prototype.slice.call(document.querySelectorAll("#my-modules tr[data-module]")).forEach(showRow);
    showStatus();
    sync();
    window.addEventListener("online", sync);
    window.addEventListener("offline", showStatus);
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "lms-offline-status") showStatus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
