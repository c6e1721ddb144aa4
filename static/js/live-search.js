// Search as you type: a form marked data-live-search reloads its results
// (the element named by data-live-target) a moment after each keystroke.
(function () {
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var target = document.getElementById(form.dataset.liveTarget);
    var timer = null;
    var latest = 0;

    function refresh() {
      var params = new URLSearchParams(new FormData(form));
      var url = form.action + "?" + params.toString();
      var ticket = ++latest;
      params.set("partial", "1");
      fetch(form.action + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) {
          if (ticket !== latest) { return; }  // an older answer arrived late
          target.innerHTML = html;
          history.replaceState(null, "", url);
        })
        .catch(function () { form.submit(); });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") { clearTimeout(timer); refresh(); }
    });
  });
})();
