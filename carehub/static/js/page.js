// Behaviour every page may use, wired here because the Content-Security-Policy forbids
// inline handlers: <button data-print> prints, <select data-autosubmit> submits its form.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
