// @ts-check
// Installs Kring's service worker (/sw.js; docs/accessibility.md, "Installable app") on every page, for members
// and visitors alike: it keeps the application shell only, and shows the offline page when a page cannot be
// reached. Without service workers (an old browser, a page not in a secure context) Kring works the same, just not
// offline.
//
// The worker keeps the offline page in the language it was fetched in; this page tells the worker its own
// language, and the worker fetches the offline page again when the two differ (the member chose another).

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker
    .register("/sw.js", { scope: "/", updateViaCache: "none" })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) {
      registration.active?.postMessage({ offlineLanguage: document.documentElement.lang });
    })
    .catch(function () { /* no worker: every page still comes from the network */ });
}
