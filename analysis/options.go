package analysis

import "github.com/parleyhq/parley/budget"

// DefaultMaxChecks bounds the dominance checks of one Pareto frontier
// unless Options says otherwise: tens of seconds of work, 200 times what
// the largest frontier among the ANAC and Genius domains needs (5.5
// million, ANAC2016 EnergyGrid, 3 parties), but not enough for an
// adversary's (50 parties, or issues that parties rank in opposite
// orders), which run for minutes to hours.
const DefaultMaxChecks = 1_000_000_000

// Options tune an analysis; the zero value gives the documented defaults.
type Options struct {
	// Listed is how many outcomes each point lists: the first ones in
	// enumeration order. 0 means DefaultListed (10); at most 1000.
	Listed int
	// ZopaBudget bounds the work of the exact zone-of-agreement count in
	// spaces larger than outcome.DefaultEnumerationLimit, in search nodes;
	// past it the count is estimated by sampling. 0 means 5,000,000 (about
	// half a second).
	ZopaBudget int
	// ZopaSamples is the number of outcomes sampled when the count is
	// estimated. 0 means 1,000,000.
	ZopaSamples int
	// FrontierSamples is the number of outcomes sampled when the exact
	// frontier of utilities with terms passes MaxChecks. 0 means
	// DefaultFrontierSamples (1,000,000).
	FrontierSamples int
	// Seed seeds the sampling (math/rand/v2 PCG), so estimates are
	// reproducible.
	Seed uint64
	// Budget, if set, bounds the costly steps (frontier, zone count, the
	// Genius cutoff): its context stops them, its memory ceiling refuses
	// a step whose estimate passes it, and its callback hears their
	// progress. Stops are *budget.Exceeded errors.
	Budget *budget.Budget
	// MaxChecks bounds the dominance checks of each Pareto frontier, the
	// work that grows with the frontier's size (20–50 ns each): a
	// deterministic stop, the same on every machine; an issue whose
	// foreseen checks pass it is refused before it starts. 0 means
	// DefaultMaxChecks; negative, no limit (leave it to the Budget).
	MaxChecks int64
}

func (o Options) maxChecks() int64 {
	switch {
	case o.MaxChecks == 0:
		return DefaultMaxChecks
	case o.MaxChecks < 0:
		return 0
	}
	return o.MaxChecks
}

func (o Options) listed() int {
	switch {
	case o.Listed <= 0:
		return DefaultListed
	case o.Listed > maxListed:
		return maxListed
	}
	return o.Listed
}

func (o Options) zopaBudget() int {
	if o.ZopaBudget <= 0 {
		return 5_000_000
	}
	return o.ZopaBudget
}

func (o Options) zopaSamples() int {
	if o.ZopaSamples <= 0 {
		return 1_000_000
	}
	return o.ZopaSamples
}
