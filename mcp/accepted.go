package mcp

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/analysis"
	"github.com/parleyhq/parley/internal/suggest"
	"github.com/parleyhq/parley/outcome"
	"github.com/parleyhq/parley/scenario"
	"github.com/parleyhq/parley/utility"
)

// AcceptedInput is list_accepted_outcomes's input.
type AcceptedInput struct {
	Source
	Parties []string `json:"parties,omitempty" jsonschema:"The parties whose acceptance counts, by id; empty means every negotiating party (a mediator is never a party to a deal)."`
	Limit   int      `json:"limit,omitempty" jsonschema:"The most deals listed."`
	Order   string   `json:"order,omitempty" jsonschema:"welfare: the largest sum of every party's utility first; space: the order of the outcome space (the first issue's values change fastest)."`
}

// AcceptedOutput is list_accepted_outcomes's result.
type AcceptedOutput struct {
	Parties   []string          `json:"parties" jsonschema:"the parties whose acceptance counts"`
	Outcomes  uint64            `json:"outcomes" jsonschema:"the number of deals in the space"`
	Count     uint64            `json:"count" jsonschema:"the number of deals every one of the parties accepts"`
	Listed    []AcceptedOutcome `json:"listed" jsonschema:"the deals listed, at most limit"`
	Truncated bool              `json:"truncated" jsonschema:"more deals are accepted than are listed"`
	Note      string            `json:"note,omitempty" jsonschema:"what was left out, when truncated"`
}

// AcceptedOutcome is one deal the parties accept.
type AcceptedOutcome struct {
	Outcome    map[string]string  `json:"outcome" jsonschema:"issue id to value label"`
	Utilities  map[string]float64 `json:"utilities" jsonschema:"every negotiating party's utility of the deal"`
	Welfare    float64            `json:"welfare" jsonschema:"the sum of every negotiating party's utility"`
	AcceptedBy []string           `json:"accepted_by" jsonschema:"every negotiating party that accepts the deal, the given ones and any other"`
}

func (s *Server) accepted(ctx context.Context, in AcceptedInput) (*AcceptedOutput, string, error) {
	if in.Limit < 1 || in.Limit > MaxListed {
		return nil, "", fmt.Errorf("limit is %d; give 1 to %d", in.Limit, MaxListed)
	}
	if in.Order != "welfare" && in.Order != "space" {
		return nil, "", fmt.Errorf(`order is %q; give "welfare" or "space"`, in.Order)
	}
	l, err := s.load(in.Source)
	if err != nil {
		return nil, "", err
	}
	return listAccepted(ctx, l.s, in.Parties, in.Limit, in.Order == "welfare")
}

// listAccepted enumerates the space of s and counts the outcomes every
// party named in ids accepts (analysis.Acceptable), keeping the limit best
// by welfare (ties in space order) or the first limit in space order. A
// deal whose meeting cannot take place (analysis.TermLines) is accepted by
// no one, as in the analysis's zone.
func listAccepted(ctx context.Context, s *scenario.Scenario, ids []string, limit int, byWelfare bool) (*AcceptedOutput, string, error) {
	if err := s.CheckParties(); err != nil {
		return nil, "", err
	}
	negs := s.Negotiators()
	all := make([]string, len(negs))
	us := make([]*utility.Additive, len(negs))
	for q, p := range negs {
		all[q], us[q] = s.Parties[p].ID, s.Utility(p)
	}
	coalition, err := partyIndices(s, all, ids)
	if err != nil {
		return nil, "", err
	}
	terms := analysis.TermLines(s, s.Utilities())
	sp := s.Space()
	size, _ := sp.Size()
	out := &AcceptedOutput{Outcomes: size, Listed: []AcceptedOutcome{}}
	for _, q := range coalition {
		out.Parties = append(out.Parties, all[q])
	}
	var (
		kept  = &keptHeap{}
		index uint64
		stop  error
	)
	err = sp.Enumerate(outcome.DefaultEnumerationLimit, func(o []int) bool {
		if index&0xffff == 0 && ctx.Err() != nil {
			stop = ctx.Err()
			return false
		}
		idx := index
		index++
		for k := range terms {
			if terms[k].Match(o) {
				return true
			}
		}
		for _, q := range coalition {
			if !analysis.Acceptable(us[q], o) {
				return true
			}
		}
		out.Count++
		if !byWelfare {
			if len(*kept) < limit {
				*kept = append(*kept, keptOutcome{index: idx})
			}
			return true
		}
		w := 0.0
		for _, u := range us {
			w += u.Raw(o)
		}
		k := keptOutcome{index: idx, welfare: w}
		if len(*kept) < limit {
			heap.Push(kept, k)
		} else if worse((*kept)[0], k) {
			(*kept)[0] = k
			heap.Fix(kept, 0)
		}
		return true
	})
	if err != nil {
		return nil, "", fmt.Errorf("list_accepted_outcomes enumerates the outcomes, and this space is too large (%w); analyze_scenario counts or estimates the zone of agreement of every party in any space", err)
	}
	if stop != nil {
		return nil, "", stop
	}
	list := []keptOutcome(*kept)
	slices.SortFunc(list, func(a, b keptOutcome) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	o := make([]int, sp.Issues())
	for _, k := range list {
		sp.Decode(k.index, o)
		a := AcceptedOutcome{Outcome: s.Labels(o), Utilities: map[string]float64{}, AcceptedBy: []string{}}
		for q, u := range us {
			x := u.Raw(o)
			a.Utilities[all[q]] = x
			a.Welfare += x
			if analysis.Acceptable(u, o) {
				a.AcceptedBy = append(a.AcceptedBy, all[q])
			}
		}
		out.Listed = append(out.Listed, a)
	}
	if out.Count > uint64(len(out.Listed)) {
		out.Truncated = true
		how := fmt.Sprintf("the %d with the largest welfare", len(out.Listed))
		if !byWelfare {
			how = fmt.Sprintf("the first %d in the order of the outcome space", len(out.Listed))
		}
		out.Note = fmt.Sprintf("%d deals are accepted; listed: %s (raise limit, at most %d, to see more)", out.Count, how, MaxListed)
	}
	return out, "", nil
}

// partyIndices maps party ids to indices among the negotiating parties;
// none means all of them.
func partyIndices(s *scenario.Scenario, all, ids []string) ([]int, error) {
	if len(ids) == 0 {
		qs := make([]int, len(all))
		for q := range qs {
			qs[q] = q
		}
		return qs, nil
	}
	var (
		qs   []int
		bad  []string
		seen = map[int]bool{}
	)
	for _, id := range ids {
		q := slices.Index(all, id)
		if q < 0 {
			why := "no party has this id"
			for _, p := range s.Parties {
				if p.ID == id {
					why = "it is a mediator, not a party to a deal"
				}
			}
			bad = append(bad, fmt.Sprintf("%q: %s%s", id, why, suggest.Hint(id, all)))
			continue
		}
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("parties: %s (the negotiating parties: %s)", strings.Join(bad, "; "), strings.Join(all, ", "))
	}
	slices.Sort(qs)
	return qs, nil
}

// keptOutcome is a listed outcome: its index in the space and its welfare.
type keptOutcome struct {
	index   uint64
	welfare float64
}

// worse reports whether a comes after b in the listing: less welfare, or
// as much and later in the space.
func worse(a, b keptOutcome) bool {
	if c := cmp.Compare(a.welfare, b.welfare); c != 0 {
		return c < 0
	}
	return a.index > b.index
}

// keptHeap holds the best outcomes so far with the worst at the top.
type keptHeap []keptOutcome

func (h keptHeap) Len() int           { return len(h) }
func (h keptHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h keptHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keptHeap) Push(x any)        { *h = append(*h, x.(keptOutcome)) }
func (h *keptHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
