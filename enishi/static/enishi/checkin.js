// The reception desk's QR scanner (staff console, event check-in). Without scripts or without a camera
// the same form takes the ticket's code or link typed or pasted by hand; with them, the "Scan" button
// opens the back camera, decodes with the browser's BarcodeDetector where there is one, else with the
// vendored jsQR (loaded only then), and submits each new code once (htmx shows the result in place).
(function () {
  "use strict";
  var root = document.querySelector("[data-scanner]");
  var form = document.getElementById("scan-form");
  if (!root || !form) return;
  var input = form.querySelector("input[name=token]");
  var startButton = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var video = root.querySelector("video");
  var status = root.querySelector("[data-scan-status]");
  var REPEAT_MS = 4000; // the same code again within this time is the same person still in front of the camera
  var stream = null, detector = null, canvas = null, timer = null;
  var last = "", lastAt = 0, busy = false;

  // Clear the field after each answer, so that the next scan (or typing) starts empty.
  form.addEventListener("htmx:afterRequest", function () { input.value = ""; });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return; // the button stays hidden
  startButton.hidden = false;

  function say(text) { status.textContent = text || ""; }

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(); return; }
      var script = document.createElement("script");
      script.src = root.getAttribute("data-jsqr");
      script.onload = function () { resolve(); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function prepareDecoder() {
    if (!("BarcodeDetector" in window)) return loadJsQR();
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) return loadJsQR();
      detector = new window.BarcodeDetector({formats: ["qr_code"]});
    }, loadJsQR);
  }

  function decodeFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    var width = video.videoWidth, height = video.videoHeight;
    if (!width || !height || !window.jsQR) return Promise.resolve(null);
    var scale = Math.min(1, 640 / Math.max(width, height)); // smaller frames decode faster on a phone
    canvas = canvas || document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    var context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(pixels.data, pixels.width, pixels.height, {inversionAttempts: "dontInvert"});
    return Promise.resolve(code ? code.data : null);
  }

  function found(value) {
    var now = Date.now();
    if (!value || (value === last && now - lastAt < REPEAT_MS)) return;
    last = value;
    lastAt = now;
    if (navigator.vibrate) navigator.vibrate(80);
    input.value = value;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    timer = null;
    if (!stream) return;
    if (!busy && video.readyState >= 2) {
      busy = true;
      decodeFrame().then(function (value) { busy = false; found(value); }, function () { busy = false; });
    }
    timer = setTimeout(tick, 150);
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (timer) clearTimeout(timer);
    video.hidden = true;
    video.srcObject = null;
    stopButton.hidden = true;
    startButton.hidden = false;
    say("");
  }

  startButton.addEventListener("click", function () {
    say(root.getAttribute("data-starting"));
    navigator.mediaDevices.getUserMedia({video: {facingMode: {ideal: "environment"}}, audio: false})
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play().then(prepareDecoder);
      })
      .then(function () { say(root.getAttribute("data-ready")); tick(); })
      .catch(function () { stop(); say(root.getAttribute("data-denied")); });
  });
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
})();
