// Key figures: add a row in place (the button also works without JavaScript, by posting the
// form back with one more empty row).
(function () {
  "use strict";
  // The scripts' strings come from Django's JavaScript catalogue (/jsi18n/<language>.js, loaded
  // by base.html first); without it they stay English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%s/g, function () { return String(values.shift()); });
  };
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
          label.textContent = label.textContent.replace(
            gettext("new key figure"), interpolate(gettext("key figure %s"), [count + 1]));
        });
        var first = added.querySelector("input[type='text']");
        if (first) { first.focus(); }
      }
    });
  });
})();
