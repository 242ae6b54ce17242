// @ts-check
// Kring's service worker (docs/accessibility.md, "Installable app"). Served at /sw.js by
// community/accessibility/app_routes.py, which fills in VERSION and SHELL (community/accessibility/installable.py);
// type-checked by tsconfig.sw.json.
//
// What it keeps: the APPLICATION SHELL ONLY (stylesheets, scripts, fonts, icons, the Socket.IO client and the
// offline page), fetched once at install. Never a page, message, image or API answer: on a shared phone, what
// the next person can find in the browser's storage must be nothing a member wrote or read.
// - a page (navigation): the network first; only when the network fails, the kept offline page. The answer
//   itself is never kept.
// - a shell file: from the kept copy (else the network, and the answer is not kept either).
// - everything else (POST, Socket.IO, uploads, images, JSON): not touched at all; the browser fetches it.
// Signing out sends Clear-Site-Data "storage", which empties Cache Storage and unregisters this worker.
//
// Push: another part of the server sends {title, body, url, tag}. A subscription that the push service renews
// (pushsubscriptionchange) is not handled here: the page subscribes again on the member's next visit.

/** @type {ServiceWorkerGlobalScope} */
const worker = /** @type {any} */ (self);

const VERSION = "development"; // filled in by the server
/** @type {string[]} */
const SHELL = []; // filled in by the server

const CACHE = "kring-shell-" + VERSION;
const OFFLINE = "/offline";
const SHELL_PATHS = new Set(SHELL);
const ICON = "/static/icons/icon-192.png";
const BADGE = "/static/icons/badge-96.png";

/**
 * How a shell file is fetched to be kept: past the browser's HTTP cache (a deploy's files are the ones kept),
 * without cookies (the server cannot draw anything of the member into it), and never through a redirect (a
 * signed-in member's request could be sent on to a page of theirs: better keep nothing).
 * @param {string} path
 */
function shellRequest(path) {
  return new Request(path, { cache: "reload", credentials: "omit", redirect: "error" });
}

worker.addEventListener("install", (event) => {
  const requests = SHELL.map(shellRequest);
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(requests))
      .then(() => worker.skipWaiting())
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name)));
      if (worker.registration.navigationPreload) await worker.registration.navigationPreload.enable();
      await worker.clients.claim();
    })()
  );
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.search === "" && url.pathname !== OFFLINE && SHELL_PATHS.has(url.pathname)) {
    event.respondWith(shellFile(request));
  }
});

/** A page from the network; the offline page only when the network cannot be reached. @param {FetchEvent} event */
async function page(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) return preloaded;
    return await fetch(event.request);
  } catch (error) {
    const offline = await caches.match(OFFLINE, { cacheName: CACHE });
    if (offline) return offline;
    throw error;
  }
}

/** @param {Request} request */
async function shellFile(request) {
  const kept = await caches.match(request, { cacheName: CACHE });
  return kept || fetch(request);
}

// A page says which language it is in; the kept offline page follows it (static/js/pwa.js).
worker.addEventListener("message", (event) => {
  const language = event.data && typeof event.data === "object" ? event.data.offlineLanguage : null;
  if (typeof language !== "string" || !language) return;
  event.waitUntil(
    (async () => {
      if (!(await caches.has(CACHE))) return; // emptied (signing out): opening it would make it again
      const cache = await caches.open(CACHE);
      const kept = await cache.match(OFFLINE);
      if (!kept || kept.headers.get("Content-Language") === language) return;
      const fresh = await fetch(shellRequest(OFFLINE + "?lang=" + encodeURIComponent(language)));
      if (fresh.ok && fresh.headers.get("Content-Language") === language) await cache.put(OFFLINE, fresh);
    })()
  );
});

/**
 * A path on this site ("/g/parents/chat"), or null for anything else: another origin, a scheme-relative or
 * backslashed address, a non-string.
 * @param {unknown} value
 * @returns {string | null}
 */
function ownPath(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return null;
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  const url = new URL(value, worker.location.origin);
  if (url.origin !== worker.location.origin) return null;
  return url.pathname + url.search + url.hash;
}

/** @param {unknown} value @param {string} fallback */
function text(value, fallback) {
  return typeof value === "string" && value.trim() ? value : fallback;
}

worker.addEventListener("push", (event) => {
  /** @type {{title?: unknown, body?: unknown, url?: unknown, tag?: unknown}} */
  let message = {};
  try {
    message = (event.data && event.data.json()) || {};
  } catch (error) {
    message = {};
  }
  /** @type {NotificationOptions & {renotify?: boolean}} */
  const options = {
    body: text(message.body, "Someone wrote to you"),
    icon: ICON,
    badge: BADGE,
    data: { url: ownPath(message.url) },
  };
  if (typeof message.tag === "string" && message.tag) {
    options.tag = message.tag;
    options.renotify = true; // a newer message about the same thing replaces the old one and is announced again
  }
  event.waitUntil(worker.registration.showNotification(text(message.title, "Kring"), options));
});

worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data;
  const path = ownPath(data && typeof data === "object" ? data.url : null) || "/";
  event.waitUntil(openKring(new URL(path, worker.location.origin).href));
});

/** Focus an open Kring window and take it to the address, or open a new one. @param {string} address */
async function openKring(address) {
  const windows = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin !== worker.location.origin) continue;
    try {
      const focused = await client.focus();
      if (await focused.navigate(address)) return;
    } catch (error) {
      // a window this worker does not control cannot be navigated: open a new one instead
    }
    break;
  }
  await worker.clients.openWindow(address);
}
