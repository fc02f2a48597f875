// The offline queue: attendance lists and evaluations saved on a phone without a signal.
//
// A form marked data-offline-queue is sent as JSON to its data-offline-url with an idempotency
// key made here. Without a signal (or when the request fails on the way), the submission stays
// in IndexedDB as "waiting" and is sent again when the signal is back (the "online" event, the
// next page load, the "Send now" button, Background Sync where the browser has it): the portal
// applies each key once, so sending again is safe. The portal's answer decides what happens:
// applied, the item goes; refused (a closed window, a lost role), it stays with the portal's
// message for the person to read; a passing problem (logged out, too many at once), it waits.
// Without JavaScript the forms post as they always did.
//
// The same file runs in the service worker (importScripts), which uses only the queue itself.
"use strict";
(function (scope) {
  const DB_NAME = "rtkeren-offline";
  const STORE = "submissions";
  const SYNC_TAG = "rtkeren-offline-queue";
  const LOCK_NAME = "rtkeren-offline-queue";

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  function database() {
    const opening = scope.indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(STORE, { keyPath: "key" });
    };
    return request(opening);
  }

  async function withStore(mode, action) {
    const db = await database();
    try {
      const transaction = db.transaction(STORE, mode);
      const result = await request(action(transaction.objectStore(STORE)));
      await new Promise(function (resolve, reject) {
        transaction.oncomplete = resolve;
        transaction.onerror = function () { reject(transaction.error); };
      });
      return result;
    } finally {
      db.close();
    }
  }

  const queue = {
    all: async function () {
      const items = await withStore("readonly", function (store) { return store.getAll(); });
      return items.sort(function (a, b) { return a.created - b.created; });
    },
    put: function (item) { return withStore("readwrite", function (store) { return store.put(item); }); },
    remove: function (key) { return withStore("readwrite", function (store) { return store.delete(key); }); },
  };

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) {
      return scope.crypto.randomUUID();
    }
    const bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken(item) {
    if (scope.document) {
      const cookie = scope.document.cookie.split("; ").find(function (part) { return part.startsWith("csrftoken="); });
      if (cookie) {
        return cookie.slice("csrftoken=".length);
      }
    }
    return item.csrf;
  }

  // Send one item: "applied", "refused" (kept with the portal's message), "waiting" (a passing
  // problem, kept with its reason) or "offline" (no answer at all).
  async function send(item, flash) {
    let response;
    try {
      response = await scope.fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(item),
        },
        body: JSON.stringify(Object.assign({}, item.body, { key: item.key, account: item.account, flash: !!flash })),
      });
    } catch (error) {
      return { state: "offline" };
    }
    const type = response.headers.get("Content-Type") || "";
    if (!type.startsWith("application/json")) {
      // Sent to the login page, or the form's token is no longer valid: log in again.
      return { state: "waiting", problem: response.status >= 500 ? "server" : "login" };
    }
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      return { state: "waiting", problem: "server" };
    }
    if (typeof answer.status !== "string") {
      return { state: "waiting", problem: "server" };
    }
    if (answer.status === "applied") {
      return { state: "applied", message: answer.message };
    }
    return { state: answer.retry ? "waiting" : "refused", message: answer.message };
  }

  let flushing = null;

  // Send every waiting item, oldest first; stop at the first one that gets no answer. One
  // sender at a time across the portal's tabs and its service worker (Web Locks): sending
  // twice would be safe, since the portal applies a key once, but it is wasted signal.
  function flush() {
    if (!flushing) {
      const locks = scope.navigator && scope.navigator.locks;
      flushing = (locks ? locks.request(LOCK_NAME, sendWaiting) : sendWaiting())
        .finally(function () { flushing = null; });
    }
    return flushing;
  }

  async function sendWaiting() {
    const summary = { applied: 0, refused: 0, waiting: 0 };
    for (const item of await queue.all()) {
      if (item.state !== "waiting") {
        continue;
      }
      const result = await send(item, false);
      if (result.state === "offline") {
        summary.waiting += 1;
        break;
      }
      if (result.state === "applied") {
        await queue.remove(item.key);
        summary.applied += 1;
      } else {
        item.state = result.state === "refused" ? "conflict" : "waiting";
        item.message = result.message || "";
        item.problem = result.problem || "";
        await queue.put(item);
        summary[result.state === "refused" ? "refused" : "waiting"] += 1;
      }
    }
    return summary;
  }

  scope.RTKerenOfflineQueue = { queue: queue, send: send, flush: flush, newKey: newKey, SYNC_TAG: SYNC_TAG };

  if (!scope.document) {
    return;
  }

  // The page side.
  const script = scope.document.currentScript;
  if (!script || !script.dataset.strings || !scope.indexedDB || !scope.fetch) {
    return;
  }
  const strings = JSON.parse(script.dataset.strings);
  const doc = scope.document;
  let waitingCount = 0;

  function text(item) {
    return item.message || strings[item.problem] || "";
  }

  function ids(value) {
    return (value || "").split(",").filter(Boolean).map(Number);
  }

  function checkedIds(form, prefix) {
    return Array.from(form.querySelectorAll('input[type="checkbox"][name^="' + prefix + '"]'))
      .filter(function (box) { return box.checked; })
      .map(function (box) { return Number(box.name.slice(prefix.length)); });
  }

  // What each kind of form sends: the same fields the page posts, as the endpoint reads them.
  const builders = {
    meeting_attendance: function (form) {
      const shown = ids(form.elements.shown && form.elements.shown.value);
      const present = checkedIds(form, "present_").filter(function (id) { return shown.includes(id); });
      return { present: present, absent: shown.filter(function (id) { return !present.includes(id); }) };
    },
    forum_attendance: function (form) {
      const body = builders.meeting_attendance(form);
      body.present = body.present.map(function (id) {
        const element = form.elements["element_" + id];
        return { resident: id, element: element ? element.value : "" };
      });
      body.guests = [];
      for (let index = 0; form.elements["guest-" + index + "-name"]; index += 1) {
        const name = form.elements["guest-" + index + "-name"].value.trim();
        if (name) {
          body.guests.push({
            name: name,
            origin: form.elements["guest-" + index + "-origin"].value,
            element: form.elements["guest-" + index + "-element"].value,
          });
        }
      }
      body.guests_removed = Array.from(form.querySelectorAll('input[type="checkbox"][name="guests-remove"]'))
        .filter(function (box) { return box.checked; })
        .map(function (box) { return Number(box.value); });
      return body;
    },
    evaluation: function (form) {
      const scores = {};
      const names = new Set(Array.from(form.querySelectorAll('input[type="radio"][name^="score_"]'), function (radio) { return radio.name; }));
      for (const name of names) {
        const chosen = form.querySelector('input[type="radio"][name="' + name + '"]:checked');
        if (!chosen) {
          return null;
        }
        scores[name.slice("score_".length)] = Number(chosen.value);
      }
      const changed = form.dataset.offlineEvaluation;
      return {
        scores: scores,
        obstacles: form.elements.obstacles ? form.elements.obstacles.value : "",
        suggestions: form.elements.suggestions ? form.elements.suggestions.value : "",
        evaluation: changed ? Number(changed) : null,
      };
    },
  };

  function pageAfterSaving(form, submitter) {
    if (form.dataset.offlineNext) {
      return form.dataset.offlineNext;
    }
    const url = new URL(scope.location.href);
    if (submitter && submitter.name === "go" && submitter.value) {
      url.searchParams.set("page", submitter.value);
    }
    return url.toString();
  }

  function formToken(form) {
    const field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function showStatus(form, message, tone) {
    const box = form.querySelector("[data-offline-status]") || doc.querySelector("[data-offline-status]");
    if (!box) {
      return;
    }
    box.className = "alert alert-" + tone;
    box.textContent = message + " ";
    const link = doc.createElement("a");
    link.href = script.dataset.queueUrl;
    link.textContent = strings.open_queue;
    box.appendChild(link);
    box.hidden = false;
  }

  async function onSubmit(event) {
    const form = event.currentTarget;
    if (form.dataset.offlineNative) {
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    const body = builders[form.dataset.offlineQueue](form);
    if (body === null) {
      // Not filled in: online, the portal says what is missing as it always has (and puts the
      // focus on it); offline, the phone says so.
      if (scope.navigator.onLine) {
        // After this submit event: a form does not submit again while it is firing one.
        scope.setTimeout(function () { native(form, submitter); }, 0);
      } else {
        showStatus(form, strings.incomplete, "warning");
      }
      return;
    }
    const item = {
      key: newKey(),
      kind: form.dataset.offlineQueue,
      url: form.dataset.offlineUrl,
      label: form.dataset.offlineLabel,
      page: scope.location.href,
      account: form.dataset.offlineAccount,
      csrf: formToken(form),
      body: body,
      state: "waiting",
      message: "",
      problem: "",
      created: Date.now(),
    };
    try {
      await queue.put(item);
    } catch (error) {
      native(form, submitter);
      return;
    }
    const result = await send(item, true);
    if (result.state === "applied") {
      await queue.remove(item.key);
      scope.location.assign(pageAfterSaving(form, submitter));
    } else if (result.state === "refused") {
      // Online, and the portal said no: post the form as without JavaScript, so that the page
      // shows the refusal as it always has.
      await queue.remove(item.key);
      native(form, submitter);
    } else {
      if (result.state === "waiting") {
        item.message = result.message || "";
        item.problem = result.problem || "";
        await queue.put(item);
      }
      // Kept either way; the reason is the portal's (logged out, too many at once) if it said one.
      showStatus(form, text(item) || strings.saved_on_phone, "warning");
      requestSync();
      render();
    }
  }

  function native(form, submitter) {
    form.dataset.offlineNative = "1";
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  }

  function requestSync() {
    if (scope.navigator.serviceWorker && scope.navigator.serviceWorker.controller) {
      scope.navigator.serviceWorker.ready
        .then(function (registration) { return registration.sync && registration.sync.register(SYNC_TAG); })
        .catch(function () {});
    }
  }

  function element(tag, className, content) {
    const node = doc.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content) {
      node.textContent = content;
    }
    return node;
  }

  function renderList(list, items) {
    list.replaceChildren();
    const empty = doc.querySelector("[data-offline-queue-empty]");
    if (empty) {
      empty.hidden = items.length > 0;
    }
    for (const item of items) {
      const row = element("li", "list-group-item");
      row.dataset.offlineItem = item.state;
      const title = element("div", "fw-semibold", item.label);
      const state = element("span", "badge ms-2 " + (item.state === "conflict" ? "text-bg-danger" : "text-bg-warning"),
        item.state === "conflict" ? strings.conflict : strings.waiting);
      title.appendChild(state);
      row.appendChild(title);
      row.appendChild(element("div", "small text-body-secondary", new Date(item.created).toLocaleString(doc.documentElement.lang)));
      if (text(item)) {
        row.appendChild(element("p", "mb-1 mt-1", text(item)));
      }
      const actions = element("div", "d-flex gap-3");
      const link = element("a", "", strings.open_form);
      link.href = item.page;
      actions.appendChild(link);
      const remove = element("button", "btn btn-link btn-sm p-0 text-danger", strings.remove);
      remove.type = "button";
      remove.addEventListener("click", async function () {
        if (item.state === "conflict" || scope.confirm(strings.confirm_remove)) {
          await queue.remove(item.key);
          render();
        }
      });
      actions.appendChild(remove);
      row.appendChild(actions);
      list.appendChild(row);
    }
  }

  async function render() {
    let items;
    try {
      items = await queue.all();
    } catch (error) {
      return;
    }
    waitingCount = items.filter(function (item) { return item.state === "waiting"; }).length;
    doc.querySelectorAll("[data-offline-queue-link]").forEach(function (link) {
      link.hidden = items.length === 0;
      const count = link.querySelector("[data-offline-queue-count]");
      if (count) {
        count.textContent = String(items.length);
      }
    });
    const list = doc.querySelector("[data-offline-queue-list]");
    if (list) {
      renderList(list, items);
    }
  }

  async function sendNow() {
    const status = doc.querySelector("[data-offline-queue-status]");
    if (status) {
      status.textContent = strings.sending;
    }
    const summary = await flush();
    await render();
    if (status) {
      status.textContent = summary.waiting && !summary.applied ? strings.offline_now : strings.sent;
    }
  }

  doc.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
    form.addEventListener("submit", onSubmit);
  });
  doc.querySelectorAll("[data-offline-send]").forEach(function (button) {
    button.addEventListener("click", sendNow);
  });
  // Logging out wipes what the phone keeps (Clear-Site-Data): say so while something waits.
  doc.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (waitingCount > 0 && !scope.confirm(strings.confirm_logout)) {
        event.preventDefault();
      }
    });
  });
  scope.addEventListener("online", sendNow);
  render().then(function () {
    if (scope.navigator.onLine && waitingCount > 0) {
      sendNow();
    }
  });
})(self);
