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
      .catch(function () { /* offline copy unavailable: the page works as before */ });
  }
})();
