/* Fusion Forum: small enhancements of every page. Everything works without this script.
 *
 * - The menu (a <details> disclosure) also says its state as aria-expanded on its button and
 *   closes with Escape.
 * - A table with the class table-cards (one card per row on a phone) gets each cell labelled
 *   with its column's heading (data-label, shown by site.css) and explicit table roles, which
 *   screen readers need once CSS displays the rows as blocks.
 * - A table's scrolling region (.table-scroll, tabindex="0" in the markup so that keyboards
 *   reach it without this script) leaves the tab order while its table fits.
 * - Logging out first deletes the offline copy of "My workshop" kept on this device (the
 *   page's service worker caches, "ff-mine-*"), so the next person on a shared device
 *   cannot read it offline.
 */
(function () {
  "use strict";

  function menu(details) {
    var summary = details.querySelector("summary");
    if (!summary) return;
    function sync() { summary.setAttribute("aria-expanded", details.open ? "true" : "false"); }
    details.addEventListener("toggle", sync);
    details.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        summary.focus();
      }
    });
    sync();
  }

  function scrollRegion(region) {
    function sync() {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      region.setAttribute("tabindex", scrolls ? "0" : "-1");
    }
    sync();
    if ("ResizeObserver" in window) new ResizeObserver(sync).observe(region);
  }

  function cards(table) {
    var labels = [];
    table.querySelectorAll("thead tr:last-child > th").forEach(function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
    });
    table.setAttribute("role", "table");
    table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
    table.querySelectorAll(":scope > * > tr").forEach(function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        var header = cell.tagName === "TH";
        var scope = cell.getAttribute("scope");
        cell.setAttribute("role", header ? (scope === "row" ? "rowheader" : "columnheader") : "cell");
        if (!header && labels[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", labels[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  }

  function forgetOfflineCopies(form) {
    if (!window.caches) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.forgotten) return;
      event.preventDefault();
      var done = false;
      function go() { if (done) return; done = true; form.dataset.forgotten = "1"; form.submit(); }
      setTimeout(go, 1500);  // never keep someone from logging out
      window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf("ff-mine") === 0; })
          .map(function (name) { return window.caches.delete(name); }));
      }).then(go, go);
    });
  }

  function start() {
    document.querySelectorAll("form[data-logout]").forEach(forgetOfflineCopies);
    document.querySelectorAll("table.table-cards").forEach(cards);
    document.querySelectorAll("details.site-menu").forEach(menu);
    document.querySelectorAll(".table-scroll[tabindex]").forEach(scrollRegion);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
