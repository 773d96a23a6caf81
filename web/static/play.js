// play.js: a person plays one seat. The page is one more client of the
// seat protocol (docs/protocol.md): it long-polls the seat's message stream
// and posts actions, numbered so that an action sent again after a broken
// connection or a restart of the server is taken once. Everything it shows
// comes from that stream: the seat's own preferences and the public record.
"use strict";

(function () {
  const root = document.getElementById("play");
  if (!root) return;
  const token = root.dataset.token;
  const $ = (id) => document.getElementById(id);
  const st = {
    after: 0,        // messages read
    held: 0,         // this seat's actions the server holds
    asked: 0,        // answers the stream has asked for (turns and errors)
    settings: null, prefs: null, issues: [],
    turn: null, turnAt: 0, done: false, sending: false,
  };

  function setConn(text, ok) {
    const c = $("conn");
    c.textContent = text;
    c.className = "conn " + (ok ? "ok" : "down");
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // A classroom waits for its facilitator before the seat connects.
  async function waitStart() {
    for (;;) {
      try {
        const r = await fetch("/play/" + token + "/state", { cache: "no-store" });
        const s = await r.json();
        if (!s.held) return;
        setConn("Waiting for the facilitator to start the session…", true);
      } catch (e) {
        setConn("Cannot reach the server; trying again…", false);
      }
      await sleep(2000);
    }
  }

  async function poll() {
    let backoff = 500;
    while (!st.done) {
      let p;
      try {
        const r = await fetch("/seat/" + token + "/messages?after=" + st.after + "&wait=20s", { cache: "no-store" });
        if (r.status === 404) { setConn("No seat has this link.", false); return; }
        if (!r.ok) throw new Error(r.status + " " + r.statusText);
        p = await r.json();
      } catch (e) {
        setConn("Connection lost; reconnecting… (" + e.message + ")", false);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      backoff = 500;
      st.held = Math.max(st.held, p.received);
      for (const m of p.messages) handle(m);
      st.after = p.next;
      if (p.done) st.done = true;
      setConn(st.done ? "The session is over." : (st.settings ? "Connected." : "Connected; waiting for the other seats to join."), true);
      showTurn();
    }
  }

  function handle(m) {
    switch (m.type) {
      case "settings":
        st.settings = m; st.prefs = m.preferences || null; st.issues = m.issues;
        $("me").textContent = m.you.party + (m.you.role === "mediator" ? " (mediator)" : "");
        drawPrefs(); drawComposer();
        break;
      case "update":
        st.prefs = m.preferences; drawPrefs(); updateCompose();
        addRecord("Your preferences changed (round " + m.round + ").", "note");
        break;
      case "your_turn":
        st.asked++; st.turn = m; st.turnAt = Date.now();
        break;
      case "error":
        st.asked++;
        $("error").hidden = false;
        $("error").textContent = m.message + (m.legal ? " (legal: " + m.legal.join(", ") + ")" : "") + " — " + m.errors_left + " more errors allowed.";
        break;
      case "action_done":
        addRecord(describe(m), m.by === (st.settings && st.settings.you.party) ? "mine" : "");
        break;
      case "finished":
        finish(m);
        break;
    }
  }

  // utility is the seat's utility of an outcome (issue id → value id):
  // min(Σ points, 1), or −1 across one of its red lines.
  function utility(o) {
    const p = st.prefs;
    if (!p || !o) return null;
    for (const rl of p.red_lines || []) {
      if (Object.entries(rl.forbid).every(([is, vs]) => vs.map(String).includes(String(o[is])))) return -1;
    }
    let u = 0;
    for (const is of st.issues) {
      const k = is.values.map(String).indexOf(String(o[is.id]));
      if (k < 0 || !p.utility[is.id]) continue;
      u += p.utility[is.id][k];
    }
    return Math.min(u, 1);
  }

  function label(is, v) {
    const k = is.values.map(String).indexOf(String(v));
    return is.labels && k >= 0 ? is.labels[k] : String(v);
  }

  function fmt(u) { return u == null ? "–" : (u < 0 ? "unacceptable (your red line)" : u.toFixed(3)); }

  function drawPrefs() {
    const el = $("prefs");
    el.innerHTML = "";
    if (!st.prefs) { el.textContent = "You mediate: you have no preferences of your own."; return; }
    const t = document.createElement("table");
    t.className = "t small";
    t.innerHTML = "<thead><tr><th>issue</th><th>points per option</th></tr></thead>";
    const tb = document.createElement("tbody");
    for (const is of st.issues) {
      const tr = document.createElement("tr");
      const th = document.createElement("td");
      th.textContent = is.name || is.id;
      const td = document.createElement("td");
      (st.prefs.utility[is.id] || []).forEach((x, k) => {
        const s = document.createElement("span");
        s.className = "opt";
        s.textContent = label(is, is.values[k]) + ": " + x.toFixed(3);
        td.appendChild(s);
      });
      tr.append(th, td);
      tb.appendChild(tr);
    }
    t.appendChild(tb);
    el.appendChild(t);
    const p = document.createElement("p");
    p.textContent = "No deal is worth " + st.prefs.reservation.toFixed(3) + " to you (your reservation value)" + (st.prefs.discount < 1 ? "; a deal loses value over time (discount " + st.prefs.discount + ")." : ".");
    el.appendChild(p);
    for (const rl of st.prefs.red_lines || []) {
      const q = document.createElement("p");
      q.className = "redline";
      q.textContent = "Your red line " + rl.id + ": never " + Object.entries(rl.forbid).map(([k, v]) => k + " ∈ {" + v.join(", ") + "}").join(" and ");
      el.appendChild(q);
    }
    $("reservation").textContent = st.prefs.reservation.toFixed(3);
  }

  function drawComposer() {
    const el = $("issues");
    el.innerHTML = "";
    for (const is of st.issues) {
      const lab = document.createElement("label");
      lab.textContent = (is.name || is.id) + " ";
      const sel = document.createElement("select");
      sel.name = is.id;
      sel.dataset.issue = is.id;
      is.values.forEach((v, k) => {
        const o = document.createElement("option");
        o.value = String(v);
        const pts = st.prefs && st.prefs.utility[is.id] ? " (" + st.prefs.utility[is.id][k].toFixed(3) + ")" : "";
        o.textContent = label(is, v) + pts;
        sel.appendChild(o);
      });
      sel.addEventListener("change", updateCompose);
      lab.appendChild(sel);
      el.appendChild(lab);
    }
    updateCompose();
  }

  function composed() {
    const o = {};
    for (const sel of $("issues").querySelectorAll("select")) o[sel.dataset.issue] = sel.value;
    return o;
  }

  function updateCompose() {
    $("compose-utility").textContent = fmt(utility(composed()));
  }

  function pending() { return st.turn && !st.done && st.held < st.asked && !st.sending; }

  function showTurn() {
    const t = st.turn;
    const mine = pending();
    const turn = $("turn");
    turn.dataset.turn = mine ? "1" : "0";
    turn.dataset.asked = String(st.asked); // turns asked so far: tests wait for the next
    turn.dataset.may = mine ? t.may.join(" ") : "";
    for (const a of ["offer", "accept", "reject", "end"]) $("act-" + a).disabled = !(mine && t.may.includes(a));
    if (!t) return;
    const d = st.settings && st.settings.deadline;
    $("round").textContent = "Round " + t.round + (d && d.rounds ? " of " + d.rounds : "") + ".";
    const what = { offer: "Make the first offer.", respond: "Answer the offer on the table: accept it, or counter with your own.", vote: "Vote on the text put to you.", propose: "Propose a text." };
    $("turn-what").textContent = mine ? (what[t.phase] || "Your turn.") + (t.with ? " (meeting with " + t.with + ")" : "") : (st.done ? "The session is over." : "Waiting for the others…");
    const offer = t.offer || t.text;
    $("standing").hidden = !offer;
    if (offer) {
      const ul = $("standing-offer");
      ul.innerHTML = "";
      for (const is of st.issues) {
        if (!(is.id in offer)) continue;
        const li = document.createElement("li");
        li.textContent = (is.name || is.id) + ": " + label(is, offer[is.id]);
        ul.appendChild(li);
      }
      const u = t.offer_utility != null ? t.offer_utility : (t.text_utility != null ? t.text_utility : utility(offer));
      $("standing-utility").textContent = fmt(u);
    }
    if (t.reservation != null) $("reservation").textContent = t.reservation.toFixed(3);
  }

  function tick() {
    const t = st.turn, el = $("time-left");
    if (!t || st.done) { el.textContent = ""; return; }
    const parts = [];
    if (t.t != null) parts.push(Math.round((1 - t.t) * 100) + "% of the negotiation's time left");
    const c = st.settings && st.settings.clock;
    if (pending() && c && c.action_ms) {
      const left = Math.max(0, c.action_ms - (Date.now() - st.turnAt));
      parts.push(Math.ceil(left / 1000) + " s left for this move");
    }
    el.textContent = parts.join(" · ");
  }

  async function act(type) {
    if (!pending()) return;
    const a = { type };
    if (type === "offer") a.outcome = composed();
    const text = $("message").value.trim();
    if (text) a.text = text;
    st.sending = true;
    showTurn();
    $("error").hidden = true;
    const n = st.held + 1;
    for (let tries = 0; ; tries++) {
      try {
        const r = await fetch("/seat/" + token + "/action?n=" + n, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(a) });
        if (r.status === 202) break;
        const e = await r.json().catch(() => ({}));
        if (r.status === 503 || r.status >= 500) throw new Error(e.error || r.statusText);
        $("error").hidden = false;
        $("error").textContent = e.error || r.statusText;
        break;
      } catch (e) {
        setConn("Sending your move again… (" + e.message + ")", false);
        await sleep(Math.min(500 * (tries + 1), 3000));
      }
    }
    st.held = Math.max(st.held, n);
    st.sending = false;
    $("message").value = "";
    showTurn();
  }

  function addRecord(text, cls) {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    $("record").appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function describe(m) {
    let s = "Round " + m.round + ": " + (m.by || "the session") + " ";
    switch (m.event) {
      case "offer": s += "offers"; break;
      case "propose": s += "proposes"; break;
      case "vote": s += "votes " + m.vote; break;
      case "accept": s += "accepts"; break;
      case "end": s += "ends the negotiation"; break;
      case "agreement": s = "Round " + m.round + ": agreement"; break;
      case "deadline": s = "Round " + m.round + ": the deadline passed"; break;
      default: s += m.event;
    }
    if (m.meeting) s += " (meeting " + m.meeting + ")";
    if (m.outcome) s += " " + st.issues.filter((is) => is.id in m.outcome).map((is) => label(is, m.outcome[is.id])).join(", ");
    if (m.utility != null) s += " — worth " + fmt(m.utility) + " to you";
    if (m.text) s += " — “" + m.text + "”";
    return s;
  }

  function finish(m) {
    st.done = true;
    const el = $("finished");
    el.hidden = false;
    el.dataset.status = m.status;
    const deal = m.agreement ? Object.entries(m.agreement).map(([k, v]) => { const is = st.issues.find((i) => i.id === k); return k + ": " + (is ? label(is, v) : v); }).join(", ") : "";
    el.innerHTML = "";
    const h = document.createElement("h2");
    h.textContent = m.status === "agreed" || m.status === "ratified" ? "Agreement" : "No agreement";
    const p = document.createElement("p");
    p.textContent = "The session ended (" + m.end + ", round " + m.round + ")" + (deal ? ": " + deal : "") + ". Your payoff: " + m.payoff.toFixed(3) + ".";
    el.append(h, p);
    if (m.failure) {
      const f = document.createElement("p");
      f.className = "problem";
      f.textContent = "Seat " + m.failure.seat + " failed (" + m.failure.cause + "): " + m.failure.message;
      el.appendChild(f);
    }
  }

  for (const a of ["offer", "accept", "reject", "end"]) $("act-" + a).addEventListener("click", () => act(a));
  $("compose").addEventListener("submit", (e) => e.preventDefault());
  setInterval(tick, 1000);
  waitStart().then(poll);
})();
