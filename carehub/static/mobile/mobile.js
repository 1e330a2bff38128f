/* The caregiver's route page. The route and the events not yet sent are kept in
   localStorage, so the page works without a network; each event carries its own
   idempotency key, so sending it again after a lost answer cannot record it twice.
   While open, the page asks every few seconds whether anything changed (one cheap call)
   and reloads the route and offers only when it did; a push message makes it ask at once. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("m-config").textContent);
  var T = cfg.strings;
  var PREFIX = "carehub.";
  var KEY = {
    owner: PREFIX + "owner",
    token: PREFIX + "token",
    route: PREFIX + "route",
    offers: PREFIX + "offers",
    upcoming: PREFIX + "upcoming",
    queue: PREFIX + "queue",
    failed: PREFIX + "failed"
  };
  var online = navigator.onLine;
  var flushing = false;
  // The change counter last seen (GET /me/changes); null until the first answer.
  var version = null;
  var pollTimer = null;
  var pollFailures = 0;
  var HIDDEN_POLL_MS = 30000;
  var MAX_POLL_MS = 60000;
  // What the caregiver is in the middle of (open panels, a half-written note), kept
  // across the re-renders that follow every sync.
  var ui = {};
  function uiFor(id) { return ui[id] || (ui[id] = { panels: {}, note: "", change: "" }); }

  function t(name, params) {
    var text = T[name] || name;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("%(" + k + ")s").join(String(params[k]));
    });
    return text;
  }

  function load(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function clearStored() {
    Object.keys(localStorage).forEach(function (k) {
      if (k.indexOf(PREFIX) === 0) localStorage.removeItem(k);
    });
  }

  // Another account used this phone before: nothing of theirs may show or be sent.
  if (load(KEY.owner, null) !== cfg.user) {
    clearStored();
    save(KEY.owner, cfg.user);
  }

  function pad(n) { return String(Math.floor(Math.abs(n))).padStart(2, "0"); }
  function isoNow() {
    var d = new Date();
    var off = -d.getTimezoneOffset();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (off >= 0 ? "+" : "-") + pad(off / 60) + ":" + pad(off % 60);
  }
  function today() {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: cfg.timezone, year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
  }
  function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return pad(b.toString(16)); }).join("");
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); });
      else if (attrs[k] === true) node.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function notice(text) {
    var box = document.getElementById("m-notice");
    box.textContent = text;
    box.hidden = !text;
  }

  // --- talking to the server ------------------------------------------------------------

  function toLogin() { window.location.href = cfg.login; }

  async function token(renew) {
    var kept = load(KEY.token, null);
    if (kept && !renew) return kept;
    var r = await fetch(cfg.tokenUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cfg.csrf }
    });
    if (r.redirected || r.status === 401) { toLogin(); throw new Error("logged out"); }
    if (!r.ok) throw new Error("token " + r.status);
    var body = await r.json();
    save(KEY.token, body.token);
    return body.token;
  }

  async function api(method, path, body, renewed) {
    var headers = { "Authorization": "Bearer " + await token(renewed), "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var r = await fetch(cfg.api + path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (r.status === 401 && !renewed) return api(method, path, body, true);
    return r;
  }

  function setOnline(value) {
    online = value;
    renderNet();
  }

  async function refresh() {
    try {
      var answers = await Promise.all([
        api("GET", "/me/visits?date=" + today()),
        api("GET", "/me/emergencies"),
        api("GET", "/me/upcoming")
      ]);
      if (answers[0].ok) save(KEY.route, { saved_at: isoNow(), data: await answers[0].json() });
      if (answers[1].ok) save(KEY.offers, await answers[1].json());
      if (answers[2].ok) save(KEY.upcoming, await answers[2].json());
      setOnline(true);
    } catch (e) {
      setOnline(false);
    }
    render();
  }

  // Ask whether anything changed; reload only then. Every cfg.pollMs while the page is in
  // view, every 30 s while hidden (push covers that), doubling up to a minute while the
  // network or the server fails.
  async function poll() {
    clearTimeout(pollTimer);
    pollTimer = null;
    try {
      var r = await api("GET", "/me/changes" + (version === null ? "" : "?since=" + version));
      if (r.ok) {
        var body = await r.json();
        pollFailures = 0;
        setOnline(true);
        if (body.version !== version) {
          var first = version === null;
          version = body.version;
          await refresh();
          if (!first) notice(t("updated", { time: hhmm(isoNow()) }));
        }
      } else {
        pollFailures += 1;
      }
    } catch (e) {
      pollFailures += 1;
      setOnline(false);
    }
    var wait = document.hidden ? HIDDEN_POLL_MS : cfg.pollMs;
    if (pollFailures) wait = Math.min(MAX_POLL_MS, cfg.pollMs * Math.pow(2, pollFailures));
    if (pollTimer === null) pollTimer = setTimeout(poll, wait);
  }
  function pollNow() { clearTimeout(pollTimer); pollTimer = null; poll(); }

  // Send queued events oldest first; stop at the first network failure and keep the rest.
  async function flush() {
    if (flushing) return;
    flushing = true;
    var sent = 0;
    try {
      for (;;) {
        var queue = load(KEY.queue, []);
        if (!queue.length) break;
        var item = queue[0];
        var r;
        try {
          r = await api("POST", item.round_id ? "/rounds/" + item.round_id + "/collect"
            : "/visits/" + item.visit_id + "/events", item.body);
        } catch (e) {
          setOnline(false);
          break;
        }
        setOnline(true);
        if (r.status >= 500 || r.status === 401) break;
        var answer = await r.json().catch(function () { return {}; });
        save(KEY.queue, load(KEY.queue, []).filter(function (q) {
          return q.body.idempotency_key !== item.body.idempotency_key;
        }));
        if (r.ok) {
          sent += 1;
          var ev = answer.event || {};
          if ((ev.flags || []).indexOf("far_from_home") >= 0) {
            notice(t("far", { m: Math.round(ev.distance_m) }));
          }
        } else {
          var failed = load(KEY.failed, []);
          failed.push({ item: item, error: answer.error || String(r.status), fields: answer.fields || {} });
          save(KEY.failed, failed);
        }
      }
    } finally {
      flushing = false;
    }
    render();
    if (sent) await refresh();
  }

  function locate() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve(p.coords); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
      );
    });
  }

  async function record(visitId, type, extra, withPlace) {
    var body = Object.assign({ type: type, idempotency_key: newKey(), recorded_at: isoNow() }, extra);
    if (withPlace) {
      notice(t("locating"));
      var place = await locate();
      if (place) {
        body.lat = place.latitude;
        body.lon = place.longitude;
        body.accuracy_m = Math.round(place.accuracy * 10) / 10;
        notice("");
      } else {
        notice(t("no_location"));
      }
    }
    var queue = load(KEY.queue, []);
    queue.push({ visit_id: visitId, body: body });
    save(KEY.queue, queue);
    render();
    await flush();
    if (load(KEY.queue, []).length) notice(t("queued"));
  }

  // A round's collection waits in the same queue as visit events, in the order tapped.
  function collect(roundId) {
    var queue = load(KEY.queue, []);
    queue.push({ round_id: roundId, body: { idempotency_key: newKey(), recorded_at: isoNow() } });
    save(KEY.queue, queue);
    render();
    return flush().then(function () { if (load(KEY.queue, []).length) notice(t("queued")); });
  }

  async function answerOffer(offer, verb) {
    try {
      var r = await api("POST", "/emergencies/" + offer.id + "/" + verb);
      var body = await r.json().catch(function () { return {}; });
      notice(r.ok ? (verb === "accept" ? t("accepted") : "") : (body.error || String(r.status)));
      await refresh();
    } catch (e) {
      setOnline(false);
      notice(t("offline"));
    }
  }

  // --- what the page shows --------------------------------------------------------------

  // The server's view of a visit, brought forward by the events still waiting on the phone.
  function withPending(visit, queue) {
    var v = Object.assign({}, visit, { notes: visit.notes.slice(),
      condition_changes: (visit.condition_changes || []).slice(), pending: 0 });
    queue.filter(function (q) { return q.visit_id === visit.id; }).forEach(function (q) {
      var b = q.body;
      v.pending += 1;
      if (b.type === "check_in" && !v.check_in_at) v.check_in_at = b.recorded_at;
      if (b.type === "check_out") v.check_out_at = b.recorded_at;
      if (b.type === "outcome") { v.outcome = b.outcome; v.checklist_done = b.checklist || []; }
      if (b.type === "note") v.notes.push({ text: b.text, recorded_at: b.recorded_at });
      if (b.type === "condition_change") v.condition_changes.push({ text: b.text, recorded_at: b.recorded_at });
    });
    if (v.outcome && v.outcome !== "done") v.status = "missed";
    else if (v.check_out_at) v.status = "completed";
    else if (v.check_in_at) v.status = "checked_in";
    return v;
  }

  function typeLabel(type) { return t((type || "collect") + "_type"); }
  function itemLabel(item) { return item.round_id ? "R" + item.round_id : visitName(item.visit_id); }

  // Queued events name the elder, as the caregiver knows the visit; the saved route has it.
  function visitName(visitId) {
    var stored = load(KEY.route, null);
    var visits = (stored && stored.data && stored.data.visits) || [];
    var found = visits.filter(function (v) { return v.id === visitId; })[0];
    return found && found.elder ? found.elder.name : "#" + visitId;
  }

  function renderNet() {
    var box = document.getElementById("m-net");
    var waiting = load(KEY.queue, []).length;
    box.className = "m-net" + (online ? "" : " offline");
    box.replaceChildren(
      el("span", { text: online ? t("online") : t("offline") }),
      el("span", { id: "m-pending-count", "data-count": waiting,
        text: waiting ? t("pending", { n: waiting }) : t("all_sent") })
    );
  }

  function renderQueue() {
    var queue = load(KEY.queue, []);
    var failed = load(KEY.failed, []);
    var items = queue.map(function (q) {
      return el("li", { text: typeLabel(q.body.type) + " · " + hhmm(q.body.recorded_at) + " · " + itemLabel(q) });
    });
    var bad = failed.map(function (f) {
      var detail = Object.keys(f.fields).map(function (k) { return k + ": " + f.fields[k]; }).join("; ");
      return el("li", { "class": "failed", text: typeLabel(f.item.body.type) + " · " + itemLabel(f.item) + " · " + f.error + (detail ? " (" + detail + ")" : "") });
    });
    var box = document.getElementById("m-queue");
    box.replaceChildren.apply(box, [
      items.length ? el("ul", { id: "m-pending" }, items) : null,
      bad.length ? el("div", {}, [el("strong", { text: t("failed") }), el("ul", {}, bad)]) : null
    ].filter(Boolean));
  }

  function renderOffers() {
    var offers = (load(KEY.offers, { offers: [] }).offers || []);
    var cards = offers.map(function (o) {
      return el("article", { "class": "m-card emergency", "data-offer": o.id }, [
        el("h2", { text: t("emergency") + " · " + o.service }),
        el("p", {}, [el("strong", { text: o.elder.name }), el("br"), document.createTextNode(o.elder.address)]),
        o.note ? el("p", { text: o.note }) : null,
        o.elder.phone ? el("p", {}, [el("a", { "class": "button", href: "tel:" + o.elder.phone, text: t("call", { phone: o.elder.phone }) })]) : null,
        el("div", { "class": "m-actions" }, [
          el("button", { type: "button", "class": "primary danger", "data-action": "accept", text: t("accept"),
            on: { click: function () { answerOffer(o, "accept"); } } }),
          el("button", { type: "button", "data-action": "decline", text: t("decline"),
            on: { click: function () { answerOffer(o, "decline"); } } })
        ])
      ]);
    });
    document.getElementById("m-emergencies").replaceChildren.apply(
      document.getElementById("m-emergencies"), cards.length ? [el("h2", { text: t("emergencies") })].concat(cards) : []
    );
  }

  function visitCard(v) {
    var checklistBoxes = v.checklist.map(function (item) {
      return el("label", { "class": "m-check" }, [
        el("input", { type: "checkbox", value: item.code, checked: v.checklist_done.indexOf(item.code) >= 0 }),
        document.createTextNode(item.label)
      ]);
    });
    var outcome = el("select", { name: "outcome", "aria-label": t("outcome") }, [
      el("option", { value: "", text: t("choose_outcome") })
    ].concat(cfg.outcomes.map(function (o) {
      return el("option", { value: o, selected: v.outcome === o, text: t("outcome_" + o) });
    })));
    var state = uiFor(v.id);
    var note = el("textarea", { name: "note", rows: "2", "aria-label": t("note"),
      on: { input: function () { state.note = note.value; } } });
    note.value = state.note;
    var change = el("textarea", { name: "condition_change", rows: "2", maxlength: "500", "aria-label": t("condition"),
      on: { input: function () { state.change = change.value; } } });
    change.value = state.change;
    function panel(name, openByDefault, children) {
      var open = name in state.panels ? state.panels[name] : openByDefault;
      var box = el("details", { open: open }, children);
      box.addEventListener("toggle", function () { state.panels[name] = box.open; });
      return box;
    }
    var card = el("article", { "class": "m-card" + (v.emergency ? " emergency" : ""), "data-visit": v.id, "data-status": v.status }, [
      el("p", { "class": "m-time" }, [
        el("strong", { text: hhmm(v.planned_start) + (v.planned_end ? "–" + hhmm(v.planned_end) : "") }),
        document.createTextNode(" · " + v.service.name + " "),
        el("span", { "class": "badge", text: t("status_" + v.status) }),
        v.emergency ? el("span", { "class": "badge badge-bad", text: t("emergency") }) : null
      ]),
      el("h2", { text: v.elder.name }),
      el("p", { text: v.elder.address }),
      v.elder.diet_notes ? el("p", { "class": "m-diet", text: t("diet", { notes: v.elder.diet_notes }) }) : null,
      v.instructions ? el("p", { "class": "muted", text: v.instructions }) : null,
      v.elder.notes ? el("p", { "class": "muted", text: v.elder.notes }) : null,
      el("div", { "class": "m-actions" }, [
        v.elder.phone ? el("a", { "class": "button", href: "tel:" + v.elder.phone, text: t("call", { phone: v.elder.phone }) }) : null,
        el("a", { "class": "button", href: v.navigation_url, target: "_blank", rel: "noopener", text: t("navigate") })
      ]),
      el("div", { "class": "m-actions" }, [
        el("button", { type: "button", "class": "primary", "data-action": "check_in", disabled: !!v.check_in_at,
          text: v.check_in_at ? t("checked_in_at", { time: hhmm(v.check_in_at) }) : t("check_in"),
          on: { click: function () { record(v.id, "check_in", {}, true); } } }),
        el("button", { type: "button", "class": "primary", "data-action": "check_out", disabled: !v.check_in_at || !!v.check_out_at,
          text: v.check_out_at ? t("checked_out_at", { time: hhmm(v.check_out_at) }) : t("check_out"),
          on: { click: function () { record(v.id, "check_out", {}, true); } } })
      ]),
      v.flags.indexOf("far_from_home") >= 0 ? el("p", { "class": "m-flag", text: t("far_flag") }) : null,
      panel("outcome", !!v.check_in_at && !v.outcome, [
        el("summary", { text: t("checklist") + " · " + t("outcome") }),
        el("div", {}, checklistBoxes),
        outcome,
        el("button", { type: "button", "data-action": "outcome", text: t("save_outcome"), on: { click: function () {
          if (!outcome.value) { notice(t("choose_outcome")); return; }
          var done = Array.prototype.filter.call(card.querySelectorAll(".m-check input"), function (i) { return i.checked; })
            .map(function (i) { return i.value; });
          record(v.id, "outcome", { outcome: outcome.value, checklist: done }, false);
        } } })
      ]),
      panel("notes", false, [
        el("summary", { text: t("notes") + (v.notes.length ? " (" + v.notes.length + ")" : "") }),
        el("ul", {}, v.notes.map(function (n) { return el("li", { text: hhmm(n.recorded_at) + " " + n.text }); })),
        note,
        el("button", { type: "button", "data-action": "note", text: t("save_note"), on: { click: function () {
          var text = note.value.trim();
          if (!text) return;
          state.note = "";
          record(v.id, "note", { text: text }, false);
        } } })
      ]),
      panel("condition", false, [
        el("summary", { text: t("condition") + (v.condition_changes.length ? " (" + v.condition_changes.length + ")" : "") }),
        el("p", { "class": "muted", text: t("condition_hint") }),
        el("ul", { "class": "m-changes" }, v.condition_changes.map(function (c) {
          return el("li", { text: t("flagged_at", { time: hhmm(c.recorded_at) }) + " " + c.text });
        })),
        change,
        el("button", { type: "button", "data-action": "condition_change", text: t("flag_change"), on: { click: function () {
          var text = change.value.trim();
          if (!text) { notice(t("condition_hint")); return; }
          state.change = "";
          record(v.id, "condition_change", { text: text }, false);
        } } })
      ])
    ]);
    return card;
  }

  function roundCard(r, queue) {
    var collected = r.collected_at;
    queue.forEach(function (q) {
      if (q.round_id === r.id && !collected) collected = q.body.recorded_at;
    });
    return el("article", { "class": "m-card m-round", "data-round": r.id, "data-collected": collected ? "1" : "0" }, [
      el("p", { "class": "m-time" }, [el("strong", { text: hhmm(r.collect_at) })]),
      el("h2", { text: t("collect_meals", { n: r.meals.length, kitchen: r.kitchen.name }) }),
      r.kitchen.address ? el("p", { text: r.kitchen.address }) : null,
      el("ol", { "class": "m-meals" }, r.meals.map(function (m) {
        return el("li", { "data-visit": m.visit_id }, [
          document.createTextNode(m.elder),
          m.diet_notes ? el("span", { "class": "badge m-diet", text: m.diet_notes }) : null
        ]);
      })),
      el("div", { "class": "m-actions" }, [
        el("a", { "class": "button", href: r.navigation_url, target: "_blank", rel: "noopener", text: t("navigate") }),
        el("button", { type: "button", "class": "primary", "data-action": "collect", disabled: !!collected,
          text: collected ? t("collected_at", { time: hhmm(collected) }) : t("collect"),
          on: { click: function () { collect(r.id); } } })
      ])
    ]);
  }

  function dayLabel(date) {
    return new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN", {
      timeZone: cfg.timezone, weekday: "short", month: "numeric", day: "numeric"
    }).format(new Date(date + "T12:00:00Z"));
  }

  // The coming week, read-only: what the caregiver can plan around, nothing to tap.
  function renderUpcoming() {
    var box = document.getElementById("m-upcoming");
    var stored = load(KEY.upcoming, null);
    if (!stored) { box.replaceChildren(); return; }
    var total = 0;
    var days = stored.days.map(function (d) {
      total += d.visits.length;
      return el("li", { "data-date": d.date }, [
        el("strong", { text: dayLabel(d.date) }),
        d.visits.length ? el("ul", {}, d.visits.map(function (v) {
          return el("li", { "data-visit": v.id, text: hhmm(v.planned_start) + "–" + hhmm(v.planned_end) +
            " · " + v.service + " · " + v.elder.name + " · " + v.elder.address });
        })) : el("span", { "class": "muted", text: " · " + t("day_off") })
      ]);
    });
    var panel = el("details", { open: !!ui.upcomingOpen }, [
      el("summary", { text: t("upcoming", { n: total }) }),
      el("ol", { "class": "m-days" }, days)
    ]);
    panel.addEventListener("toggle", function () { ui.upcomingOpen = panel.open; });
    box.replaceChildren(panel);
  }

  function render() {
    renderNet();
    renderQueue();
    renderOffers();
    renderUpcoming();
    var box = document.getElementById("m-route");
    var stored = load(KEY.route, null);
    if (!stored || stored.data.date !== today()) {
      box.replaceChildren(el("p", { "class": "muted", text: online ? t("loading") : t("no_copy") }));
      return;
    }
    var queue = load(KEY.queue, []);
    var parts = [];
    if (!online) parts.push(el("p", { "class": "muted", text: t("offline_copy", { time: hhmm(stored.saved_at) }) }));
    if (!stored.data.visits.length) parts.push(el("p", { "class": "muted", text: t("no_visits") }));
    var rounds = {};
    (stored.data.rounds || []).forEach(function (r) { rounds[r.id] = r; });
    stored.data.visits.forEach(function (v) {
      // A round's collection comes before its first drop.
      var r = v.meal_round && rounds[v.meal_round];
      if (r) { parts.push(roundCard(r, queue)); delete rounds[v.meal_round]; }
      parts.push(visitCard(withPending(v, queue)));
    });
    box.replaceChildren.apply(box, parts);
  }

  // --- logging out ----------------------------------------------------------------------

  // --- Web Push: reaching this phone while the page is closed ---------------------------

  function serverKey() {
    var text = cfg.vapidKey.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function pushSupported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function renderPush(state) {
    var box = document.getElementById("m-push");
    if (!box) return;
    if (state === "on") {
      box.replaceChildren(el("p", { "class": "muted", "data-push": "on", text: t("push_on") }));
    } else if (state === "denied") {
      box.replaceChildren(el("p", { "class": "muted", "data-push": "denied", text: t("push_denied") }));
    } else if (state === "off") {
      box.replaceChildren(el("button", { type: "button", "data-action": "push", text: t("push_enable"),
        on: { click: function () { enablePush(true); } } }));
    } else {
      box.replaceChildren();
    }
  }

  // Subscribe (asking for permission only after a tap) and tell the server; a phone that
  // already allowed notifications re-sends its subscription on every load, so the server's
  // copy follows the browser's when the push service renews it.
  async function enablePush(asked) {
    if (!pushSupported() || !cfg.vapidKey) return renderPush(null);
    if (Notification.permission === "denied") return renderPush("denied");
    if (Notification.permission !== "granted") {
      if (!asked) return renderPush("off");
      var answer = await Notification.requestPermission();
      if (answer !== "granted") return renderPush(answer === "denied" ? "denied" : "off");
    }
    try {
      var reg = await navigator.serviceWorker.ready;
      var sub = await reg.pushManager.getSubscription() ||
        await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey() });
      var r = await api("PUT", "/me/push-subscription", sub.toJSON());
      if (!r.ok) throw new Error("subscription " + r.status);
      renderPush("on");
    } catch (e) {
      renderPush(asked ? "off" : null);
      if (asked) notice(t("push_failed"));
    }
  }

  async function dropPush(kept) {
    if (!pushSupported()) return;
    var reg = await navigator.serviceWorker.getRegistration(cfg.sw);
    var sub = reg && await reg.pushManager.getSubscription();
    if (!sub) return;
    if (kept) {
      await fetch(cfg.api + "/me/push-subscription", {
        method: "DELETE", body: JSON.stringify({ endpoint: sub.endpoint }),
        headers: { "Authorization": "Bearer " + kept, "Content-Type": "application/json" }
      });
    }
    await sub.unsubscribe();
  }

  async function forgetEverything() {
    var kept = load(KEY.token, null);
    try { await dropPush(kept); } catch (e) { /* the server forgets it when the push fails */ }
    if (kept) {
      try {
        await fetch(cfg.api + "/auth/token", { method: "DELETE", headers: { "Authorization": "Bearer " + kept } });
      } catch (e) { /* offline: the token dies with the login session anyway */ }
    }
    clearStored();
    if (window.caches) {
      var names = await caches.keys();
      await Promise.all(names.map(function (n) { return caches.delete(n); }));
    }
    if (navigator.serviceWorker) {
      var regs = await navigator.serviceWorker.getRegistrations();
      await Promise.all(regs.map(function (r) { return r.unregister(); }));
    }
  }

  document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var waiting = load(KEY.queue, []).length;
      if (waiting && !window.confirm(t("unsent_logout", { n: waiting }))) return;
      forgetEverything().finally(function () { form.submit(); });
    });
  });

  window.addEventListener("online", function () { setOnline(true); flush().then(pollNow); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) pollNow(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(function () { if (load(KEY.queue, []).length) flush(); }, 15000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.sw).then(function () { enablePush(false); })
      .catch(function () { /* the page works without it */ });
    // A push arrived while the page is open: ask now instead of at the next poll.
    navigator.serviceWorker.addEventListener("message", function (ev) {
      if (ev.data && ev.data.type === "carehub-push") pollNow();
    });
  }
  render();
  flush().then(poll);
})();
