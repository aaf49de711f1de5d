// Patient pages: keep what was typed if the session ends, copy the calendar link, print.
// Everything works without this file; it only makes those three things kinder.
(function () {
  "use strict";
  var store = window.sessionStorage; // this tab only, gone when it closes; cleared at sign-out

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "hidden" && el.type !== "submit";
    });
  }

  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { data[el.name + "=" + el.value] = true; }
      } else {
        data[el.name] = el.value;
      }
    });
    try { store.setItem("draft:" + form.dataset.keepDraft, JSON.stringify(data)); } catch (e) { /* full or off */ }
  }

  function restore(form) {
    var raw = store.getItem("draft:" + form.dataset.keepDraft);
    if (!raw) { return false; }
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = Boolean(data[el.name + "=" + el.value]);
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    });
    return true;
  }

  function say(form, text, role) {
    var box = document.createElement("div");
    box.className = "notice notice--warn";
    box.setAttribute("role", role);
    box.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    form.parentNode.insertBefore(box, form);
    return box;
  }

  var saved = document.querySelector("[data-draft-saved]");
  if (saved) { store.removeItem("draft:" + saved.dataset.draftSaved); }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-keep-draft]"), function (form) {
    var hasErrors = document.querySelector("[role=alert]") !== null;
    if (!hasErrors && restore(form)) {
      say(form, document.documentElement.lang === "es"
        ? "Recuperamos lo que había escrito. Revíselo y envíelo."
        : "We brought back what you typed. Check it and send it.", "status");
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      if (form.dataset.checked === "yes") { return; }
      event.preventDefault();
      save(form);
      var submitter = event.submitter;
      // Still signed in? If not, keep the answers here and ask to sign in again.
      fetch("/api/me", { credentials: "same-origin" }).then(function (response) {
        if (response.ok) {
          form.dataset.checked = "yes";
          if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
          return;
        }
        var es = document.documentElement.lang === "es";
        var box = say(form, es
          ? "Se cerró su sesión para proteger su información. Lo que escribió está guardado en este dispositivo."
          : "You were signed out to keep your information safe. What you typed is kept on this device.", "alert");
        var link = document.createElement("a");
        link.href = "/login?next=" + encodeURIComponent(window.location.pathname);
        link.className = "button";
        link.textContent = es ? "Iniciar sesión otra vez" : "Sign in again";
        box.appendChild(link);
        link.focus();
      }).catch(function () {
        form.dataset.checked = "yes";
        form.submit();
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".signout"), function (form) {
    form.addEventListener("submit", function () { store.clear(); });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      var status = button.parentNode.querySelector(".copy-status");
      input.select();
      var done = function () { if (status) { status.textContent = button.dataset.copied; } };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
