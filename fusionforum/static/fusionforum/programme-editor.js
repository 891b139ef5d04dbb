// Programme editor: lets htmx show refused changes (400/409 carry the editor with the
// message), moves focus to the outcome after each change, and adds drag and drop on top of
// the "place" forms (drop a talk on a session: the talk's form is filled in and submitted).
// Without JavaScript the same forms post and the page reloads.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById("editor-error");
    var messages = document.getElementById("editor-messages");
    if (!target && messages && messages.textContent.trim()) {
      target = messages;
    }
    if (target) {
      target.focus();
      if (window.location.hash && !document.getElementById("editor-error")) {
        var anchor = document.getElementById(window.location.hash.slice(1));
        if (anchor) { anchor.scrollIntoView({ block: "nearest" }); }
      }
    }
  });

  function minutes(hhmm) {
    var parts = hhmm.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function hhmm(total) {
    var h = Math.floor(total / 60), m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  document.addEventListener("dragstart", function (event) {
    var talk = event.target.closest && event.target.closest("[data-talk]");
    if (!talk) { return; }
    event.dataTransfer.setData("text/plain", talk.getAttribute("data-talk"));
    event.dataTransfer.effectAllowed = "move";
  });

  function sessionCell(event) {
    return event.target.closest && event.target.closest("td[data-session]");
  }

  document.addEventListener("dragover", function (event) {
    var cell = sessionCell(event);
    if (!cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var cell = sessionCell(event);
    if (cell) { cell.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    var cell = sessionCell(event);
    if (!cell) { return; }
    event.preventDefault();
    cell.classList.remove("drop-target");
    var code = event.dataTransfer.getData("text/plain");
    var form = document.querySelector('form[data-place-form="' + code + '"]');
    if (!form) { return; }
    var start = minutes(cell.getAttribute("data-start"));
    var end = minutes(cell.getAttribute("data-end"));
    if (end === 0) { end = 24 * 60; }
    var rect = cell.getBoundingClientRect();
    var fraction = Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1);
    var at = start + Math.floor(fraction * (end - start) / 5) * 5;
    var session = form.querySelector('select[name$="-session"]');
    var time = form.querySelector('input[name$="-start"]');
    if (!session || !time) { return; }
    session.value = cell.getAttribute("data-session");
    time.value = hhmm(Math.min(at, end - 5));
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
