// The monthly meeting sheet (finance/templates/finance/meeting_sheet.html).
// - Amount boxes show Indonesian thousands dots as they are typed ("25.000"); the server
//   reads "25.000" as 25000, so what is sent is what is shown.
// - Unticking a member's attendance clears and locks their wajib and instalment (a disabled
//   box is not sent, so nothing is posted for it); ticking attendance again, or ticking
//   "titip" (someone paid for the absent member), brings the prefilled amounts back.
// - The running total adds the boxes that will be sent, exactly as the server will post them.
(function () {
  var form = document.getElementById("meeting-sheet");
  if (!form) return;
  var bar = document.getElementById("sheet-bar");
  var before = Math.round(parseFloat(bar.dataset.cashBefore) * 100) || 0; // in cents
  form.classList.add("sheet-js");

  // An amount as the server reads it: "Rp 25.000", "25000", "1.250,50"; 0 when unreadable.
  function amount(text) {
    text = (text || "").trim().replace(/^rp\.?\s*/i, "").replace(/,-+$/, "");
    if (!/^\d[\d.]*(,\d{0,2})?$/.test(text)) return 0;
    var parts = text.split(",");
    var whole = parseInt(parts[0].replace(/\./g, ""), 10) || 0;
    var cents = parts.length > 1 ? parseInt((parts[1] + "00").slice(0, 2), 10) || 0 : 0;
    return whole * 100 + cents; // in cents: sums stay exact
  }

  function group(digits) {
    digits = digits.replace(/^0+(?=\d)/, "");
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function rupiah(cents) {
    var sign = cents < 0 ? "-\u2060" : ""; // as finance/money.py rupiah() writes it
    cents = Math.abs(cents);
    var text = "Rp\u00a0" + group(String(Math.floor(cents / 100)));
    if (cents % 100) text += "," + String(cents % 100).padStart(2, "0");
    return sign + text;
  }

  // Rewrite a box with thousands dots, keeping the caret after the same digit.
  function format(box) {
    var value = box.value;
    if (!/^\s*(rp\.?\s*)?[\d.]*(,\d{0,2})?\s*$/i.test(value)) return; // leave odd text to the server
    var caret = box.selectionStart === null ? value.length : box.selectionStart;
    var digitsBefore = value.slice(0, caret).replace(/[^\d,]/g, "").length;
    var parts = value.replace(/^\s*rp\.?\s*/i, "").trim().split(",");
    var whole = parts[0].replace(/\./g, "");
    var text = whole ? group(whole) : "";
    if (parts.length > 1) text += "," + parts[1];
    if (text === value) return;
    box.value = text;
    var seen = 0, at = 0;
    while (at < text.length && seen < digitsBefore) {
      if (/[\d,]/.test(text[at])) seen += 1;
      at += 1;
    }
    if (document.activeElement === box) box.setSelectionRange(at, at);
  }

  function absentLine(line) {
    var present = line.querySelector(".ml-present");
    var titip = line.querySelector(".ml-titip");
    var absent = !present.checked;
    line.classList.toggle("absent", absent);
    var locked = absent && !(titip && titip.checked);
    line.querySelectorAll("input[data-absent]").forEach(function (box) {
      if (locked && !box.disabled) {
        box.dataset.kept = box.value;
        box.value = "";
        box.disabled = true;
      } else if (!locked && box.disabled) {
        box.disabled = false;
        box.value = box.dataset.kept || box.dataset.prefill || "";
      }
    });
  }

  function update() {
    var totals = {in: 0, out: 0}, present = 0;
    form.querySelectorAll("input[data-cash]").forEach(function (box) {
      if (!box.disabled) totals[box.dataset.cash] += amount(box.value);
    });
    form.querySelectorAll(".ml-present").forEach(function (tick) {
      if (tick.checked) present += 1;
    });
    document.getElementById("total-present").textContent = present;
    document.getElementById("total-in").textContent = rupiah(totals.in);
    document.getElementById("total-out").textContent = rupiah(totals.out);
    document.getElementById("total-cash").textContent = rupiah(before + totals.in - totals.out);
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-cash]")) format(event.target);
    update();
  });
  form.addEventListener("change", function (event) {
    var line = event.target.closest(".meeting-line");
    if (line && event.target.matches(".ml-present, .ml-titip")) absentLine(line);
    update();
  });
  form.addEventListener("submit", function () {
    document.getElementById("record-meeting").disabled = true;
  });
  form.querySelectorAll(".meeting-line").forEach(function (line) {
    // A line sent back absent with amounts (no JavaScript then, or an error) keeps them.
    var present = line.querySelector(".ml-present");
    if (!present.checked) line.classList.add("absent");
  });
  update();
})();
