package session

import (
	"github.com/parleyhq/parley/protocol"
)

// MaxPlotPoints is the most offers a Recorder keeps per proposer, so that
// the memory of a recording and the size of its plot stay bounded however
// long the session runs (see OfferSeries).
const MaxPlotPoints = 2000

// OfferPoint is one offer, mediator's text or agreement as a session plot
// draws it.
type OfferPoint struct {
	Round int
	T     float64 // normalised time
	Phase int     // the agenda phase (0 without an agenda)
	// To is the seat a mediator's private text (the shuttle's bilateral
	// meetings) was put to; -1 when every seat saw it.
	To int
	// Utilities holds each seat's utility of the outcome as
	// Runner.SeatUtility gives it when the offer is made: by the seat's
	// preferences at that moment, utility.Unacceptable across its red
	// lines, and, during an agenda phase, of the phase's outcome with the
	// issues settled before at their agreed values and those still open at
	// their mean evaluation (the utilities `parley run` prints).
	Utilities []float64
}

// OfferSeries is every offer of one proposer: a negotiating seat, or the
// mediator (the seat after them). Past MaxPlotPoints offers it thins
// itself deterministically: it keeps offers 0, Stride, 2·Stride, … and
// doubles Stride whenever Points is full, so the kept offers stay evenly
// spread over the session; Last is the latest offer, which a plot draws
// even when thinning skipped it.
type OfferSeries struct {
	Seat   int
	Count  int // offers made
	Stride int
	Points []OfferPoint
	Last   OfferPoint
}

// add records pt, copying its utilities.
func (s *OfferSeries) add(pt OfferPoint) {
	if s.Stride == 0 {
		s.Stride = 1
	}
	i := s.Count
	s.Count++
	s.Last.Utilities = append(s.Last.Utilities[:0], pt.Utilities...)
	s.Last.Round, s.Last.T, s.Last.Phase, s.Last.To = pt.Round, pt.T, pt.Phase, pt.To
	if i%s.Stride != 0 {
		return
	}
	if len(s.Points) >= MaxPlotPoints {
		// Points holds offers 0, Stride, …; keeping every other one leaves
		// 0, 2·Stride, …, and i, a multiple of 2·Stride, comes next.
		k := 0
		for j := 0; j < len(s.Points); j += 2 {
			s.Points[k] = s.Points[j]
			k++
		}
		clear(s.Points[k:])
		s.Points = s.Points[:k]
		s.Stride *= 2
		if i%s.Stride != 0 {
			return
		}
	}
	pt.Utilities = append([]float64(nil), pt.Utilities...)
	s.Points = append(s.Points, pt)
}

// Drawn returns the offers a figure draws: the kept ones and the last.
func (s *OfferSeries) Drawn() []OfferPoint {
	if s.Count == 0 {
		return nil
	}
	if (s.Count-1)%max(s.Stride, 1) == 0 {
		return s.Points
	}
	return append(s.Points[:len(s.Points):len(s.Points)], s.Last)
}

// PhaseStart is when an agenda phase's first event happened.
type PhaseStart struct {
	Phase int
	ID    string
	Round int
	T     float64
}

// Recorder collects, while a session runs, what a figure of it draws
// (package plot): every offer and mediator's text with each seat's utility
// of it, the agreements, and when agenda phases opened. Feed it every
// protocol event from Config.OnEvent (the utilities are read from the
// runner during the call); after Runner.Play it holds the session's
// offers. It keeps at most MaxPlotPoints offers per proposer. Use a new
// Recorder, or Reset it, for each session.
type Recorder struct {
	// Series holds the offers by proposing seat (the mediator's texts at
	// the seat after the parties'); a seat that made none has an empty one.
	Series []OfferSeries
	// Agreements holds each agreement: one per agenda phase agreed (one
	// without an agenda). When the session agreed, the last one is its
	// agreement.
	Agreements  []OfferPoint
	PhaseStarts []PhaseStart

	buf []float64
}

// Reset forgets everything recorded.
func (rec *Recorder) Reset() { *rec = Recorder{buf: rec.buf[:0]} }

// Observe records protocol event ev of the session r is playing.
func (rec *Recorder) Observe(r *Runner, ev protocol.Event) {
	ph := r.st.phase
	if n := len(rec.PhaseStarts); n == 0 || rec.PhaseStarts[n-1].Phase != ph {
		rec.PhaseStarts = append(rec.PhaseStarts, PhaseStart{Phase: ph, ID: r.phaseID(ph), Round: int(ev.Round), T: ev.T})
	}
	if !ev.HasOutcome {
		return
	}
	switch ev.Type {
	case protocol.EventOffer, protocol.EventPropose, protocol.EventAgreement:
	default:
		return
	}
	n := len(r.prep.Seats)
	seat := int(ev.Seat)
	if ev.Type != protocol.EventAgreement && (seat < 0 || seat > n) {
		return
	}
	rec.buf = rec.buf[:0]
	for s := range n {
		rec.buf = append(rec.buf, r.SeatUtility(s, ev.Outcome))
	}
	pt := OfferPoint{Round: int(ev.Round), T: ev.T, Phase: ph, To: -1, Utilities: rec.buf}
	if ev.Type == protocol.EventAgreement {
		pt.Utilities = append([]float64(nil), rec.buf...)
		rec.Agreements = append(rec.Agreements, pt)
		return
	}
	if ev.Private {
		pt.To = int(ev.With)
	}
	for len(rec.Series) <= seat {
		rec.Series = append(rec.Series, OfferSeries{Seat: len(rec.Series), Stride: 1})
	}
	rec.Series[seat].add(pt)
}

// Played reports whether the runner has played a session, whose result
// Result then gives.
func (r *Runner) Played() bool { return r.played }
