// The livestream's HLS player: the server puts a <video data-hls-src> on the page only once the
// stream is live (or its replay afterwards). Where Media Source Extensions exist the vendored
// hls.js feeds the <video> through them; elsewhere (iOS) the browser plays HLS itself. No worker
// (the Content Security Policy has no worker-src blob:), no autoplay: the visitor presses play.
(function () {
  "use strict";
  document.querySelectorAll("video[data-hls-src]").forEach(function (video) {
    var src = video.getAttribute("data-hls-src");
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ enableWorker: false, debug: false });
      hls.loadSource(src);
      hls.attachMedia(video);
      video.hlsPlayer = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;  // Safari on iOS: no Media Source Extensions, native HLS
    }
    video.setAttribute("data-player-ready", "true");
  });
})();
