// Warns a signed-in member of staff two minutes before the idle timeout and lets them stay signed in
// (WCAG 2.2.1 Timing Adjustable). The server decides: this only asks it how long is left, without counting as
// activity, so another open tab that is in use keeps this one signed in too.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var statusUrl = dialog.dataset.statusUrl;
  var warnBefore = 120;
  var timer = null;
  var form = dialog.querySelector("form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function signedOut() {
    window.location.assign(dialog.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    if (secondsLeft <= 0) return signedOut();
    if (secondsLeft > warnBefore) {
      timer = window.setTimeout(check, (secondsLeft - warnBefore) * 1000);
    } else {
      if (!dialog.open) {
        dialog.showModal();
        document.getElementById("session-timeout-stay").focus();
      }
      timer = window.setTimeout(check, Math.min(secondsLeft, 15) * 1000);
    }
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf, Accept: "application/json" } };
    return fetch(statusUrl, options).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("signed out");
      return response.json();
    });
  }

  function check() {
    ask("GET").then(function (data) {
      if (data.seconds_left > warnBefore && dialog.open) dialog.close();
      schedule(data.seconds_left);
    }, signedOut);
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.id !== "session-timeout-stay") return; // "Sign out now" posts normally
    event.preventDefault();
    ask("POST").then(function (data) {
      dialog.close();
      schedule(data.seconds_left);
    }, signedOut);
  });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault(); // Escape must not silently dismiss the warning and let the session run out
  });

  schedule(parseInt(dialog.dataset.idleSeconds, 10));
})();
