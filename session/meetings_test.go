package session

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parleyhq/parley/protocol"
)

// summitRun plays conceder against conceder for 20 rounds on
// testdata/summit.yaml, edited, and returns the result and its summary.
// As in truce.yaml, they agree on the partial truce in round 7; the
// settlement is signed at once in round 8: half the land and a summit,
// which the truce in force allows.
func summitRun(t *testing.T, edit func(*Config)) (Result, string) {
	t.Helper()
	cfg := Config{Scenario: loadTestdata(t, "summit.yaml"), Negotiators: []string{"conceder"}, Deadline: protocol.Deadline{Rounds: 20}}
	if edit != nil {
		edit(&cfg)
	}
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSummary(0)
	r.cfg.OnEvent = func(e protocol.Event) { s.Observe(r, e) }
	r.cfg.OnNote = s.Note
	if _, err := r.Play(cfg.Seed); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	return r.Result(), b.String()
}

func meeting(res Result, id string) Meeting {
	for _, m := range res.Meetings {
		if m.ID == id {
			return m
		}
	}
	return Meeting{}
}

// TestMeetingsMatter (issue 16, finding 3): a summit that is a term of
// the deal and a signing that gates the settlement. With the truce in
// force the summit is on the table and the deal includes it; the signing
// takes place and the settlement binds.
func TestMeetingsMatter(t *testing.T) {
	res, text := summitRun(t, nil)
	if res.Status != StatusAgreed || outcomeString(res) != "ceasefire=partial land=part summit=yes" || res.Round != 8 || res.Phases[0].EndRound != 7 {
		t.Fatalf("%s: %s in round %d\n%s", res.Status, outcomeString(res), res.Round, text)
	}
	if m := meeting(res, "leaders"); !m.Held || !m.Possible || m.Term != "summit = A summit" || m.Judged != "when phase settlement opened" || m.Round != 8 {
		t.Errorf("leaders: %+v", m)
	}
	if m := meeting(res, "signing"); !m.Held || m.Signs != "settlement" || m.Judged != "when phase settlement was about to close" {
		t.Errorf("signing: %+v", m)
	}
	for _, line := range []string{
		"Meeting leaders (ua, ru) is a term of the deal: summit = A summit; judged when its phase opens.\n",
		"Meeting leaders takes place: the deal includes summit = A summit.\n",
		"Meeting signing takes place in round 8: phase settlement is signed there.\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("summary lacks %q:\n%s", line, text)
		}
	}
}

// TestMeetingNeedsTheState: without a truce in force (ua, too, prefers
// no ceasefire) the summit cannot take place: its term is off the table,
// and no line says it takes place beside a deal without it.
func TestMeetingNeedsTheState(t *testing.T) {
	res, text := summitRun(t, func(c *Config) {
		c.Scenario.Parties[0].Prefs.Values[0].Values = []float64{0, 0.5, 1}
	})
	if res.Phases[0].Outcome[0].Value != "none" || res.Agreement == nil {
		t.Fatalf("phases %+v, deal %v", res.Phases, res.Agreement)
	}
	if res.Agreement["summit"] != "No summit" {
		t.Errorf("the deal has %q, though the summit could not take place", res.Agreement["summit"])
	}
	m := meeting(res, "leaders")
	if m.Held || m.Possible || m.NeedsMet || m.Reason() != "it needs ceasefire = Ceasefire now or The killing stops agreed and in force" {
		t.Errorf("leaders: %+v (%s)", m, m.Reason())
	}
	if strings.Contains(text, "Meeting leaders takes place") || !strings.Contains(text, "Meeting leaders could not take place (it needs ceasefire = Ceasefire now or The killing stops agreed and in force; judged when phase settlement opened): summit = A summit was off the table.") {
		t.Errorf("summary:\n%s", text)
	}
}

// TestMeetingTermNotInDeal: when ru would rather have no summit, the deal
// leaves it out and the summary says the meeting does not take place,
// never that it does beside a deal saying "No summit".
func TestMeetingTermNotInDeal(t *testing.T) {
	res, text := summitRun(t, func(c *Config) {
		c.Scenario.Parties[1].Prefs.Values[2].Values = []float64{0, 1}
	})
	if res.Agreement["summit"] != "No summit" || !meeting(res, "leaders").Possible || meeting(res, "leaders").Held {
		t.Fatalf("deal %v, leaders %+v", res.Agreement, meeting(res, "leaders"))
	}
	if strings.Contains(text, "leaders takes place") || !strings.Contains(text, "Meeting leaders does not take place: the deal does not include summit = A summit.") {
		t.Errorf("summary:\n%s", text)
	}
}

// TestMeetingGatesPhase: when ru will not come to the signing, the
// settlement the parties agree cannot be signed: the phase fails, and each
// party falls back on the status quo with the standing truce. A declined
// meeting no longer leaves the session as it was.
func TestMeetingGatesPhase(t *testing.T) {
	res, text := summitRun(t, func(c *Config) {
		c.Scenario.Meetings[1].Accept = []string{"always", "never"}
	})
	if res.Status != StatusFailedPhase || res.FailedPhase != "settlement" || res.End != "meeting signing does not take place" || res.Round != 8 || res.Phases[0].EndRound != 7 {
		t.Fatalf("%s at %q: %s in round %d\n%s", res.Status, res.FailedPhase, res.End, res.Round, text)
	}
	if m := meeting(res, "signing"); m.Held || m.Reason() != "ru declined: never meets" {
		t.Errorf("signing: %+v", m)
	}
	// ua: the status quo with the partial truce, 0.2 + 0.25 = 0.45, loses
	// 0.005 a round for 20 rounds, and pays 0.01 for 7 rounds and 0.005
	// for 13 under the standing truce.
	if u := res.Parties[0].Utility; !near(u, 0.45-0.1-0.07-0.065) {
		t.Errorf("ua gets %v", u)
	}
	if !strings.Contains(text, "Meeting signing does not take place in round 8 (ru declined: never meets): phase settlement cannot be signed.") {
		t.Errorf("summary:\n%s", text)
	}
}

// TestPackageKeepsMeetings: all at once, nothing is in force before the
// deal: the summit is off the table, and the package is signed at the
// signing the settlement was.
func TestPackageKeepsMeetings(t *testing.T) {
	res, _ := summitRun(t, func(c *Config) { c.Scenario = c.Scenario.Package() })
	if len(res.Phases) != 1 || res.Phases[0].ID != "package" {
		t.Fatalf("phases %+v", res.Phases)
	}
	if m := meeting(res, "leaders"); m.Possible || m.NeedsMet {
		t.Errorf("leaders in the package: %+v", m)
	}
	if res.Agreed && res.Agreement["summit"] != "No summit" {
		t.Errorf("the package has %q", res.Agreement["summit"])
	}
	if m := meeting(res, "signing"); res.Agreed != m.Held || m.Signs != "package" {
		t.Errorf("signing: %+v, agreed %v", m, res.Agreed)
	}
}
