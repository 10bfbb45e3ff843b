// The card offline: registers the service worker (sw.js) and marks a page that is
// shown offline, which reveals its "Du bist offline" note (site.css). An enhancement
// only: without JavaScript or service workers every page works online as before.
"use strict";

(() => {
  const script = document.currentScript;
  const root = document.documentElement;
  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    // A card page that no worker served (the first visit, or a worker installed or
    // taking over after the page was fetched) has no offline copy yet: once the worker
    // runs, it takes one. A worker that handled the navigation started before it.
    const navigation = performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : undefined;
    const unserved = !navigation || !(navigation.workerStart > 0);
    const cardPage = window.location.pathname === script.dataset.scope + "karte";
    window.addEventListener("load", () => {
      navigator.serviceWorker
        .register(script.dataset.worker, { scope: script.dataset.scope })
        .then(() => navigator.serviceWorker.ready)
        .then((registration) => {
          if (unserved && cardPage && !root.hasAttribute("data-offline")) {
            registration.active.postMessage("keep-card");
          }
        })
        .catch(() => {}); // a browser that refuses (private mode) just stays online-only
    });
  }
  // The service worker marks a copy it serves itself; a page open when the network
  // goes is marked here, and unmarked when the network is back.
  let markedHere = false;
  const update = () => {
    if (!navigator.onLine && !root.hasAttribute("data-offline")) {
      root.setAttribute("data-offline", "");
      markedHere = true;
    } else if (navigator.onLine && markedHere) {
      root.removeAttribute("data-offline");
      markedHere = false;
    }
  };
  update();
  window.addEventListener("offline", update);
  window.addEventListener("online", update);
})();
