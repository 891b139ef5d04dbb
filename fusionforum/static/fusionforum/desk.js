// Registration desk: "select all" for the bulk actions. Without JavaScript the box stays
// hidden and each row is selected on its own.
(function () {
  "use strict";
  document.querySelectorAll("[data-bulk-form]").forEach(function (form) {
    var all = form.querySelector("[data-select-all]");
    var label = form.querySelector("[data-select-all-label]");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-select-row]"));
    if (!all || rows.length === 0) {
      return;
    }
    all.hidden = false;
    if (label) {
      label.hidden = false;
    }
    function sync() {
      var checked = rows.filter(function (box) { return box.checked; }).length;
      all.checked = checked === rows.length;
      all.indeterminate = checked > 0 && checked < rows.length;
    }
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    rows.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
})();
