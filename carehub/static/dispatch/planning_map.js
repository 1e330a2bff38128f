// The route map: stations, each caregiver's route as a coloured line from home through
// numbered stops and the kitchens where meals are collected, and back, and the elders left unplanned. Tiles only when a tile server is
// configured; without one the vectors are drawn on a plain background.
(function () {
  "use strict";
  var box = document.getElementById("route-map");
  var source = document.getElementById("route-map-data");
  if (!box || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(box, { zoomSnap: 0.25, attributionControl: false });
  var tiles = box.dataset.tileUrl;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  var points = [];

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  data.stations.forEach(function (s) {
    var icon = L.divIcon({ className: "map-station", html: text(s.code), iconSize: null });
    L.marker([s.lat, s.lon], { icon: icon, title: s.name }).addTo(map).bindPopup(text(s.name));
    points.push([s.lat, s.lon]);
  });

  data.routes.forEach(function (route) {
    // The line runs from home through every stop and kitchen in time order, then home.
    var line = [];
    if (route.home) line.push(route.home);
    (route.path || []).forEach(function (point) {
      line.push(point);
    });
    (route.kitchens || []).forEach(function (k) {
      var icon = L.divIcon({ className: "map-kitchen", html: text(k.time), iconSize: null });
      L.marker([k.lat, k.lon], { icon: icon, title: k.label })
        .addTo(map)
        .bindPopup(text(k.time + " " + k.label + " · " + route.caregiver));
    });
    route.stops.forEach(function (stop) {
      var icon = L.divIcon({
        className: "map-stop",
        html: '<span style="background:' + route.colour + '">' + stop.seq + "</span>",
        iconSize: [22, 22],
        iconAnchor: [11, 11],
      });
      L.marker([stop.lat, stop.lon], { icon: icon })
        .addTo(map)
        .bindPopup(text(stop.time + " " + stop.elder + " · " + stop.service + " · " + route.caregiver));
    });
    if (route.home) line.push(route.home);
    if (line.length > 1) {
      L.polyline(line, { color: route.colour, weight: 3, opacity: 0.85 })
        .addTo(map)
        .bindTooltip(text(route.caregiver + " " + route.code));
    }
    points = points.concat(line);
  });

  data.unassigned.forEach(function (u) {
    L.circleMarker([u.lat, u.lon], { radius: 6, color: "#555", fillColor: "#fff", fillOpacity: 1 })
      .addTo(map)
      .bindPopup(text(u.elder + " · " + u.reason));
    points.push([u.lat, u.lon]);
  });

  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.1));
  else map.setView([31.23, 121.47], 12);
  box.dataset.ready = "1";
})();
