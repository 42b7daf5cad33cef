// The dashboard's filters: custom dates only when "custom" is chosen, and a new period or company applies at
// once (htmx swaps the figures in; without JavaScript the "Show" button submits the form). The monthly
// report's print button.
(function () {
  "use strict";
  // When htmx swaps the figures in, it "settles" the attributes of elements that keep their id, style
  // included: Chromium gives date inputs an empty style attribute, and copying it breaks the CSP.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  function setUp(form) {
    var range = form.querySelector("select[name=range]");
    var dates = ["start", "end"].map(function (name) {
      var input = form.querySelector("input[name=" + name + "]");
      return input ? input.closest(".field") : null;
    }).filter(Boolean);
    function toggle() {
      var custom = !range || range.value === "custom";
      dates.forEach(function (field) { field.hidden = !custom; });
    }
    if (range) {
      toggle();
      range.addEventListener("change", function () {
        toggle();
        if (range.value !== "custom") form.requestSubmit();
      });
    }
    var company = form.querySelector("select[name=company]");
    if (company) company.addEventListener("change", function () { form.requestSubmit(); });
  }
  function setUpAll() {
    document.querySelectorAll("form[data-dashboard-filters]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      setUp(form);
    });
  }
  document.addEventListener("DOMContentLoaded", setUpAll);
  document.addEventListener("htmx:afterSettle", setUpAll);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
