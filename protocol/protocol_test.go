package protocol

import (
	"fmt"
	"strings"
	"testing"
)

type rec []string

func (r *rec) Event(e Event) {
	s := fmt.Sprintf("%s r%d s%d", e.Type, e.Round, e.Seat)
	if e.HasOutcome {
		s += fmt.Sprintf(" o%d", e.Outcome)
	}
	if e.Type == EventVote {
		s += fmt.Sprintf(" %v", e.Accept)
	}
	*r = append(*r, s)
}

// script plays actions in order, checking the phase and seat before each.
type step struct {
	phase Phase
	seat  int
	a     Action
}

func play(t *testing.T, p Protocol, n int, d Deadline, steps []step) (rec, Outcome) {
	t.Helper()
	var r rec
	if err := p.Reset(n, 100, d, &r); err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		tu := p.Next(0)
		if tu.Phase != s.phase || tu.Seat != s.seat {
			t.Fatalf("step %d: turn %s seat %d, want %s seat %d", i, tu.Phase, tu.Seat, s.phase, s.seat)
		}
		if err := p.Step(s.a); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if tu := p.Next(0); tu.Phase != PhaseDone {
		t.Fatalf("not done: %+v", tu)
	}
	return r, p.Result()
}

func TestSAOPThreeParties(t *testing.T) {
	// Party 0 offers 5; 1 accepts; 2 counters with 7 (resetting the
	// count); 0 and 1 accept 7: agreed in round 2.
	r, o := play(t, NewSAOP(), 3, Deadline{Rounds: 10}, []step{
		{PhaseOffer, 0, Offer(5)}, {PhaseRespond, 1, Accept}, {PhaseRespond, 2, Offer(7)},
		{PhaseRespond, 0, Accept}, {PhaseRespond, 1, Accept},
	})
	want := "offer r1 s0 o5|accept r1 s1 o5|offer r1 s2 o7|accept r2 s0 o7|accept r2 s1 o7|agreement r2 s-1 o7"
	if got := strings.Join(r, "|"); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	if !o.Agreed || o.Outcome != 7 || o.Round != 2 || o.Steps != 5 || o.Reason != Agreed {
		t.Errorf("outcome %+v", o)
	}
}

func TestSAOPDeadlineAndEnd(t *testing.T) {
	r, o := play(t, NewSAOP(), 2, Deadline{Rounds: 2}, []step{
		{PhaseOffer, 0, Offer(1)}, {PhaseRespond, 1, Offer(2)}, {PhaseRespond, 0, Offer(3)}, {PhaseRespond, 1, Offer(4)},
	})
	if o.Agreed || o.Reason != Expired || r[len(r)-1] != "deadline r2 s-1" {
		t.Errorf("%v %+v", r, o)
	}
	_, o = play(t, NewSAOP(), 2, Deadline{Rounds: 2}, []step{{PhaseOffer, 0, Offer(1)}, {PhaseRespond, 1, End}})
	if o.Agreed || o.Reason != WalkedOut || o.Seat != 1 {
		t.Errorf("%+v", o)
	}
}

func TestSAOPBadActions(t *testing.T) {
	p := NewSAOP()
	if err := p.Reset(2, 10, Deadline{Rounds: 3}, nil); err != nil {
		t.Fatal(err)
	}
	p.Next(0)
	if err := p.Step(Accept); err == nil {
		t.Error("accepting with no offer on the table")
	}
	if err := p.Step(Offer(10)); err == nil {
		t.Error("offer outside the space")
	}
	if err := p.Reset(1, 10, Deadline{Rounds: 3}, nil); err == nil {
		t.Error("one party")
	}
}

func TestAMOP(t *testing.T) {
	// Round 1: offers 1, 2; votes: 0 accepts both, 1 accepts only 2 -> 2 wins.
	r, o := play(t, NewAMOP(false), 2, Deadline{Rounds: 5}, []step{
		{PhaseOffer, 0, Offer(1)}, {PhaseOffer, 1, Offer(2)},
		{PhaseVote, 0, Accept}, {PhaseVote, 0, Accept}, {PhaseVote, 1, Reject}, {PhaseVote, 1, Accept},
	})
	if !o.Agreed || o.Outcome != 2 || o.Round != 1 {
		t.Errorf("%v %+v", r, o)
	}
	// Majority: three parties, two rounds; offer 6 gets 2 of 3 votes in
	// round 1, nothing better later: agreed on 6 at the deadline.
	vote := func(s int, a, b, c Action) []step {
		return []step{{PhaseVote, s, a}, {PhaseVote, s, b}, {PhaseVote, s, c}}
	}
	var steps []step
	steps = append(steps, step{PhaseOffer, 0, Offer(4)}, step{PhaseOffer, 1, Offer(5)}, step{PhaseOffer, 2, Offer(6)})
	steps = append(steps, vote(0, Accept, Reject, Accept)...)
	steps = append(steps, vote(1, Reject, Accept, Accept)...)
	steps = append(steps, vote(2, Reject, Reject, Reject)...)
	steps = append(steps, step{PhaseOffer, 0, Offer(4)}, step{PhaseOffer, 1, Offer(5)}, step{PhaseOffer, 2, Offer(7)})
	steps = append(steps, vote(0, Accept, Reject, Reject)...)
	steps = append(steps, vote(1, Reject, Accept, Reject)...)
	steps = append(steps, vote(2, Reject, Reject, Accept)...)
	r, o = play(t, NewAMOP(true), 3, Deadline{Rounds: 2}, steps)
	if !o.Agreed || o.Outcome != 6 || o.Reason != Expired || r[len(r)-1] != "agreement r2 s-1 o6" {
		t.Errorf("%v %+v", r[len(r)-2:], o)
	}
	_, o = play(t, NewAMOP(false), 3, Deadline{Rounds: 2}, steps)
	if o.Agreed {
		t.Errorf("plain AMOP agreed without unanimity: %+v", o)
	}
}

func TestMediated(t *testing.T) {
	var r rec
	p := NewMediated()
	if err := p.Reset(2, 100, Deadline{Rounds: 3}, &r); err != nil {
		t.Fatal(err)
	}
	do := func(ph Phase, seat int, a Action) Turn {
		t.Helper()
		tu := p.Next(0)
		if tu.Phase != ph || tu.Seat != seat {
			t.Fatalf("turn %+v, want %s seat %d", tu, ph, seat)
		}
		if err := p.Step(a); err != nil {
			t.Fatal(err)
		}
		return tu
	}
	do(PhasePropose, 2, Offer(10))
	if tu := do(PhaseVote, 0, Accept); tu.HasReference || tu.Outcome != 10 {
		t.Errorf("first vote %+v", tu)
	}
	do(PhaseVote, 1, Accept) // adopted
	do(PhasePropose, 2, Offer(11))
	if tu := do(PhaseVote, 0, Accept); !tu.HasReference || tu.Reference != 10 {
		t.Errorf("vote against the current text %+v", tu)
	}
	do(PhaseVote, 1, Reject)
	do(PhasePropose, 2, End)
	o := p.Result()
	if !o.Agreed || o.Outcome != 10 || o.Reason != Exhausted {
		t.Errorf("%v %+v", r, o)
	}
}

func TestDeadlineTime(t *testing.T) {
	d := Deadline{Rounds: 100}
	if got := d.T(1, 0); got != 1.0/101 {
		t.Errorf("T(1) = %v", got)
	}
	d = Deadline{Rounds: 100, Time: 10}
	if got := d.T(1, 5); got != 0.5 {
		t.Errorf("T = %v, want the later of the two clocks", got)
	}
	p := NewSAOP()
	p.Reset(2, 10, Deadline{Time: 10}, nil)
	if tu := p.Next(10); tu.Phase != PhaseDone || p.Result().Reason != Expired {
		t.Errorf("time deadline not enforced: %+v", tu)
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "saop, amop, amop-majority, mediated, shuttle") {
		t.Errorf("%v", err)
	}
	if _, err := Lookup("shutle"); err == nil || !strings.Contains(err.Error(), `did you mean "shuttle"`) {
		t.Errorf("%v", err)
	}
}

func TestStepAllocations(t *testing.T) {
	var sink nopSink
	p := NewSAOP()
	p.Reset(2, 10, Deadline{Rounds: 1 << 30}, sink)
	a := testing.AllocsPerRun(1000, func() {
		p.Next(0)
		p.Step(Offer(3))
	})
	if a != 0 {
		t.Errorf("%v allocations per step", a)
	}
}

type nopSink struct{}

func (nopSink) Event(Event) {}

func TestShuttle(t *testing.T) {
	// Round 1: the mediator proposes 5 to party 0 (accepts) and 6 to party
	// 1 (a new text resets the streak; accepts). Round 2: 6 to party 0
	// (accepts: 6 now has two consecutive accepts) -> joint session on 6;
	// party 1 rejects in the joint vote, so back to meetings: 7 to party 1
	// (rejects), then round 3: 7 to 0 (accepts), 7 to 1 (accepts) -> joint
	// session on 7, both accept: agreement in round 3.
	r, o := play(t, NewShuttle(), 2, Deadline{Rounds: 5}, []step{
		{PhasePropose, 2, Offer(5)}, {PhaseVote, 0, Accept},
		{PhasePropose, 2, Offer(6)}, {PhaseVote, 1, Accept},
		{PhasePropose, 2, Offer(6)}, {PhaseVote, 0, Accept},
		{PhaseVote, 0, Accept}, {PhaseVote, 1, Reject},
		{PhasePropose, 2, Offer(7)}, {PhaseVote, 1, Reject},
		{PhasePropose, 2, Offer(7)}, {PhaseVote, 0, Accept},
		{PhasePropose, 2, Offer(7)}, {PhaseVote, 1, Accept},
		{PhaseVote, 0, Accept}, {PhaseVote, 1, Accept},
	})
	want := "propose r1 s2 o5|vote r1 s0 o5 true|propose r1 s2 o6|vote r1 s1 o6 true|propose r2 s2 o6|vote r2 s0 o6 true|joint r2 s-1 o6|" +
		"vote r2 s0 o6 true|vote r2 s1 o6 false|propose r2 s2 o7|vote r2 s1 o7 false|propose r3 s2 o7|vote r3 s0 o7 true|propose r3 s2 o7|vote r3 s1 o7 true|joint r3 s-1 o7|" +
		"vote r3 s0 o7 true|vote r3 s1 o7 true|agreement r3 s-1 o7"
	if got := strings.Join(r, "|"); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	if !o.Agreed || o.Outcome != 7 || o.Round != 3 || o.Reason != Agreed {
		t.Errorf("outcome %+v", o)
	}
}

func TestShuttleTurnsAndPrivacy(t *testing.T) {
	p := NewShuttle()
	var evs []Event
	sink := sinkFunc(func(e Event) { evs = append(evs, e) })
	if err := p.Reset(2, 10, Deadline{Rounds: 1}, sink); err != nil {
		t.Fatal(err)
	}
	tu := p.Next(0)
	if tu.Phase != PhasePropose || !tu.Bilateral || tu.With != 0 || tu.Seat != 2 {
		t.Fatalf("first turn %+v", tu)
	}
	p.Step(Offer(3))
	if tu = p.Next(0); tu.Phase != PhaseVote || !tu.Bilateral || tu.With != 0 || tu.Seat != 0 || tu.HasReference {
		t.Fatalf("vote turn %+v", tu)
	}
	p.Step(Reject)
	if !evs[0].Private || evs[0].With != 0 || !evs[1].Private || evs[1].With != 0 {
		t.Errorf("bilateral events not private: %+v", evs)
	}
	p.Next(0)
	p.Step(Offer(3))
	p.Next(0)
	p.Step(Reject)
	if o := p.Result(); o.Reason != Expired || o.Round != 1 {
		t.Errorf("deadline after the last meeting of round 1: %+v", o)
	}
}

func TestShuttleJointBlocked(t *testing.T) {
	p := &Shuttle{JointBlocked: true}
	r, o := play(t, p, 2, Deadline{Rounds: 5}, []step{
		{PhasePropose, 2, Offer(4)}, {PhaseVote, 0, Accept},
		{PhasePropose, 2, Offer(4)}, {PhaseVote, 1, Accept},
	})
	if o.Agreed || o.Reason != NoMeeting || r[len(r)-1] != "no_meeting r1 s-1 o4" {
		t.Errorf("%v %+v", r, o)
	}
}

func TestDeadlineOffset(t *testing.T) {
	// A phase that opens after round 3 of a 5-round deadline starts in
	// round 4 with the session's clock and has two rounds.
	d := Deadline{Rounds: 5, Offset: 3}
	for _, p := range []Protocol{NewSAOP(), NewAMOP(false), NewMediated(), NewShuttle()} {
		if err := p.Reset(2, 10, d, nil); err != nil {
			t.Fatal(err)
		}
		rounds := map[int]bool{}
		for {
			tu := p.Next(0)
			if tu.Phase == PhaseDone {
				break
			}
			rounds[tu.Round] = true
			if tu.Round == 4 && tu.T != 4.0/6 {
				t.Errorf("%s: t = %v in round 4", p.Name(), tu.T)
			}
			var a Action
			switch tu.Phase {
			case PhaseOffer, PhaseRespond, PhasePropose:
				a = Offer(uint64(tu.Seat))
			default:
				a = Reject
			}
			if err := p.Step(a); err != nil {
				t.Fatal(err)
			}
		}
		if len(rounds) != 2 || !rounds[4] || !rounds[5] || p.Result().Reason != Expired {
			t.Errorf("%s: rounds %v, %+v", p.Name(), rounds, p.Result())
		}
	}
	if err := (Deadline{Rounds: 5, Offset: 5}).Validate(); err == nil {
		t.Error("an offset that leaves no round is accepted")
	}
}

type sinkFunc func(Event)

func (f sinkFunc) Event(e Event) { f(e) }
