/* Time picker: choosing a day (or earlier and later days) swaps the picker in place instead of loading the page,
   keeping the scroll position, and moves focus to the day's heading so a keyboard or screen-reader user lands on
   its times. Without this script the same links load the page, so nothing depends on it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-time-picker]");
  if (!root || !window.fetch || !window.DOMParser) return;

  function load(url, focusSelector, push) {
    return fetch(url, { headers: { Accept: "text/html" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("time-picker");
        if (!fresh) throw new Error("no picker");
        root.querySelector("#time-picker").replaceWith(document.adoptNode(fresh));
        if (push) window.history.pushState({ picker: true }, "", url);
        var target = root.querySelector(focusSelector);
        if (target) target.focus();
      });
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a.date-strip-day, a.strip-nav");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var focus = link.classList.contains("strip-nav") ? "#date-strip-title" : "#day-title";
    load(link.href, focus, true).catch(function () { window.location.href = link.href; });
  });
  window.addEventListener("popstate", function () {
    load(window.location.href, "#day-title", false).catch(function () { window.location.reload(); });
  });
})();
