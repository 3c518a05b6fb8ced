// The interactive maps (docs/readiness.md, docs/network.md): Leaflet (from django-leaflet's
// static files) draws our own GeoJSON layers; no tile server unless the deployment sets one.
//
// A page includes core/_map.html: a <div class="hc-map" data-config="ID"> and, as JSON data
// (not a script), {sources, layers, empty, tiles, attribution}. Each source URL answers a
// FeatureCollection whose features carry properties layer, cls, title, and optionally
// label, rank and radius (core/maps.py). Colours come from map.css, by class.
(function () {
  "use strict";

  // A name beside a point; drawn as a marker in its own pane, above the shapes.
  function labelMarker(latlng, text, rank) {
    var span = document.createElement("span");
    span.textContent = text;
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "hc-map-label", html: span, iconSize: null }),
      interactive: false,
      keyboard: false,
      pane: "hc-labels",
    });
    marker.hcRank = rank;
    return marker;
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  // Labels that do not collide: in rank order, a label overlapping one already placed is
  // hidden. Run again after every zoom and after layers are switched on or off.
  function placeLabels(map, labels) {
    var placed = [];
    var size = map.getContainer().getBoundingClientRect();
    labels
      .filter(function (m) { return map.hasLayer(m) && m.getElement(); })
      .sort(function (a, b) { return a.hcRank - b.hcRank; })
      .forEach(function (m) {
        var el = m.getElement();
        el.classList.remove("hc-map-label-hidden");
        var box = el.getBoundingClientRect();
        var outside = box.right < size.left || box.left > size.right ||
          box.bottom < size.top || box.top > size.bottom;
        if (outside) return;
        if (placed.some(function (other) { return overlaps(box, other); })) {
          el.classList.add("hc-map-label-hidden");
        } else {
          placed.push(box);
        }
      });
  }

  function popupFor(title) {
    var p = document.createElement("p");
    p.className = "hc-map-popup";
    p.textContent = title;
    return p;
  }

  // Every feature of the sources, grouped by its layer; labels apart.
  function buildLayers(collections, names) {
    var groups = {};
    var labels = {};
    names.forEach(function (pair) {
      groups[pair[0]] = L.featureGroup();
      labels[pair[0]] = [];
    });
    collections.forEach(function (data) {
      (data.features || []).forEach(function (f) {
        var props = f.properties || {};
        var group = groups[props.layer];
        if (!group) return; // a layer this page does not show
        L.geoJSON(f, {
          style: function () { return { className: props.cls }; },
          pointToLayer: function (_f, latlng) {
            return L.circleMarker(latlng, { radius: props.radius || 5, className: props.cls });
          },
        }).bindPopup(popupFor(props.title || "")).addTo(group);
        if (props.label && f.geometry.type === "Point") {
          var c = f.geometry.coordinates;
          labels[props.layer].push(labelMarker([c[1], c[0]], props.label, props.rank || 9));
        }
      });
    });
    return { groups: groups, labels: labels };
  }

  // The first source is the page's subject: the map fits its extent (the others, such as
  // the roads under the hazard map, are context).
  function fitTo(map, collections) {
    var found = collections.filter(function (data) { return data.bbox; })[0];
    if (!found) return false;
    var b = found.bbox;
    map.fitBounds(L.latLngBounds([b[1], b[0]], [b[3], b[2]]).pad(0.05), { maxZoom: 14 });
    return true;
  }

  function showEmpty(el, message) {
    var p = document.createElement("p");
    p.className = "hc-map-empty";
    p.textContent = message;
    el.appendChild(p);
  }

  function draw(el, config, collections) {
    var map = L.map(el, {
      attributionControl: Boolean(config.tiles),
      zoomSnap: 0.5,
      minZoom: 3,
      maxZoom: 18,
    });
    map.createPane("hc-labels").style.zIndex = 650;
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
    }
    L.control.scale({ imperial: false }).addTo(map);
    var built = buildLayers(collections, config.layers);
    var overlays = {};
    var allLabels = [];
    config.layers.forEach(function (pair) {
      var key = pair[0];
      var both = L.layerGroup([built.groups[key]].concat(built.labels[key]));
      both.addTo(map);
      overlays[pair[1]] = both;
      allLabels = allLabels.concat(built.labels[key]);
    });
    L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
    if (!fitTo(map, collections)) {
      map.setView([40.1, 46.0], 8);
      showEmpty(el, config.empty);
    }
    var relabel = function () { placeLabels(map, allLabels); };
    map.on("zoomend moveend overlayadd overlayremove resize", relabel);
    relabel();
    el.hcMap = map; // for tests and the console
    el.classList.add("hc-map-ready");
  }

  function start(el) {
    var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var loads = config.sources.map(function (url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(url + ": " + r.status);
          return r.json();
        });
    });
    Promise.all(loads).then(function (collections) {
      draw(el, config, collections);
    }).catch(function (error) {
      showEmpty(el, config.empty);
      el.classList.add("hc-map-failed");
      console.warn(error); // eslint-disable-line no-console
    });
  }

  document.querySelectorAll(".hc-map[data-config]").forEach(start);
})();
