// Front desk: read a badge's QR code with the device's camera and check the person in through
// the same form as a typed (or hardware-scanned) code, so the server gives the same answers.
//
// The camera starts only when the organiser presses the button, and stops after a code is read,
// when they press Stop, or when the page is hidden or left. The decoder is the browser's own
// BarcodeDetector where it reads QR codes; elsewhere the vendored jsQR (served by this site,
// loaded only then) reads frames drawn on a canvas, in the page: no Worker, no eval, so the
// Content Security Policy stays 'self'. Without JavaScript the section stays hidden and the
// typed field works as before.
(function () {
  "use strict";
  // The scripts' strings come from Django's JavaScript catalogue (/jsi18n/<language>.js, loaded
  // by base.html first); without it they stay English.
  var gettext = window.gettext || function (text) { return text; };
  var section = document.querySelector("[data-camera]");
  var form = document.querySelector("[data-checkin-form]");
  var input = form && form.querySelector("input[name='code']");
  if (!section || !form || !input) {
    return;
  }
  var startButton = section.querySelector("[data-camera-start]");
  var stopButton = section.querySelector("[data-camera-stop]");
  var view = section.querySelector("[data-camera-view]");
  var video = section.querySelector("[data-camera-video]");
  var status = section.querySelector("[data-camera-status]");
  var SCAN_EVERY_MS = 150;
  var MAX_FRAME_WIDTH = 800; // enough for a badge held at arm's length, quick on a phone
  var stream = null;
  var decoder = null;
  var running = false;
  var timer = null;
  var vendoredLoading = null;
  var attempt = 0; // a start that resolves after a later stop must not take the camera

  section.hidden = false;

  function say(text) {
    status.textContent = text;
  }

  // Decoders: {kind, read(video) -> Promise of the text read, or null}. ------------------------

  function vendoredDecoder() {
    if (!vendoredLoading) {
      vendoredLoading = new Promise(function (resolve, reject) {
        if (typeof window.jsQR === "function") {
          resolve(window.jsQR);
          return;
        }
        var script = document.createElement("script");
        script.src = section.getAttribute("data-decoder-src");
        script.onload = function () {
          if (typeof window.jsQR === "function") {
            resolve(window.jsQR);
          } else {
            reject(new Error("decoder-missing"));
          }
        };
        script.onerror = function () {
          reject(new Error("decoder-missing"));
        };
        document.head.appendChild(script);
      }).catch(function (error) {
        vendoredLoading = null; // let a later press try again
        throw error;
      });
    }
    return vendoredLoading.then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return {
        kind: "vendored",
        read: function (source) {
          var scale = Math.min(1, MAX_FRAME_WIDTH / source.videoWidth);
          var width = Math.max(1, Math.round(source.videoWidth * scale));
          var height = Math.max(1, Math.round(source.videoHeight * scale));
          if (canvas.width !== width || canvas.height !== height) {
            canvas.width = width;
            canvas.height = height;
          }
          context.drawImage(source, 0, 0, width, height);
          var frame = context.getImageData(0, 0, width, height);
          var found = jsQR(frame.data, width, height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(found ? found.data : null);
        }
      };
    });
  }

  function nativeDecoder() {
    var Detector = window.BarcodeDetector;
    if (typeof Detector !== "function") {
      return Promise.resolve(null);
    }
    var formats = typeof Detector.getSupportedFormats === "function"
      ? Detector.getSupportedFormats() : Promise.resolve(["qr_code"]);
    return Promise.resolve(formats).then(function (supported) {
      if (!supported || supported.indexOf("qr_code") < 0) {
        return null;
      }
      var detector = new Detector({ formats: ["qr_code"] });
      return {
        kind: "native",
        read: function (source) {
          return detector.detect(source).then(function (codes) {
            for (var i = 0; i < codes.length; i += 1) {
              if (codes[i].rawValue) {
                return codes[i].rawValue;
              }
            }
            return null;
          });
        }
      };
    }).catch(function () {
      return null;
    });
  }

  function chooseDecoder() {
    return nativeDecoder().then(function (native) {
      return native || vendoredDecoder();
    });
  }

  // Camera --------------------------------------------------------------------------------------

  function problem(error) {
    var name = error && error.name;
    if (error && error.message === "decoder-missing") {
      return gettext("The QR code reader could not be loaded. Reload the page, or type the code below.");
    }
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return gettext("The camera is not allowed for this site. Allow it in the browser’s site " +
        "settings and press the button again, or type the code below.");
    }
    if (name === "NotFoundError" || name === "OverconstrainedError" ||
        name === "DevicesNotFoundError") {
      return gettext("No camera was found on this device. Type the code below, or use a badge scanner.");
    }
    if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") {
      return gettext("The camera could not start: another app may be using it. Close that " +
        "app and press the button again, or type the code below.");
    }
    return gettext("The camera could not start. Type the code below instead.");
  }

  function showRunning(on) {
    startButton.hidden = on;
    stopButton.hidden = !on;
    view.hidden = !on;
    section.classList.toggle("camera-on", on);
  }

  function stop() {
    attempt += 1;
    running = false;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    var hadFocus = document.activeElement === stopButton;
    showRunning(false);
    startButton.disabled = false;
    if (hadFocus) {
      startButton.focus();
    }
  }

  function found(text) {
    stop();
    section.setAttribute("data-camera-read", "true");
    input.value = text.trim();
    say(gettext("Badge read. Checking in…"));
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function scan() {
    timer = null;
    if (!running) {
      return;
    }
    if (video.readyState < 2 || !video.videoWidth) {
      timer = setTimeout(scan, SCAN_EVERY_MS);
      return;
    }
    decoder.read(video).then(function (text) {
      if (!running) {
        return;
      }
      if (text && text.trim()) {
        found(text);
      } else {
        timer = setTimeout(scan, SCAN_EVERY_MS);
      }
    }, function () {
      if (!running) {
        return;
      }
      if (decoder.kind === "native") {
        // A native detector that fails on this device: read with the vendored one instead.
        vendoredDecoder().then(function (vendored) {
          decoder = vendored;
          section.setAttribute("data-decoder-used", vendored.kind);
          timer = setTimeout(scan, SCAN_EVERY_MS);
        }, function (error) {
          stop();
          say(problem(error));
        });
      } else {
        timer = setTimeout(scan, SCAN_EVERY_MS);
      }
    });
  }

  function start() {
    if (running || startButton.disabled) {
      return;
    }
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      say(window.isSecureContext === false
        ? gettext("The camera works only over a secure (https) connection. Type the code below instead.")
        : gettext("This browser cannot use a camera. Type the code below instead."));
      return;
    }
    startButton.disabled = true;
    say(gettext("Starting the camera…"));
    var mine = attempt;
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (media) {
      if (mine !== attempt) {
        media.getTracks().forEach(function (track) { track.stop(); });
        return null;
      }
      stream = media;
      video.srcObject = media;
      showRunning(true);
      stopButton.focus();
      return video.play().then(chooseDecoder);
    }).then(function (chosen) {
      if (!chosen || mine !== attempt) {
        return; // stopped while starting
      }
      decoder = chosen;
      section.setAttribute("data-decoder-used", chosen.kind);
      running = true;
      say(gettext("Camera on. Hold the badge’s QR code in front of it."));
      scan();
    }).catch(function (error) {
      if (mine !== attempt) {
        return;
      }
      stop();
      say(problem(error));
    });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    say(gettext("Camera stopped."));
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) {
      stop();
      say(gettext("Camera stopped while the page was hidden. Press the button to scan again."));
    }
  });
  window.addEventListener("pagehide", function () {
    if (stream) {
      stop();
    }
  });
  // A manual check-in starts a page load: free the camera now rather than at unload.
  form.addEventListener("submit", function () {
    if (stream) {
      stop();
    }
  });
})();
