/* The register's maps: every element with class "commons-map" becomes a Leaflet map.
   data-geojson-url: GeoJSON to load (the register's filters are in its query string);
   data-geojson: GeoJSON given inline (a single commons);
   data-tile-url / data-attribution: the tile server, if the city configured one. Without it
   the markers and outlines are drawn on a plain background.
   Layers a visitor may add: each checkbox of class "map-layer-toggle" whose data-map names the
   map's id loads data-layer-url (GeoJSON points with name, detail and url) when checked, and
   removes it when unchecked; data-layer ("results", "offers", "vacant") styles its markers, and the
   element named by data-status tells what the map now shows (data-count-text, "{count}"). */
(function () {
  "use strict";

  var COLOURS = { available: "#1b7f3b", in_pact: "#1f5fa8", unavailable: "#6c757d" };

  function colour(feature) {
    return COLOURS[(feature.properties || {}).availability] || "#6f42c1";
  }

  function popup(feature) {
    var props = feature.properties || {};
    var title;
    if (!props.url) {
      title = document.createElement("span");
      title.textContent = props.name || "";
    } else {
      title = document.createElement("a");
      title.href = props.url;
      title.textContent = props.name || props.url;
    }
    if (!props.detail) { return title; }
    var box = document.createElement("div");
    var detail = document.createElement("div");
    detail.className = "small";
    detail.textContent = props.detail;
    box.appendChild(title);
    box.appendChild(detail);
    return box;
  }

  function addLayerToggles(element, map) {
    if (!element.id) { return; }
    document.querySelectorAll(".map-layer-toggle").forEach(function (input) {
      if (input.dataset.map !== element.id) { return; }
      var group = input.closest(".map-layers");
      if (group) { group.hidden = false; }
      var status = document.getElementById(input.dataset.status || "");
      var layer = null;
      function say(text) { if (status) { status.textContent = text; } }
      function shown(count) {
        say((input.dataset.countText || "").replace("{count}", String(count)));
      }
      var loading = false;
      function sync() {
        if (!input.checked) {
          if (layer && map.hasLayer(layer)) { map.removeLayer(layer); say(input.dataset.offText || ""); }
          return;
        }
        if (layer) {
          if (!map.hasLayer(layer)) { layer.addTo(map); shown(layer.getLayers().length); }
          return;
        }
        if (loading) { return; }
        loading = true;
        fetch(input.dataset.layerUrl, { credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (data) {
            layer = L.geoJSON(data, {
              pointToLayer: function (feature, latlng) {
                var name = (feature.properties || {}).name || "";
                // data-offset: the marker drawn that many pixels above and to the right of its
                // place, so that two layers' markers on one commons are both seen and clicked.
                var offset = parseInt(input.dataset.offset || "0", 10);
                return L.marker(latlng, {
                  icon: L.divIcon({
                    className: "map-point map-point-" + (input.dataset.layer || "extra"),
                    iconSize: [16, 16],
                    iconAnchor: offset ? [-offset, 16 + offset] : [8, 8]
                  }),
                  title: name,
                  alt: name,
                  keyboard: true
                });
              },
              onEachFeature: function (feature, shape) { shape.bindPopup(popup(feature)); }
            });
            loading = false;
            sync();
          })
          .catch(function () { loading = false; say(input.dataset.errorText || ""); });
      }
      input.addEventListener("change", sync);
      // A box the browser ticked again (going back to the page) shows its layer too.
      window.addEventListener("pageshow", sync);
      sync();
    });
  }

  function setup(element) {
    var map = L.map(element, { preferCanvas: true, scrollWheelZoom: false });
    var status = document.getElementById(element.getAttribute("aria-describedby") || "");
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        attribution: element.dataset.attribution || "",
        maxZoom: 19
      }).addTo(map);
    } else {
      element.classList.add("commons-map-plain");
    }

    addLayerToggles(element, map);

    function draw(data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          // A commons offered by a call open now stands out: larger, with a dark ring.
          var offered = (feature.properties || {}).offered;
          return L.circleMarker(latlng, {
            radius: offered ? 10 : 6, color: offered ? "#212529" : "#fff", weight: offered ? 3 : 1,
            fillColor: colour(feature), fillOpacity: 0.9
          });
        },
        style: function (feature) {
          return { color: colour(feature), weight: 2, fillOpacity: 0.15 };
        },
        onEachFeature: function (feature, shape) {
          shape.bindPopup(popup(feature));
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
      } else {
        map.setView([41.9, 12.5], 5);
      }
      if (status && element.dataset.countText) {
        var markers = (data.features || []).filter(function (f) {
          return !(f.properties || {}).outline;
        }).length;
        status.textContent = element.dataset.countText.replace("{count}", String(markers));
      }
    }

    if (element.dataset.geojson) {
      draw(JSON.parse(element.dataset.geojson));
    } else if (element.dataset.geojsonUrl) {
      fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(draw)
        .catch(function () {
          if (status && element.dataset.errorText) { status.textContent = element.dataset.errorText; }
          map.setView([41.9, 12.5], 5);
        });
    }
  }

  document.querySelectorAll(".commons-map").forEach(setup);
})();
