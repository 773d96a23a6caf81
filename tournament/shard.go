package tournament

import (
	"path/filepath"
	"slices"
)

// A distributed run (tournament/cluster) cuts a plan into shards, ranges
// of consecutive sessions that workers on other machines play with Run
// (Options.First and End) and send back encoded as the store keeps them.

// Shard is the sessions First ≤ i < End of a plan.
type Shard struct {
	First uint64 `json:"first"`
	End   uint64 `json:"end"`
}

// Sessions is the number of sessions of the shard.
func (s Shard) Sessions() uint64 { return s.End - s.First }

// ShardFailure is a shard that no worker could play: taken Deliveries
// times, each ending without its results (the worker's error, or the
// worker stopped). Its sessions are not recorded; running the tournament
// again plays them.
type ShardFailure struct {
	Shard
	Deliveries int    `json:"deliveries"`
	Reason     string `json:"reason"`
}

// Shards calls fn with the shards of sessions first ≤ i < p.Total, in
// order: as Run cuts chunks, of at most size sessions in whole rows of row
// sessions (the store's: Sink.RowLength), shrinking towards the end so that
// workers run out of work together, and a line-up with an outside seat
// never shares a shard with another line-up (its worker keeps the agents'
// processes for the shard). A shard of an outside line-up longer than size
// is cut into several. fn returning false stops the walk.
func (p *Plan) Shards(first, size uint64, row int, fn func(Shard) bool) {
	c := newChunking(row)
	if size > 0 {
		c.size = max(size/c.row*c.row, min(size, c.row))
	}
	agents := p.Agents()
	for lo := first; lo < p.Total; {
		hi := lo + c.next(p.Total-lo, 1)
		if agents {
			hi = p.agentChunk(lo, hi)
			hi = min(hi, lo+max(c.size, 1))
		}
		if !fn(Shard{lo, hi}) {
			return
		}
		lo = hi
	}
}

// PlayedHere reports whether the sessions of shard sh (one of Shards) are
// played where the plan was made, not by workers elsewhere: its line-up
// has a remote: seat, whose one agent is connected to this process and
// plays one session at a time wherever the session runs.
func (p *Plan) PlayedHere(sh Shard) bool {
	one := p.Spec.oneAtATime()
	if one == nil || sh.End <= sh.First || sh.First >= p.Total {
		return false
	}
	if p.Spec.Mediator != "" && one[len(p.Spec.Negotiators)] {
		return true
	}
	s := p.Session(sh.First)
	for _, n := range p.Assignment(s.Scenario, s.Assignment, nil) {
		if one[n] {
			return true
		}
	}
	return false
}

// Placed returns a copy of s that plays the given scenarios, in plan
// order, with outside seats run in dir: how a worker of a distributed run
// plays the coordinator's spec with the scenario files it was sent
// (scenarios holds the path of each, as NewPlan expanded them on the
// coordinator's machine, with no patterns or exclusions left) and the
// agents' programs of its own machine. name is the tournament's name.
func (s *Spec) Placed(name string, scenarios []string, dir string) *Spec {
	c := *s
	c.Name = name
	c.Scenarios = slices.Clone(scenarios)
	c.Exclude = nil
	c.dir = filepath.Clean(dir)
	return &c
}

// ScenarioPaths are the paths of the plan's scenarios, in plan order, as
// they can be opened from the current folder (the spec's paths joined to
// its folder).
func (p *Plan) ScenarioPaths() []string {
	out := make([]string, len(p.Scenarios))
	for i, ps := range p.Scenarios {
		out[i] = resolve(p.Spec.dir, filepath.FromSlash(ps.Path))
	}
	return out
}
