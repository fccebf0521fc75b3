// Story page: the claim grid filters by status; hovering or selecting a claim highlights its
// words in the articles. Only classes change; no text from an article is inserted as markup.
(function () {
  function mark(key, on) {
    document.querySelectorAll(".ev").forEach(function (el) {
      var keys = (el.dataset.claims || "").split(" ");
      el.classList.toggle("hl", on && keys.indexOf(key) >= 0);
    });
  }
  document.querySelectorAll("tr.claim").forEach(function (row) {
    var key = row.dataset.claim;
    row.addEventListener("mouseenter", function () { mark(key, true); });
    row.addEventListener("mouseleave", function () { if (!row.classList.contains("selected")) mark(key, false); });
    row.addEventListener("focus", function () { mark(key, true); });
    row.addEventListener("click", function () {
      var selected = !row.classList.contains("selected");
      document.querySelectorAll("tr.claim.selected").forEach(function (r) { r.classList.remove("selected"); });
      row.classList.toggle("selected", selected);
      mark(key, selected);
    });
  });
  document.querySelectorAll("button.filter").forEach(function (button) {
    button.addEventListener("click", function () {
      var status = button.dataset.status;
      document.querySelectorAll("button.filter").forEach(function (b) { b.classList.toggle("active", b === button); });
      document.querySelectorAll("tr.claim").forEach(function (row) {
        row.hidden = status !== "all" && row.dataset.status !== status;
      });
    });
  });
})();
