/* The map picker on the application's place step (templates/apply/places.html).

   A help for the real inputs, never a replacement: clicking (or pressing Enter on) a
   commons' marker ticks or unticks its checkbox in the list; clicking elsewhere on the map
   puts a pin for a new place and fills the latitude and longitude fields; dragging the pin
   updates them, and typing coordinates moves the pin. Without JavaScript the section stays
   hidden and the list and the fields work alone. */
(function () {
  "use strict";

  var section = document.getElementById("place-picker");
  if (!section || typeof L === "undefined") { return; }
  var element = section.querySelector(".place-picker-map");
  var status = document.getElementById("place-picker-status");
  var latField = document.getElementById("new_place_latitude");
  var lngField = document.getElementById("new_place_longitude");
  var markersData = JSON.parse(element.dataset.markers || "[]");
  var centre = JSON.parse(element.dataset.centre || "null");
  var DIGITS = 6;

  section.hidden = false;
  var map = L.map(element, { scrollWheelZoom: false });
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.attribution || "",
      maxZoom: 19
    }).addTo(map);
  } else {
    element.classList.add("commons-map-plain");
  }

  function say(template, values) {
    if (!status || !template) { return; }
    status.textContent = template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  // --- the commons of the list, as markers that tick their checkbox ------------------------
  function checkbox(id) {
    return document.getElementById("commons-" + id);
  }

  function paint(marker, box) {
    var icon = marker.getElement();
    if (!icon) { return; }
    icon.classList.toggle("is-chosen", !!(box && box.checked));
    icon.setAttribute("aria-pressed", box && box.checked ? "true" : "false");
  }

  function number(field) {
    var value = parseFloat(((field && field.value) || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function typedPoint() {
    var lat = number(latField), lng = number(lngField);
    if (lat === null || lng === null || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return [lat, lng];
  }

  // The view first (Leaflet draws layers only on a map that has one): the listed commons and
  // the saved pin, or the city, or Italy.
  var bounds = markersData.map(function (place) { return [place.lat, place.lng]; });
  if (typedPoint()) { bounds.push(typedPoint()); }
  if (bounds.length) {
    map.fitBounds(bounds, { maxZoom: 16, padding: [30, 30] });
  } else if (centre) {
    map.setView(centre, 13);
  } else {
    map.setView([41.9, 12.5], 5);
  }

  markersData.forEach(function (place) {
    var box = checkbox(place.id);
    if (!box) { return; }
    var label = place.address ? place.name + " · " + place.address : place.name;
    var marker = L.marker([place.lat, place.lng], {
      icon: L.divIcon({ className: "place-picker-commons", iconSize: [22, 22] }),
      title: label,
      keyboard: true,
      riseOnHover: true
    }).addTo(map);
    marker.getElement().setAttribute("aria-label", label);
    paint(marker, box);
    function toggle() {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      say(box.checked ? element.dataset.chosenText : element.dataset.unchosenText,
          { name: place.name });
    }
    marker.on("click", toggle);
    // A focused marker is a button: Enter or Space ticks it, as a click does.
    marker.on("keypress", function (event) {
      var key = event.originalEvent && event.originalEvent.key;
      if (key === "Enter" || key === " ") {
        L.DomEvent.preventDefault(event.originalEvent);
        toggle();
      }
    });
    box.addEventListener("change", function () { paint(marker, box); });
  });

  // --- the pin of a new place, tied to the latitude and longitude fields --------------------
  var pin = null;

  function fill(latlng) {
    var lat = latlng.lat.toFixed(DIGITS);
    var lng = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(DIGITS);
    latField.value = lat;
    lngField.value = lng;
    [latField, lngField].forEach(function (field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    say(element.dataset.pinText, { lat: lat, lng: lng });
  }

  function pinAt(latlng) {
    if (pin) {
      pin.setLatLng(latlng);
      return;
    }
    pin = L.marker(latlng, {
      draggable: true,
      autoPan: true,
      title: element.dataset.pinLabel,
      alt: element.dataset.pinLabel,
      keyboard: true
    }).addTo(map);
    pin.getElement().classList.add("place-picker-pin");
    pin.on("dragend", function () { fill(pin.getLatLng()); });
  }

  if (latField && lngField) {
    map.on("click", function (event) {
      pinAt(event.latlng);
      fill(event.latlng);
    });
    var fromFields = function () {
      var point = typedPoint();
      if (point) { pinAt(point); }
    };
    latField.addEventListener("change", fromFields);
    lngField.addEventListener("change", fromFields);
    fromFields();
  }

})();
