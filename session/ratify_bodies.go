package session

import "fmt"

// CommunityResult is one community's predicted vote on a deal: its yes
// share and whether it reaches its own threshold.
type CommunityResult struct {
	ID     string  `json:"id"`
	Share  float64 `json:"share"`
	Passes bool    `json:"passes"`
}

// ratificationResults lists the votes of the last session, party by
// party and body by body.
func (r *Runner) ratificationResults() []RatificationResult {
	p, st := r.prep, &r.st
	var out []RatificationResult
	for s, i := range p.Seats {
		rat := p.Scenario.Parties[i].Ratification
		if rat == nil {
			continue
		}
		for b := range rat.Bodies {
			v := &st.ratif[st.ratOff[s]+b]
			if !v.has {
				continue
			}
			body := &rat.Bodies[b]
			rr := RatificationResult{Party: r.SeatName(s), Body: body.Name, Required: v.required,
				Probability: v.prob, Draw: v.draw, Passed: v.passed}
			if v.required && len(body.Communities) > 0 {
				p.Space.Decode(r.out.Outcome, st.buf)
				u := st.cur[s].u.Utility(st.buf)
				for c := range body.Communities {
					cm := &body.Communities[c]
					x := cm.Share(st.buf, u)
					rr.Communities = append(rr.Communities, CommunityResult{ID: cm.ID, Share: x, Passes: x >= cm.Threshold})
				}
			}
			out = append(out, rr)
		}
	}
	return out
}

// communitiesText is the predicted vote of each community of a body, for
// the summary: "; predicted: east 0.31 fails, west 0.62 passes" ("" for a
// body not in parts).
func communitiesText(rt RatificationResult) string {
	if len(rt.Communities) == 0 {
		return ""
	}
	s := "; predicted:"
	for k, c := range rt.Communities {
		verdict := "passes"
		if !c.Passes {
			verdict = "fails"
		}
		if k > 0 {
			s += ","
		}
		s += fmt.Sprintf(" %s %.2f %s", c.ID, c.Share, verdict)
	}
	return s
}
