// JSON editors of the workflow form: mark text that is not valid JSON while typing (the
// server checks the workflow itself on save and shows its messages under each field).
(function () {
  "use strict";
  function check(area) {
    var text = area.value.trim();
    if (!text) { area.removeAttribute("aria-invalid"); return; }
    try { JSON.parse(text); area.removeAttribute("aria-invalid"); }
    catch (e) { area.setAttribute("aria-invalid", "true"); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-json-editor]").forEach(function (area) {
      area.addEventListener("input", function () { check(area); });
      area.addEventListener("blur", function () {
        check(area);
        if (area.getAttribute("aria-invalid") !== "true" && area.value.trim()) {
          area.value = JSON.stringify(JSON.parse(area.value), null, 2);
        }
      });
    });
  });
})();
