// Live countdown to each upcoming broadcast. The server decides when a link is public: when a
// countdown reaches zero we ask the server for the stream states and reload only once it says
// the stream is live, so a wrong client clock can neither reveal nor hide anything.
(function () {
  "use strict";
  // The scripts' strings come from Django's JavaScript catalogue (/jsi18n/<language>.js, loaded
  // by base.html first); without it they stay English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%s/g, function () { return String(values.shift()); });
  };
  var list = document.querySelector("[data-status-url]");
  var timers = document.querySelectorAll("[data-countdown-to]");
  if (!list || !timers.length) { return; }
  var statusUrl = list.getAttribute("data-status-url");
  var offsetMs = 0; // server clock minus client clock
  var checking = false;


  function describe(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var days = Math.floor(total / 86400);
    var hours = Math.floor((total % 86400) / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var parts = [];
    if (days) { parts.push(interpolate(ngettext("%s day", "%s days", days), [days])); }
    if (days || hours) { parts.push(interpolate(ngettext("%s hour", "%s hours", hours), [hours])); }
    parts.push(interpolate(ngettext("%s minute", "%s minutes", minutes), [minutes]));
    if (!days) { parts.push(interpolate(ngettext("%s second", "%s seconds", seconds), [seconds])); }
    return parts.join(", ");
  }

  function fetchStatus() {
    return fetch(statusUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); });
  }

  function checkLive() {
    if (checking) { return; }
    checking = true;
    fetchStatus().then(function (status) {
      offsetMs = Date.parse(status.now) - Date.now();
      var changed = status.streams.some(function (stream) {
        var item = document.getElementById("stream-" + stream.id);
        return !item || !item.classList.contains("stream-" + stream.state);
      });
      if (changed) { window.location.reload(); }
    }).catch(function () { /* try again on the next tick */ })
      .then(function () { setTimeout(function () { checking = false; }, 5000); });
  }

  function tick() {
    var now = Date.now() + offsetMs;
    timers.forEach(function (el) {
      var remaining = Date.parse(el.getAttribute("data-countdown-to")) - now;
      var text = remaining > 0
        ? interpolate(gettext("Starts in %s."), [describe(remaining)]) : gettext("Starting now…");
      if (el.textContent !== text) { el.textContent = text; }
      if (remaining <= 0) { checkLive(); }
    });
  }

  fetchStatus().then(function (status) {
    offsetMs = Date.parse(status.now) - Date.now();
  }).catch(function () {}).then(function () {
    tick();
    setInterval(tick, 1000);
  });
})();
