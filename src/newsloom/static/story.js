// Story page: hovering or selecting a fact highlights the sentences that state it.
// Only classes change; no text from an article is ever inserted as markup.
(function () {
  function mark(key, on) {
    document.querySelectorAll(".ev").forEach(function (el) {
      var keys = (el.dataset.facts || "").split(" ");
      el.classList.toggle("hl", on && keys.indexOf(key) >= 0);
    });
  }
  document.querySelectorAll("tr.fact").forEach(function (row) {
    var key = row.dataset.fact;
    row.addEventListener("mouseenter", function () { mark(key, true); });
    row.addEventListener("mouseleave", function () { if (!row.classList.contains("selected")) mark(key, false); });
    row.addEventListener("focus", function () { mark(key, true); });
    row.addEventListener("click", function () {
      var selected = !row.classList.contains("selected");
      document.querySelectorAll("tr.fact.selected").forEach(function (r) { r.classList.remove("selected"); });
      row.classList.toggle("selected", selected);
      mark(key, selected);
    });
  });
})();
