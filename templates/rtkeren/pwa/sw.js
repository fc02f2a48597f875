{% load static %}// The RT Keren service worker, version __VERSION__ (see rtkeren/offline.py).
"use strict";

const SHELL = "rtkeren-shell-__VERSION__";
const PAGES = "rtkeren-pages-";
const META = "rtkeren-meta";
const ACCOUNT_KEY = "/__offline-account__";
const VISITOR = "-";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const QUEUE_URL = "{{ queue_url|escapejs }}";
const SHELL_FILES = [
  OFFLINE_URL,
  QUEUE_URL,
  "{% static 'js-lib-bootstrap5/css/bootstrap.min.css' %}",
  "{% static 'css/rtkeren.css' %}",
  "{% static 'css/assessment.css' %}",
  "{% static 'htmx/htmx.min.js' %}",
  "{% static 'js/form-errors.js' %}",
  "{% static 'js/htmx-errors.js' %}",
  "{% static 'js/pwa.js' %}",
  "{% static 'js/attendance.js' %}",
  "{% static 'js/offline-queue.js' %}",
  "{% static 'img/favicon.svg' %}",
];

// The offline queue (attendance and evaluations saved without a signal): Background Sync sends it
// when the signal is back, even with the portal closed, where the browser offers it.
importScripts("{% static 'js/offline-queue.js' %}");

self.addEventListener("sync", (event) => {
  if (event.tag === self.RTKerenOfflineQueue.SYNC_TAG) {
    event.waitUntil(self.RTKerenOfflineQueue.flush());
  }
});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll(SHELL_FILES.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("rtkeren-shell-") && key !== SHELL)
          .map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function currentAccount() {
  const stored = await (await caches.open(META)).match(ACCOUNT_KEY);
  return stored ? stored.text() : VISITOR;
}

// Keep a page the portal marked for offline use, under its account; forget every other
// account's pages as soon as a page of another account, or of a visitor, arrives.
async function remember(request, response) {
  const account = response.headers.get("X-Offline-Account");
  if (!account) {
    return;
  }
  const keys = await caches.keys();
  await Promise.all(
    keys.filter((key) => key.startsWith(PAGES) && key !== PAGES + account)
      .map((key) => caches.delete(key)),
  );
  await (await caches.open(META)).put(ACCOUNT_KEY, new Response(account));
  if (account !== VISITOR && response.headers.get("X-Offline") === "keep") {
    await (await caches.open(PAGES + account)).put(request.url, response);
  }
}

async function navigate(event) {
  try {
    const response = await fetch(event.request);
    event.waitUntil(remember(event.request, response.clone()));
    return response;
  } catch (error) {
    const account = await currentAccount();
    if (account !== VISITOR) {
      const kept = await (await caches.open(PAGES + account)).match(event.request.url);
      if (kept) {
        return kept;
      }
    }
    // The queue page holds nothing personal: it is kept with the static files for everyone.
    if (new URL(event.request.url).pathname === QUEUE_URL) {
      return (await caches.match(QUEUE_URL)) || Response.error();
    }
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((kept) => kept || fetch(request)));
  }
});
