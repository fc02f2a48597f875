// An htmx request that the server refuses (too many requests, no permission, the database
// away) or that never reaches it swaps nothing into the page, so the person would see no
// answer at all. The notice shows the error page's own words, or a message for a lost
// connection, and goes away with the next request that succeeds.
const requestError = document.getElementById("request-error");

function showRequestError(text) {
  requestError.textContent = text;
  requestError.hidden = false;
}

if (requestError) {
  document.addEventListener("htmx:responseError", (event) => {
    const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    const heading = page.querySelector("main h1") || page.querySelector("h1");
    const words = heading ? [heading, heading.nextElementSibling] : [];
    const text = words
      .filter((element) => element && element.textContent.trim())
      .map((element) => element.textContent.trim())
      .join(": ");
    showRequestError(text || requestError.dataset.failed);
  });
  document.addEventListener("htmx:sendError", () => {
    showRequestError(requestError.dataset.offline);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) {
      requestError.hidden = true;
    }
  });
}
