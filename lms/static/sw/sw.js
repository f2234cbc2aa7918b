/* The LMS origin's service worker (scope "/"), bundled by scripts/build-sw.mjs with Workbox.
 * docs/offline.md explains the design:
 *  - the LMS's own static files are precached (workbox-precaching, list injected by workbox-build);
 *  - pages of a downloaded module (cache "lms-offline-pages", filled by offline.js) are network-first:
 *    a fresh copy replaces the stored one; offline the stored one is served, its #player-config
 *    brought up to date with the commits still waiting to be sent;
 *  - every commit POST goes through a durable IndexedDB queue (workbox-background-sync) whenever the
 *    network fails or older commits are still waiting, so the server receives them in order; the page
 *    is answered {"status": "queued"} and forgets them. The queue is replayed by Background Sync, or at
 *    the next start of the worker, or when a page says it is online again.
 */
import { precacheAndRoute } from "workbox-precaching";
import { Queue } from "workbox-background-sync";

const PAGES = "lms-offline-pages";
const LOG = "lms-offline-log";
const LOG_KEY = "/__offline/sync-log";
const COMMIT = /\/player\/attempts\/\d+\/scos\/[^/]+\/commit$/;

// static URLs carry "?v=<hash>" (lms.core.templating): the precached copy answers any of them
precacheAndRoute(self.__WB_MANIFEST || [], { ignoreURLParametersMatching: [/^v$/, /^utm_/] });

/* ---- the sync log: what arrived on the server, and when ---- */
async function readLog() {
  // caches.match with a cacheName reads without creating the cache (caches.open would create it)
  const found = await caches.match(LOG_KEY, { cacheName: LOG });
  return found ? found.json() : [];
}
async function writeLog(entries) {
  const cache = await caches.open(LOG);
  await cache.put(LOG_KEY, new Response(JSON.stringify(entries.slice(-50)), {
    headers: { "Content-Type": "application/json" } }));
}

/* ---- the commit queue ---- */
let lastProblem = null;

async function freshToken() {
  // the queued commits carry the CSRF token of the page that made them; a later session (the browser was
  // closed, remember-me logged the learner in again) has another one: ask for the current one
  const response = await fetch("/offline/csrf", { credentials: "same-origin", redirect: "manual",
    headers: { Accept: "application/json" } });
  if (response.status !== 200) return null;
  return (await response.json()).token || null;
}

async function withToken(request, token, seq) {
  const headers = new Headers(request.headers);
  headers.set("X-CSRFToken", token);
  let body = await request.clone().text();
  if (seq) {
    try { body = JSON.stringify(Object.assign(JSON.parse(body), { seq })); } catch (e) { /* sent as it is */ }
  }
  return new Request(request.url, { method: "POST", headers, body, credentials: "same-origin" });
}

/* A queued commit is sent with a sequence number of the time it is first replayed (kept in the entry's
 * metadata, so a retry is a duplicate, not a second write): the server keeps only commits newer than what
 * it stored, and another device may have written since this one went offline — its results must not be
 * dropped as "stale". Results never regress on the server (best completion, success and score). */
let lastSeq = 0;
function replaySeq(entry) {
  entry.metadata = entry.metadata || {};
  if (!entry.metadata.seq) {
    lastSeq = Math.max(Date.now() * 1000, lastSeq + 1);
    entry.metadata.seq = lastSeq;
  }
  return entry.metadata.seq;
}

async function replay({ queue }) {
  if (!(await queue.size())) return;
  let entry;
  const arrived = [];
  try {
    const token = await freshToken();  // a network error: still offline, try again later
    if (!token) {
      lastProblem = { status: 401, at: Date.now() };
      return;
    }
    while ((entry = await queue.shiftRequest())) {
      let response;
      try {
        response = await fetch(await withToken(entry.request, token, replaySeq(entry)));
      } catch (error) {
        await queue.unshiftRequest(entry);
        throw error;  // still offline: Background Sync (or the next start) tries again
      }
      const body = await response.clone().json().catch(() => ({}));
      const code = body && body.error && body.error.code;
      if (response.status === 401 || response.status === 403 || code === "csrf" || response.status >= 500) {
        await queue.unshiftRequest(entry);  // log in again (or a server problem): keep it, in order
        lastProblem = { status: response.status, at: Date.now() };
        return;
      }
      lastProblem = null;
      arrived.push({ url: entry.request.url, queuedAt: entry.timestamp, arrivedAt: Date.now(),
        status: body.status || String(response.status) });
    }
  } finally {
    if (arrived.length) await writeLog((await readLog()).concat(arrived));
    await broadcast({ type: "lms-offline-status" });
  }
}

const queue = new Queue("lms-commits", { maxRetentionTime: 60 * 24 * 30, onSync: replay });

async function queued(request) {
  await queue.pushRequest({ request });
  queue.registerSync && queue.registerSync();
  return new Response(JSON.stringify({ result: "true", errorCode: 0, status: "queued" }), {
    status: 200, headers: { "Content-Type": "application/json", "X-LMS-Offline": "queued" } });
}

async function sendCommit({ request }) {
  const waiting = await queue.size();
  if (waiting > 0) {  // older commits first: the server refuses an older sequence after a newer one
    const answer = await queued(request);
    if (navigator.onLine !== false) replayNow();
    return answer;
  }
  try {
    const answer = await fetch(request.clone());
    return (await isCsrfRefusal(answer)) ? await retryWithFreshToken(request, answer) : answer;
  } catch (error) {
    return queued(request);
  }
}

async function isCsrfRefusal(response) {
  if (response.status !== 400) return false;
  const body = await response.clone().json().catch(() => ({}));
  return !!(body && body.error && body.error.code === "csrf");
}

async function retryWithFreshToken(request, refused) {
  // a page stored for offline use carries the CSRF token of the session it was stored in
  const token = await freshToken().catch(() => null);
  return token ? fetch(await withToken(request, token)) : refused;
}

/* Only attempts downloaded for offline study are handled here (offline.js says which): the others keep
 * the player's own queue (localStorage, retries) untouched, with no worker in the way. */
const ATTEMPTS_KEY = "/__offline/attempts";
const downloaded = new Set();
let ready = false;
// read without creating: a worker starting after logout (the login page registers it) leaves no cache behind
const loaded = caches.match(ATTEMPTS_KEY, { cacheName: LOG }).then((r) => (r ? r.json() : []))
  .then((ids) => ids.forEach((id) => downloaded.add(String(id)))).catch(() => {})
  .then(() => { ready = true; });

async function saveAttempts() {
  const cache = await caches.open(LOG);
  await cache.put(ATTEMPTS_KEY, new Response(JSON.stringify([...downloaded])));
}

function attemptOf(url) {
  const found = url.pathname.match(/^\/player\/attempts\/(\d+)\//);
  return found ? found[1] : null;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const commit = request.method === "POST" && COMMIT.test(url.pathname);
  const nav = request.mode === "navigate" && (url.pathname === "/player/" || /\/play$/.test(url.pathname));
  if (!commit && !nav) return;
  const id = attemptOf(url);
  const mine = () => (id === null ? downloaded.size > 0 : downloaded.has(id));
  if (ready && !mine()) return;  // not downloaded: the browser's (and the player's) own handling
  event.respondWith(loaded.then(() => {
    if (!mine()) return fetch(request);  // only while the worker was starting
    return commit ? sendCommit({ request }) : page({ request });
  }));
});

let replaying = null;
function replayNow() {
  if (!replaying) replaying = replay({ queue }).catch(() => {}).finally(() => { replaying = null; });
  return replaying;
}

/* ---- pages of downloaded modules ---- */
function commitsFor(entries, attemptId, scoId) {
  const path = "/player/attempts/" + attemptId + "/scos/" + encodeURIComponent(scoId) + "/commit";
  return entries.filter((e) => new URL(e.request.url).pathname === path);
}

async function withQueuedState(page) {
  const html = await page.text();
  const re = /(<script type="application\/json" id="player-config">)([\s\S]*?)(<\/script>)/;
  const match = html.match(re);
  if (!match) return new Response(html, { headers: page.headers });
  let cfg;
  try { cfg = JSON.parse(match[2]); } catch (e) { return new Response(html, { headers: page.headers }); }
  for (const entry of commitsFor(await queue.getAll(), cfg.attemptId, cfg.scoId)) {
    const body = await entry.request.clone().json().catch(() => null);
    if (!body || !body.cmi) continue;
    Object.assign(cfg.state, body.cmi);
    cfg.lastSeq = Math.max(Number(cfg.lastSeq) || 0, Number(body.seq) || 0);
    const exit = body.cmi["cmi.exit"] || body.cmi["cmi.core.exit"];
    if (exit === "suspend") cfg.state[cfg.version === "1.2" ? "cmi.core.entry" : "cmi.entry"] = "resume";
  }
  cfg.offline = true;
  const json = JSON.stringify(cfg).replace(/</g, "\\u003c");
  return new Response(html.replace(re, () => match[1] + json + match[3]), { headers: page.headers });
}

async function page({ request }) {
  const cache = await caches.open(PAGES);
  const stored = await cache.match(request);
  try {
    const fresh = await fetch(request);
    if (stored && fresh.ok && !fresh.redirected) await cache.put(request, fresh.clone());
    return fresh;
  } catch (error) {
    if (stored) return withQueuedState(stored);
    return offlinePage();
  }
}

function offlinePage() {
  const html = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><meta name=\"viewport\" " +
    "content=\"width=device-width, initial-scale=1\"><title>Không có mạng</title><body style=\"font-family:" +
    "sans-serif;padding:1rem\"><h1>Không có kết nối mạng</h1><p>Trang này chưa được tải về máy. Các học phần đã " +
    "tải về vẫn học được: mở <a href=\"/player/\">Học phần của tôi</a>.</p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/* ---- what pages ask ---- */
async function status() {
  const waiting = (await queue.getAll()).map((e) => ({ url: e.request.url, queuedAt: e.timestamp }));
  return { waiting, arrived: await readLog(), problem: lastProblem };
}

async function clearAll() {
  const names = await caches.keys();
  await Promise.all(names.map((n) => caches.delete(n)));
  downloaded.clear();
  let entry;
  while ((entry = await queue.shiftRequest())) { /* dropped: the learner logged out */ }
}

async function broadcast(message) {
  const clients = await self.clients.matchAll({ includeUncontrolled: true });
  clients.forEach((c) => c.postMessage(message));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  if (data.type === "downloaded" || data.type === "removed") {
    if (data.type === "downloaded") downloaded.add(String(data.attempt));
    else downloaded.delete(String(data.attempt));
    event.waitUntil(saveAttempts().then(() => reply({ ok: true })));
  } else if (data.type === "status") event.waitUntil(status().then(reply));
  else if (data.type === "replay") event.waitUntil(replayNow().then(status).then(reply));
  else if (data.type === "clear") event.waitUntil(clearAll().then(() => reply({ cleared: true })));
});

/* The launcher's page-close beacon (lms/player/commit_beacon.py) never waits for this worker. A page of
 * this origin is a client of the worker — in the unsafe same-origin mode the launcher too — so its
 * requests are first offered to the worker, which must be started for that; when the tab closes the
 * beacon dies with the page before a stopped worker is up (issue 15: lost under load, not handled here
 * anyway). A static route (Service Worker Static Routing API) sends it to the network without the worker;
 * browsers without the API keep the old path (the fetch handler lets it through). */
const BEACON = "/player/attempts/*/scos/*/commit-beacon";
function bypassRoutes(event) {
  if (typeof event.addRoutes !== "function" || typeof URLPattern !== "function") return Promise.resolve();
  return event.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: BEACON }) }, source: "network" }])
    .catch(() => {});  // never fails the install: the worker's other work goes on
}

self.addEventListener("install", (event) => {
  event.waitUntil(bypassRoutes(event));
  self.skipWaiting();
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
