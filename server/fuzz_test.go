package server

import (
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley/session"
)

// FuzzRequest: any body sent to create a session is refused with
// problems or built into a session; none panics or reads a file it names.
func FuzzRequest(f *testing.F) {
	ok, _ := json.Marshal(Request{Scenario: triad, Seats: []string{Remote, "boulware", "linear"}})
	f.Add(ok)
	f.Add([]byte(`{"example":"ukraine-2025","seats":["remote"],"protocol":"shuttle"}`))
	f.Add([]byte(`{"scenario":"parley: 1\nsources:\n  - {id: a, path: /etc/hostname}\n","seats":["remote"]}`))
	f.Add([]byte(`{"scenario":"[[[","seats":[]}`))
	f.Add([]byte(`{"scenario":"x","deadline":{"rounds":-1,"ms":-5},"clock":{"action_ms":-1},"max_errors":-2}`))
	srv := &Server{cfg: Config{Examples: "../examples", MaxOutcomes: MaxOutcomes}, prepared: map[[32]byte]*session.Prepared{}}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := decodeRequest(body)
		if err != nil {
			return
		}
		name, text, ps := srv.scenarioText(r)
		if len(ps) > 0 {
			return
		}
		if name == ScenarioName && noFiles(text) != nil {
			t.Fatal("a scenario naming files got through")
		}
		srv.build("s_fuzz", r, name, text)
	})
}

// FuzzWait: the wait parameter of a poll is a bounded duration or an
// error.
func FuzzWait(f *testing.F) {
	for _, s := range []string{"", "25s", "1500ms", "3", "-1", "1e300", "NaN", "99h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := waitParam(s)
		if err == nil && (d < 0 || d > MaxWait) {
			t.Fatalf("wait=%q: %v", s, d)
		}
	})
}
