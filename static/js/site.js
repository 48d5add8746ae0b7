// Behaviour the templates ask for with data- attributes, so no page needs an inline script or
// an inline event handler (the Content-Security-Policy allows only this site's script files).
//   data-print       on a button: open the browser's print dialog.
//   data-autosubmit  on a select: send its form when the choice changes (a <noscript>
//                    button beside it does the same without JavaScript).
//   data-collapse    on a button with aria-controls: show or hide that element (the menu on a
//                    phone), as Bootstrap's collapse did, without Bootstrap's script.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
document.querySelectorAll("button[data-collapse]").forEach(function (button) {
  var target = document.getElementById(button.getAttribute("aria-controls"));
  if (!target) return;
  button.addEventListener("click", function () {
    var open = target.classList.toggle("show");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});
