// Lead pages: the conversion dialog (a native <dialog>; without script the button opens the
// conversion page instead).
(function () {
  "use strict";

  function init() {
    document.querySelectorAll("[data-open-dialog]").forEach(function (button) {
      if (button.dataset.dialogReady) return;
      button.dataset.dialogReady = "1";
      button.addEventListener("click", function (event) {
        var dialog = document.getElementById(button.dataset.openDialog);
        if (!dialog || typeof dialog.showModal !== "function") return;
        event.preventDefault();
        dialog.showModal();
      });
    });
    document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      if (button.dataset.dialogReady) return;
      button.dataset.dialogReady = "1";
      button.addEventListener("click", function () {
        var dialog = button.closest("dialog");
        if (dialog) dialog.close();
        else window.history.back();
      });
    });
    document.querySelectorAll("[data-convert-form]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      var toggle = form.querySelector("[data-toggle-opportunity]");
      var fields = form.querySelector("[data-opportunity-fields]");
      if (toggle && fields) {
        var sync = function () { fields.hidden = !toggle.checked; };
        toggle.addEventListener("change", sync);
        sync();
      }
      // Picking a record in a search box chooses "another" in its group.
      form.addEventListener("click", function (event) {
        var option = event.target.closest && event.target.closest(".picker-option");
        if (!option) return;
        var group = option.closest("fieldset");
        var other = group && group.querySelector("input[type=radio][value=other]");
        if (other) other.checked = true;
      });
      var pipeline = form.querySelector("[name=opportunity_pipeline_id]");
      var stage = form.querySelector("[name=opportunity_stage_id]");
      if (pipeline && stage) {
        var filter = function () {
          Array.prototype.forEach.call(stage.options, function (option) {
            if (!option.dataset.pipeline) return;
            option.hidden = option.dataset.pipeline !== pipeline.value;
            if (option.hidden && option.selected) stage.value = "";
          });
        };
        pipeline.addEventListener("change", filter);
        filter();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();
