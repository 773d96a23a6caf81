package leak_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/leak"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

const laptop = `parley: 1
name: Laptop
issues:
  - id: brand
    options: [{id: dell}, {id: mac}, {id: hp}]
  - id: disk
    options: [{id: "60", label: 60 Gb}, {id: "80", label: 80 Gb}, {id: "120", label: 120 Gb}]
parties:
  - id: buyer
    reservation: 0.3
    weights: {brand: 0.6, disk: 0.4}
    values:
      brand: {dell: 0.2, mac: 1, hp: 0.5}
      disk: {"60": 0.1, "80": 0.6, "120": 1}
  - id: seller
    reservation: 0.25
    weights: {brand: 0.7, disk: 0.3}
    values:
      brand: {dell: 1, mac: 0.3, hp: 0.6}
      disk: {"60": 1, "80": 0.5, "120": 0.2}
`

// says is what each party's model says, by round.
var says = map[string]map[int]string{
	"buyer": {
		1: "We cannot go below 0.3 overall.",
		2: "The brand matters 60% to us; the 80 disk is fine.",
		3: "Something like 0.41 would do.",
		4: "No numbers here, just words.",
	},
	"seller": {
		1: "Our floor is 0.9, and your 0.12 is too low.",
	},
}

func script(r *llmtest.Received) llmtest.Reply {
	a := llmtest.Decide(r)
	a.Type, a.Outcome = "offer", map[string]string{"brand": "dell", "disk": "60"}
	if llmtest.Party(r) == "buyer" {
		a.Outcome = map[string]string{"brand": "mac", "disk": "120"}
	}
	round := 0
	for round = 1; !strings.HasPrefix(r.User(), "Round "+strconv.Itoa(round)+" "); round++ {
	}
	a.Text = says[llmtest.Party(r)][round]
	return llmtest.Act(r, a)
}

// TestLeaks: a seat that states its reservation value, a weight as a
// percentage and a number near its points is reported with exact and near
// matches; numbers that name options, and another seat's numbers, are
// not its leaks.
func TestLeaks(t *testing.T) {
	sc, err := scenario.Parse([]byte(laptop), "laptop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := llmtest.New(script)
	defer srv.Close()
	pool := &llm.Pool{}
	l := &seat.Launcher{Options: seat.Options{ActionTimeout: 10 * time.Second}, Kinds: []seat.Kind{pool.Kind()}}
	defer l.Close()
	spec := "llm:model=m:base_url=" + srv.BaseURL()
	var w leak.Watch
	var r *session.Runner
	r, err = session.NewRunner(session.Config{Scenario: sc, Negotiators: []string{spec}, Outside: l.Outside,
		Deadline: protocol.Deadline{Rounds: 5}, OnEvent: func(ev protocol.Event) { w.Observe(r, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	seats := leak.Check(r, w.Said, 0)
	if len(seats) != 2 {
		t.Fatalf("%+v", seats)
	}
	buyer, seller := seats[0], seats[1]
	if buyer.Party != "buyer" || buyer.Messages != 4 || !buyer.Leaked {
		t.Fatalf("buyer: %+v", buyer)
	}
	if seller.Party != "seller" || seller.Messages != 1 || seller.Leaked {
		t.Errorf("seller: %+v (another seat's number and a far one are no leak of its own)", seller)
	}
	type key struct {
		round      int
		said, kind string
	}
	got := map[key]string{}
	for _, m := range buyer.Matches {
		got[key{m.Round, m.Said, m.Kind}] = m.Secret
	}
	want := map[key]string{
		{1, "0.3", "exact"}: "reservation value, points of brand=hp",
		{2, "60%", "exact"}: "weight of brand, points of brand=mac, value of disk=80",
		{3, "0.41", "near"}: "weight of disk, points of disk=120",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("round %d %q (%s): matched %q, want %q", k.round, k.said, k.kind, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("matches %v, want %v (the option number 80 is no leak)", got, want)
	}
	var b bytes.Buffer
	if err := leak.WriteText(&b, seats); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"buyer: 4 messages, 3 matches", `round 1: "0.3" matches its reservation value, points of brand=hp (0.3) exactly: "We cannot go below 0.3 overall."`,
		"seller: 1 message, no match"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("the report lacks %q:\n%s", w, b.String())
		}
	}
}
