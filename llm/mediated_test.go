package llm_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/protocol"
	"github.com/parleyhq/parley/seat"
	"github.com/parleyhq/parley/session"
)

// TestMediatedSeats: llm seats play every role of the mediated
// single-text protocol: the mediator proposes texts, the parties vote.
func TestMediatedSeats(t *testing.T) {
	srv := llmtest.New(llmtest.Player)
	defer srv.Close()
	spec := "llm:model=m:base_url=" + srv.BaseURL()
	pool := &llm.Pool{}
	l := &seat.Launcher{Kinds: []seat.Kind{pool.Kind()}}
	defer l.Close()
	r, err := session.NewRunner(session.Config{Scenario: parse(t, trio), Negotiators: []string{spec}, Mediator: spec, Protocol: "mediated",
		Outside: l.Outside, Deadline: protocol.Deadline{Rounds: 6}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Play(0); err != nil {
		t.Fatal(err)
	}
	res := r.Result()
	if res.Failure != nil {
		t.Fatal(res.Failure)
	}
	var proposes, votes int
	for _, q := range srv.Requests() {
		may := strings.Join(q.Schema.May(), ",")
		switch {
		case strings.Contains(q.System(), "You are the mediator") && may == "offer,end":
			proposes++
		case may == "accept,reject,end":
			votes++
		}
	}
	if proposes == 0 || votes == 0 {
		t.Errorf("%d proposals and %d votes; the mediator should propose and the parties vote", proposes, votes)
	}
}
