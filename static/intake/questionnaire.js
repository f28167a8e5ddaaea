// Progressive enhancement of the questionnaire: show follow-up questions only when their answer makes them
// relevant. Without JavaScript every follow-up stays visible ("If yes: ...") and the server checks them all.
(function () {
  "use strict";

  function selectedValues(form, name) {
    return Array.prototype.map.call(
      form.querySelectorAll('input[name="' + name + '"]:checked'),
      function (input) { return input.value; }
    );
  }

  function update(form, block) {
    var wanted = block.getAttribute("data-reveal-on").split(" ");
    var chosen = selectedValues(form, block.getAttribute("data-reveal-for"));
    var show = chosen.some(function (value) { return wanted.indexOf(value) !== -1; });
    // Never hide a follow-up that shows an error: the person must be able to see what to fix.
    if (block.querySelector(".has-error")) { show = true; }
    block.hidden = !show;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("intake-form");
    if (!form) { return; }
    var blocks = form.querySelectorAll("[data-reveal-for]");
    Array.prototype.forEach.call(blocks, function (block) {
      update(form, block);
      form.querySelectorAll('input[name="' + block.getAttribute("data-reveal-for") + '"]').forEach(function (input) {
        input.addEventListener("change", function () { update(form, block); });
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
