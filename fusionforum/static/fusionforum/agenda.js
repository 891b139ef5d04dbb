/* Personal agenda: star buttons on the programme and talk pages, the local agenda of
   visitors who are not signed in (kept in localStorage, never sent to be stored), and the
   offer to add those local stars to an account after signing in. No inline code: CSP-safe. */
(function () {
  "use strict";

  /* Texts come from Django's JavaScript catalogue; English if it is not loaded. */
  var gettext = window.gettext || function (text) { return text; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%s/g, function () { return String(values.shift()); });
  };

  var root = document.querySelector("[data-event]");
  if (!root) { return; }
  var KEY = "fusionforum-agenda:" + root.getAttribute("data-event");

  function readLocal() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value.filter(function (c) { return /^[A-Z0-9]{1,12}$/.test(c); }) : [];
    } catch (error) {
      return [];
    }
  }

  function writeLocal(codes) {
    try {
      if (codes.length) {
        window.localStorage.setItem(KEY, JSON.stringify(codes));
      } else {
        window.localStorage.removeItem(KEY);
      }
      return true;
    } catch (error) {
      return false;
    }
  }

  function showState(button, starred) {
    button.setAttribute("aria-pressed", starred ? "true" : "false");
    var icon = button.querySelector(".star-icon");
    var label = button.querySelector(".star-label");
    if (icon) { icon.textContent = starred ? "\u2605" : "\u2606"; }
    if (label) { label.textContent = starred ? gettext("Starred") : pgettext("verb: add to my agenda", "Star"); }
  }

  function makeButton(code, title, starred, local) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = local ? "star star-local" : "star star-remote";
    button.setAttribute("data-code", code);
    var icon = document.createElement("span");
    icon.className = "star-icon";
    icon.setAttribute("aria-hidden", "true");
    var label = document.createElement("span");
    label.className = "star-label";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ": " + title;
    button.appendChild(icon);
    button.appendChild(document.createTextNode(" "));
    button.appendChild(label);
    button.appendChild(hidden);
    showState(button, starred);
    return button;
  }

  /* The programme page is the same for everyone (and cached): its star buttons are added
     here, from the browser's stars or, for signed-in people, from the page's own list. */
  var signedIn = root.hasAttribute("data-signed-in");
  var serverStars = (root.getAttribute("data-starred") || "").split(" ").filter(Boolean);
  var localStars = signedIn ? [] : readLocal();
  /* A talk of a session (li.talk), or an imported talk that is a session of its own. */
  root.querySelectorAll(".talk[data-code], .session-talk[data-code]").forEach(function (item) {
    var code = item.getAttribute("data-code");
    var title = item.querySelector(".talk-title") || item.querySelector("h3");
    var starred = (signedIn ? serverStars : localStars).indexOf(code) !== -1;
    var button = makeButton(code, title ? title.textContent : code, starred, !signedIn);
    if (!signedIn) { button.hidden = true; }
    item.appendChild(button);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".star-remote");
    if (!button || !window.fetch) { return; }
    var code = button.getAttribute("data-code");
    var starred = button.getAttribute("aria-pressed") === "true";
    var url = root.getAttribute(starred ? "data-unstar-url" : "data-star-url").replace("CODE", code);
    var token = root.querySelector("input[name=csrfmiddlewaretoken]");
    button.disabled = true;
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": token ? token.value : ""}
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      showState(button, data.starred);
      button.disabled = false;
    }).catch(function () {
      button.disabled = false;
      window.alert(gettext("The star could not be saved. Please reload the page and try again."));
    });
  });

  /* Visitors who are not signed in: stars in this browser. */
  var localButtons = document.querySelectorAll(".star-local");
  if (localButtons.length) {
    var stored = readLocal();
    localButtons.forEach(function (button) {
      if (!button.closest("#local-agenda")) {
        showState(button, stored.indexOf(button.getAttribute("data-code")) !== -1);
      }
      button.hidden = false;
    });
    document.querySelectorAll(".local-note").forEach(function (note) { note.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".star-local");
    if (!button) { return; }
    var code = button.getAttribute("data-code");
    var codes = readLocal();
    var starred = codes.indexOf(code) !== -1;
    codes = starred ? codes.filter(function (c) { return c !== code; }) : codes.concat([code]);
    if (!writeLocal(codes)) {
      window.alert(gettext("This browser does not allow keeping stars. Sign in to keep an agenda."));
      return;
    }
    showState(button, !starred);
    var entry = button.closest(".agenda-entry");
    if (entry && starred && button.closest("#local-agenda")) {
      loadLocalAgenda();
    }
  });

  /* Signed-in people: the star forms post in the background (a full post without script). */
  document.addEventListener("submit", function (event) {
    var form = event.target.closest(".star-form");
    if (!form || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    var starred = button.getAttribute("aria-pressed") === "true";
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    button.disabled = true;
    window.fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": token ? token.value : ""},
      body: new FormData(form)
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      showState(button, data.starred);
      form.action = form.getAttribute(data.starred ? "data-unstar-url" : "data-star-url");
      button.disabled = false;
      if (!data.starred && form.closest(".agenda-entry") && starred) {
        form.closest(".agenda-entry").classList.add("unstarred");
      }
    }).catch(function () {
      button.disabled = false;
      form.submit();
    });
  });

  /* The agenda page of a visitor who is not signed in: ask the server to show the codes. */
  function loadLocalAgenda() {
    var box = document.getElementById("local-agenda");
    if (!box || !window.fetch) { return; }
    var codes = readLocal();
    if (!codes.length) {
      box.textContent = "";
      var empty = document.createElement("p");
      empty.className = "agenda-empty";
      empty.textContent = gettext("No talk starred in this browser yet. Star talks in the programme and they appear here in time order, with clashes marked.");
      box.appendChild(empty);
      return;
    }
    var url = box.getAttribute("data-local-url") + "?codes=" + encodeURIComponent(codes.join(","));
    window.fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      var parsed = new DOMParser().parseFromString(html, "text/html");
      var list = parsed.querySelector(".agenda-list");
      box.textContent = "";
      if (list) { box.appendChild(document.importNode(list, true)); }
    }).catch(function () {
      box.textContent = gettext("Your agenda could not be loaded. Please reload the page.");
    });
  }
  loadLocalAgenda();

  /* Signed in now, with stars left in this browser from before: offer to add them. */
  var sync = document.querySelector("[data-sync]");
  if (sync) {
    var local = readLocal();
    if (local.length) {
      sync.querySelector("[data-sync-text]").textContent = interpolate(
        ngettext("You starred %s talk in this browser before signing in.",
                 "You starred %s talks in this browser before signing in.", local.length),
        [local.length]);
      sync.querySelector("input[name=codes]").value = local.join(",");
      sync.hidden = false;
      sync.querySelector("form").addEventListener("submit", function () { writeLocal([]); });
    }
  }

  /* The feed address selects itself for copying. */
  var feed = document.getElementById("feed-url");
  if (feed) {
    feed.addEventListener("focus", function () { feed.select(); });
  }
}());
