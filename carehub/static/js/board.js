// The live board refreshes itself: every few seconds it fetches the JSON endpoint and
// replaces the board, and a station's day timeline with it (the same answer); a failed
// fetch keeps the last board, marked as not up to date.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) return;
  var updated = document.getElementById("board-updated");
  var stale = document.getElementById("board-stale");
  var timeline = document.getElementById("board-timeline");
  var folded = document.getElementById("board-routes");
  var every = parseInt(board.dataset.refreshMs, 10) || 30000;
  var busy = false;

  function markStale(on) {
    stale.hidden = !on;
    board.classList.toggle("stale", on);
  }

  function refresh() {
    if (busy) return;
    busy = true;
    // The timeline comes along only while it is unfolded: it costs more than the rows.
    var url = board.dataset.url + (folded && folded.open ? "&timeline=1" : "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        board.innerHTML = data.html;
        // Not while a visit is being dragged: the drop needs the block it started from.
        if (timeline && data.timeline_html != null && !timeline.querySelector(".tl-dragging")) {
          timeline.innerHTML = data.timeline_html;
          document.dispatchEvent(new CustomEvent("carehub:timeline-replaced"));
        }
        updated.textContent = data.updated_at_local;
        updated.setAttribute("datetime", data.updated_at);
        markStale(false);
      })
      .catch(function () { markStale(true); })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, every);
  // Unfolding shows the timeline as it is now, not as it was when the page loaded.
  if (folded) folded.addEventListener("toggle", function () { if (folded.open) refresh(); });
})();
