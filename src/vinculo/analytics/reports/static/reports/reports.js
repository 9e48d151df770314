/* Reports: PNG export of a chart drawn in the browser (SVG → canvas → PNG, no server
 * dependency), and the builder's filter builder restarted when the entity changes. */
(function () {
  "use strict";

  function pngExport(button) {
    var card = button.closest(".report-card") || document;
    var svg = card.querySelector("figure[data-chart] svg");
    if (!svg) return;
    var width = svg.viewBox.baseVal.width || svg.clientWidth;
    var height = svg.viewBox.baseVal.height || svg.clientHeight;
    var text = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var scale = 2;  // crisp on high-density screens and in documents
      var canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      var ctx = canvas.getContext("2d");
      ctx.scale(scale, scale);
      ctx.drawImage(image, 0, 0, width, height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-filename") || "chart.png";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-png-export]");
    if (button) { event.preventDefault(); pngExport(button); }
    var confirmButton = event.target.closest("[data-confirm]");
    if (confirmButton && !window.confirm(confirmButton.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  /* After the entity's fields are swapped in, start the filter builder again on them (the
   * list pages' script starts once per page load) and refresh the preview. */
  var restarts = 0;
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    if (!config || !config.elt || !config.elt.hasAttribute("data-entity-select")) return;
    var current = document.querySelector("script[src*='filter-builder.js']");
    if (current) {
      var script = document.createElement("script");
      script.src = current.src.split("?")[0] + "?restart=" + (++restarts);
      script.nonce = current.nonce;
      document.head.appendChild(script);
    }
    document.body.dispatchEvent(new Event("preview"));
  });
})();
