package tournament

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/seat"
)

// remoteDialer accepts remote:NAME specs, as parley tournament's does.
func remoteDialer(spec string) (func() (seat.Conn, error), bool, error) {
	if _, ok, err := seat.RemoteName(spec); ok {
		return func() (seat.Conn, error) { return nil, nil }, true, err
	}
	return nil, false, nil
}

// TestRemoteSeatsInSpecs: a remote seat needs a Dialer that knows it,
// a name of its own kind, and a rotation in which it never meets itself
// (one agent plays one seat at a time); each mistake is said at its place.
func TestRemoteSeatsInSpecs(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"scenarios: [x]\nnegotiators: [remote:a, boulware]\nrotation: distinct\n", ""},
		{"scenarios: [x]\nnegotiators: [remote:a, boulware]\n", "s.yaml:2:15: negotiators[0]: remote:a would play both sides of some sessions under rotation: all"},
		{"scenarios: [x]\nnegotiators: [boulware, \"remote:a b\"]\nrotation: distinct\n", "s.yaml:2:25: negotiators[1]: remote:a b: a remote seat's name has letters, digits"},
		{"scenarios: [x]\nnegotiators: [remote:a, boulware]\nrotation: distinct\nprotocol: mediated\nmediator: remote:a\n", "s.yaml:5:1: mediator: remote:a is also negotiators[0]"},
	} {
		_, err := ParseSpecWith([]byte(c.text), "s.yaml", remoteDialer)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.text, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v; want %q", c.text, err, c.want)
		}
	}
	_, err := ParseSpec([]byte("scenarios: [x]\nnegotiators: [remote:a, boulware]\nrotation: distinct\n"), "s.yaml")
	if err == nil || !strings.Contains(err.Error(), "s.yaml:2:15: negotiators[0]: remote:a is a seat played over the network, which needs a listener") {
		t.Errorf("without a Dialer: %v", err)
	}
}

// TestSeatLocks: a line-up takes the locks of its one-at-a-time
// negotiators (each once, the others have none); another line-up that
// shares one waits until they are given back, or until its context ends.
func TestSeatLocks(t *testing.T) {
	s, err := ParseSpecWith([]byte("scenarios: [x]\nnegotiators: [remote:a, boulware, remote:b]\nrotation: distinct\nprotocol: mediated\nmediator: remote:m\n"), "s.yaml", remoteDialer)
	if err != nil {
		t.Fatal(err)
	}
	l := newSeatLocks(s)
	if len(l) != 4 || l[0] == nil || l[1] != nil || l[2] == nil || l[3] == nil {
		t.Fatalf("locks %v", l)
	}
	give, ok := l.take(context.Background(), []int{2, 0, 1, 2})
	if !ok {
		t.Fatal("not taken")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, ok := l.take(ctx, []int{1, 0}); ok {
		t.Fatal("remote:a taken twice")
	}
	if len(l[0]) != 1 || len(l[2]) != 1 {
		t.Fatalf("held %d %d after a wait that gave up", len(l[0]), len(l[2]))
	}
	got := make(chan bool)
	go func() {
		g, ok := l.take(context.Background(), []int{3, 2})
		if ok {
			g()
		}
		got <- ok
	}()
	select {
	case <-got:
		t.Fatal("remote:b taken while held")
	case <-time.After(20 * time.Millisecond):
	}
	give()
	if !<-got {
		t.Fatal("not taken once given back")
	}
	if len(l[0])+len(l[2])+len(l[3]) != 0 {
		t.Error("locks left held")
	}
	if newSeatLocks(&Spec{Negotiators: []string{"boulware", "cmd:x"}}) != nil {
		t.Error("locks without remote seats")
	}
}
