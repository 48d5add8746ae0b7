// The surplus distribution form: the running total of the percentages the meeting decided
// (they must add up to 100%). Counts every "_pct" input except the JUA/JMA split.
(function () {
  var form = document.getElementById("distribution-form");
  var out = document.getElementById("percent-total");
  if (!form || !out) { return; }
  function update() {
    var total = 0;
    form.querySelectorAll("input").forEach(function (input) {
      if (input.name.slice(-4) === "_pct" && input.name !== "transactions_pct") {
        total += parseFloat((input.value || "0").replace(",", ".")) || 0;
      }
    });
    out.textContent = Math.round(total * 100) / 100;
  }
  form.addEventListener("input", update);
  update();
})();
