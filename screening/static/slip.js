// The slip's Print button: shown only where scripts run (the page works without it), it opens the
// browser's print dialog. A static file, because the app's Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || typeof window.print !== "function") { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
