// Regimen booking: while the booking run plans, check its status every second and show the plan (reload
// the page once) when it is ready or has failed. Without this script the page offers a "Check again" link.
(function () {
  "use strict";
  var section = document.querySelector("#booking-run[data-status-url]");
  if (!section || !window.fetch) { return; }
  var url = section.getAttribute("data-status-url");
  var text = document.getElementById("booking-run-status");
  var lastWords = text ? text.textContent.trim() : "";

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (s) {
        if (!s) { window.setTimeout(poll, 5000); return; }
        if (s.status !== "queued" && s.status !== "running") {
          window.location.replace(window.location.pathname);
          return;
        }
        // Change the live region only when the words change, so screen readers are not flooded.
        var words = section.getAttribute("data-words-" + s.status) || "";
        if (text && words && words !== lastWords) { text.textContent = words; lastWords = words; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
