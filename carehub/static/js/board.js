// The live board refreshes itself: every few seconds it fetches the JSON endpoint and
// replaces the board; a failed fetch keeps the last board, marked as not up to date.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var updated = document.getElementById("board-updated");
  var stale = document.getElementById("board-stale");
  var every = parseInt(board.dataset.refreshMs, 10) || 30000;
  var busy = false;

  function markStale(on) {
    stale.hidden = !on;
    board.classList.toggle("stale", on);
  }

  function refresh() {
    if (busy) return;
    busy = true;
    fetch(board.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        board.innerHTML = data.html;
        updated.textContent = data.updated_at_local;
        updated.setAttribute("datetime", data.updated_at);
        markStale(false);
      })
      .catch(function () { markStale(true); })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, every);
})();
