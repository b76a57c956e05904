// Keeps a page's unsent answers through a sleeping screen or a dropped connection.
// Answers chosen on this page are kept in sessionStorage (this tab only, cleared when it closes)
// until the server has them; a submit while offline is held back with a message instead of lost.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form || !window.sessionStorage) { return; }
  var key = "draft:" + window.location.pathname;

  function radios() { return form.querySelectorAll("input[type=radio]"); }

  function save() {
    var values = {};
    radios().forEach(function (input) { if (input.checked) { values[input.name] = input.value; } });
    try { sessionStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* storage full or blocked */ }
  }

  function restore() {
    var stored;
    try { stored = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { stored = {}; }
    // "Not asked" is what the server shows for a question without an answer: the tab's copy fills it.
    var answered = {};
    radios().forEach(function (input) {
      if (input.checked && input.value !== "not_asked") { answered[input.name] = true; }
    });
    radios().forEach(function (input) {
      if (!answered[input.name] && stored[input.name] === input.value) { input.checked = true; }
    });
  }

  function serverHasEverything() {
    var stored;
    try { stored = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { return true; }
    return Object.keys(stored).every(function (name) {
      var checked = form.querySelector("input[type=radio][name='" + name + "']:checked");
      return checked && checked.value === stored[name] && checked.defaultChecked;
    });
  }

  // What the server rendered as checked is saved there: the copy on the tablet is no longer needed.
  if (serverHasEverything()) { sessionStorage.removeItem(key); }
  restore();
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      save();
      var notice = document.getElementById("offline-notice");
      if (notice) { notice.hidden = false; notice.focus(); }
    }
  });
  // The server answered with a page for this path: what it rendered is saved there.
  window.addEventListener("pagehide", function () { if (navigator.onLine !== false) { save(); } });
})();
