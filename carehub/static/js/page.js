// Behaviour every page may use, wired here because the Content-Security-Policy forbids
// inline handlers: <button data-print> prints, <select data-autosubmit> submits its form,
// and a field with data-clears="NAME" empties its form's field NAME when it changes (a
// district chosen anew drops the station of the district before).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (event) {
  var clears = event.target.closest("[data-clears]");
  var other = clears && clears.form && clears.form.elements.namedItem(clears.dataset.clears);
  if (other) other.value = "";
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
