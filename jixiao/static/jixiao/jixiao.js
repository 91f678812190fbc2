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

// A long <select data-filterable="…"> gets a search box above it: typing keeps the options whose
// label contains every typed word (year, unit, code or name), so one project is found among hundreds.
document.querySelectorAll("select[data-filterable]").forEach(function (select) {
  var box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = select.getAttribute("data-filterable");
  box.setAttribute("aria-label", select.getAttribute("data-filterable"));
  select.parentNode.insertBefore(box, select);
  var options = Array.from(select.options);
  box.addEventListener("input", function () {
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    options.forEach(function (option) {
      var label = option.text.toLowerCase();
      option.hidden = option.value !== "" && !words.every(function (w) { return label.indexOf(w) >= 0; });
    });
  });
});
