// "My workshop": register the page's service worker (its scope is this page only), so the
// person's own page stays readable offline once loaded, and say so when the connection drops.
(function () {
  "use strict";
  var page = document.querySelector(".mine-page");
  if (!page) { return; }
  var note = page.querySelector("[data-saved-copy]");
  function showOffline() { if (note && !navigator.onLine) { note.hidden = false; } }
  window.addEventListener("offline", showOffline);
  window.addEventListener("online", function () {
    if (note && !page.hasAttribute("data-from-cache")) { note.hidden = true; }
  });
  if (!note || !note.hidden) { page.setAttribute("data-from-cache", ""); }
  showOffline();
  if ("serviceWorker" in navigator && window.isSecureContext !== false) {
    navigator.serviceWorker.register(page.dataset.worker, { scope: page.dataset.scope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        var assets = [];
        document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
          assets.push(node.href || node.src);
        });
        navigator.serviceWorker.addEventListener("message", function (event) {
          if (event.data && event.data.kept) { page.setAttribute("data-offline-ready", ""); }
        });
        if (registration.active) { registration.active.postMessage({ assets: assets }); }
      })
      .catch(function () { /* offline copy unavailable: the page works as before */ });
  }
})();
