// Day schedule: while an optimizer run works, poll its status and show the progress; reload the page
// when it ends. Without this script the page offers a "Refresh the status" link instead.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("run-progress");
  var text = document.getElementById("run-busy");
  var lastWords = text ? text.textContent.trim() : "";

  // The words come from the page (data-words-*), in its language; {best}, {possible} and {bound} are filled in.
  function said(name, s) {
    return (section.getAttribute("data-words-" + name) || "")
      .replace("{best}", s.best_priority).replace("{possible}", s.possible_priority).replace("{bound}", s.bound_priority);
  }

  function describe(s) {
    if (s.status === "queued") { return said("queued", s); }
    if (s.best_priority === null) { return said("running", s); }
    return said(s.bound_priority === null ? "best" : "bound", s);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.status === "done" || s.status === "failed") {
          window.location.replace(window.location.pathname + window.location.search.replace(/([?&])notice=[^&]*/, "$1") + "#result");
          return;
        }
        var percent = s.percent;
        if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
        var words = describe(s);
        // Change the live region only when the words change, so screen readers are not flooded.
        if (text && words !== lastWords) { text.textContent = words; lastWords = words; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
