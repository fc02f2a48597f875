// Installs the service worker (see /sw.js), which keeps the pages marked for use without a
// signal. Nothing else happens here: the portal works the same without it.
"use strict";
(function () {
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !window.isSecureContext) {
    return;
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" });
  });
})();
