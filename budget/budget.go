// Package budget bounds the core's costly steps (a Pareto frontier, a zone
// count, an index of every outcome, a sensitivity run): the caller's
// cancellation, a ceiling on the memory a step may plan to hold, and a
// progress callback.
//
// It reads no clock. A deadline is the caller's context (the CLI turns
// --max-time into one); a step asks every so many iterations whether the
// context is done, and checks its own estimate of the memory it needs
// before it allocates. Work limits (dominance checks, search nodes) are
// counts, so a step that stops for one stops at the same place on every
// machine. A nil *Budget never stops anything.
package budget

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Budget is what a caller allows a step. The zero value and nil allow
// everything.
type Budget struct {
	// Context stops the work once it is done; context.Cause then says why
	// (the CLI's causes name its flags). Nil never stops.
	Context context.Context
	// Memory is the most bytes one step may plan to hold, checked against
	// the step's own estimate before it allocates; 0 means no ceiling.
	Memory int64
	// Progress, if set, is told what runs and how far it got. It is called
	// on the working goroutine, at most every few milliseconds of work, so
	// it must return quickly.
	Progress func(Progress)
}

// Progress says what a step is doing, for people.
type Progress struct {
	Step   string // what runs: "the Pareto frontier of 3 parties over 10^12 outcomes"
	Detail string // how far it got: "issue 8 of 12, 94,130 partial outcomes"
	// Done of Total units (Total 0 when unknown).
	Done, Total int64
	// End says the step is over (see Budget.End).
	End bool
}

// ErrMemory is the cause of a step refused because its estimate passes
// Budget.Memory.
var ErrMemory = errors.New("over the memory budget")

// ErrWork is the cause of a step stopped by a work limit of its own (see
// Exceeded.Unit).
var ErrWork = errors.New("over the work limit")

// Exceeded is the error of a step that its budget stopped or refused.
type Exceeded struct {
	Step string // what was being computed
	At   string // how far it got; "" when it did not start
	// Need and Limit, in Unit ("bytes", "dominance checks", ...), for a
	// step refused or stopped by Memory or a work limit (Cause ErrMemory or
	// ErrWork); Need is an estimate when Estimated, 0 when the step ran
	// into the limit rather than foresaw it.
	Need, Limit float64
	Unit        string
	Estimated   bool
	// Cause is ErrMemory, ErrWork, or the context's cause.
	Cause error
}

func (e *Exceeded) Error() string {
	where := ""
	if e.At != "" {
		where = " (" + e.At + ")"
	}
	switch e.Cause {
	case ErrWork, ErrMemory:
		if e.Need == 0 {
			return fmt.Sprintf("%s stopped at its limit of %s%s", e.Step, Amount(e.Limit, e.Unit), where)
		}
		about := ""
		if e.Estimated {
			about = "about "
		}
		return fmt.Sprintf("%s needs %s%s%s, more than %s", e.Step, about, Amount(e.Need, e.Unit), where, limitText(e))
	}
	return fmt.Sprintf("%s stopped%s: %v", e.Step, where, e.Cause)
}

func limitText(e *Exceeded) string {
	if e.Cause == ErrMemory {
		return "the memory budget of " + Amount(e.Limit, e.Unit)
	}
	return "its limit of " + Amount(e.Limit, e.Unit)
}

func (e *Exceeded) Unwrap() error { return e.Cause }

// Err returns why the work must stop (the context's cause), or nil while it
// may go on.
func (b *Budget) Err() error {
	if b == nil || b.Context == nil || b.Context.Err() == nil {
		return nil
	}
	return context.Cause(b.Context)
}

// Check returns an *Exceeded for step, stopped at at, once the context is
// done; nil while the work may go on.
func (b *Budget) Check(step, at string) error {
	if err := b.Err(); err != nil {
		return &Exceeded{Step: step, At: at, Cause: err}
	}
	return nil
}

// Over reports whether bytes pass Memory: Fit without the error, for a
// step that formats its message only when it must.
func (b *Budget) Over(bytes float64) bool {
	return b != nil && b.Memory > 0 && bytes > float64(b.Memory)
}

// Fit refuses a step that estimates it needs more than Memory bytes, before
// it allocates them; at says what the estimate is for.
func (b *Budget) Fit(step, at string, bytes float64) error {
	if !b.Over(bytes) {
		return nil
	}
	return &Exceeded{Step: step, At: at, Need: bytes, Limit: float64(b.Memory), Unit: "bytes", Estimated: true, Cause: ErrMemory}
}

// Report passes p to the Progress callback, if there is one.
func (b *Budget) Report(p Progress) {
	if b != nil && b.Progress != nil {
		b.Progress(p)
	}
}

// End tells the Progress callback that step is over, so that what runs
// next is not taken for it.
func (b *Budget) End(step string) { b.Report(Progress{Step: step, End: true}) }

// Reporting says whether anyone listens to Report, so that a step can skip
// formatting its progress.
func (b *Budget) Reporting() bool { return b != nil && b.Progress != nil }

// Amount renders a quantity for people: bytes as KB, MB or GB (of 1024,
// as memory is counted), other units as a count (see Count).
func Amount(x float64, unit string) string {
	if unit == "bytes" {
		return Bytes(x)
	}
	return Count(x) + " " + unit
}

// Bytes renders a byte count in B, KB, MB, GB or TB (of 1024).
func Bytes(x float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	u := 0
	for x >= 1024 && u < len(units)-1 {
		x /= 1024
		u++
	}
	if u == 0 || x >= 100 {
		return fmt.Sprintf("%.0f %s", x, units[u])
	}
	return fmt.Sprintf("%.3g %s", x, units[u])
}

// Count renders a count with thousands separators below 10^9, and from
// there as 1.36×10^9 (10^12 for a power of ten).
func Count(x float64) string {
	if x < 1e9 {
		return Thousands(uint64(math.Round(x)))
	}
	e := math.Floor(math.Log10(x))
	m := x / math.Pow(10, e)
	if math.Abs(m-1) < 1e-9 {
		return fmt.Sprintf("10^%d", int(e))
	}
	return fmt.Sprintf("%.3g×10^%d", m, int(e))
}

// Thousands writes n with commas between groups of three digits.
func Thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
