// Service worker of the Innenstadt-Rallye: the stamp card offline.
//
// - The card page (/karte) comes from the network first. When the server says it is this
//   browser's card (X-Card-Offline: keep), its copy in Cache Storage is replaced (with
//   that card's QR image, any other card's goes); when it says there is no card here
//   (X-Card-Offline: forget), the copy and its QR image are deleted. The card page holds the recovery link, a key to the card: only this
//   browser's own card is kept, one copy, overwritten on every visit. The page stays
//   "Cache-Control: no-store" for HTTP caches and proxies; Cache Storage is written here,
//   explicitly, and by nothing else.
// - Offline, /karte answers with that copy, marked data-offline on its <html>, which
//   shows the page's "Du bist offline" note; any other page (a scan page above all)
//   answers with the offline page: stamping needs the network. Staff and shopkeepers'
//   pages (/buero, /laden, the login) and the API are left alone.
// - The static files the pages need come from the network first too, and from the cache
//   when the network fails. Nothing but GET requests of this site is touched: stamping
//   (a POST) always goes to the server.
"use strict";

const STATIC_CACHE = "rallye-static-v1";
const CARD_CACHE = "rallye-card";
const ROOT = new URL("./", self.location).pathname; // the site's root, its script root
const CARD = ROOT + "karte";
const CARD_QR = ROOT + "karte/qr/";
const OFFLINE = ROOT + "offline";
const STATIC = ROOT + "static/";
// Staff, shopkeepers and the JSON API: the worker leaves their requests alone.
const NOT_SHOPPERS = ["buero", "laden", "anmelden", "abmelden", "einladung", "api"].map(
  (path) => ROOT + path,
);
const PRECACHE = [
  OFFLINE,
  STATIC + "css/site.css",
  STATIC + "img/emblem.svg",
  STATIC + "img/stars.svg",
  STATIC + "js/offline.js",
  STATIC + "js/copy.js",
];

// Keep or forget the card page's copy, as the server's answer says; with the copy, the
// card's QR image (and no other card's).
async function remember(response) {
  const verdict = response.headers.get("X-Card-Offline");
  if (verdict === "forget") {
    await caches.delete(CARD_CACHE);
    return;
  }
  if (verdict !== "keep") {
    return;
  }
  const copy = response.clone();
  const html = await response.text();
  const found = html.match(/src="([^"]*\/karte\/qr\/[^"]+)"/);
  const qr = found ? new URL(found[1], self.location).pathname : null;
  const cache = await caches.open(CARD_CACHE);
  await cache.put(CARD, copy);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== CARD && path !== qr) {
      await cache.delete(request);
    }
  }
  if (qr && !(await cache.match(qr))) {
    await cache.add(qr).catch(() => {});
  }
}

// The kept card page, marked as an offline copy; null when there is none.
async function offlineCard() {
  const cache = await caches.open(CARD_CACHE);
  const copy = await cache.match(CARD, { ignoreVary: true });
  if (!copy) {
    return null;
  }
  const html = (await copy.text()).replace(/<html\b/, '<html data-offline=""');
  const headers = new Headers(copy.headers);
  headers.delete("Content-Length"); // the text is longer now, and no longer compressed
  headers.delete("Content-Encoding");
  return new Response(html, { status: copy.status, statusText: copy.statusText, headers });
}

async function navigate(event) {
  const isCard = new URL(event.request.url).pathname === CARD;
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    if (isCard) {
      event.waitUntil(remember(response.clone()));
    }
    return response;
  } catch (error) {
    const copy = isCard ? await offlineCard() : null;
    return copy || (await caches.match(OFFLINE)) || Response.error();
  }
}

async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    // A card's QR image is kept only beside that card's page.
    const keep = cacheName !== CARD_CACHE || (await caches.has(CARD_CACHE));
    if (keep && response.ok && response.type === "basic") {
      const cache = await caches.open(cacheName);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await caches.match(request)) || Response.error();
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("rallye-static-") && name !== STATIC_CACHE)
          .map((name) => caches.delete(name)),
      );
      if (self.registration.navigationPreload) {
        await self.registration.navigationPreload.enable();
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (NOT_SHOPPERS.some((path) => url.pathname === path || url.pathname.startsWith(path + "/"))) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith(CARD_QR)) {
    event.respondWith(networkFirst(request, CARD_CACHE));
  } else if (url.pathname.startsWith(STATIC)) {
    event.respondWith(networkFirst(request, STATIC_CACHE));
  }
});

// The card page that registered this worker was fetched without it: offline.js asks for
// its copy once the worker runs, so that the card is there offline from the first visit.
self.addEventListener("message", (event) => {
  if (event.data === "keep-card") {
    event.waitUntil(fetch(CARD, { cache: "no-store" }).then(remember).catch(() => {}));
  }
});
