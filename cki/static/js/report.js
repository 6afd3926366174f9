// The auditor's checklist keeps what was typed in this browser (localStorage) until the server has
// saved it: a failed save or a lost connection on site loses nothing. On the next visit the
// unsaved input is put back into the form, and the page says so.
(function () {
  var form = document.querySelector("form[data-report-key]");
  if (!form) { return; }
  var key = form.getAttribute("data-report-key");
  var savedVersion = form.getAttribute("data-saved-version");
  var store = window.localStorage;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && /^(outcome|category|evidence)-|^summary$/.test(el.name);
    });
  }
  function snapshot() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else { data[el.name] = el.value; }
    });
    return data;
  }
  function keep() {
    try { store.setItem(key, JSON.stringify({version: savedVersion, data: snapshot()})); } catch (e) { /* full or off */ }
  }
  function restore() {
    var raw;
    try { raw = store.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var kept = JSON.parse(raw);
    // A flash message after a successful save means the server has it: forget the local copy.
    if (document.querySelector(".flash.info") && kept.version !== savedVersion) { store.removeItem(key); return; }
    var changed = false;
    fields().forEach(function (el) {
      if (!(el.name in kept.data)) { return; }
      if (el.type === "radio") {
        var on = kept.data[el.name] === el.value;
        if (el.checked !== on) { el.checked = on; changed = true; }
      } else if (el.value !== kept.data[el.name]) { el.value = kept.data[el.name]; changed = true; }
    });
    var note = document.getElementById("hersteld");
    if (changed && note) { note.hidden = false; }
  }
  restore();
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  form.addEventListener("submit", keep);
})();
