/* Fusion Forum: small enhancements of every page. Everything works without this script.
 *
 * - The menu (a <details> disclosure) also says its state as aria-expanded on its button and
 *   closes with Escape.
 * - A table's scrolling region (.table-scroll, tabindex="0" in the markup so that keyboards
 *   reach it without this script) leaves the tab order while its table fits.
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

  function start() {
    document.querySelectorAll("details.site-menu").forEach(menu);
    document.querySelectorAll(".table-scroll[tabindex]").forEach(scrollRegion);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
