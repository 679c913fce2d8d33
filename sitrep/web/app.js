/* sitrep web page: map, timeline, filters, event list and evidence view.
 * Works offline: everything comes from this server. Data is put in the page
 * with textContent only (never innerHTML), so article text shows as text. */
(function () {
  "use strict";

  const PAGE = 1000;
  const MAX_EVENTS = 50000;
  const TYPE_COLOURS = {
    "Battles": "#d32f2f",
    "Explosions/Remote violence": "#f57c00",
    "Violence against civilians": "#7b1fa2",
    "Protests": "#1976d2",
    "Riots": "#00897b",
    "Strategic developments": "#5d4037",
  };
  const OTHER_COLOUR = "#607d8b";
  const UNCLUSTERED_ZOOM = 11; // markers are drawn one by one from this zoom on
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = { events: [], shown: [], markers: new Map(), selected: null, brush: null };
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ helpers
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function colour(type) { return TYPE_COLOURS[type] || OTHER_COLOUR; }

  function radius(fatalities) { return Math.min(22, 5 + 3 * Math.sqrt(Math.max(0, fatalities || 0))); }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) {
      const err = body && body.error ? body.error.code + ": " + body.error.message : response.statusText;
      throw new Error(url + " → " + err);
    }
    return body;
  }

  function setStatus(text) { $("status").textContent = text; }

  function safeHref(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------ data
  async function loadEvents() {
    const all = [];
    for (let offset = 0; offset < MAX_EVENTS; offset += PAGE) {
      // one marker per real-world event, fused over the articles that report it
      const page = await getJSON("/events?fused=true&limit=" + PAGE + "&offset=" + offset);
      all.push(...page.events);
      if (all.length >= page.total || page.events.length === 0) break;
    }
    return all;
  }

  // ------------------------------------------------------------ map
  function makeMap() {
    const map = L.map("map", { worldCopyJump: true, zoomSnap: 0.5, minZoom: 2, maxZoom: 13 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Boundaries: Natural Earth (world-atlas)");
    map.setView([30, 30], 3);
    const cluster = L.markerClusterGroup({ maxClusterRadius: 35, showCoverageOnHover: false,
                                           spiderfyOnMaxZoom: true, disableClusteringAtZoom: UNCLUSTERED_ZOOM });
    map.addLayer(cluster);
    return { map, cluster };
  }

  async function addBoundaries(map) {
    const topology = await getJSON("/vendor/countries-50m.json");
    const countries = topojson.feature(topology, topology.objects.countries);
    L.geoJSON(countries, {
      style: { color: "#90a4ae", weight: 0.8, fillColor: "#f5f5f0", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
  }

  // ACLED's geo precision: how closely the point stands for where the event happened
  const PRECISION = { 1: "the place itself", 2: "near or part of the place", 3: "region only" };
  function precisionText(value) {
    return PRECISION[value] || "precision " + value;
  }

  function makeMarker(event) {
    const marker = L.circleMarker([event.latitude, event.longitude], {
      radius: radius(event.fatalities), color: "#263238", weight: 1, fillColor: colour(event.event_type),
      fillOpacity: 0.85, className: "event-marker",
    });
    const tip = el("span", (event.event_date || "undated") + " · " + event.sub_event_type + " · " +
                   (event.location || "?") + (event.geo_precision ? " (" + precisionText(event.geo_precision) + ")" : "") +
                   (event.fatalities ? " · " + event.fatalities + " killed" : ""));
    marker.bindTooltip(tip);
    marker.on("click", () => selectEvent(event.event_id));
    marker.on("add", () => {
      const path = marker.getElement();
      if (path) path.setAttribute("data-event-id", event.event_id);
      if (event.event_id === state.selected) marker.bringToFront();
    });
    return marker;
  }

  function drawLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    for (const [type, fill] of Object.entries(TYPE_COLOURS)) {
      const row = el("div");
      const dot = el("i");
      dot.style.background = fill;
      row.append(dot, el("span", type));
      legend.append(row);
    }
    legend.append(el("div", "size: fatalities"));
  }

  // ------------------------------------------------------------ filters
  function fillSelect(select, values) {
    for (const value of [...new Set(values.filter(Boolean))].sort()) select.append(new Option(value, value));
  }

  function filters(withDates) {
    return {
      type: $("f-type").value, country: $("f-country").value,
      actor: $("f-actor").value.trim().toLowerCase(),
      since: withDates ? $("f-since").value : "", until: withDates ? $("f-until").value : "",
    };
  }

  function matches(event, f) {
    if (f.type && event.event_type !== f.type) return false;
    if (f.country && event.country !== f.country) return false;
    if (f.actor && !((event.actor1 || "").toLowerCase().includes(f.actor) ||
                     (event.actor2 || "").toLowerCase().includes(f.actor))) return false;
    if ((f.since || f.until) && !event.event_date) return false;
    if (f.since && event.event_date < f.since) return false;
    if (f.until && event.event_date > f.until) return false;
    return true;
  }

  function readQuery() {
    const params = new URLSearchParams(window.location.search);
    const ids = { event_type: "f-type", country: "f-country", actor: "f-actor", since: "f-since", until: "f-until" };
    for (const [name, id] of Object.entries(ids)) {
      const value = params.get(name);
      if (value === null) continue;
      const input = $(id);
      if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
        input.append(new Option(value, value));
      }
      input.value = value;
    }
    return params.get("event");
  }

  // ------------------------------------------------------------ update
  function update(ctx, { fit } = { fit: false }) {
    const undated = filters(false);
    const inScope = state.events.filter((e) => matches(e, undated));
    state.shown = inScope.filter((e) => matches(e, filters(true)));
    ctx.cluster.clearLayers();
    state.markers.clear();
    const layers = [];
    for (const event of state.shown) {
      if (event.latitude === null || event.longitude === null) continue;
      const marker = makeMarker(event);
      state.markers.set(event.event_id, marker);
      layers.push(marker);
    }
    ctx.cluster.addLayers(layers);
    if (fit) fitMap(ctx);
    drawTimeline(inScope);
    drawList();
    const unmapped = state.shown.length - layers.length;
    setStatus(state.shown.length + " of " + state.events.length + " events" +
              (unmapped ? " (" + unmapped + " without coordinates)" : ""));
  }

  function fitMap(ctx) {
    const layers = [...state.markers.values()];
    if (!layers.length) return;
    ctx.map.stop();
    ctx.map.fitBounds(L.featureGroup(layers).getBounds().pad(0.3), { maxZoom: 8, animate: false });
  }

  function drawList() {
    const list = $("event-list");
    list.replaceChildren();
    $("count").textContent = "(" + state.shown.length + ")";
    for (const event of state.shown.slice(0, 2000)) {
      const item = el("li");
      item.dataset.eventId = event.event_id;
      const dot = el("i");
      dot.style.background = colour(event.event_type);
      item.append(dot, el("span", (event.event_date || "undated") + " — " + event.sub_event_type + " — " +
                                    [event.location, event.admin1, event.country].filter(Boolean).join(", ") +
                                    (event.fatalities ? " — " + event.fatalities + " killed" : "")));
      if (event.event_id === state.selected) item.classList.add("selected");
      item.addEventListener("click", () => selectEvent(event.event_id, { pan: true }));
      list.append(item);
    }
  }

  // ------------------------------------------------------------ timeline
  function dayCounts(events) {
    const counts = new Map();
    for (const e of events) if (e.event_date) counts.set(e.event_date, (counts.get(e.event_date) || 0) + 1);
    return counts;
  }

  function dayRange(first, last) {
    const days = [];
    const end = new Date(last + "T00:00:00Z");
    for (let d = new Date(first + "T00:00:00Z"); d <= end && days.length < 3660; d.setUTCDate(d.getUTCDate() + 1)) {
      days.push(d.toISOString().slice(0, 10));
    }
    return days;
  }

  function drawTimeline(events) {
    const svg = $("timeline");
    svg.replaceChildren();
    const counts = dayCounts(events);
    const dates = [...counts.keys()].sort();
    state.timeline = null;
    if (!dates.length) return;
    const days = dayRange(dates[0], dates[dates.length - 1]);
    const width = svg.clientWidth || 600, height = svg.clientHeight || 88, bottom = 14;
    const step = width / days.length, max = Math.max(...counts.values());
    const since = $("f-since").value, until = $("f-until").value;
    days.forEach((day, i) => {
      const n = counts.get(day) || 0;
      if (!n) return;
      const h = Math.max(2, (height - bottom - 4) * n / max);
      const bar = document.createElementNS(SVG_NS, "rect");
      bar.setAttribute("x", String(i * step + step * 0.1));
      bar.setAttribute("width", String(Math.max(1, step * 0.8)));
      bar.setAttribute("y", String(height - bottom - h));
      bar.setAttribute("height", String(h));
      const out = (since && day < since) || (until && day > until);
      bar.setAttribute("class", out ? "bar out" : "bar");
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = day + ": " + n + " events";
      bar.append(title);
      svg.append(bar);
    });
    for (const [i, anchor] of [[0, "start"], [days.length - 1, "end"]]) {
      const label = document.createElementNS(SVG_NS, "text");
      label.setAttribute("x", String(anchor === "start" ? 0 : width));
      label.setAttribute("y", String(height - 2));
      label.setAttribute("text-anchor", anchor);
      label.textContent = days[i];
      svg.append(label);
    }
    state.timeline = { days, step };
    if (since || until) {
      const a = since ? Math.max(0, days.indexOf(since)) : 0;
      const b = until && days.indexOf(until) >= 0 ? days.indexOf(until) : days.length - 1;
      drawBrush(a * step, (b + 1) * step);
    }
  }

  function drawBrush(x0, x1) {
    const svg = $("timeline");
    let rect = svg.querySelector(".brush");
    if (!rect) {
      rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("class", "brush");
      rect.setAttribute("y", "0");
      rect.setAttribute("height", String((svg.clientHeight || 88) - 14));
      svg.append(rect);
    }
    rect.setAttribute("x", String(Math.min(x0, x1)));
    rect.setAttribute("width", String(Math.max(1, Math.abs(x1 - x0))));
  }

  function dayAt(x) {
    const t = state.timeline;
    const i = Math.min(t.days.length - 1, Math.max(0, Math.floor(x / t.step)));
    return t.days[i];
  }

  function enableBrush(ctx) {
    const svg = $("timeline");
    let start = null;
    const xOf = (ev) => ev.clientX - svg.getBoundingClientRect().left;
    svg.addEventListener("pointerdown", (ev) => {
      if (!state.timeline) return;
      start = xOf(ev);
      svg.setPointerCapture(ev.pointerId);
    });
    svg.addEventListener("pointermove", (ev) => { if (start !== null) drawBrush(start, xOf(ev)); });
    svg.addEventListener("pointerup", (ev) => {
      if (start === null) return;
      const end = xOf(ev);
      if (Math.abs(end - start) < 3) {
        $("f-since").value = "";
        $("f-until").value = "";
      } else {
        $("f-since").value = dayAt(Math.min(start, end));
        $("f-until").value = dayAt(Math.max(start, end));
      }
      start = null;
      update(ctx);
    });
  }

  // ------------------------------------------------------------ detail
  function field(list, name, value) {
    if (value === null || value === undefined || value === "") return;
    list.append(el("dt", name), el("dd", value));
  }

  async function selectEvent(eventId, { pan } = { pan: false }) {
    state.selected = eventId;
    for (const item of $("event-list").children) {
      const selected = item.dataset.eventId === eventId;
      item.classList.toggle("selected", selected);
      if (selected) item.scrollIntoView({ block: "nearest" });
    }
    if (pan) reveal(eventId);
    highlight(eventId);
    const event = await getJSON("/events/" + encodeURIComponent(eventId));
    showEvent(event);
    const article = await getJSON("/articles/" + encodeURIComponent(event.doc_id));
    showArticle(article, event);
  }

  function reveal(eventId) {
    // Zoom to where clustering stops, so the event's own marker is drawn.
    const marker = state.markers.get(eventId);
    if (!marker || !state.ctx) return;
    const map = state.ctx.map;
    map.stop();
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), UNCLUSTERED_ZOOM), { animate: false });
  }

  function highlight(eventId) {
    // Outline the selected marker and draw it above others at the same spot.
    for (const [id, marker] of state.markers) {
      const selected = id === eventId;
      marker.setStyle({ weight: selected ? 3 : 1, color: selected ? "#000" : "#263238" });
      if (selected && state.ctx && state.ctx.map.hasLayer(marker)) marker.bringToFront();
    }
  }

  function showEvent(event) {
    $("detail").hidden = false;
    $("detail-title").textContent = event.event_type + ": " + event.sub_event_type;
    const fields = $("detail-fields");
    fields.replaceChildren();
    field(fields, "Date", event.event_date ? event.event_date + (event.date_text ? " (" + event.date_text + ")" : "") : null);
    field(fields, "Location", [event.location, event.admin2, event.admin1, event.country].filter(Boolean).join(", "));
    field(fields, "As written", event.location_text);
    field(fields, "Coordinates", event.latitude !== null ? event.latitude.toFixed(3) + ", " + event.longitude.toFixed(3) : null);
    field(fields, "Geo precision", event.geo_precision ? event.geo_precision + ": " + precisionText(event.geo_precision) : null);
    field(fields, "Actor 1", event.actor1);
    field(fields, "Actor 2", event.actor2);
    field(fields, "Fatalities", String(event.fatalities) + (event.fatalities_text ? " (" + event.fatalities_text + ")" : ""));
    field(fields, "Trigger", event.trigger);
    field(fields, "Weapon", event.weapon);
    field(fields, "Confidence", event.confidence);
    field(fields, "Sources", event.source_count ? String(event.source_count) : null);
    field(fields, "Event id", event.event_id);
    const sources = $("detail-sources");
    sources.replaceChildren();
    for (const source of event.sources) {
      const item = el("li");
      const label = [source.outlet || source.doc_id, source.published, source.title].filter(Boolean).join(" · ");
      const href = source.url ? safeHref(source.url) : null;
      if (href) {
        const link = el("a", label);
        link.href = href;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        item.append(link);
      } else {
        item.append(el("span", label));
      }
      if (source.reported_by) item.append(el("span", " — reported by " + source.reported_by));
      item.append(el("blockquote", source.evidence, "evidence"));
      sources.append(item);
    }
  }

  function showArticle(article, event) {
    const ref = event.lead_event_id || event.event_id;  // the report of a fused event shown in its article
    $("article-title").textContent = "— " + (article.title || article.doc_id);
    const box = $("article-text");
    box.replaceChildren();
    const text = article.text;
    const spans = article.spans.filter((s) => s.start >= 0 && s.end <= text.length && s.start < s.end);
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = [...cuts].sort((a, b) => a - b);
    let current = null;
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const covering = spans.filter((s) => s.start <= a && s.end >= b);
      const classes = new Set();
      for (const s of covering) {
        if (s.kind === "evidence") classes.add(s.ref === ref ? "evidence" : "evidence other");
        else classes.add(s.kind);
      }
      const part = el("span", text.slice(a, b), [...classes].join(" ") || undefined);
      const labels = covering.filter((s) => s.kind !== "evidence" && s.label).map((s) => s.kind + ": " + s.label);
      if (labels.length) part.title = labels.join("; ");
      if (covering.some((s) => s.kind === "evidence" && s.ref === ref)) {
        part.dataset.current = "1";
        current = current || part;
      }
      box.append(part);
    }
    if (current) current.scrollIntoView({ block: "center" });
  }

  // ------------------------------------------------------------ start
  async function main() {
    drawLegend();
    const ctx = makeMap();
    state.ctx = ctx;
    try {
      await addBoundaries(ctx.map);
    } catch (err) {
      setStatus("Boundaries missing: " + err.message);
    }
    try {
      state.events = await loadEvents();
    } catch (err) {
      setStatus("Could not load events: " + err.message);
      return;
    }
    fillSelect($("f-type"), state.events.map((e) => e.event_type));
    fillSelect($("f-country"), state.events.map((e) => e.country));
    const wanted = readQuery();
    for (const id of ["f-type", "f-country", "f-since", "f-until"]) $(id).addEventListener("change", () => update(ctx, { fit: true }));
    $("f-actor").addEventListener("input", () => update(ctx, { fit: true }));
    $("filters").addEventListener("reset", () => setTimeout(() => update(ctx, { fit: true }), 0));
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    $("fit").addEventListener("click", () => fitMap(ctx));
    enableBrush(ctx);
    update(ctx, { fit: true });
    document.body.dataset.ready = "1";
    if (wanted) await selectEvent(wanted, { pan: true });
  }

  main();
})();
