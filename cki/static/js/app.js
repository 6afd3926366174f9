// The app's own behaviour, as a file: the Content-Security-Policy allows no inline script.
// A select with data-autosubmit submits its form when it changes (filters).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
