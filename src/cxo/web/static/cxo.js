// cxo pages: draw every chart spec (a JSON data block) with the vendored vega-embed, also in
// content htmx swaps in. No inline script, no eval: Vega runs with its expression interpreter
// (CSP script-src 'self'). Specs are data from the server; user content in them is drawn as
// text by Vega, never parsed as HTML.
(function () {
  "use strict";

  function draw(root) {
    var figures = (root || document).querySelectorAll("figure.chart[data-spec]");
    figures.forEach(function (figure) {
      if (figure.dataset.drawn) return;
      figure.dataset.drawn = "1";
      var block = document.getElementById(figure.dataset.spec);
      var target = figure.querySelector(".vis");
      if (!block || !target || typeof vegaEmbed !== "function") return;
      var spec = JSON.parse(block.textContent);
      vegaEmbed(target, spec, {
        actions: false,
        renderer: "svg",
        ast: true,
        expr: vega.expressionInterpreter,
        tooltip: true
      }).catch(function (err) {
        target.textContent = figure.dataset.failed || "chart failed";
        figure.classList.add("failed");
        if (window.console) console.warn(err);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
