// Jixiao's own script: confirmations for buttons that change state.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});

// Row selection on lists with bulk actions: the chosen ids go into the bulk form's #bulk-ids.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.classList.contains("select-all")) {
    document.querySelectorAll(".row-select").forEach(function (b) { b.checked = box.checked; });
  }
  if (box.classList.contains("select-all") || box.classList.contains("row-select")) {
    var ids = Array.from(document.querySelectorAll(".row-select:checked")).map(function (b) { return b.value; });
    var target = document.getElementById("bulk-ids");
    if (target) { target.value = ids.join(","); }
  }
});

// Behaviour declared by data attributes (no inline handlers: the CSP allows scripts from this host only).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
  if (event.target.closest("[data-back]")) { event.preventDefault(); window.history.back(); }
});
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) { event.target.form.submit(); }
});
