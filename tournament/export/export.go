// Package export writes a tournament's sessions as CSV, JSON lines or
// Parquet, one row per session with its parties (seat order), the names of
// scenarios, parties and negotiators resolved from the canonical spec.
package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/parleyhq/parley/tournament"
)

// Scan yields every recorded session (as tournament/store's Store.Scan).
type Scan func(func(*tournament.Record) error) error

// Exporter resolves the names of a tournament's records.
type Exporter struct {
	c      *tournament.Canonical
	assign []int
}

// New returns an exporter for the tournament c.
func New(c *tournament.Canonical) *Exporter { return &Exporter{c: c} }

// Row is one session as exported.
type Row struct {
	Session    uint64 `json:"session" parquet:"session,delta"`
	Scenario   string `json:"scenario" parquet:"scenario,dict"`
	Name       string `json:"scenario_name" parquet:"scenario_name,dict"`
	Assignment uint64 `json:"assignment" parquet:"assignment"`
	Repetition int64  `json:"repetition" parquet:"repetition"`
	Seed       uint64 `json:"seed" parquet:"seed"`
	Agreed     bool   `json:"agreed" parquet:"agreed"`
	// Status says whether the deal stands (session.Status): agreed,
	// ratified, not_ratified, no_agreement, failed_phase or failed.
	Status    string  `json:"status" parquet:"status,dict"`
	End       string  `json:"end" parquet:"end,dict"`
	WalkedOut string  `json:"walked_out,omitempty" parquet:"walked_out,optional"`
	Round     int64   `json:"round" parquet:"round"`
	Time      float64 `json:"time" parquet:"time"`
	Steps     int64   `json:"steps" parquet:"steps"`
	// Outcome is the agreement's outcome index (absent without one).
	Outcome *uint64 `json:"outcome,omitempty" parquet:"outcome,optional"`
	// Agreement is the agreement as every outcome is in parley's JSON
	// (session.Result.Agreement): issue id → value label.
	Agreement     map[string]string `json:"agreement,omitempty" parquet:"agreement,optional"`
	SocialWelfare float64           `json:"social_welfare" parquet:"social_welfare"`
	Pareto        *float64          `json:"distance_to_pareto,omitempty" parquet:"distance_to_pareto,optional"`
	Nash          *float64          `json:"distance_to_nash,omitempty" parquet:"distance_to_nash,optional"`
	Parties       []Party           `json:"parties" parquet:"parties,list"`
	// Failure says which seat failed and why, when the session failed.
	Failure *Failure `json:"failure,omitempty" parquet:"failure,optional"`
}

// Failure is why a session failed (session.Failure): the seat that failed
// (its party, or mediator), a word for the cause, and what happened.
type Failure struct {
	Seat    string `json:"seat" parquet:"seat"`
	Cause   string `json:"cause" parquet:"cause,dict"`
	Message string `json:"message" parquet:"message"`
}

// Party is one seat of an exported session.
type Party struct {
	Party      string  `json:"party" parquet:"party,dict"`
	Negotiator string  `json:"negotiator" parquet:"negotiator,dict"`
	Utility    float64 `json:"utility" parquet:"utility"`
	Discounted float64 `json:"discounted_utility" parquet:"discounted_utility"`
}

// Row resolves a record into r, reusing its Parties slice.
func (e *Exporter) Row(rec *tournament.Record, r *Row) {
	sc := e.c.Scenarios[rec.Scenario]
	parties := r.Parties[:0]
	*r = Row{Session: rec.Number, Scenario: sc.Path, Name: sc.Name, Assignment: rec.Assignment, Repetition: int64(rec.Repetition),
		Seed: rec.Seed, Agreed: rec.Agreed, Status: string(rec.Status), End: rec.End.String(), Round: int64(rec.Round), Time: rec.Time, Steps: int64(rec.Steps),
		SocialWelfare: rec.Welfare()}
	if rec.WalkedOut >= 0 && rec.WalkedOut < len(sc.Parties) {
		r.WalkedOut = sc.Parties[rec.WalkedOut]
	}
	if rec.Agreed {
		o := rec.Outcome
		r.Outcome = &o
		r.Agreement = sc.Agreement(o)
	}
	if f := rec.Failure; f != nil {
		r.Failure = &Failure{Seat: f.Seat, Cause: string(f.Cause), Message: f.Message}
	}
	if !math.IsNaN(rec.Pareto) {
		x := rec.Pareto
		r.Pareto = &x
	}
	if !math.IsNaN(rec.Nash) {
		x := rec.Nash
		r.Nash = &x
	}
	e.assign = tournament.AssignmentOf(len(e.c.Negotiators), len(sc.Parties), e.c.Rotation, rec.Assignment, e.assign[:0])
	for seat, n := range e.assign {
		parties = append(parties, Party{Party: sc.Parties[seat], Negotiator: e.c.Negotiators[n], Utility: rec.Utility[seat], Discounted: rec.Discounted[seat]})
	}
	r.Parties = parties
}

// JSONLines writes one JSON object per session.
func (e *Exporter) JSONLines(w io.Writer, scan Scan) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	var row Row
	if err := scan(func(rec *tournament.Record) error {
		e.Row(rec, &row)
		return enc.Encode(&row)
	}); err != nil {
		return err
	}
	return bw.Flush()
}

// CSV writes one line per session; the parties are columns party_K,
// negotiator_K, utility_K, discounted_K for K = 1 to the largest number of
// seats (empty for scenarios with fewer). After them come the agreement
// (a JSON object: issue id → value label) and, for a failed session, the
// seat that failed, the cause and the message.
func (e *Exporter) CSV(w io.Writer, scan Scan) error {
	seats := 0
	for _, sc := range e.c.Scenarios {
		seats = max(seats, len(sc.Parties))
	}
	cw := csv.NewWriter(w)
	head := []string{"session", "scenario", "scenario_name", "assignment", "repetition", "seed", "agreed", "status", "end", "walked_out",
		"round", "time", "steps", "outcome", "social_welfare", "distance_to_pareto", "distance_to_nash"}
	for k := 1; k <= seats; k++ {
		ks := strconv.Itoa(k)
		head = append(head, "party_"+ks, "negotiator_"+ks, "utility_"+ks, "discounted_"+ks)
	}
	head = append(head, "agreement", "failed_seat", "failure_cause", "failure_message")
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	opt := func(x *float64) string {
		if x == nil {
			return ""
		}
		return f(*x)
	}
	u := func(x uint64) string { return strconv.FormatUint(x, 10) }
	var row Row
	rec := make([]string, len(head))
	if err := scan(func(r *tournament.Record) error {
		e.Row(r, &row)
		out := ""
		if row.Outcome != nil {
			out = u(*row.Outcome)
		}
		rec = append(rec[:0], u(row.Session), row.Scenario, row.Name, u(row.Assignment), strconv.FormatInt(row.Repetition, 10),
			u(row.Seed), strconv.FormatBool(row.Agreed), row.Status, row.End, row.WalkedOut, strconv.FormatInt(row.Round, 10), f(row.Time),
			strconv.FormatInt(row.Steps, 10), out, f(row.SocialWelfare), opt(row.Pareto), opt(row.Nash))
		for k := range seats {
			if k < len(row.Parties) {
				p := row.Parties[k]
				rec = append(rec, p.Party, p.Negotiator, f(p.Utility), f(p.Discounted))
			} else {
				rec = append(rec, "", "", "", "")
			}
		}
		agreement := ""
		if row.Agreement != nil {
			b, err := json.Marshal(row.Agreement)
			if err != nil {
				return err
			}
			agreement = string(b)
		}
		if f := row.Failure; f != nil {
			rec = append(rec, agreement, f.Seat, f.Cause, f.Message)
		} else {
			rec = append(rec, agreement, "", "", "")
		}
		return cw.Write(rec)
	}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// Parquet writes the sessions as a Parquet file of Rows (parties as a list
// column), in row groups of 64k sessions.
func (e *Exporter) Parquet(w io.Writer, scan Scan) error {
	pw := parquet.NewGenericWriter[Row](w, parquet.Compression(&parquet.Zstd))
	const group = 4096
	rows := make([]Row, group)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		if _, err := pw.Write(rows[:n]); err != nil {
			return err
		}
		n = 0
		return nil
	}
	if err := scan(func(r *tournament.Record) error {
		e.Row(r, &rows[n])
		n++
		if n == group {
			return flush()
		}
		return nil
	}); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return pw.Close()
}
