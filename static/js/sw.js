// The service worker (served as /sw.js): steps and reference data already loaded open offline.
// Pages and API reads: the network first, the copy kept here when offline. Static files: the copy
// kept here, refreshed in the background. Writes always go to the network (form.js keeps unsent
// answers in IndexedDB and sends them when the connection returns). Log-out empties the cache.
"use strict";
var CACHE = "formserver-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});

function kept(request) {
  return caches.open(CACHE).then(function (cache) { return cache.match(request, { ignoreVary: true }); });
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return kept(request).then(function (hit) { return hit || Response.error(); });
  });
}

function cacheFirst(request) {
  return kept(request).then(function (hit) {
    var fresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    return hit || fresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(cacheFirst(request)); return; }
  var api = /^\/api\/v1\/(forms|reference|submissions)\//.test(url.pathname);
  if (request.mode === "navigate" || api) event.respondWith(networkFirst(request));
});
