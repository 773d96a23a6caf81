// watch.js: a session live, for whoever holds its owner link. The record
// comes as server-sent events (one entry each: an offer or vote with every
// party's utility, a note on phases, events and votes, the result); the
// page draws the offers over time and in utility space, lists the record
// with its free text, and asks for the debrief once the result is in.
"use strict";

(function () {
  const ownerEl = document.getElementById("watch-owner");
  if (!ownerEl) return;
  const owner = ownerEl.dataset.owner;
  const parties = JSON.parse(document.getElementById("watch-data").textContent || "[]") || [];
  const $ = (id) => document.getElementById(id);
  const entries = [];
  let space = null; // the scenario's chart data (frontier, Nash)
  let result = null;
  let pending = null;

  for (const id of ["time-party", "sp-x", "sp-y"]) {
    const sel = $(id);
    parties.forEach((p, i) => {
      const o = document.createElement("option");
      o.value = i; o.textContent = p;
      sel.appendChild(o);
    });
    sel.addEventListener("change", redraw);
  }
  if (parties.length > 1) $("sp-y").value = 1;

  fetch($("space-chart").dataset.src, { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null).then((d) => { space = d; redraw(); }).catch(() => {});

  function redraw() {
    clearTimeout(pending);
    pending = setTimeout(draw, 100);
  }

  function draw() {
    const offers = entries.filter((e) => e.u && e.u.length && (e.kind === "offer" || e.kind === "propose"));
    const agreements = entries.filter((e) => e.kind === "agreement" && e.u);
    const byProposer = new Map();
    for (const e of offers) {
      const k = e.by || "mediator";
      if (!byProposer.has(k)) byProposer.set(k, []);
      byProposer.get(k).push(e);
    }
    const tp = +$("time-party").value || 0;
    const maxRound = Math.max(1, ...entries.map((e) => e.round || 0));
    const ts = [];
    let i = 0;
    for (const [who, es] of byProposer) {
      ts.push({ label: "offers by " + who, color: parleyCharts.palette[i++ % 10], kind: "linedots", size: 5, meta: "offer", es, xs: es.map((e) => e.round), ys: es.map((e) => e.u[tp] < 0 ? null : e.u[tp]) });
    }
    if (agreements.length) ts.push({ label: "agreement", color: "#000", kind: "diamond", size: 12, meta: "agreement", es: agreements, xs: agreements.map((e) => e.round), ys: agreements.map((e) => e.u[tp]) });
    if (ts.length) {
      parleyCharts.scatter($("time-chart"), {
        height: 260, x: { label: "round", range: [0, maxRound + 1] }, y: { label: "utility of " + (parties[tp] || ""), range: [0, 1] },
        series: ts, hoverEl: $("space-hover"), hover: (s, k) => describe(s.es[k]),
      });
    }
    const x = +$("sp-x").value || 0, y = +$("sp-y").value || 0;
    const ss = [];
    if (space) {
      const fr = space.frontier.slice();
      if (space.parties.length === 2) fr.sort((a, b) => a.u[x] - b.u[x]);
      ss.push({ label: "Pareto frontier", color: "#9db3f0", kind: space.parties.length === 2 ? "line" : "dot", size: 4, xs: fr.map((p) => p.u[x]), ys: fr.map((p) => p.u[y]) });
      ss.push({ label: "reservation values", color: "#777", kind: "line", dash: [5, 4], xs: [space.reservation[x], space.reservation[x], null, 0, 1], ys: [0, 1, null, space.reservation[y], space.reservation[y]] });
      const nash = space.solutions.find((s) => s.name === "Nash");
      if (nash && nash.points.length) ss.push({ label: "Nash", color: "#c00000", kind: "diamond", size: 11, xs: nash.points.map((p) => p.u[x]), ys: nash.points.map((p) => p.u[y]) });
    }
    i = 0;
    for (const [who, es] of byProposer) {
      const keep = es.filter((e) => e.u[x] >= 0 && e.u[y] >= 0);
      ss.push({ label: "offers by " + who, color: parleyCharts.palette[i++ % 10], kind: "linedots", size: 5, meta: "offer", es: keep, xs: keep.map((e) => e.u[x]), ys: keep.map((e) => e.u[y]) });
    }
    if (agreements.length) ss.push({ label: "agreement", color: "#000", kind: "diamond", size: 14, meta: "agreement", es: agreements, xs: agreements.map((e) => e.u[x]), ys: agreements.map((e) => e.u[y]) });
    if (ss.length && parties.length > 1) {
      parleyCharts.scatter($("space-chart"), {
        height: 300, x: { label: "utility of " + parties[x], range: [0, 1] }, y: { label: "utility of " + parties[y], range: [0, 1] },
        series: ss, hoverEl: $("space-hover"), hover: (s, k) => describe(s.es[k]),
      });
    }
  }

  function describe(e) {
    let s = "Round " + e.round + ": ";
    if (e.kind === "note") return s + e.text;
    if (e.kind === "result") return s + "result";
    s += (e.by ? e.by + " " : "") + ({ offer: "offers", propose: "proposes", vote: "votes " + e.vote, accept: "accepts", end: "ends the negotiation", agreement: "agreement", deadline: "deadline", adopt: "adopts the text", joint: "joint session", no_meeting: "no meeting" }[e.kind] || e.kind);
    if (e.meeting) s += " (meeting " + e.meeting + ")";
    if (e.phase) s += " [" + e.phase + "]";
    if (e.outcome) s += ": " + e.outcome.join(", ");
    if (e.u) s += " — " + e.u.map((u, k) => (parties[k] || k) + " " + (u < 0 ? "red line" : u.toFixed(3))).join(", ");
    if (e.text) s += " — “" + e.text + "”";
    return s;
  }

  function add(e) {
    entries.push(e);
    if (e.kind === "result") { showResult(e.result); return; }
    const li = document.createElement("li");
    li.className = "e-" + e.kind;
    li.textContent = describe(e);
    $("record").appendChild(li);
    $("record-count").textContent = entries.length + " entries";
  }

  function showResult(r) {
    result = r;
    const el = $("result-panel");
    el.hidden = false;
    el.innerHTML = "";
    const h = document.createElement("h2");
    h.textContent = "Result: " + r.status + " (" + r.end + ", round " + r.round + ")";
    el.appendChild(h);
    if (r.outcome) {
      const p = document.createElement("p");
      p.textContent = r.outcome.map((v) => v.issue + ": " + (v.label || v.value)).join(", ");
      el.appendChild(p);
    }
    const p2 = document.createElement("p");
    p2.textContent = (r.parties || []).map((p) => p.id + " " + p.utility.toFixed(3)).join(", ") +
      (r.distance_to_pareto != null ? " · distance to Pareto " + r.distance_to_pareto.toFixed(3) : "") +
      (r.distance_to_nash != null ? " · to Nash " + r.distance_to_nash.toFixed(3) : "");
    el.appendChild(p2);
    el.dataset.status = r.status;
    document.body.dispatchEvent(new Event("parley-finished"));
  }

  let count = 0;
  function connect() {
    const es = new EventSource("/w/" + owner + "/events?after=" + count);
    es.onmessage = (ev) => {
      count = +ev.lastEventId || count + 1;
      add(JSON.parse(ev.data));
      redraw();
    };
    es.addEventListener("end", () => { es.close(); });
    es.onerror = () => {
      // EventSource reconnects by itself (sending Last-Event-ID); after
      // the end it stays closed.
      if (es.readyState === EventSource.CLOSED && !result) setTimeout(connect, 2000);
    };
  }
  connect();
})();
