/* Vínculo — the business-rule form: the list pages' filter builder edits the condition.
 * The builder writes its JSON into #filter-input and "applies" by submitting #list-form,
 * which here does nothing; saving the rule first takes what the builder shows. */
(function () {
  "use strict";

  function start() {
    var dummy = document.getElementById("list-form");
    if (dummy) dummy.addEventListener("submit", function (event) { event.preventDefault(); });
    var form = document.getElementById("rule-form");
    if (!form) return;
    form.addEventListener("submit", function () {
      var root = document.querySelector("[data-filter-builder]");
      if (root && root.builder && typeof root.builder.apply === "function") {
        root.builder.apply();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
