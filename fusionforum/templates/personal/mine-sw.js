/* The service worker of "My workshop" ({{ page }}): keeps the person's own page readable
   offline once loaded. Network first; every good answer replaces the saved copy; without a
   network the saved copy is shown, marked as such. A sign-out (a redirect to the log-in page)
   or a refusal removes the saved copy. Nothing else is cached but the page's own assets. */
"use strict";
var CACHE = "ff-mine-v1";
var PAGE = "{{ page|escapejs }}";

function keepPage() {
  // The page as the signed-in person sees it now (their cookies go with it): kept only when
  // the answer is the page itself, never a redirect to the log-in page or a refusal.
  return fetch(PAGE, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    return caches.open(CACHE).then(function (cache) {
      if (response.ok && response.type === "basic") { return cache.put(PAGE, response); }
      return cache.delete(PAGE);
    });
  });
}

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(keepPage().catch(function () { /* offline: kept on the next visit */ }));
});

// The page sends the addresses of its own style sheets and scripts (their names carry a
// content hash): they are kept so the saved copy looks as it did.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (!Array.isArray(data.assets)) { return; }
  var same = data.assets.filter(function (address) {
    try { return isAsset(new URL(address, self.location.origin)); } catch (e) { return false; }
  });
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(same);
  }).then(function () {
    if (event.source) { event.source.postMessage({ kept: true }); }
  }).catch(function () {}));
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function isPage(url) { return url.origin === self.location.origin && url.pathname === PAGE; }
function isAsset(url) {
  return url.origin === self.location.origin &&
    (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/jsi18n/") === 0);
}

function savedCopy(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(PAGE, { ignoreVary: true }).then(function (saved) {
      if (!saved) { return Response.error(); }
      return saved.text().then(function (html) {
        // Tell the reader this is the saved copy (the note is in the page, hidden).
        html = html.replace("data-saved-copy hidden", "data-saved-copy data-from-worker");
        return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (isPage(url)) {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) {
        if (response.ok && !response.redirected) { return cache.put(PAGE, copy); }
        return cache.delete(PAGE);
      });
      return response;
    }, function () { return savedCopy(request); }));
  } else if (isAsset(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(request, { ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
      });
    }));
  }
});
