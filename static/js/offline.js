// Entry without a connection (templates/includes/offline_head.html loads this on every page).
// - Registers the service worker (/sw.js), which keeps the forms marked data-offline-form.
// - Drafts: what is typed in such a form is kept in localStorage under the page's address with
//   its one-time token, brought back after a reload or a closed tab, dropped once it is sent.
// - Queue: a form sent with no connection (or from a kept copy, or one the service worker
//   brought back because it could not reach the server) waits in IndexedDB with its
//   token, and is sent when the connection returns (the online event, or any page load). The
//   server's answer says what happened: a redirect = sent (a token sent twice posts once), a
//   page with form errors = refused, with its error messages; a refused form opens back into
//   its page with what was typed. The list of queued forms shows at the top of every page.
// The words come from the script tag's data- attributes (translated by Django).
(function () {
  "use strict";
  var script = document.getElementById("offline-js");
  if (!script || !window.indexedDB || !window.localStorage) return;
  var say = script.dataset;
  var root = document.documentElement;
  var isCopy = root.hasAttribute("data-offline-copy");

  // --- IndexedDB: the queue ---------------------------------------------------------------
  var opening = null;
  function db() {
    opening = opening || new Promise(function (resolve, reject) {
      var request = indexedDB.open("ksm-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("queue", {keyPath: "id", autoIncrement: true});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opening;
  }
  function queue(mode, work) {
    return db().then(function (base) {
      return new Promise(function (resolve, reject) {
        var tx = base.transaction("queue", mode);
        var request = work(tx.objectStore("queue"));
        tx.oncomplete = function () { resolve(request && request.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  // Only this user's: a phone shared by two officers never sends one's forms as the other.
  function items() {
    return queue("readonly", function (s) { return s.getAll(); }).then(function (all) {
      return all.filter(function (item) { return item.user === say.user; });
    });
  }
  function save(item) { return queue("readwrite", function (s) { return s.put(item); }); }
  function drop(id) { return queue("readwrite", function (s) { return s.delete(id); }); }

  // --- Tokens already used, drafts ----------------------------------------------------------
  function usedTokens() {
    try { return JSON.parse(localStorage.getItem("ksm-used") || "[]"); } catch (e) { return []; }
  }
  function markUsed(token) {
    var used = usedTokens().filter(function (t) { return t !== token; });
    used.push(token);
    localStorage.setItem("ksm-used", JSON.stringify(used.slice(-50)));
  }
  function pairs(form) {
    var list = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") list.push([name, value]);
    });
    return list;
  }
  function tokenOf(form) {
    var box = form.querySelector("input[name=token]");
    return box ? box.value : "";
  }
  // The page's address with its form's token: where a refused form reopens.
  function address(form) {
    var url = new URL(location.href);
    if (tokenOf(form)) url.searchParams.set("t", tokenOf(form));
    url.hash = "";
    return url.pathname + url.search;
  }
  // A draft belongs to its form's token, whatever else the address says: a sheet moved to
  // another date keeps what was typed.
  function draftKey(form) { return "ksm-draft:" + location.pathname + "?t=" + tokenOf(form); }

  // Put typed values back: ticks and choices first (the sheet locks an absent member's boxes
  // on change), then the boxes, each announced as the user's input so the page's own scripts
  // (totals, thousands dots) follow. Hidden fields keep what the page says.
  function restore(form, list) {
    var values = {};
    list.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !/^(hidden|submit|button|reset|file)$/.test(el.type);
    });
    function has(name, value) { return (values[name] || []).indexOf(value) >= 0; }
    function announce(el, type) { el.dispatchEvent(new Event(type, {bubbles: true})); }
    fields.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        var checked = has(el.name, el.value);
        if (el.checked !== checked) { el.checked = checked; announce(el, "change"); }
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = has(el.name, option.value);
        });
        announce(el, "change");
      }
    });
    var seen = {};
    fields.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio" || el.tagName === "SELECT") return;
      var index = seen[el.name] = (seen[el.name] || 0) + 1;
      var list = values[el.name];
      if (el.disabled || !list || list[index - 1] === undefined) return;
      if (el.value !== list[index - 1]) { el.value = list[index - 1]; announce(el, "input"); }
    });
  }

  // --- Sending the queue --------------------------------------------------------------------
  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  // The messages a refused form shows: its field errors and error boxes, outermost only.
  function reasons(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var found = [];
    page.querySelectorAll("main .invalid-feedback, main .alert-danger, #unusual-amount p").forEach(function (el) {
      if (found.some(function (outer) { return outer.contains(el); })) return;
      found.push(el);
    });
    var texts = [];
    found.forEach(function (el) {
      var text = el.textContent.replace(/\s+/g, " ").trim();
      if (text && texts.indexOf(text) < 0) texts.push(text);
    });
    var confirm = page.querySelector("input[name=confirm_amount]");
    return {text: texts.join(" "), confirm: confirm ? confirm.value : ""};
  }
  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var csrf = cookie("csrftoken");
    if (csrf) body.set("csrfmiddlewaretoken", csrf); // the cookie may be newer than the copy
    return fetch(item.url, {method: "POST", body: body, credentials: "same-origin"}).then(function (response) {
      var landed = new URL(response.url, location.href);
      if (response.redirected && landed.pathname === say.login) {
        item.reason = say.logIn;
      } else if (response.redirected) {
        item.status = "sent";
        item.reason = "";
        item.result = landed.pathname + landed.search;
        markUsed(item.token);
        localStorage.removeItem(item.draft);
      } else if (response.status >= 500) {
        item.reason = say.serverError;
      } else {
        return response.text().then(function (html) {
          var why = reasons(html);
          item.status = "refused";
          item.reason = why.text || say.refusedDefault;
          item.confirm = why.confirm;
          return save(item);
        });
      }
      return save(item);
    }, function () { /* still no connection: it waits */ });
  }
  var flushing = null, again = false;
  function flush() {
    if (flushing) { again = true; return flushing; }
    if (!navigator.onLine) return Promise.resolve();
    again = false;
    flushing = items().then(function (all) {
      return all.filter(function (item) { return item.status === "waiting"; }).reduce(function (done, item) {
        return done.then(function () { return send(item); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      flushing = null;
      return again ? flush() : show();
    });
    return flushing;
  }

  // --- The list of queued forms -------------------------------------------------------------
  var BADGE = {waiting: "text-bg-warning", sent: "text-bg-success", refused: "text-bg-danger"};
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }
  function button(text, className, action) {
    var el = element("button", "btn btn-sm " + className, text);
    el.type = "button";
    el.addEventListener("click", action);
    return el;
  }
  function show() {
    return items().then(function (all) {
      var box = document.getElementById("offline-queue");
      var main = document.querySelector("main");
      if (!main) return;
      if (!all.length) { if (box) box.remove(); return; }
      if (!box) {
        box = element("section", "border rounded p-2 mb-3 small");
        box.id = "offline-queue";
        main.insertBefore(box, main.firstChild);
      }
      box.replaceChildren(element("h2", "h6 mb-1", say.title));
      var list = element("ul", "list-unstyled mb-0");
      all.forEach(function (item) {
        var line = element("li", "offline-item py-1 border-top");
        line.dataset.status = item.status;
        var head = element("div", "d-flex flex-wrap gap-2 align-items-baseline");
        head.appendChild(element("span", "badge offline-status " + BADGE[item.status], say[item.status]));
        head.appendChild(element("span", "", item.title));
        head.appendChild(element("span", "text-muted", new Date(item.at).toLocaleString(root.lang || undefined)));
        line.appendChild(head);
        if (item.reason) line.appendChild(element("div", "offline-reason" + (item.status === "refused" ? " text-danger" : " text-muted"), item.reason));
        var actions = element("div", "d-flex flex-wrap gap-2 mt-1");
        if (item.status === "sent") {
          var link = element("a", "btn btn-sm btn-outline-primary", say.show);
          link.href = item.result;
          actions.appendChild(link);
        }
        if (item.status === "refused") {
          if (item.confirm) {
            actions.appendChild(button(say.confirm, "btn-outline-success", function () {
              item.fields = item.fields.filter(function (pair) { return pair[0] !== "confirm_amount"; });
              item.fields.push(["confirm_amount", item.confirm]);
              item.status = "waiting";
              item.reason = "";
              save(item).then(flush);
            }));
          }
          actions.appendChild(button(say.open, "btn-primary offline-open", function () {
            localStorage.setItem(item.draft, JSON.stringify({at: Date.now(), fields: item.fields}));
            drop(item.id).then(function () { location.href = item.page; });
          }));
        }
        if (item.status !== "waiting") {
          actions.appendChild(button(say.remove, "btn-link", function () { drop(item.id).then(show); }));
        }
        if (actions.firstChild) line.appendChild(actions);
        list.appendChild(line);
      });
      box.appendChild(list);
    });
  }

  // --- The offline forms --------------------------------------------------------------------
  function lock(form, text) {
    var note = element("div", "alert alert-warning offline-note", text);
    form.parentNode.insertBefore(note, form);
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
  }
  function enqueue(form) {
    var item = {
      url: form.action || location.href,
      page: address(form),
      draft: draftKey(form),
      user: say.user,
      token: tokenOf(form),
      title: document.title.split(" · ").slice(0, 2).join(" · "),
      fields: pairs(form),
      status: "waiting",
      reason: "",
      at: Date.now(),
    };
    return save(item).then(function () {
      lock(form, say.queued);
      return show();
    }).then(flush);
  }
  function setUp(form, all) {
    var key = draftKey(form);
    var token = tokenOf(form);
    var waiting = all.some(function (item) { return item.token === token && item.status === "waiting"; });
    var taken = usedTokens().indexOf(token) >= 0 || all.some(function (item) {
      return item.token === token && item.status === "sent";
    });
    if (document.getElementById("sheet-used") || document.getElementById("form-used")) {
      markUsed(token);
      localStorage.removeItem(key);
    } else if (token && (waiting || taken)) {
      lock(form, waiting ? say.queued : say.locked);
      return;
    }
    try {
      // A refused form reopened with no connection may come in a copy with a newer token.
      var asked = new URL(location.href).searchParams.get("t");
      var draft = JSON.parse(localStorage.getItem(key) || (asked && localStorage.getItem(
        "ksm-draft:" + location.pathname + "?t=" + asked)) || "null");
      if (draft) restore(form, draft.fields);
    } catch (e) { /* an unreadable draft is dropped below on the next input */ }
    function keepDraft() {
      localStorage.setItem(key, JSON.stringify({at: Date.now(), fields: pairs(form)}));
    }
    if (location.hash === "#ksm-unsent") {
      // Sent while the phone thought it was online, the form did not reach the server: the
      // worker brought it back here, and what was typed waits in the queue.
      history.replaceState(null, "", location.pathname + location.search);
      keepDraft();
      enqueue(form);
      return;
    }
    form.addEventListener("input", keepDraft);
    form.addEventListener("change", keepDraft);
    form.addEventListener("submit", function (event) {
      if (navigator.onLine && !isCopy) {
        // Sent the usual way: if the next page is another one, it was recorded.
        sessionStorage.setItem("ksm-submitted", JSON.stringify({path: location.pathname, draft: key, token: token}));
        return;
      }
      event.preventDefault();
      enqueue(form);
    });
  }

  // A form sent the usual way from the previous page: landing elsewhere (but the login page)
  // means it was recorded.
  try {
    var submitted = JSON.parse(sessionStorage.getItem("ksm-submitted") || "null");
    sessionStorage.removeItem("ksm-submitted");
    if (submitted && submitted.path !== location.pathname && location.pathname !== say.login) {
      markUsed(submitted.token);
      localStorage.removeItem(submitted.draft);
    }
  } catch (e) { /* nothing to learn */ }

  // --- Start --------------------------------------------------------------------------------
  function register() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(say.sw, {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var controlled = !!navigator.serviceWorker.controller;
      var keep = {type: "keep", page: null, statics: []};
      if (!controlled) {
        // The worker did not see this page load: hand it the page and its static files.
        if (document.querySelector("form[data-offline-form]")) keep.page = location.href;
        keep.statics = performance.getEntriesByType("resource").map(function (entry) {
          return entry.name;
        }).filter(function (name) { return name.indexOf(location.origin + say.static) === 0; });
        keep.statics.push(script.src);
      }
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { root.dataset.offlineReady = "1"; };
      registration.active.postMessage(keep, [channel.port2]);
    }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Logging out leaves no page of this user's kept on the phone.
    document.querySelectorAll("form[action='" + say.logout + "']").forEach(function (form) {
      form.addEventListener("submit", function () { if (window.caches) caches.delete("ksm-pages"); });
    });
    items().then(function (all) {
      document.querySelectorAll("form[data-offline-form]").forEach(function (form) { setUp(form, all); });
      return show();
    }).then(flush).catch(function () {});
    register();
  });
  window.addEventListener("online", flush);
})();
