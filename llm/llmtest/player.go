package llmtest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Player is a script that negotiates as a time-dependent strategy would,
// reading everything it needs from the prompt: its party, its points per
// value and reservation value from the system message, the time and the
// offer on the table from the turn. It concedes linearly from its best
// deal to its reservation value, offers the least-good outcome still
// above its target, and accepts what meets it. So a session against it
// moves, and it can only play well if the prompt states the seat's
// preferences and the turn correctly.
//
// Its public text names the round; its private reasoning holds the
// marker "PRIVATE-<party>-<round>", which must never reach another seat.
func Player(r *Received) Reply {
	return Act(r, Decide(r))
}

// Answer is a player's answer as the seat's schema has it.
type Answer struct {
	Reasoning string            `json:"reasoning"`
	Type      string            `json:"type"`
	Outcome   map[string]string `json:"outcome"`
	Text      string            `json:"text"`
}

// num is a number as the prompt writes it.
const num = `(-?[0-9]+(?:\.[0-9]+)?)`

var (
	reParty   = regexp.MustCompile(`You negotiate for party "([^"]+)"|mediator \(seat "([^"]+)"\)`)
	reRV      = regexp.MustCompile(`[Yy]our reservation value(?: is now|,) ` + num)
	reTime    = regexp.MustCompile(`normalised time t = ` + num)
	reOffer   = regexp.MustCompile(`(?:offer on the table is|vote on) (\{.*?\}) \(worth ` + num + ` to you\)`)
	reRound   = regexp.MustCompile(`^Round (\d+)`)
	rePrefs   = regexp.MustCompile(`(?m)^- ([^:\n]+): (.*)$`)
	rePoint   = regexp.MustCompile(`("(?:[^"\\]|\\.)*"|\S+) ` + num)
	prefsHead = "Your preferences"
)

// Decide is the player's answer to a request.
func Decide(r *Received) Answer {
	sys, user := r.System(), r.User()
	party := Party(r)
	round := 0
	if m := reRound.FindStringSubmatch(user); m != nil {
		round, _ = strconv.Atoi(m[1])
	}
	points := prefs(sys)
	rv := 0.0
	if m := reRV.FindAllStringSubmatch(sys+"\n"+user, -1); m != nil {
		rv, _ = strconv.ParseFloat(m[len(m)-1][1], 64)
	}
	t := 0.0
	if m := reTime.FindStringSubmatch(user); m != nil {
		t, _ = strconv.ParseFloat(m[1], 64)
	}
	ids, vals := r.Schema.Issues()
	best := 0.0
	for i, id := range ids {
		top := 0.0
		for _, v := range vals[i] {
			top = max(top, points[id][v])
		}
		best += top
	}
	if len(ids) == 0 {
		// A vote offers nothing, so its schema lists no issues: the
		// best deal is read from the points alone.
		for _, pts := range points {
			top := 0.0
			for _, x := range pts {
				top = max(top, x)
			}
			best += top
		}
	}
	best = min(best, 1)
	target := best - (best-max(rv, 0))*t
	a := Answer{Reasoning: fmt.Sprintf("PRIVATE-%s-%d: my target is %.3f", party, round, target)}
	may := r.Schema.May()
	if m := reOffer.FindStringSubmatch(user); m != nil && slices.Contains(may, "accept") {
		if u, _ := strconv.ParseFloat(m[2], 64); u >= target {
			a.Type, a.Text = "accept", fmt.Sprintf("%s accepts in round %d.", party, round)
			return a
		}
	}
	if !slices.Contains(may, "offer") {
		a.Type = "reject"
		if !slices.Contains(may, "reject") {
			a.Type = "end"
		}
		return a
	}
	a.Type, a.Outcome = "offer", pick(ids, vals, points, target)
	a.Text = fmt.Sprintf("%s proposes a deal in round %d.", party, round)
	return a
}

// Party is the party a request's seat plays.
func Party(r *Received) string {
	if m := reParty.FindStringSubmatch(r.System()); m != nil {
		for _, g := range m[1:] {
			if g != "" {
				return g
			}
		}
	}
	return "?"
}

// prefs reads the points of each issue's values from the system message.
func prefs(sys string) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	_, rest, ok := strings.Cut(sys, prefsHead)
	if !ok {
		return out
	}
	for _, m := range rePrefs.FindAllStringSubmatch(rest, -1) {
		pts := map[string]float64{}
		for _, p := range rePoint.FindAllStringSubmatch(m[2], -1) {
			v := p[1]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			x, _ := strconv.ParseFloat(p[2], 64)
			pts[v] = x
		}
		out[m[1]] = pts
	}
	return out
}

// pick is the outcome of least utility at or above target (the best one
// if none reaches it); ties go to the first in enumeration order.
func pick(ids []string, vals [][]string, points map[string]map[string]float64, target float64) map[string]string {
	idx := make([]int, len(ids))
	var bestO, topO []int
	bestU, topU := 2.0, -1.0
	for {
		u := 0.0
		for i, id := range ids {
			u += points[id][vals[i][idx[i]]]
		}
		u = min(u, 1)
		if u >= target-1e-9 && u < bestU {
			bestU, bestO = u, slices.Clone(idx)
		}
		if u > topU {
			topU, topO = u, slices.Clone(idx)
		}
		k := len(idx) - 1
		for k >= 0 {
			idx[k]++
			if idx[k] < len(vals[k]) {
				break
			}
			idx[k] = 0
			k--
		}
		if k < 0 {
			break
		}
	}
	if bestO == nil {
		bestO = topO
	}
	out := map[string]string{}
	for i, id := range ids {
		out[id] = vals[i][bestO[i]]
	}
	return out
}
