// Shows the "Print" button of printable pages; without JavaScript the browser's own command
// remains, as the page says.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
