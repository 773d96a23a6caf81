package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// calendar resolves the calendar and the deadline.
func (v *validator) calendar(f *File, s *Scenario) {
	if d := f.Calendar; d != nil {
		c := &Calendar{}
		ok := true
		if d.Source != nil {
			v.citation(*d.Source, "calendar.source")
		}
		v.explained(d.Assumption, "calendar.assumption", "the calendar")
		start, err := time.Parse(time.DateOnly, strings.TrimSpace(d.Start))
		if err != nil {
			v.errorf("calendar.start", "the calendar's start %q is not a date; write it as 2006-01-02", d.Start)
			ok = false
		}
		c.Start = start
		days, msg := roundDays(d.Round)
		if msg != "" {
			v.errorf("calendar.round", "the calendar's round %q %s", d.Round, msg)
			ok = false
		}
		c.Days = days
		if ok {
			s.Calendar = c
		}
	}
	d := f.Deadline
	if d == nil {
		return
	}
	if d.Source != nil {
		v.citation(*d.Source, "deadline.source")
	}
	v.explained(d.Assumption, "deadline.assumption", "the deadline")
	switch {
	case d.Date != "" && d.Rounds != 0:
		v.errorf("deadline", "the deadline gives both a date and rounds; give one")
	case d.Rounds < 0:
		v.errorf("deadline.rounds", "the deadline is %d rounds; give a positive number", d.Rounds)
	case d.Rounds > 0:
		s.Deadline = d.Rounds
	case d.Date == "":
		v.errorf("deadline", "the deadline gives neither a date nor rounds")
	default:
		s.Deadline = v.dateRound(d.Date, "deadline", "the deadline", s)
	}
}

// explained checks an assumption about something that is not a number: a
// reason, no range.
func (v *validator) explained(a *Assumption, path, what string) {
	if a == nil {
		return
	}
	if strings.TrimSpace(a.Why) == "" {
		v.errorf(path, "the assumption behind %s needs a why", what)
	}
	if a.Range != nil {
		v.errorf(join(path, "range"), "%s is not a number: its assumption takes no range", what)
	}
}

// dateRound is the round date (2006-01-02) falls in, by the calendar;
// 0 after reporting a problem.
func (v *validator) dateRound(date, path, what string, s *Scenario) int {
	if s.Calendar == nil {
		v.errorf(path, "%s is a date, but the scenario has no calendar to map it to a round: add calendar: {start: 2025-08-18, round: 1w}, or give a round", what)
		return 0
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if err != nil {
		v.errorf(path, "%s %q is not a date; write it as 2006-01-02", what, date)
		return 0
	}
	r := s.Calendar.Round(d)
	if r < 1 {
		v.errorf(path, "%s %s is before the calendar starts (%s)", what, date, s.Calendar.Start.Format(time.DateOnly))
	}
	return r
}

// roundDays reads a round's length: "1d", "3d", "1w", "2 weeks", "1 day".
func roundDays(s string) (int, string) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, "is not a length such as 1d, 3d, 1w or 2 weeks"
	}
	n, err := strconv.Atoi(t[:i])
	if err != nil || n <= 0 || n > 3650 {
		return 0, "is not a length such as 1d, 3d, 1w or 2 weeks"
	}
	switch strings.TrimSpace(t[i:]) {
	case "d", "day", "days":
		return n, ""
	case "w", "week", "weeks":
		return 7 * n, ""
	}
	return 0, fmt.Sprintf("has the unit %q; a round lasts days (d) or weeks (w)", strings.TrimSpace(t[i:]))
}
