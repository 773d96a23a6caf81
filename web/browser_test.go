package web

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/server"
)

// seatView is what a seat page shows of the turn (read from its DOM).
type seatView struct {
	Turn        bool     `json:"turn"`
	May         []string `json:"may"`
	Standing    *float64 `json:"standing"`
	Reservation float64  `json:"reservation"`
	Round       int      `json:"round"`
	Done        bool     `json:"done"`
	Status      string   `json:"status"`
	Compose     float64  `json:"compose"`
}

const readSeat = `JSON.stringify((() => {
  const $ = (id) => document.getElementById(id);
  const turn = $("turn");
  const st = $("standing");
  let standing = null;
  if (!st.hidden) { const v = parseFloat($("standing-utility").textContent); standing = isNaN(v) ? -1 : v; }
  const m = /Round (\d+)/.exec($("round").textContent);
  return { turn: turn.dataset.turn === "1", may: (turn.dataset.may || "").split(" ").filter(Boolean), standing,
    reservation: parseFloat($("reservation").textContent) || 0, round: m ? +m[1] : 0,
    done: !$("finished").hidden, status: $("finished").dataset.status || "", compose: parseFloat($("compose-utility").textContent) || 0 };
})())`

// composeBest chooses, on every issue, the option worth the most to the
// seat (the points each option's label shows), as a person would.
const composeBest = `(() => {
  for (const sel of document.querySelectorAll("#issues select")) {
    let best = 0, bestV = -1;
    [...sel.options].forEach((o, i) => { const m = /\(([-0-9.]+)\)$/.exec(o.textContent); const v = m ? +m[1] : 0; if (v > bestV) { bestV = v; best = i; } });
    sel.selectedIndex = best;
    sel.dispatchEvent(new Event("change"));
  }
  return "ok";
})()`

func (tb *tab) seat() seatView {
	var v seatView
	tb.eval(readSeat, &v)
	return v
}

// waitTurn waits until the seat page asks for a move or shows the end.
func (tb *tab) waitTurn(within time.Duration) seatView {
	tb.t.Helper()
	tb.waitFor(`document.getElementById("turn").dataset.turn === "1" || !document.getElementById("finished").hidden`, within)
	return tb.seat()
}

func (tb *tab) click(sel string) {
	tb.do(chromedp.Click(chromedp.CSS(sel)))
}

// createSession fills the session form for a scenario and returns the
// watch page's path.
func (tb *tab) createSession(base, form, ref string, set map[string]string) string {
	tb.t.Helper()
	tb.do(chromedp.Navigate(base + form + "?scenario=" + ref))
	tb.waitFor(`!!document.querySelector("form.session-form")`, 20*time.Second)
	js := "(() => { const f = document.querySelector('form.session-form');"
	for k, v := range set {
		js += fmt.Sprintf("f.elements[%q].value = %q;", k, v)
	}
	js += "f.submit(); return 'ok'; })()"
	tb.eval(js, nil)
	tb.waitFor(`location.pathname.startsWith("/w/")`, 20*time.Second)
	var path string
	tb.eval(`JSON.stringify(location.pathname)`, &path)
	return path
}

// playLinks reads the seat links of the watch page, by party.
func (tb *tab) playLinks() map[string]string {
	var links map[string]string
	tb.waitFor(`document.querySelectorAll("a.play-link").length > 0`, 20*time.Second)
	tb.eval(`JSON.stringify(Object.fromEntries([...document.querySelectorAll("tr.seat")].filter((r) => r.querySelector("a.play-link")).map((r) => [r.dataset.party, r.querySelector("a.play-link").getAttribute("href")])))`, &links)
	return links
}

// TestBrowserLaptop: a person plays ANAC 2011 Laptop against Boulware in a
// browser, to an agreement. The scenario is uploaded through the library;
// the session is made with the session form; the creator watches it live
// while the player plays in another browser context. In the middle of the
// session the server stops and starts again on its database: the seat page
// reconnects by itself and the session goes on where it was. The seat's
// page and every response it got hold none of the seller's numbers.
func TestBrowserLaptop(t *testing.T) {
	text := laptop(t)
	b := newBrowser(t)
	db := filepath.Join(t.TempDir(), "serve.db")
	s := startSite(t, db, "")
	owner := newTab(t, b)
	path := owner.uploadScenario(s.url, "laptop", text)
	ref := strings.TrimPrefix(path, "/scenario/")
	watch := owner.createSession(s.url, "/session/new", ref, map[string]string{"kind0": "human", "kind1": "agent", "spec1": "boulware", "rounds": "20"})
	links := owner.playLinks()
	buyer := links["laptop_buyer_utility"]
	if buyer == "" {
		t.Fatalf("no seat link for the buyer: %v", links)
	}
	player := newTab(t, b)
	player.do(chromedp.Navigate(s.url + buyer))
	moves, restarted := 0, false
	var v seatView
	for {
		v = player.waitTurn(60 * time.Second)
		if v.Done {
			break
		}
		if moves == 1 {
			player.shot("seat-laptop-1280")
		}
		if moves == 3 && !restarted {
			// The server stops in the middle of the session, and a new one
			// starts on the same database and address.
			s.stop()
			s = startSite(t, db, s.addr)
			if s.srv.Resumed() != 1 {
				t.Errorf("%d sessions resumed", s.srv.Resumed())
			}
			restarted = true
			v = player.waitTurn(60 * time.Second)
			if v.Done {
				break
			}
		}
		var asked string
		player.eval(`JSON.stringify(document.getElementById("turn").dataset.asked || "")`, &asked)
		switch {
		case v.Standing != nil && contains(v.May, "accept") && (*v.Standing >= 0.9 || (v.Round >= 14 && *v.Standing >= v.Reservation)):
			player.click("#act-accept")
		case contains(v.May, "offer"):
			player.eval(composeBest, nil)
			if c := player.seat().Compose; c < 0.99 {
				t.Errorf("the best outcome composed is worth %v to the buyer, want 1", c)
			}
			player.do(chromedp.SetValue(chromedp.CSS("#message"), fmt.Sprintf("my offer in round %d", v.Round)))
			player.click("#act-offer")
		default:
			t.Fatalf("a turn without offer or accept: %+v", v)
		}
		moves++
		if moves > 40 {
			t.Fatal("more than 40 moves in a 20-round session")
		}
		// Wait for the page to take the move: the next turn asked, or the
		// end (the "not your turn" state in between may be too short to
		// see).
		player.waitFor(fmt.Sprintf(`document.getElementById("turn").dataset.asked !== %q || !document.getElementById("finished").hidden`, asked), 60*time.Second)
	}
	if !restarted {
		t.Fatal("the session ended before the restart")
	}
	if v.Status != "agreed" {
		t.Fatalf("the session ended %q, want agreed", v.Status)
	}
	player.shot("seat-laptop-finished")
	player.phone()
	player.shot("seat-laptop-phone")
	player.desktop()

	// The creator's page: the record, the result and the debrief.
	owner.do(chromedp.Navigate(s.url + watch))
	owner.waitFor(`document.getElementById("result-panel").dataset.status === "agreed"`, 30*time.Second)
	owner.waitFor(`!!document.querySelector("#debrief .debrief") && !!document.querySelector("#time-chart canvas") && !!document.querySelector("#space-chart canvas")`, 30*time.Second)
	if rec := owner.text("#record"); !strings.Contains(rec, "my offer in round 1") {
		t.Errorf("the record lacks the player's message:\n%s", rec)
	}
	owner.shot("watch-laptop-1280")

	// The record holds every action once, though the session was played
	// twice (before the restart, and replayed after it).
	id := strings.TrimPrefix(sessionOf(t, s, watch), "")
	var n, max, actions int
	s.app.db.QueryRow(`SELECT count(*), max(n) FROM web_events WHERE session = ?`, id).Scan(&n, &max)
	s.app.db.QueryRow(`SELECT count(*) FROM web_events WHERE session = ? AND (json_extract(data, '$.kind') IN ('offer', 'accept', 'end'))`, id).Scan(&actions)
	res, err := s.app.result(context.Background(), id)
	if err != nil || res == nil {
		t.Fatalf("no result: %v", err)
	}
	if n != max || actions != res.Steps {
		rows, _ := s.app.db.Query(`SELECT n, json_extract(data, '$.kind'), json_extract(data, '$.round'), ifnull(json_extract(data, '$.by'), '') FROM web_events WHERE session = ? ORDER BY n`, id)
		var list []string
		for rows.Next() {
			var k, by string
			var n, round int
			rows.Scan(&n, &k, &round, &by)
			list = append(list, fmt.Sprintf("%d %s r%d %s", n, k, round, by))
		}
		rows.Close()
		t.Errorf("the record holds %d entries numbered to %d, %d actions; the session took %d:\n%s", n, max, actions, res.Steps, strings.Join(list, "\n"))
	}

	// The buyer's page never received the seller's numbers.
	sc, err := server.ParseScenario([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, player, secretsOf(t, sc, 0, 1))
}

// sessionOf is the session id of a watch page.
func sessionOf(t testing.TB, s *site, watch string) string {
	t.Helper()
	ws, _, err := s.app.sessionByOwner(context.Background(), strings.TrimPrefix(watch, "/w/"))
	if err != nil || ws == nil {
		t.Fatalf("no session for %s: %v", watch, err)
	}
	return ws.ID
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestBrowserClassroom: a facilitator makes a classroom on the flagship
// scenario (the mediated protocol, the United States' seat played by the
// broker mediator, Ukraine, Russia and the European coalition by three
// students in three browser contexts, one of them joining with its short
// code), starts it, and watches every seat; afterwards the debrief shows
// the analysis beside what happened. Russia's page and every response it
// got hold none of Ukraine's or the coalition's numbers.
func TestBrowserClassroom(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	fac := newTab(t, b)
	watch := fac.createSession(s.url, "/classroom/new", "x/ukraine-2025", map[string]string{"protocol": "mediated", "mediator": "broker", "rounds": "8"})
	links := fac.playLinks()
	if len(links) != 3 {
		t.Fatalf("%d seat links, want 3: %v", len(links), links)
	}
	var codes map[string]string
	fac.eval(`JSON.stringify(Object.fromEntries([...document.querySelectorAll("tr.seat")].filter((r) => r.querySelector("code.code")).map((r) => [r.dataset.party, r.querySelector("code.code").textContent])))`, &codes)
	fac.shot("classroom-before-start")

	students := map[string]*tab{}
	for _, party := range []string{"ua", "ru", "eu"} {
		st := newTab(t, b)
		if party == "eu" {
			// This one types its code on the join page.
			st.do(chromedp.Navigate(s.url+"/join"), chromedp.WaitVisible(chromedp.CSS("form.join")),
				chromedp.SetValue(chromedp.CSS("input[name=code]"), strings.ToLower(codes["eu"])),
				chromedp.Submit(chromedp.CSS("form.join")))
			st.waitFor(`location.pathname.startsWith("/play/")`, 20*time.Second)
		} else {
			st.do(chromedp.Navigate(s.url + links[party]))
		}
		students[party] = st
	}
	var eu string
	students["eu"].eval(`JSON.stringify(location.pathname)`, &eu)
	if eu != links["eu"] {
		t.Errorf("the join code led to %s, want %s", eu, links["eu"])
	}
	students["ua"].waitFor(`document.getElementById("conn").textContent.includes("facilitator")`, 20*time.Second)
	students["ua"].shot("seat-waiting-for-facilitator")
	fac.click("#start")
	fac.waitFor(`document.querySelectorAll("tr.seat[data-kind=human]").length === 3 && [...document.querySelectorAll("tr.seat[data-kind=human]")].every((r) => r.textContent.includes("connected") || r.textContent.includes("joined"))`, 30*time.Second)

	// The students vote: accept a text worth at least their reservation
	// value to them, reject it otherwise.
	done := map[string]bool{}
	shotTaken := false
	deadline := time.Now().Add(3 * time.Minute)
	for len(done) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the classroom did not finish in 3 minutes")
		}
		acted := false
		for _, party := range []string{"ua", "ru", "eu"} {
			if done[party] {
				continue
			}
			st := students[party]
			v := st.seat()
			switch {
			case v.Done:
				done[party] = true
			case v.Turn && contains(v.May, "accept") && v.Standing != nil && *v.Standing >= v.Reservation:
				st.do(chromedp.SetValue(chromedp.CSS("#message"), "acceptable to "+party))
				st.click("#act-accept")
				acted = true
			case v.Turn && contains(v.May, "reject"):
				st.click("#act-reject")
				acted = true
			case v.Turn && contains(v.May, "offer"):
				st.eval(composeBest, nil)
				st.click("#act-offer")
				acted = true
			}
		}
		if acted && !shotTaken {
			time.Sleep(300 * time.Millisecond)
			students["ru"].shot("seat-flagship-ru")
			students["ua"].phone()
			students["ua"].shot("seat-flagship-ua-phone")
			students["ua"].desktop()
			shotTaken = true
		}
		if !acted {
			time.Sleep(100 * time.Millisecond)
		}
	}
	// The facilitator sees all three seats and what each did.
	fac.waitFor(`!!document.querySelector("#debrief .debrief")`, 30*time.Second)
	fac.do(chromedp.Navigate(s.url + watch))
	fac.waitFor(`!!document.querySelector("#debrief .debrief") && document.querySelectorAll("#record li").length > 0 && !!document.querySelector("#time-chart canvas") && !!document.querySelector("#space-chart canvas")`, 30*time.Second)
	var rows []struct {
		Party string `json:"party"`
		Last  string `json:"last"`
	}
	fac.eval(`JSON.stringify([...document.querySelectorAll("tr.seat[data-kind=human]")].map((r) => ({party: r.dataset.party, last: r.querySelector("td.last").textContent})))`, &rows)
	if len(rows) != 3 {
		t.Fatalf("the facilitator's page shows %d human seats, want 3", len(rows))
	}
	for _, r := range rows {
		if !strings.Contains(r.Last, "vote") && !strings.Contains(r.Last, "offer") {
			t.Errorf("the facilitator's page shows no action of %s: %q", r.Party, r.Last)
		}
	}
	if d := fac.text("#debrief"); !strings.Contains(d, "Nash") || !strings.Contains(d, "ua") {
		t.Errorf("the debrief lacks the analysis:\n%s", d)
	}
	fac.shot("classroom-debrief-1280")
	fac.phone()
	fac.shot("classroom-debrief-phone")

	sc, err := scenario.LoadFile(filepath.Join("..", "examples", "ukraine-2025.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, p := range sc.Parties {
		idx[p.ID] = i
	}
	// The session's time points (t = k/9 for 8 rounds) reach every seat;
	// one may equal another party's number by chance (Ukraine's value of
	// Russia's law, discounted to 1/3 by Russia's credibility).
	public := map[string]bool{}
	for k := 0; k <= 9; k++ {
		public[ftoa(float64(k)/9)] = true
		public[ftoa(float64(k)/8)] = true
	}
	var secrets []string
	for _, s := range secretsOf(t, sc, idx["ru"], idx["ua"], idx["eu"]) {
		if !public[s] {
			secrets = append(secrets, s)
		}
	}
	leaks(t, students["ru"], secrets)
}

// TestBrowserUploadErrors: a scenario with mistakes gets every problem the
// CLI reports, each beside the line it is on.
func TestBrowserUploadErrors(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	tb := newTab(t, b)
	bad := `parley: 1
name: Broken
issues:
  - id: price
    options: [{id: low}, {id: high}]
parties:
  - id: a
    weights: {price: 1}
    values: {price: {low: 1, high: 0}}
    bogus: 3
  - id: b
    weights: {price: 1.5}
    values: {price: {low: 0, high: 1}}
`
	tb.do(chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("form.upload")),
		chromedp.SetValue(chromedp.CSS(`form.upload textarea[name=text]`), bad),
		chromedp.Submit(chromedp.CSS(`form.upload`)))
	tb.waitFor(`!!document.getElementById("problems")`, 20*time.Second)
	_, want := server.ParseScenario([]byte(bad))
	if want == nil {
		t.Fatal("the scenario is valid")
	}
	var shown []struct {
		Line int    `json:"line"`
		Col  int    `json:"col"`
		Text string `json:"text"`
		On   int    `json:"on"`
	}
	tb.eval(`JSON.stringify([...document.querySelectorAll("ol.source .msg")].map((m) => ({line: +m.dataset.line, col: +m.dataset.column, text: m.textContent, on: +m.closest("li").id.replace("line-", "")})))`, &shown)
	lines := strings.Split(strings.TrimSpace(want.Error()), "\n")
	if len(shown) != len(lines) {
		t.Fatalf("%d messages beside the lines, the CLI gives %d:\n%s", len(shown), len(lines), want)
	}
	for i, m := range shown {
		if m.Line != m.On {
			t.Errorf("the message of line %d is shown beside line %d", m.Line, m.On)
		}
		// The CLI's "scenario:LINE:COL: message".
		at := fmt.Sprintf("scenario:%d:%d: ", m.Line, m.Col)
		if !strings.HasPrefix(lines[i], at) || !strings.Contains(m.Text, strings.TrimPrefix(lines[i], at)) {
			t.Errorf("message %d: page %q, CLI %q", i, m.Text, lines[i])
		}
	}
	if !strings.Contains(tb.text("#problems"), "bogus") {
		t.Error("the unknown field is not named")
	}
	tb.shot("library-upload-errors")
}

// TestBrowserScenarioWeight: the first load of the flagship's scenario page
// (the page, its scripts, styles and chart data) transfers under 300 KB,
// and the chart draws. It also takes the library's and the scenario's
// screenshots, at 1280×800 and on a phone.
func TestBrowserScenarioWeight(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	tb := newTab(t, b)
	tb.do(chromedp.Navigate(s.url + "/scenario/x/ukraine-2025"))
	tb.waitFor(`document.getElementById("space-chart").dataset.ready === "1"`, 30*time.Second)
	time.Sleep(300 * time.Millisecond) // the last loadingFinished events
	total, list := tb.transferred()
	t.Logf("first load of the scenario page: %.1f KB transferred in %d requests:\n%s", total/1024, len(list), strings.Join(list, "\n"))
	if total > 300*1024 {
		t.Errorf("the scenario page transferred %.1f KB, more than 300 KB", total/1024)
	}
	if total < 50*1024 {
		t.Errorf("only %.1f KB transferred: the measure missed the scripts", total/1024)
	}
	// Hover shows the deal.
	tb.eval(hoverSomewhere, nil)
	if h := tb.text("#space-hover"); !strings.Contains(h, "territory") {
		t.Errorf("hovering the chart shows %q, not a deal", h)
	}
	tb.shot("scenario-flagship-1280")
	tb.do(chromedp.Navigate(s.url + "/"))
	tb.shot("library-1280")
	tb.phone()
	tb.do(chromedp.Navigate(s.url + "/scenario/x/ukraine-2025"))
	tb.waitFor(`document.getElementById("space-chart").dataset.ready === "1"`, 30*time.Second)
	tb.shot("scenario-flagship-phone")
	var overflow bool
	tb.eval(`JSON.stringify(document.documentElement.scrollWidth > window.innerWidth + 2)`, &overflow)
	if overflow {
		t.Error("the scenario page is wider than a phone's screen")
	}
	tb.do(chromedp.Navigate(s.url + "/"))
	tb.shot("library-phone")
}

// TestBrowserManyPoints: the utility-space chart draws a space of 10^4
// outcomes (every one a point) and answers hovering without freezing: it
// reports how long drawing and a hover took in the browser.
func TestBrowserManyPoints(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	tb := newTab(t, b)
	path := tb.uploadScenario(s.url, "ten-thousand", tenThousand())
	tb.do(chromedp.Navigate(s.url + path))
	tb.waitFor(`document.getElementById("space-chart").dataset.ready === "1"`, 60*time.Second)
	var m struct {
		Points int     `json:"points"`
		Render float64 `json:"render"`
		Load   float64 `json:"load"`
		Hover  float64 `json:"hover"`
		Redraw float64 `json:"redraw"`
	}
	js := `(async () => { const c = document.getElementById("space-chart"); const o = c.querySelector(".u-over"); const r = o.getBoundingClientRect();
	  let t0 = performance.now();
	  for (let i = 0; i < 100; i++) o.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + r.width * (i % 10) / 10, clientY: r.top + r.height * Math.floor(i / 10) / 10, bubbles: true}));
	  const hover = (performance.now() - t0) / 100;
	  const y = document.getElementById("ax-y"); t0 = performance.now(); y.value = y.value === "0" ? "1" : "0"; y.dispatchEvent(new Event("change"));
	  await new Promise((res) => requestAnimationFrame(() => res()));
	  const redraw = performance.now() - t0;
	  return JSON.stringify({points: +c.dataset.points, render: +c.dataset.renderMs, load: +c.dataset.loadMs, hover, redraw}); })()`
	out, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(out), &m)
	t.Logf("10^4 outcomes: %d points drawn in %.1f ms (to the next frame; data fetched and drawn in %.1f ms); one hover %.2f ms; redrawn with other axes in %.1f ms", m.Points, m.Render, m.Load, m.Hover, m.Redraw)
	if m.Points != 10000 {
		t.Errorf("%d points drawn, want 10000", m.Points)
	}
	tb.eval(hoverSomewhere, nil)
	if h := tb.text("#space-hover"); !strings.Contains(h, "outcome") && !strings.Contains(h, "frontier") {
		t.Errorf("hovering shows %q", h)
	}
	tb.shot("scenario-10k-points")
}

// hoverSomewhere moves the mouse over the chart until the hover shows
// something.
const hoverSomewhere = `(() => { const o = document.querySelector("#space-chart .u-over"); const r = o.getBoundingClientRect();
  for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) { o.dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + r.width * i / 40, clientY: r.top + r.height * j / 40, bubbles: true}));
    if (document.getElementById("space-hover").textContent.includes(":")) return "1"; }
  return "0"; })()`

// tenThousand is a scenario of 10^4 outcomes: two parties, four issues of
// ten options.
func tenThousand() string {
	var b strings.Builder
	b.WriteString("parley: 1\nname: Ten thousand\nissues:\n")
	for i := range 4 {
		fmt.Fprintf(&b, "  - id: i%d\n    options: [", i)
		for v := range 10 {
			if v > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{id: v%d}", v)
		}
		b.WriteString("]\n")
	}
	b.WriteString("parties:\n")
	for p, w := range [][]float64{{0.4, 0.3, 0.2, 0.1}, {0.1, 0.2, 0.3, 0.4}} {
		fmt.Fprintf(&b, "  - id: p%d\n    reservation: 0.3\n    weights: {i0: %g, i1: %g, i2: %g, i3: %g}\n    values:\n", p, w[0], w[1], w[2], w[3])
		for i := range 4 {
			fmt.Fprintf(&b, "      i%d: {", i)
			for v := range 10 {
				if v > 0 {
					b.WriteString(", ")
				}
				x := float64(v) / 9
				if (p+i)%2 == 1 {
					x = 1 - x
				}
				fmt.Fprintf(&b, "v%d: %.4f", v, x)
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}

// TestBrowserTournamentAndForecast: a tournament run from its page shows
// its progress, then the ranking with intervals and the head-to-head heat
// map, and exports its sessions; the forecast page draws the flagship's
// trajectories with the scale's option labels.
func TestBrowserTournamentAndForecast(t *testing.T) {
	b := newBrowser(t)
	s := startSite(t, filepath.Join(t.TempDir(), "serve.db"), "")
	tb := newTab(t, b)
	tb.do(chromedp.Navigate(s.url + "/tournament"))
	tb.waitFor(`!!document.querySelector("form.session-form")`, 20*time.Second)
	tb.eval(`(() => { const f = document.querySelector("form.session-form");
	  f.querySelector("input[name=scenario][value='x/ukraine-2025']").checked = true;
	  for (const c of f.querySelectorAll("input[name=negotiator]")) c.checked = ["boulware", "conceder", "hardliner"].includes(c.value);
	  f.elements.protocol.value = "shuttle"; f.elements.rounds.value = "30"; f.elements.repetitions.value = "3"; f.elements.rotation.value = "all";
	  f.submit(); return "ok"; })()`, nil)
	tb.waitFor(`location.pathname.startsWith("/tournament/t_")`, 20*time.Second)
	tb.waitFor(`!!document.querySelector("table.rank")`, 120*time.Second)
	var rows int
	tb.eval(`JSON.stringify(document.querySelectorAll("table.rank tbody tr").length)`, &rows)
	if rows != 3 {
		t.Errorf("the ranking has %d rows, want 3", rows)
	}
	if !strings.Contains(tb.text("table.rank"), "±") {
		t.Error("the ranking shows no intervals")
	}
	var cells int
	tb.eval(`JSON.stringify(document.querySelectorAll("table.heat td[style]").length)`, &cells)
	if cells == 0 {
		t.Error("no head-to-head heat map")
	}
	tb.shot("tournament-1280")
	var csv string
	csvJS := `fetch([...document.querySelectorAll("a.button")].find((x) => x.textContent.includes("CSV")).href).then((r) => r.text()).then((t) => JSON.stringify(t))`
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](csvJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(v), &csv)
	// 3 negotiators on 3 seats, every assignment (27), 3 repetitions.
	if got := strings.Count(strings.TrimSpace(csv), "\n"); got != 27*3 {
		t.Errorf("the CSV export has %d sessions, want %d", got, 27*3)
	}

	tb.do(chromedp.Navigate(s.url + "/scenario/x/ukraine-2025/forecast"))
	tb.waitFor(`document.querySelectorAll("#fc-charts .u-wrap").length > 0`, 30*time.Second)
	var ticks []string
	tb.eval(`JSON.stringify([...document.querySelectorAll("#fc-charts .chart")].map((c) => c.dataset.ticks))`, &ticks)
	if len(ticks) != 4 || !strings.Contains(strings.Join(ticks, "|"), "Crimea only") {
		t.Errorf("the forecast's axes are labelled %q, want the scale's options of 4 issues", ticks)
	}
	tb.shot("forecast-1280")
	tb.do(chromedp.Navigate(s.url + "/session/new?scenario=x/ukraine-2025"))
	tb.shot("session-new-1280")
}
