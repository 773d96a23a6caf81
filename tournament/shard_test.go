package tournament

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestShards: a plan's shards cover its sessions once, in order, each at
// most the size asked in whole rows (but for the last ones); a line-up
// with an outside seat has shards of its own; and PlayedHere marks
// exactly the shards of the line-ups with a remote: seat.
func TestShards(t *testing.T) {
	laptop := filepath.Join(domainsDir(t), "ANAC2011_Laptop")
	plan := func(negotiators string) *Plan {
		path := filepath.Join(t.TempDir(), "spec.yaml")
		text := fmt.Sprintf("scenarios: [%s]\nnegotiators: %s\nrotation: distinct\nrepetitions: 10\n", laptop, negotiators)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := LoadSpecWith(path, remoteDialer)
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewPlan(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The last negotiator is a program (this test's binary).
	p := plan(fmt.Sprintf("[remote:a, boulware, conceder, %q]", "cmd:"+os.Args[0]))
	if p.Total != 12*10 {
		t.Fatalf("%d sessions", p.Total)
	}
	for _, size := range []uint64{4, 7, 25, 4096} {
		next, here := uint64(0), 0
		p.Shards(0, size, 4, func(sh Shard) bool {
			if sh.First != next || sh.End <= sh.First || sh.Sessions() > max(size, 4) {
				t.Fatalf("size %d: shard %+v after session %d", size, sh, next)
			}
			next = sh.End
			// One line-up per shard: line-ups are 10 sessions.
			if sh.First/10 != (sh.End-1)/10 {
				t.Fatalf("size %d: shard %+v holds two line-ups", size, sh)
			}
			a := p.Assignment(0, sh.First/10, nil)
			remote := slices.Contains(a, 0)
			if p.PlayedHere(sh) != remote {
				t.Errorf("size %d: shard %+v (negotiators %v) played here: %v", size, sh, a, p.PlayedHere(sh))
			}
			if remote {
				here += int(sh.Sessions())
			}
			return true
		})
		if next != p.Total || here != 6*10 {
			t.Errorf("size %d: shards end at %d, %d sessions played here", size, next, here)
		}
	}
	// Without remote seats nothing is played here.
	b := plan(fmt.Sprintf("[boulware, conceder, %q]", "cmd:"+os.Args[0]))
	b.Shards(0, 7, 4, func(sh Shard) bool {
		if b.PlayedHere(sh) {
			t.Errorf("shard %+v of a plan without remote seats is played here", sh)
		}
		return true
	})
}
