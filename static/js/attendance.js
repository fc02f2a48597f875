// The attendance list: counts the ticks on the page as they change, and warns before leaving
// the page (a link, the filter, another tab's page) with ticks that are not saved yet. Saving
// (any submit button of the list, paging included) is not leaving.
(function () {
  "use strict";
  document.querySelectorAll("form[data-attendance]").forEach(function (form) {
    var boxes = form.querySelectorAll('input[type="checkbox"][name^="present_"]');
    var count = form.querySelector("[data-ticked-count]");
    var unsaved = form.querySelector("[data-unsaved]");
    var dirty = false;
    var saving = false;

    function update() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
      if (count) { count.textContent = String(ticked); }
      if (unsaved) { unsaved.hidden = !dirty; }
    }

    form.addEventListener("change", function () { dirty = true; update(); });
    form.addEventListener("submit", function () { saving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !saving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    update();
  });
})();
