package analysis

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
	// Seed seeds the sampling (math/rand/v2 PCG), so estimates are
	// reproducible.
	Seed uint64
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
