// After a refused submit the page comes back with an error summary: move focus to it, so that a
// screen reader reads the problems first and a keyboard or switch user starts from there (as in
// GOV.UK's error summary). Without scripts the summary is still announced (role="alert") and comes
// before the form. A static file, because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  summary.focus();
  // A link in the summary moves focus to its field, not only the scroll position.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (field) { event.preventDefault(); target.scrollIntoView(); field.focus(); }
  });
})();
