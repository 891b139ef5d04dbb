// Key figures: add a row in place (the button also works without JavaScript, by posting the
// form back with one more empty row).
(function () {
  "use strict";
  document.querySelectorAll("[data-key-figures]").forEach(function (box) {
    var button = box.querySelector("[data-add-figure]");
    var template = box.querySelector("template[data-figure-template]");
    var rows = box.querySelector("[data-figure-rows]");
    var total = box.querySelector("input[name$='-TOTAL_FORMS']");
    var max = box.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (!button || !template || !rows || !total) { return; }
    button.addEventListener("click", function (event) {
      var count = parseInt(total.value, 10) || 0;
      if (max && count >= parseInt(max.value, 10)) { return; }
      event.preventDefault();
      var html = template.innerHTML.replace(/__prefix__/g, String(count));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(count + 1);
      var added = rows.lastElementChild;
      if (added) {
        added.querySelectorAll("label").forEach(function (label) {
          label.textContent = label.textContent.replace("new key figure", "key figure " + (count + 1));
        });
        var first = added.querySelector("input[type='text']");
        if (first) { first.focus(); }
      }
    });
  });
})();
