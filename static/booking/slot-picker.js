/* Slot picker: swaps weeks in place using /book/api/slots/ instead of reloading the page.
   Without this script the same links load the next week as a normal page, so nothing depends on it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-slot-picker]");
  if (!root || !window.fetch) return;

  var DAYS = 7;
  var heading = root.previousElementSibling;
  if (heading) heading.setAttribute("tabindex", "-1");

  function addDays(iso, n) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }
  function utcParam(iso) { // "2025-06-16T09:00:00+05:30" -> "20250616T0330Z"
    var d = new Date(iso);
    return d.toISOString().slice(0, 16).replace(/[-:]/g, "") + "Z";
  }
  function localTime(iso) { return iso.slice(11, 16); } // the API already gives the location's wall clock
  function dayLabel(isoDate) {
    var d = new Date(isoDate + "T12:00:00Z");
    return d.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function render(first, data) {
    var week = root.querySelector("#week");
    var byDay = {};
    data.slots.forEach(function (slot) {
      var day = slot.start.slice(0, 10);
      (byDay[day] = byDay[day] || []).push(slot);
    });
    week.textContent = "";
    for (var i = 0; i < DAYS; i++) {
      var day = addDays(first, i);
      var id = "day-" + day.replace(/-/g, "");
      var section = el("section", { "class": "day", "aria-labelledby": id });
      section.appendChild(el("h3", { "class": "h6 mt-3", id: id }, dayLabel(day)));
      var slots = byDay[day] || [];
      if (!slots.length) {
        section.appendChild(el("p", { "class": "small text-body-secondary" }, "No free times."));
      } else {
        var list = el("ul", { "class": "list-unstyled slot-list" });
        slots.forEach(function (slot) {
          var li = el("li");
          li.appendChild(el("a", {
            "class": "btn btn-outline-primary slot",
            href: root.dataset.confirm + "&start=" + utcParam(slot.start)
          }, localTime(slot.start)));
          list.appendChild(li);
        });
        section.appendChild(list);
      }
      week.appendChild(section);
    }
    if (heading) heading.textContent = "Week starting " + new Date(first + "T12:00:00Z").toLocaleDateString(
      "en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-week]");
    if (!link) return;
    var target = new URL(link.href, window.location.href);
    var first = target.searchParams.get("week");
    if (!first) return;
    event.preventDefault();
    fetch(root.dataset.api + "&start=" + first + "&days=" + DAYS, { headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        render(data.start, data);
        var today = root.dataset.first;
        var nav = root.querySelector("nav[aria-label=Weeks]");
        var earlier = nav.querySelector("[data-week=previous]");
        var later = nav.querySelector("[data-week=next]");
        var params = new URL(window.location.href);
        params.searchParams.set("week", data.start);
        window.history.replaceState(null, "", params);
        if (later) {
          if (data.days < DAYS) later.remove();
          else { var n = new URL(later.href); n.searchParams.set("week", addDays(data.start, DAYS)); later.href = n; }
        }
        if (earlier) {
          var p = new URL(earlier.href); p.searchParams.set("week", addDays(data.start, -DAYS)); earlier.href = p;
        }
        if (heading) heading.focus();
      })
      .catch(function () { window.location.href = link.href; }); // fall back to the plain page
  });
})();
