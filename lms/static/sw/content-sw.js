/* The content origin's service worker (scope "/c/"), bundled by scripts/build-sw.mjs with Workbox.
 * It serves the package files the download frame stored (cache "lms-content-files"), keyed by package
 * version and path — not by the signed token, which changes at every launch (docs/offline.md). The
 * token's claims are readable (itsdangerous: base64url JSON, then timestamp and signature); it is not
 * checked here: only files this browser already received with a valid token are in the cache, and the
 * cache holds nothing of the LMS. Other requests go to the network; the launcher and its scripts are
 * network-first with the stored copy as fallback.
 */
import { registerRoute } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";
import { createPartialResponse } from "workbox-range-requests";

const FILES = "lms-content-files";
const LAUNCHER = "lms-content-launcher";

export function versionOf(token) {
  try {
    const part = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
    return Number.isInteger(claims.v) ? claims.v : null;
  } catch (e) {
    return null;
  }
}

export function fileKey(origin, version, path) {
  return origin + "/c/_offline/v/" + version + "/" + path;
}

async function packageFile({ request, url, params }) {
  const [token, path] = params;
  const version = versionOf(token);
  const cache = await caches.open(FILES);
  const stored = version === null ? null : await cache.match(fileKey(url.origin, version, path));
  if (!stored) return fetch(request);
  if (request.headers.has("range")) return createPartialResponse(request, stored);
  return stored;
}
registerRoute(/^https?:\/\/[^/]+\/c\/((?!_lms\/|_offline\/)[^/?#]+)\/([^?#]+)/, packageFile);

const launcher = new NetworkFirst({ cacheName: LAUNCHER, networkTimeoutSeconds: 8 });
registerRoute(({ url }) => url.pathname === "/c/_lms/launcher" || url.pathname.startsWith("/c/_lms/js/"), launcher);

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "clear") {
    event.waitUntil(caches.keys().then((names) => Promise.all(names.map((n) => caches.delete(n))))
      .then(() => event.ports[0] && event.ports[0].postMessage({ cleared: true })));
  }
});
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
