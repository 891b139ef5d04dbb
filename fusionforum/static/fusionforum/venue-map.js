// Marking a place on a floor plan: a click on the plan fills the x and y fields (percent of
// the plan's width and height) and shows where. The fields stay the way to do it without a
// pointer; the server checks them either way.
(function () {
  "use strict";
  var plan = document.querySelector("[data-plan-marking]");
  var x = document.getElementById("id_x");
  var y = document.getElementById("id_y");
  if (!plan || !x || !y) { return; }
  var pick = plan.querySelector(".plan-pick");
  var box = plan.viewBox.baseVal;
  function show() {
    var px = parseFloat(x.value), py = parseFloat(y.value);
    if (isNaN(px) || isNaN(py)) { pick.setAttribute("hidden", ""); return; }
    pick.setAttribute("cx", String(px * box.width / 100));
    pick.setAttribute("cy", String(py * box.height / 100));
    pick.removeAttribute("hidden");
  }
  plan.addEventListener("click", function (event) {
    var rect = plan.getBoundingClientRect();
    var across = Math.min(100, Math.max(0, (event.clientX - rect.left) / rect.width * 100));
    var down = Math.min(100, Math.max(0, (event.clientY - rect.top) / rect.height * 100));
    x.value = across.toFixed(2);
    y.value = down.toFixed(2);
    show();
    var name = document.getElementById("id_name");
    if (name) { name.focus(); }
  });
  x.addEventListener("input", show);
  y.addEventListener("input", show);
  show();
})();
