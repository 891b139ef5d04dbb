// Expert meetings: suggestions while a topic is written, and a scheduler run's progress bar.
(function () {
  "use strict";

  // Django's JavaScript catalogue (jsi18n) defines gettext and interpolate; without it, English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%s/g, function () { return String(values.shift()); });
  };

  // Suggestions: ask the server for ranked experts as the topic changes (debounced).
  var box = document.getElementById("suggestions");
  var topic = document.getElementById("id_topic");
  var target = document.getElementById("id_target");
  if (box && topic) {
    var timer = null;
    var last = topic.value;
    var refresh = function () {
      if (topic.value === last) { return; }
      last = topic.value;
      var url = box.getAttribute("data-url") + "?topic=" + encodeURIComponent(topic.value);
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) { box.innerHTML = html; } })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    };
    topic.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest(".choose-expert");
      if (!button || !target) { return; }
      target.value = button.getAttribute("data-target");
      target.focus();
    });
  }

  // A scheduler run: poll its progress until it finishes, then reload to show the result.
  var run = document.getElementById("run-progress");
  if (run && run.getAttribute("data-finished") !== "1") {
    var bar = document.getElementById("run-bar");
    var status = document.getElementById("run-status");
    var show = function (id, value) {
      var element = document.getElementById(id);
      if (element) { element.textContent = value === null || value === undefined ? "—" : String(value); }
    };
    var poll = function () {
      fetch(run.getAttribute("data-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          bar.value = Math.round(data.fraction * 100);
          status.textContent = data.elapsed
            ? interpolate(gettext("%s, %s s"), [data.status_label, data.elapsed])
            : data.status_label;
          show("run-best", data.best);
          show("run-bound", data.bound);
          show("run-gap", data.gap);
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }
})();
