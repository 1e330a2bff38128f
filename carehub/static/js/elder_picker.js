// Elder suggestions while the dispatcher types: a debounced fetch of the search endpoint,
// arrow keys to move, Enter to choose, Escape to close. Late answers to older text are
// dropped, so the list always matches what is in the box.
(function () {
  "use strict";
  var form = document.querySelector("form.elder-picker");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("elder-suggestions");
  var DELAY_MS = 200;
  var timer = null;
  var asked = 0;
  var active = -1;

  function options() { return list.querySelectorAll("li[role=option]"); }

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function choose(li) { window.location.href = li.dataset.href; }

  function show(elders) {
    list.innerHTML = "";
    active = -1;
    if (!elders.length) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = list.dataset.empty;
      list.appendChild(none);
    }
    elders.forEach(function (e, i) {
      var li = document.createElement("li");
      li.id = "elder-suggestion-" + i;
      li.setAttribute("role", "option");
      li.dataset.href = form.dataset.chooseUrl + "?elder_id=" + encodeURIComponent(e.id);
      var name = document.createElement("strong");
      name.textContent = e.name;
      var rest = document.createElement("span");
      rest.className = "muted";
      rest.textContent = [e.code, e.phone, e.address].filter(Boolean).join(" · ");
      li.appendChild(name);
      li.appendChild(rest);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); return; }
    var mine = ++asked;
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (elders) { if (mine === asked) show(elders); })
      .catch(function () { /* the search button still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options()[active]); }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 150); });
})();
