/* sitrep web page: map, timeline, filters, event list, evidence view and review.
 * Works offline: everything comes from this server. Data is put in the page
 * with textContent only (never innerHTML), so article text shows as text.
 * Reviews (confirm c, reject x, correct e, next n) are POSTed with the token the
 * analyst types in, kept for this tab only (sessionStorage). */
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

  const state = { events: [], shown: [], markers: new Map(), selected: null, brush: null, reviewed: 0,
                  listMode: "", queue: [], current: null, codebook: null, placePick: null };
  const REVIEW_FIELDS = ["event_type", "sub_event_type", "actor1", "actor2", "event_date", "time_precision",
                         "fatalities", "location", "admin1", "country", "latitude", "longitude"];
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

  async function getJSON(url, options) {
    const response = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options || {}));
    const body = await response.json();
    if (!response.ok) {
      const err = body && body.error ? body.error.code + ": " + body.error.message : response.statusText;
      throw new Error(url + " → " + err);
    }
    return body;
  }

  async function postJSON(url, payload) {
    const token = $("token").value.trim();
    sessionStorage.setItem("sitrep-token", token);
    localStorage.setItem("sitrep-reviewer", $("reviewer").value.trim());
    return getJSON(url, { method: "POST", body: JSON.stringify(payload),
                          headers: { Accept: "application/json", "Content-Type": "application/json",
                                     Authorization: "Bearer " + token } });
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
      // one marker per real-world event, fused over the articles that report it (corrections applied)
      const page = await getJSON("/events?fused=true&limit=" + PAGE + "&offset=" + offset);
      all.push(...page.events);
      state.reviewed = page.reviewed;
      if (all.length >= page.total || page.events.length === 0) break;
    }
    return all;
  }

  async function loadQueue() {
    if (!state.listMode) { state.queue = []; return; }
    const page = await getJSON("/review/queue?status=" + encodeURIComponent(state.listMode) + "&limit=" + PAGE);
    state.queue = page.events;
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
      confidence: parseFloat($("f-confidence").value) || 0,
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
    const reviewed = event.review_status === "confirmed" || event.review_status === "corrected";
    if (f.confidence && !reviewed && (event.confidence ?? 0) < f.confidence) return false;
    return true;
  }

  function readQuery() {
    const params = new URLSearchParams(window.location.search);
    const ids = { event_type: "f-type", country: "f-country", actor: "f-actor", since: "f-since", until: "f-until",
                  min_confidence: "f-confidence", list: "list-mode" };
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
              (unmapped ? " (" + unmapped + " without coordinates)" : "") + "; " + state.reviewed + " reviewed");
  }

  function fitMap(ctx) {
    const layers = [...state.markers.values()];
    if (!layers.length) return;
    ctx.map.stop();
    ctx.map.fitBounds(L.featureGroup(layers).getBounds().pad(0.3), { maxZoom: 8, animate: false });
  }

  const LIST_TITLES = { "": "Events", unreviewed: "To review", reviewed: "Reviewed", rejected: "Rejected" };

  function listed() { return state.listMode ? state.queue : state.shown; }

  function drawList() {
    const list = $("event-list");
    list.replaceChildren();
    const events = listed();
    $("list-title").textContent = LIST_TITLES[state.listMode];
    $("count").textContent = "(" + events.length + ")";
    for (const event of events.slice(0, 2000)) {
      const item = el("li");
      item.dataset.eventId = event.event_id;
      const dot = el("i");
      dot.style.background = colour(event.event_type);
      item.append(dot, el("span", (event.event_date || "undated") + " — " + event.sub_event_type + " — " +
                                    [event.location, event.admin1, event.country].filter(Boolean).join(", ") +
                                    (event.fatalities ? " — " + event.fatalities + " killed" : "") +
                                    (event.confidence != null ? " — confidence " + Number(event.confidence).toFixed(2) : "")));
      if (event.review_status) item.append(el("span", event.review_status, "review " + event.review_status));
      if (event.event_id === state.selected) item.classList.add("selected");
      item.addEventListener("click", () => selectEvent(event.event_id, { pan: true }));
      list.append(item);
    }
  }

  // ------------------------------------------------------------ timeline
  // The axis runs from the first to the last dated event shown, however many years apart; days are
  // grouped into bins of several days when the span is wider than the axis has room for.
  const DAY_MS = 86400000;
  const dayNumber = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY_MS);
  const isoDay = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);

  function dayCounts(events) {
    const counts = new Map();
    for (const e of events) {
      if (e.event_date && !Number.isNaN(Date.parse(e.event_date + "T00:00:00Z"))) {
        counts.set(e.event_date, (counts.get(e.event_date) || 0) + 1);
      }
    }
    return counts;
  }

  function drawTimeline(events) {
    const svg = $("timeline");
    svg.replaceChildren();
    const counts = dayCounts(events);
    const dates = [...counts.keys()].sort();
    state.timeline = null;
    if (!dates.length) return;
    const first = dayNumber(dates[0]), last = dayNumber(dates[dates.length - 1]);
    const width = svg.clientWidth || 600, height = svg.clientHeight || 88, bottom = 14;
    const span = last - first + 1;
    const binDays = Math.max(1, Math.ceil(span / Math.max(1, Math.floor(width / 3))));
    const bins = Math.ceil(span / binDays);
    const sums = new Array(bins).fill(0);
    for (const [day, n] of counts) sums[Math.floor((dayNumber(day) - first) / binDays)] += n;
    const step = width / bins, max = Math.max(...sums);
    const since = $("f-since").value, until = $("f-until").value;
    sums.forEach((n, i) => {
      if (!n) return;
      const start = isoDay(first + i * binDays), end = isoDay(Math.min(last, first + (i + 1) * binDays - 1));
      const h = Math.max(2, (height - bottom - 4) * n / max);
      const bar = document.createElementNS(SVG_NS, "rect");
      bar.setAttribute("x", String(i * step + step * 0.1));
      bar.setAttribute("width", String(Math.max(1, step * 0.8)));
      bar.setAttribute("y", String(height - bottom - h));
      bar.setAttribute("height", String(h));
      const out = (since && end < since) || (until && start > until);
      bar.setAttribute("class", out ? "bar out" : "bar");
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = (start === end ? start : start + " to " + end) + ": " + n + " events";
      bar.append(title);
      svg.append(bar);
    });
    for (const [day, anchor] of [[first, "start"], [last, "end"]]) {
      const label = document.createElementNS(SVG_NS, "text");
      label.setAttribute("x", String(anchor === "start" ? 0 : width));
      label.setAttribute("y", String(height - 2));
      label.setAttribute("text-anchor", anchor);
      label.setAttribute("class", "axis-" + anchor);
      label.textContent = isoDay(day);
      svg.append(label);
    }
    state.timeline = { first, last, binDays, bins, step };
    if (since || until) {
      const binOf = (iso) => Math.min(bins - 1, Math.max(0, Math.floor((dayNumber(iso) - first) / binDays)));
      drawBrush((since ? binOf(since) : 0) * step, ((until ? binOf(until) : bins - 1) + 1) * step);
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

  function dayAt(x, { end } = { end: false }) {
    // the first day of the bin under x (with `end`, its last day)
    const t = state.timeline;
    const i = Math.min(t.bins - 1, Math.max(0, Math.floor(x / t.step)));
    return isoDay(end ? Math.min(t.last, t.first + (i + 1) * t.binDays - 1) : t.first + i * t.binDays);
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
        $("f-until").value = dayAt(Math.max(start, end), { end: true });
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

  async function whileBusy(work) {
    // body[data-busy] while the page fetches for the analyst (tests wait on it; a reload then loses nothing)
    state.busy = (state.busy || 0) + 1;
    document.body.dataset.busy = "1";
    try {
      return await work();
    } finally {
      state.busy -= 1;
      if (!state.busy) delete document.body.dataset.busy;
    }
  }

  function selectEvent(eventId, options) {
    return whileBusy(() => showSelected(eventId, options));
  }

  async function showSelected(eventId, { pan } = { pan: false }) {
    state.selected = eventId;
    for (const item of $("event-list").children) {
      const selected = item.dataset.eventId === eventId;
      item.classList.toggle("selected", selected);
      if (selected) item.scrollIntoView({ block: "nearest" });
    }
    if (pan) reveal(eventId);
    highlight(eventId);
    const event = await getJSON("/events/" + encodeURIComponent(eventId));
    state.current = event;
    showEvent(event);
    showReview(event);
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
    const splittable = event.review && event.sources.length > 1;
    for (const source of event.sources) {
      const item = el("li");
      if (splittable) {
        const pick = el("input", null, "split-pick");
        pick.type = "checkbox";
        pick.value = source.event_id;
        pick.title = "Check to split this report off";
        item.append(pick);
      }
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

  // ------------------------------------------------------------ review
  function reviewMessage(text, error) {
    const box = $("review-message");
    box.textContent = text;
    box.classList.toggle("error", Boolean(error));
  }

  function showReview(event) {
    const review = event.review;
    $("review-box").hidden = !review;  // reviews are of real-world (fused) events
    $("r-form").hidden = true;
    reviewMessage("");
    if (!review) return;
    const status = $("review-status");
    status.className = review.status || "";
    status.textContent = review.status ? "— " + review.status + " by " + review.reviewed_by + " at " +
      review.reviewed_at + (review.stale ? " (the machine's reading changed since)" : "") : "— not reviewed";
    const table = $("review-compare");
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const [name, value] of Object.entries(review.corrected)) {
      const row = el("tr");
      const machine = review.machine[name];
      row.append(el("td", name), el("td", machine === null || machine === undefined ? "—" : machine),
                 el("td", value === null ? "—" : value, "reviewed"));
      body.append(row);
    }
    table.hidden = !body.children.length;
  }

  function fillTypes(current) {
    const types = state.codebook ? state.codebook.event_types : {};
    const typeSelect = $("r-event_type");
    typeSelect.replaceChildren(...Object.keys(types).map((t) => new Option(t, t)));
    typeSelect.value = current.event_type;
    fillSubTypes(current.sub_event_type);
  }

  function fillSubTypes(value) {
    const types = state.codebook ? state.codebook.event_types : {};
    const subs = types[$("r-event_type").value] || [];
    const select = $("r-sub_event_type");
    select.replaceChildren(...subs.map((t) => new Option(t, t)));
    if (value && subs.includes(value)) select.value = value;
  }

  function openCorrection() {
    const event = state.current;
    if (!event || !event.review) return;
    fillTypes(event);
    for (const name of REVIEW_FIELDS) {
      if (name === "event_type" || name === "sub_event_type") continue;
      const value = event[name];
      $("r-" + name).value = value === null || value === undefined ? "" : String(value);
    }
    state.placePick = null;
    $("r-place-q").value = "";
    $("r-place-hits").replaceChildren();
    $("r-form").hidden = false;
    $("r-fatalities").focus();
  }

  function correctionChanges() {
    const event = state.current;
    const changes = {};
    for (const name of REVIEW_FIELDS) {
      const input = $("r-" + name);
      const before = event[name] === null || event[name] === undefined ? "" : String(event[name]);
      if (input.value.trim() !== before) changes[name] = input.value.trim();
    }
    if (state.placePick !== null) {
      for (const name of ["location", "admin1", "country", "latitude", "longitude"]) delete changes[name];
      changes.place = state.placePick;
    }
    return changes;
  }

  async function searchPlaces() {
    const q = $("r-place-q").value.trim();
    const hits = $("r-place-hits");
    if (q.length < 2) { hits.replaceChildren(); return; }
    const page = await getJSON("/gazetteer?q=" + encodeURIComponent(q) + "&limit=10");
    hits.replaceChildren();
    for (const place of page.places) {
      const item = el("li", [place.location, place.admin2, place.admin1, place.country].filter(Boolean).join(", ") +
                            " (" + (place.feature_code || "?") + ", " + place.geonameid + ")");
      item.addEventListener("click", () => {
        state.placePick = place.geonameid;
        $("r-location").value = place.location;
        $("r-admin1").value = place.admin1 || "";
        $("r-country").value = place.country || "";
        $("r-latitude").value = place.latitude === null ? "" : String(place.latitude);
        $("r-longitude").value = place.longitude === null ? "" : String(place.longitude);
        hits.replaceChildren(el("li", "picked: " + item.textContent));
      });
      hits.append(item);
    }
    if (!page.places.length) hits.append(el("li", "not in the gazetteer: type the place and its coordinates"));
  }

  function afterReview(ctx, eventId, message, { advance } = { advance: false }) {
    return whileBusy(async () => {
      const next = advance ? nextInList(eventId) : null;
      state.events = await loadEvents();
      await loadQueue();
      update(ctx);
      const target = next || eventId;
      if (target) await showSelected(target, { pan: false });
      reviewMessage(message);
    });
  }

  function nextInList(eventId) {
    const events = listed();
    const i = events.findIndex((e) => e.event_id === eventId);
    const rest = events.slice(i + 1).concat(i >= 0 ? events.slice(0, i) : []);
    return (rest[0] || {}).event_id || null;
  }

  async function review(ctx, action, changes) {
    const event = state.current;
    if (!event || !event.review) return;
    try {
      const done = await postJSON("/events/" + encodeURIComponent(event.event_id) + "/review",
                                  { reviewer: $("reviewer").value.trim(), action, changes: changes || {} });
      await afterReview(ctx, done.event_id, done.event_id + ": " + done.review_status + " by " + done.reviewed_by,
                        { advance: Boolean(state.listMode) && action !== "correct" });
    } catch (err) {
      reviewMessage(err.message, true);
    }
  }

  async function mergeOrSplit(ctx, kind) {
    const event = state.current;
    if (!event || !event.review) return;
    const reviewer = $("reviewer").value.trim();
    try {
      if (kind === "merge") {
        const other = $("r-merge-id").value.trim();
        const done = await postJSON("/events/merge", { reviewer, event_ids: [event.event_id, other] });
        await afterReview(ctx, done.event_id, "merged " + other + " into " + done.event_id);
      } else {
        const reports = [...document.querySelectorAll("#detail-sources input.split-pick:checked")].map((i) => i.value);
        const done = await postJSON("/events/" + encodeURIComponent(event.event_id) + "/split", { reviewer, reports });
        await afterReview(ctx, done.event_id, "split off " + done.split_off);
      }
    } catch (err) {
      reviewMessage(err.message, true);
    }
  }

  function enableReview(ctx) {
    $("reviewer").value = localStorage.getItem("sitrep-reviewer") || "";
    $("token").value = sessionStorage.getItem("sitrep-token") || "";
    $("r-confirm").addEventListener("click", () => review(ctx, "confirm"));
    $("r-reject").addEventListener("click", () => review(ctx, "reject"));
    $("r-edit").addEventListener("click", openCorrection);
    $("r-next").addEventListener("click", () => {
      const next = nextInList(state.selected);
      if (next) selectEvent(next, { pan: true });
    });
    $("r-cancel").addEventListener("click", () => { $("r-form").hidden = true; });
    $("r-event_type").addEventListener("change", () => fillSubTypes(null));
    $("r-place-q").addEventListener("input", () => searchPlaces().catch((err) => reviewMessage(err.message, true)));
    for (const name of ["location", "latitude", "longitude", "admin1", "country"]) {
      $("r-" + name).addEventListener("input", () => { state.placePick = null; });
    }
    $("r-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const changes = correctionChanges();
      if (!Object.keys(changes).length) { reviewMessage("nothing changed", true); return; }
      review(ctx, "correct", changes);
    });
    $("r-merge").addEventListener("click", () => mergeOrSplit(ctx, "merge"));
    $("r-split").addEventListener("click", () => mergeOrSplit(ctx, "split"));
    $("list-mode").addEventListener("change", async () => {
      state.listMode = $("list-mode").value;
      try {
        await loadQueue();
      } catch (err) {
        setStatus("Could not load the queue: " + err.message);
      }
      drawList();
      const first = listed()[0];
      if (state.listMode && first && !state.queue.some((e) => e.event_id === state.selected)) {
        await selectEvent(first.event_id, { pan: true });
      }
    });
    document.addEventListener("keydown", (ev) => {
      const tag = ev.target && ev.target.tagName;
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
      const actions = { c: () => review(ctx, "confirm"), x: () => review(ctx, "reject"), e: openCorrection,
                        n: () => $("r-next").click() };
      if (actions[ev.key]) {
        ev.preventDefault();
        actions[ev.key]();
      }
    });
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
    try {
      state.codebook = await getJSON("/review/codebook");
    } catch (err) {
      setStatus("Could not load the codebook: " + err.message);
    }
    fillSelect($("f-type"), state.events.map((e) => e.event_type));
    fillSelect($("f-country"), state.events.map((e) => e.country));
    const wanted = readQuery();
    for (const id of ["f-type", "f-country", "f-since", "f-until", "f-confidence"]) {
      $(id).addEventListener("change", () => update(ctx, { fit: true }));
    }
    $("f-actor").addEventListener("input", () => update(ctx, { fit: true }));
    $("filters").addEventListener("reset", () => setTimeout(() => update(ctx, { fit: true }), 0));
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    $("fit").addEventListener("click", () => fitMap(ctx));
    enableBrush(ctx);
    enableReview(ctx);
    state.listMode = $("list-mode").value;
    try {
      await loadQueue();
    } catch (err) {
      setStatus("Could not load the queue: " + err.message);
    }
    update(ctx, { fit: true });
    document.body.dataset.ready = "1";
    if (wanted) await selectEvent(wanted, { pan: true });
  }

  main();
})();
