package forecast

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func loadEmission(t *testing.T) Problem {
	t.Helper()
	p, err := LoadFile(filepath.Join(sharedDir(t), "eum", "emission_EC_actors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEUMReplication reproduces the 10-round emission-standards trajectory of
// jmckib/bdm-scholz-expected-utility-model: positions, weighted means, risk
// exponents (all to the 6 decimals printed) and every round's accepted offers.
func TestEUMReplication(t *testing.T) {
	p := loadEmission(t)
	res, err := EUM(p, EUMParams{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(sharedDir(t), "eum")
	pos := readCSVFile(t, filepath.Join(dir, "eum_scholz_emission_jmckib_positions_by_round.csv"))
	if got, want := len(res.Rounds), len(pos)-1; got != want {
		t.Fatalf("%d rounds, want %d", got, want)
	}
	const tol = 5e-7 // the reference prints 6 decimals
	for _, rec := range pos[1:] {
		rd := res.Rounds[int(parseF(t, rec[0]))]
		for i := range p.Actors {
			if got, want := rd.Positions[i][0], parseF(t, rec[1+i]); math.Abs(got-want) > tol {
				t.Errorf("round %d %s: position %.6f, want %.6f", rd.Round, p.Actors[i].Name, got, want)
			}
		}
		if got, want := rd.Forecast[0], parseF(t, rec[11]); math.Abs(got-want) > tol {
			t.Errorf("round %d: weighted mean %.6f, want %.6f", rd.Round, got, want)
		}
	}
	risk := readCSVFile(t, filepath.Join(dir, "eum_scholz_emission_jmckib_risk_r_by_round.csv"))
	for _, rec := range risk[1:] {
		rd := res.Rounds[int(parseF(t, rec[0]))]
		for i := range p.Actors {
			if got, want := rd.RiskExponent[i][0], parseF(t, rec[1+i]); math.Abs(got-want) > tol {
				t.Errorf("round %d %s: r %.6f, want %.6f", rd.Round, p.Actors[i].Name, got, want)
			}
		}
	}
	// the offers log: "<receiver> loses confrontation to|compromises with <proposer>",
	// then "a vs b" and "new_pos = x"
	f, err := os.Open(filepath.Join(dir, "eum_scholz_emission_jmckib_offers_log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	idx := map[string]int{}
	for i, a := range p.Actors {
		idx[a.Name] = i
	}
	sc := bufio.NewScanner(f)
	round := 0
	var seen int
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		var recv, prop, typ string
		switch {
		case strings.HasPrefix(line, "ROUND "):
			round = int(parseF(t, strings.TrimPrefix(line, "ROUND ")))
			continue
		case strings.Contains(line, " loses confrontation to "):
			recv, prop, _ = strings.Cut(line, " loses confrontation to ")
			typ = "conflict"
		case strings.Contains(line, " compromises with "):
			recv, prop, _ = strings.Cut(line, " compromises with ")
			typ = "compromise"
		default:
			continue
		}
		sc.Scan()
		ab := strings.Fields(sc.Text())
		sc.Scan()
		np := strings.Fields(sc.Text())
		var got *Offer
		for k := range res.Rounds[round].Offers {
			o := &res.Rounds[round].Offers[k]
			if o.Accepted && o.To == idx[recv] {
				got = o
			}
		}
		if got == nil {
			t.Errorf("round %d: %s accepted no offer; want %s from %s", round, recv, typ, prop)
			continue
		}
		seen++
		if got.From != idx[prop] || got.Type != typ {
			t.Errorf("round %d: %s accepted %s from %s; want %s from %s", round, recv, got.Type, p.Actors[got.From].Name, typ, prop)
		}
		for _, c := range []struct{ got, want float64 }{
			{got.EUReceiver, parseF(t, ab[0])}, {got.EUProposer, parseF(t, ab[2])}, {got.Position, parseF(t, np[2])},
		} {
			if math.Abs(c.got-c.want) > 1e-9 {
				t.Errorf("round %d %s: %v, want %v", round, recv, c.got, c.want)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no offers parsed from the log")
	}
	for _, rd := range res.Rounds[1:] {
		acc := 0
		for _, o := range rd.Offers {
			if o.Accepted {
				acc++
			}
		}
		if acc != 3 {
			t.Errorf("round %d: %d accepted offers, the replication has 3", rd.Round, acc)
		}
	}
}
