// The app's own behaviour, as a file: the Content-Security-Policy allows no inline script.
// A select with data-autosubmit submits its form when it changes (filters).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});

// A table too wide for a small screen scrolls within itself: it must then be reachable and
// scrollable with the keyboard too (focusable), and say what it is.
function markScrollingTables() {
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else {
      table.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollingTables);
window.addEventListener("resize", markScrollingTables);
