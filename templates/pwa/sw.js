{% load i18n %}// KSM Portal's service worker, served at /sw.js by ksm_portal/pwa.py (its scope: the whole site).
// - Pages that carry data-offline-form (the meeting sheet, the record forms, the visit form):
//   network first; the last copy the phone saw is kept and shown when there is no connection,
//   found by its address without its one-time token (?t=). A kept copy is marked
//   data-offline-copy, so static/js/offline.js knows the form may have to wait in its queue.
// - Static files: a hashed name never changes, so cache first; others are shown from the
//   cache and refreshed behind (stale-while-revalidate).
// - Other pages go to the network, with a short "no connection" page when it is down.
// - A form sent with no connection: offline.js queues it in IndexedDB. When the phone thinks it
//   is online but the form cannot reach the server, the worker sends the phone back to the
//   kept form with #ksm-unsent, where offline.js queues what was typed (its draft).
"use strict";
var VERSION = "{{ version }}";
var PAGES = "ksm-pages";
var STATIC = "ksm-static-" + VERSION;
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";
var MARK = "data-offline-form";
var HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;
var OFFLINE_PAGE = "<!doctype html><html lang=\"{{ LANGUAGE_CODE|default:'id'|escapejs }}\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{% translate 'No connection' as title %}{{ title|escapejs }}</title><h1>{{ title|escapejs }}</h1><p>{% translate 'This page was not opened on this phone before, so it cannot be shown without a connection. The meeting sheet, the record forms and the visit form you opened before work offline.' as text %}{{ text|escapejs }}</p></html>";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("ksm-static-") === 0 && name !== STATIC;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withoutToken(address) {
  var url = new URL(address);
  url.searchParams.delete("t");
  return url.href;
}

// Keep a page when it is one of the offline forms, under its address without the token (the
// copy carries its own): one copy per form page, the last KEPT pages only.
var KEPT = 40;
function keepPage(request, response) {
  var type = response.headers.get("Content-Type") || "";
  if (!response.ok || type.indexOf("text/html") !== 0) return Promise.resolve(false);
  return response.clone().text().then(function (html) {
    if (html.indexOf(MARK) < 0) return false;
    html = html.replace("<html", "<html data-offline-copy");
    var addresses = [withoutToken(request.url)];
    if (response.url && addresses.indexOf(withoutToken(response.url)) < 0) addresses.push(withoutToken(response.url));
    var headers = new Headers(response.headers);
    headers.delete("Content-Encoding"); // the body kept is the decoded text
    headers.delete("Content-Length");
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(addresses.map(function (address) {
        return cache.delete(address).then(function () { // put last: the newest in keys()
          return cache.put(address, new Response(html, {status: 200, headers: headers}));
        });
      })).then(function () { return cache.keys(); }).then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - KEPT)).map(function (old) {
          return cache.delete(old);
        }));
      });
    }).then(function () { return true; });
  });
}

function keptPage(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(withoutToken(request.url), {ignoreVary: true});
  });
}

function offlinePage() {
  return new Response(OFFLINE_PAGE, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    event.waitUntil(keepPage(request, response).catch(function () {}));
    return response;
  }, function () {
    return keptPage(request).then(function (found) { return found || offlinePage(); });
  });
}

function staticFile(event) {
  var request = event.request;
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (found) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
      if (found) {
        if (!HASHED.test(new URL(request.url).pathname)) event.waitUntil(fresh.catch(function () {}));
        return found;
      }
      return fresh;
    });
  });
}

function unsent(request) {
  return fetch(request).catch(function (error) {
    if (!request.referrer) throw error;
    return keptPage({url: request.referrer}).then(function (found) {
      if (!found) throw error;
      var back = new URL(request.referrer);
      back.hash = "ksm-unsent";
      return Response.redirect(back.href, 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate") {
    event.respondWith(unsent(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(staticFile(event));
  }
});

// offline.js, on a page the worker did not see load (its first visit): keep this page and
// the static files it loaded. Answers on the message's port when done.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep") return;
  var work = [];
  if (data.page) {
    var request = new Request(data.page, {credentials: "same-origin"});
    work.push(fetch(request).then(function (response) { return keepPage(request, response); }));
  }
  var statics = (data.statics || []).filter(function (address) {
    return new URL(address).pathname.indexOf(STATIC_PREFIX) === 0;
  });
  if (statics.length) {
    work.push(caches.open(STATIC).then(function (cache) {
      return Promise.all(statics.map(function (address) {
        return cache.match(address).then(function (found) { return found || cache.add(address); });
      }));
    }));
  }
  event.waitUntil(Promise.all(work).then(function () {
    if (event.ports[0]) event.ports[0].postMessage({kept: true});
  }, function () {
    if (event.ports[0]) event.ports[0].postMessage({kept: false});
  }));
});
