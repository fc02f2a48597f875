// The budget lines of the proposal form: adds up the rows as they are typed and sets the total
// against what is left of the RT's ceiling (the summary's data-remaining), as the server does
// on every postback. Choosing another place, period or funding source asks the server for the
// summary again (htmx), since what is left depends on them. After a row is added, the focus
// goes to it.
(function () {
  "use strict";
  var CONTEXT_FIELDS = ["scope", "period", "funding_source"];
  var focusNewLine = false;

  // Whole rupiah typed the Indonesian way ("Rp35.000", "35.000", "35000"), or null.
  function rupiahValue(text) {
    var digits = String(text).trim().replace(/^rp/i, "").replace(/[.\s]/g, "");
    return /^\d+$/.test(digits) ? parseInt(digits, 10) : null;
  }

  // A whole quantity ("20", "20.0"), or null.
  function quantityValue(text) {
    var digits = String(text).trim().replace(/\.0*$/, "");
    return /^\d+$/.test(digits) ? parseInt(digits, 10) : null;
  }

  function rupiah(amount) {
    return "Rp" + String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function update(form) {
    var summary = form.querySelector("[data-budget-summary]");
    if (!summary) { return; }
    var total = 0;
    form.querySelectorAll("[data-budget-line]").forEach(function (line) {
      var quantity = quantityValue(line.querySelector('[name$="-quantity"]').value);
      var price = rupiahValue(line.querySelector('[name$="-unit_price"]').value);
      if (quantity && price) { total += quantity * price; }
    });
    summary.querySelector("[data-budget-total]").textContent = rupiah(total);
    var over = summary.querySelector("[data-budget-over]");
    if (over && summary.dataset.remaining !== undefined) {
      var excess = total - parseInt(summary.dataset.remaining, 10);
      over.hidden = excess <= 0;
      over.querySelector("[data-budget-excess]").textContent = rupiah(Math.max(excess, 0));
    }
  }

  function proposalForm(element) {
    return element.closest ? element.closest("form[data-proposal-form]") : null;
  }

  document.addEventListener("input", function (event) {
    var form = proposalForm(event.target);
    if (form && event.target.closest("[data-budget-line]")) { update(form); }
  });
  document.addEventListener("change", function (event) {
    var form = proposalForm(event.target);
    if (form && CONTEXT_FIELDS.indexOf(event.target.name) !== -1 && window.htmx) {
      // Sent from the form, which is never swapped: a summary just swapped in may not be
      // ready for htmx yet, and a change made meanwhile would be lost.
      window.htmx.ajax("POST", form.querySelector("[data-budget-summary]").dataset.refreshUrl, {
        source: form,
        target: "#budget-summary",
        select: "#budget-summary",
        swap: "outerHTML",
        values: { budget_refresh: "1" },
      });
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest('[name="budget_add"]') : null;
    if (button && proposalForm(button)) { focusNewLine = true; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = proposalForm(event.target);
    if (!form) { return; }
    update(form);
    if (focusNewLine) {
      focusNewLine = false;
      var items = form.querySelectorAll('[data-budget-line] [name$="-item"]');
      if (items.length) { items[items.length - 1].focus(); }
    }
  });
  document.querySelectorAll("form[data-proposal-form]").forEach(update);
})();
