// Package diag holds positioned errors for input files: one problem with its
// file, line and column, and a list that collects every problem found so
// that a user can fix them all at once, like go/scanner.ErrorList.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Pos is a position in a file; Line and Col start at 1 (0 means unknown).
type Pos struct {
	File string
	Line int
	Col  int
}

// String gives file:line:col, leaving out what is unknown: file:line when
// Col is 0, the file alone when Line is 0, and "line N" when there is no file.
func (p Pos) String() string {
	if p.Line <= 0 {
		return p.File
	}
	s := strconv.Itoa(p.Line)
	if p.Col > 0 {
		s += ":" + strconv.Itoa(p.Col)
	}
	if p.File == "" {
		return "line " + s
	}
	return p.File + ":" + s
}

// Error is one problem found in an input file.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if s := e.Pos.String(); s != "" {
		return s + ": " + e.Msg
	}
	return e.Msg
}

// List collects every problem found in an input, one per line when printed.
type List []*Error

// Add appends an error at pos.
func (l *List) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Sort orders the list by file, line and column (stable for equal positions).
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil for an empty list, else the list itself.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l List) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Merge adds err to the list: every entry of a List, an Error as it is, and
// any other error as a message positioned at file.
func (l *List) Merge(file string, err error) {
	var list List
	var one *Error
	switch {
	case errors.As(err, &list):
		*l = append(*l, list...)
	case errors.As(err, &one):
		*l = append(*l, one)
	default:
		*l = append(*l, &Error{Pos: Pos{File: file}, Msg: err.Error()})
	}
}

// ExcerptRunes is how much of a piece of input text Excerpt quotes.
const ExcerptRunes = 40

// Excerpt quotes text from an input file for a message: Go-quoted, so that
// control and invisible characters show as escapes, and cut to its first
// ExcerptRunes characters, so that a message never echoes a whole file
// that someone pointed parley at.
func Excerpt(s string) string {
	n := 0
	for i := range s {
		if n == ExcerptRunes {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
