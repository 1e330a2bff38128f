/* Keeps the phone page and its assets readable offline: network first, the last good
   copy when the network fails. API calls and posts pass straight through; the page's
   own queue handles those. Shows the server's push messages (emergency offers, changes to
   today's route) when the page is closed, and tells an open page to look at once. */
"use strict";

var CACHE = "carehub-m-3";
var SHELL = ["/m/", "/static/css/app.css", "/static/mobile/mobile.css", "/static/mobile/mobile.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(SHELL.map(function (url) { return cache.add(url).catch(function () {}); }));
    })
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/m/") !== 0 && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) {
        return hit || Response.error();
      });
    })
  );
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
      pages.forEach(function (page) { page.postMessage({ type: "carehub-push", kind: data.kind }); });
      // Browsers require every push to show a notification.
      return self.registration.showNotification(data.title || "CareHub", {
        body: data.body || "",
        tag: data.tag || "carehub",
        renotify: true,
        requireInteraction: data.kind === "offer",
        data: { url: data.url || "/m/" }
      });
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/m/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
      var open = pages.filter(function (p) { return new URL(p.url).pathname.indexOf("/m/") === 0; })[0];
      return open ? open.focus() : self.clients.openWindow(url);
    })
  );
});
