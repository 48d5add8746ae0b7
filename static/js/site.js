// Behaviour the templates ask for with data- attributes, so no page needs an inline script or
// an inline event handler (the Content-Security-Policy allows only this site's script files).
//   data-print       on a button: open the browser's print dialog.
//   data-autosubmit  on a select: send its form when the choice changes (a <noscript>
//                    button beside it does the same without JavaScript).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
