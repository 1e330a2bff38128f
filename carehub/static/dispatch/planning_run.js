// The run page while the solver works: poll the run's status, show progress, and load the
// result page once the run has finished.
(function () {
  "use strict";
  var status = document.getElementById("run-status");
  if (!status || status.dataset.active !== "1") return;
  var strings = JSON.parse(document.getElementById("run-strings").textContent);
  var bar = document.getElementById("run-progress-bar");
  var text = document.getElementById("run-progress-text");
  var url = status.dataset.statusUrl;

  function show(data) {
    var total = Math.max(data.total, 1);
    bar.max = total;
    bar.value = data.done;
    text.textContent = strings.progress
      .replace("{done}", data.done)
      .replace("{total}", data.total);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && !data.active) {
          window.location.reload();
          return;
        }
        if (data) show(data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
