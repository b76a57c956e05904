// The trainer's class view updates itself while trainees finish, unless the trainer turns it off
// (WCAG 2.2.1: timing adjustable). Only the summary is replaced; the page does not jump.
(function () {
  "use strict";
  var summary = document.getElementById("class-summary");
  var toggle = document.getElementById("auto-update");
  if (!summary || !toggle || !window.fetch) { return; }
  window.setInterval(function () {
    if (!toggle.checked) { return; }
    window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("class-summary");
        if (fresh) { summary.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }, 15000);
})();
