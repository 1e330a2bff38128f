/* Drag a visit block (.tl-visit) onto a caregiver row (.tl-row) to preview moving it.
 *
 * Contract, read from the markup:
 *   <div class="tl-row" data-caregiver-id="CID" data-day-start-minutes="M" data-px-per-minute="X">
 *     <div class="tl-visit" draggable="true" data-visit-id="VID" data-version="VERSION">
 * The block's left edge marks its start, so the drop position is taken where the block's
 * left edge lands (the pointer minus where the block was grabbed): start = M + x / X
 * minutes, rounded to 5. Dropping opens the move preview; nothing is saved from here.
 * An optional data-move-url on a block replaces /dispatch/visits/VID/move.
 * Blocks without a link of their own become focusable and open the visit page on Enter.
 */
(function () {
  "use strict";

  var SNAP = 5;
  var DAY = 24 * 60;
  var dragged = null;
  var hint = null;

  function element(node) {
    return node && node.nodeType === 1 ? node : node && node.parentElement;
  }

  function closest(node, selector) {
    var el = element(node);
    return el && el.closest ? el.closest(selector) : null;
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function hhmm(minutes) {
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  function startMinutes(row, clientX) {
    var rect = row.getBoundingClientRect();
    var px = Number(row.dataset.pxPerMinute) || 1;
    var x = clientX - rect.left - (dragged ? dragged.grab : 0);
    var minutes = Number(row.dataset.dayStartMinutes || 0) + x / px;
    minutes = Math.round(minutes / SNAP) * SNAP;
    return Math.min(Math.max(minutes, 0), DAY - SNAP);
  }

  function moveUrl(block, caregiverId, minutes) {
    var base = block.dataset.moveUrl || "/dispatch/visits/" + encodeURIComponent(block.dataset.visitId) + "/move";
    var query = "caregiver_id=" + encodeURIComponent(caregiverId) +
      "&start=" + hhmm(minutes) +
      "&version=" + encodeURIComponent(block.dataset.version || "");
    return base + (base.indexOf("?") < 0 ? "?" : "&") + query;
  }

  function clearHint() {
    if (hint && hint.parentNode) {
      hint.parentNode.classList.remove("tl-drop-target");
      hint.parentNode.removeChild(hint);
    }
    hint = null;
  }

  function showHint(row, minutes) {
    if (!hint || hint.parentNode !== row) {
      clearHint();
      hint = document.createElement("div");
      hint.className = "tl-drop-hint";
      hint.appendChild(document.createElement("span"));
      row.appendChild(hint);
      row.classList.add("tl-drop-target");
    }
    var px = Number(row.dataset.pxPerMinute) || 1;
    hint.style.left = (minutes - Number(row.dataset.dayStartMinutes || 0)) * px + "px";
    hint.firstChild.textContent = hhmm(minutes);
  }

  document.addEventListener("dragstart", function (event) {
    var block = closest(event.target, ".tl-visit");
    if (!block) {
      return;
    }
    var rect = block.getBoundingClientRect();
    dragged = { block: block, grab: Math.max(0, event.clientX - rect.left) };
    block.classList.add("tl-dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", block.dataset.visitId || "");
    }
  });

  document.addEventListener("dragover", function (event) {
    var row = closest(event.target, ".tl-row");
    if (!row || !dragged) {
      return;
    }
    event.preventDefault();
    if (event.dataTransfer) {
      event.dataTransfer.dropEffect = "move";
    }
    showHint(row, startMinutes(row, event.clientX));
  });

  document.addEventListener("drop", function (event) {
    var row = closest(event.target, ".tl-row");
    if (!row || !dragged) {
      return;
    }
    event.preventDefault();
    var block = dragged.block;
    var url = moveUrl(block, row.dataset.caregiverId, startMinutes(row, event.clientX));
    clearHint();
    window.location.assign(url);
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.block.classList.remove("tl-dragging");
    }
    dragged = null;
    clearHint();
  });

  function visitPage(block) {
    return "/dispatch/visits/" + encodeURIComponent(block.dataset.visitId);
  }

  function makeFocusable() {
    var blocks = document.querySelectorAll(".tl-visit");
    for (var i = 0; i < blocks.length; i++) {
      if (!blocks[i].querySelector("a[href]") && !blocks[i].hasAttribute("tabindex")) {
        blocks[i].setAttribute("tabindex", "0");
        blocks[i].setAttribute("role", "link");
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    var block = closest(event.target, ".tl-visit");
    if (block && event.target === block && event.key === "Enter") {
      window.location.assign(visitPage(block));
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", makeFocusable);
  } else {
    makeFocusable();
  }
  // A page that redraws its timeline (the live board's refresh) says so.
  document.addEventListener("carehub:timeline-replaced", makeFocusable);

  window.CareHubTimelineDrag = { startMinutes: startMinutes, moveUrl: moveUrl, hhmm: hhmm };
})();
