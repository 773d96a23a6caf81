package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag/yamlpos"
	"github.com/parleyhq/parley/utility"
)

// RatificationDef is how a party's constituency ratifies a deal: one body
// (a mapping, as parley has always read it) or, written as a list, several
// bodies that must all pass it (a parliament and a referendum). A body's
// voters may have preferences of their own (weights and values: a
// constituency utility) and may vote in parts (communities) whose consent
// counts besides the overall share.
type RatificationDef struct {
	Body        string                       `yaml:"body,omitempty" json:"body,omitempty" jsonschema_description:"Who votes: referendum, parliament, ..."`
	When        Match                        `yaml:"when,omitempty" json:"when,omitempty" jsonschema_description:"A vote is required only for deals matching this; always when absent."`
	Threshold   *Number                      `yaml:"threshold,omitempty" json:"threshold,omitempty" jsonschema_description:"Share of yes votes needed (default 0.5; 2/3 for a supermajority)."`
	Support     map[string]map[string]Number `yaml:"support,omitempty" json:"support,omitempty" jsonschema_description:"Issue id to option id to the share of voters who accept that option."`
	Voters      *VotersDef                   `yaml:"voters,omitempty" json:"voters,omitempty"`
	Uncertainty *Number                      `yaml:"uncertainty,omitempty" json:"uncertainty,omitempty" jsonschema_description:"Standard deviation of the yes share around its prediction (default 0.05)."`

	// Weights and Values are the voters' own preferences (a constituency
	// utility): with them, voters judge a deal by their utility, not the
	// leader's (voters: then describes their reservations).
	Weights map[string]Number   `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"The voters' own weights (issue id to weight, summing to 1): they judge a deal by their utility, not the party's; needs voters."`
	Values  map[string]ValueDef `yaml:"values,omitempty" json:"values,omitempty" jsonschema_description:"The voters' own value functions, with weights."`
	// Communities are the parts the electorate votes in; the body's yes
	// share is their weighted mean.
	Communities    []CommunityDef     `yaml:"communities,omitempty" json:"communities,omitempty" jsonschema_description:"The parts of the electorate (regions, cantons, communities), each with its weight and its own voters; the body's yes share is their weighted mean."`
	DoubleMajority *DoubleMajorityDef `yaml:"double_majority,omitempty" json:"double_majority,omitempty" jsonschema_description:"Besides the overall share, at least this share of the communities must each pass (a majority of the cantons)."`
	CrossCommunity bool               `yaml:"cross_community,omitempty" json:"cross_community,omitempty" jsonschema_description:"Besides the overall share, every community must pass (parallel consent)."`

	// Bodies are the bodies when the file gives a list; the fields above
	// are then unused.
	Bodies []RatificationDef `json:"-"`
}

// CommunityDef is one part of a body's electorate.
type CommunityDef struct {
	ID        string                       `yaml:"id" json:"id"`
	Name      string                       `yaml:"name,omitempty" json:"name,omitempty"`
	Weight    Number                       `yaml:"weight" json:"weight" jsonschema_description:"Its share of the electorate; the communities' weights sum to 1."`
	Threshold *Number                      `yaml:"threshold,omitempty" json:"threshold,omitempty" jsonschema_description:"The yes share it must reach to consent (default: the body's threshold)."`
	Support   map[string]map[string]Number `yaml:"support,omitempty" json:"support,omitempty" jsonschema_description:"Issue id to option id to the share of its voters who accept that option."`
	Voters    *VotersDef                   `yaml:"voters,omitempty" json:"voters,omitempty"`
	Weights   map[string]Number            `yaml:"weights,omitempty" json:"weights,omitempty" jsonschema_description:"Its voters' own weights (needs voters)."`
	Values    map[string]ValueDef          `yaml:"values,omitempty" json:"values,omitempty"`
	Source    *Citation                    `yaml:"source,omitempty" json:"source,omitempty"`
}

// DoubleMajorityDef asks, besides the overall yes share, for at least
// Share of the communities to pass each (Switzerland's majority of the
// cantons: 0.5).
type DoubleMajorityDef struct {
	Share Number `yaml:"share" json:"share" jsonschema_description:"The share of the communities, by number, that must each pass, in (0, 1]."`
}

type ratificationFields RatificationDef // without its methods, for decoding

var ratificationDefType = reflect.TypeOf(RatificationDef{})

// UnmarshalYAML reads one body (a mapping) or a list of bodies.
func (d *RatificationDef) UnmarshalYAML(node ast.Node) error {
	seq, ok := unwrap(node).(*ast.SequenceNode)
	if !ok {
		var f ratificationFields
		if err := decodeNode(node, &f); err != nil {
			return err
		}
		*d = RatificationDef(f)
		d.Bodies = nil
		return nil
	}
	*d = RatificationDef{Bodies: []RatificationDef{}}
	for _, e := range seq.Values {
		if _, isSeq := unwrap(e).(*ast.SequenceNode); isSeq {
			return fmt.Errorf("a ratifying body is a mapping {body, threshold, ...}, found a list")
		}
		var b RatificationDef
		if err := b.UnmarshalYAML(e); err != nil {
			return err
		}
		d.Bodies = append(d.Bodies, b)
	}
	return nil
}

// MarshalYAML writes one body as a mapping, several as a list.
func (d RatificationDef) MarshalYAML() (any, error) {
	if d.Bodies != nil {
		return d.Bodies, nil
	}
	return ratificationFields(d), nil
}

// walkRatification checks a ratification: one body, or a list of them.
func (w *walker) walkRatification(n ast.Node, path, what string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		w.walk(n, reflect.TypeOf(ratificationFields{}), path, what)
		return
	}
	for i, e := range seq.Values {
		p := fmt.Sprintf("%s[%d]", path, i)
		if _, isSeq := unwrap(e).(*ast.SequenceNode); isSeq {
			w.errs.Add(yamlpos.Of(w.file, e), "%s must be a mapping {body, threshold, ...}, found a list", p)
			continue
		}
		w.walk(e, reflect.TypeOf(ratificationFields{}), p, p)
	}
}

// pendingVoters is a constituency utility to compile once the guarantees
// are known (UtilityOf discounts them for the voters as for their party).
type pendingVoters struct {
	party int
	e     *utility.Electorate
	prefs Preferences
}

// ratification resolves a party's ratification: one body as parley has
// always read it (messages and paths unchanged), or a list of bodies.
func (v *validator) ratification(d *RatificationDef, p, party string, s *Scenario) *utility.Ratification {
	what := fmt.Sprintf("the ratification of %q", party)
	if d.Bodies == nil {
		r := &utility.Ratification{Bodies: make([]utility.Body, 1)}
		v.body(d, p, what, party, s, &r.Bodies[0])
		return r
	}
	if len(d.Bodies) == 0 {
		v.errorf(p, "%s lists no body; give at least one, or leave ratification out", what)
		return nil
	}
	r := &utility.Ratification{Bodies: make([]utility.Body, len(d.Bodies))}
	names := map[string]int{}
	for k := range d.Bodies {
		bp := fmt.Sprintf("%s[%d]", p, k)
		b := &d.Bodies[k]
		name := strings.TrimSpace(b.Body)
		switch j, dup := names[name]; {
		case name == "":
			v.errorf(bp, "body %d of %s needs a name (body: parliament, referendum, ...): results name each vote by it", k+1, what)
		case dup:
			v.errorf(join(bp, "body"), "%s has two bodies named %q (%d and %d); name each once", what, name, j+1, k+1)
		}
		names[name] = k
		v.body(b, bp, fmt.Sprintf("the %s of %q", orWord(name, fmt.Sprintf("body %d", k+1)), party), party, s, &r.Bodies[k])
	}
	return r
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// body resolves one ratifying body into b.
func (v *validator) body(d *RatificationDef, p, what, party string, s *Scenario, b *utility.Body) {
	*b = utility.Body{Name: d.Body, Threshold: DefaultThreshold, Uncertainty: DefaultUncertainty}
	if d.When != nil {
		b.When = v.match(d.When, join(p, "when"), what+" (when)", s)
	}
	if d.Threshold != nil {
		b.Threshold = v.number(*d.Threshold, join(p, "threshold"), "the threshold of "+what, 0, 1)
	} else {
		v.defaulted(join(p, "threshold"), ftoa(DefaultThreshold), "the yes share that %s needs (a simple majority)", what)
	}
	if d.Uncertainty != nil {
		b.Uncertainty = v.number(*d.Uncertainty, join(p, "uncertainty"), "the uncertainty of "+what, 0, 1)
	} else {
		v.defaulted(join(p, "uncertainty"), ftoa(DefaultUncertainty), "the polling error of %s: the spread of the yes share around its prediction", what)
	}
	if d.Communities == nil {
		if d.DoubleMajority != nil || d.CrossCommunity {
			v.errorf(p, "%s asks for the consent of communities but has none: give communities: [{id, weight, support | voters}]", what)
		}
		if len(d.Support) == 0 && d.Voters == nil && len(d.Weights) == 0 && len(d.Values) == 0 {
			v.errorf(p, "%s has no constituency: give support (share of voters accepting each option) or voters (mean and sd of their reservation utilities)", what)
			return
		}
		v.electorate(d.Support, d.Voters, d.Weights, d.Values, p, what, party, s, &b.Electorate)
		return
	}
	if len(d.Support) > 0 || d.Voters != nil || len(d.Weights) > 0 || len(d.Values) > 0 {
		v.errorf(p, "%s votes in communities, so its voters are theirs: move support, voters, weights and values into each community", what)
	}
	v.communities(d, p, what, party, s, b)
}

// communities resolves a body's communities and the consent it needs.
func (v *validator) communities(d *RatificationDef, p, what, party string, s *Scenario, b *utility.Body) {
	if len(d.Communities) < 2 {
		v.errorf(join(p, "communities"), "%s votes in %d community; give at least two, or leave communities out", what, len(d.Communities))
	}
	switch {
	case d.DoubleMajority != nil && d.CrossCommunity:
		v.errorf(join(p, "cross_community"), "%s asks for both a double majority and cross-community consent; cross-community consent is every community, so give one", what)
	case d.CrossCommunity:
		b.Need = 1
	case d.DoubleMajority != nil:
		b.Need = v.number(d.DoubleMajority.Share, join(p, "double_majority.share"), "the share of communities "+what+" needs", 0, 1)
		if b.Need == 0 {
			v.errorf(join(p, "double_majority.share"), "the share of communities %s needs is 0; leave double_majority out for none", what)
		}
	}
	b.Communities = make([]utility.Community, len(d.Communities))
	ids := map[string]bool{}
	sum := 0.0
	for k := range d.Communities {
		cd := &d.Communities[k]
		cp := fmt.Sprintf("%s.communities[%d]", p, k)
		cwhat := fmt.Sprintf("community %q of %s", cd.ID, what)
		switch {
		case strings.TrimSpace(cd.ID) == "":
			v.errorf(cp, "community %d of %s needs an id", k+1, what)
		case ids[cd.ID]:
			v.errorf(join(cp, "id"), "community %q appears twice in %s", cd.ID, what)
		}
		ids[cd.ID] = true
		if cd.Source != nil {
			v.citation(*cd.Source, join(cp, "source"))
		}
		c := &b.Communities[k]
		c.ID = cd.ID
		c.Weight = v.number(cd.Weight, join(cp, "weight"), "the weight of "+cwhat, 0, 1)
		sum += c.Weight
		c.Threshold = b.Threshold
		if cd.Threshold != nil {
			c.Threshold = v.number(*cd.Threshold, join(cp, "threshold"), "the threshold of "+cwhat, 0, 1)
		}
		if len(cd.Support) == 0 && cd.Voters == nil && len(cd.Weights) == 0 && len(cd.Values) == 0 {
			v.errorf(cp, "%s has no voters: give support or voters", cwhat)
			continue
		}
		v.electorate(cd.Support, cd.Voters, cd.Weights, cd.Values, cp, cwhat, party, s, &c.Electorate)
	}
	if finite(sum) && math.Abs(sum-1) > WeightSumTolerance {
		v.errorf(join(p, "communities"), "the weights of the communities of %s sum to %s; they are shares of the electorate and must sum to 1", what, ftoa(sum))
	}
}

// electorate resolves who votes and how they judge a deal: support shares
// per option, and voters' reservations, about the party's utility or,
// with weights and values, about their own.
func (v *validator) electorate(support map[string]map[string]Number, voters *VotersDef, weights map[string]Number, values map[string]ValueDef, p, what, party string, s *Scenario, e *utility.Electorate) {
	if len(support) > 0 {
		e.Support = make([][]float64, len(s.Issues))
		for _, id := range sortedKeys(support) {
			sp := join(join(p, "support"), id)
			i := s.IssueIndex(id)
			if i < 0 {
				v.errorf(sp, "%s gives support for unknown issue %q; issues are %s", what, id, v.issueIDs(s))
				continue
			}
			is := &s.Issues[i]
			if is.Kind != Discrete {
				v.errorf(sp, "%s gives support per option, but issue %q has no options", what, id)
				continue
			}
			row := make([]float64, is.Size())
			var missing []string
			for _, o := range sortedKeys(support[id]) {
				if is.Lookup(o) < 0 {
					v.errorf(join(sp, o), "%s names %q, which is not an option of %q (%s)", what, o, id, optionIDs(is))
				}
			}
			for j, o := range is.Options {
				n, ok := support[id][o.ID]
				if !ok {
					missing = append(missing, o.ID)
					continue
				}
				row[j] = v.number(n, join(sp, o.ID), fmt.Sprintf("the support for %q in %s", o.ID, what), 0, 1)
			}
			if len(missing) > 0 {
				v.errorf(sp, "%s gives no support share for option(s) %s of %q", what, strings.Join(missing, ", "), id)
			}
			e.Support[i] = row
		}
	}
	if voters != nil {
		e.VoterMean = v.number(voters.Mean, join(p, "voters.mean"), "the voters' mean reservation in "+what, 0, 1)
		e.VoterSD = v.number(voters.SD, join(p, "voters.sd"), "the voters' spread in "+what, 0, 1)
		if e.VoterSD == 0 {
			v.errorf(join(p, "voters.sd"), "the voters' spread in %s must be above 0", what)
		}
	}
	if len(weights) == 0 && len(values) == 0 {
		return
	}
	if voters == nil {
		v.errorf(p, "%s gives its voters their own weights and values but no voters: {mean, sd}: the share of them whose own reservation a deal reaches is its yes share", what)
	}
	if len(weights) == 0 {
		v.errorf(join(p, "values"), "%s gives its voters values but no weights", what)
		return
	}
	zero := N(0)
	pr := v.prefs(PartyDef{ID: fmt.Sprintf("the voters in %s", what), Weights: weights, Values: values, Reservation: &zero}, p, s)
	v.voters = append(v.voters, pendingVoters{party: s.PartyIndex(party), e: e, prefs: pr})
}

// compileVoters gives every constituency with preferences of its own its
// utility, once the guarantees are known: the voters discount what their
// party's guarantors promise as the party does.
func (v *validator) compileVoters(s *Scenario) {
	for _, pv := range v.voters {
		if pv.party < 0 || len(v.errs) > 0 {
			continue
		}
		pa := Party{Prefs: pv.prefs}
		pv.e.Utility = s.UtilityOf(pv.party, &pa)
		pv.e.Utility.RedLines = nil // voters judge by utility; red lines are the party's
	}
	v.voters = nil
}
