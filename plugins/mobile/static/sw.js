// The phone app's service worker (CACHE and SHELL are put above by the server).
// The app's files come from the cache, so it opens with no network; the page itself
// is fetched fresh when there is a network and kept for when there is none. The API
// is left to the page: it keeps orders and the outbox in IndexedDB on its own.
const SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("amsflow-m-") && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

async function pageFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(SCOPE, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(SCOPE);
    if (kept) return kept;
    throw err;
  }
}

async function shellFirst(request) {
  const kept = await caches.match(request);
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/rest/")) return;
  if (request.mode === "navigate" && url.pathname === SCOPE) {
    event.respondWith(pageFirst(request));
  } else if (SHELL.includes(url.pathname + url.search)) {
    event.respondWith(shellFirst(request));
  }
});
