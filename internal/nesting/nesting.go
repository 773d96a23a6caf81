// Package nesting bounds how deeply an input file nests. YAML parsers spend
// time and memory quadratic in the nesting depth (a 200 KB file of nested
// brackets took go-yaml 4 GB), so YAML and JSON inputs are scanned for their
// depth before a parser sees them; XML readers check element depth as they
// go. Parley's own files nest about ten levels deep.
package nesting

import (
	"fmt"

	"github.com/parleyhq/parley/diag"
)

// MaxDepth is the deepest nesting accepted in any input file: YAML and JSON
// collections, XML elements.
const MaxDepth = 100

// YAML scans YAML (or JSON, which is YAML) for nesting deeper than MaxDepth
// and returns a positioned error at the first place that goes beyond it.
//
// The scan follows YAML closely but errs towards counting: an opening
// bracket counts where a node may start and anywhere inside a flow
// collection or inside what looks like a quoted scalar, where a closing
// bracket cannot take the count below where the scalar began; and every
// line outside a quoted scalar is taken to start a node, although a line
// that continues plain text does not. Block nesting counts
// the indentation levels open on each line, and each "- " or "? " entry
// that starts on it; only the lines of a block scalar (| or >) are skipped.
// So the scan may overstate the depth of odd but valid files, never
// understate that of a file the parser would nest deeply.
func YAML(data []byte, file string) error {
	s := scanner{data: data, limit: MaxDepth}
	if line, col, ok := s.scan(); !ok {
		return &diag.Error{Pos: diag.Pos{File: file, Line: line, Col: col},
			Msg: fmt.Sprintf("nested deeper than %d levels; parley reads no input nested this deeply", MaxDepth)}
	}
	return nil
}

type scanner struct {
	data  []byte
	limit int   // the depth that must not be exceeded
	max   int   // the deepest nesting seen
	flow  int   // open flow brackets
	block []int // columns of the open block levels, increasing
	quote byte  // the quote character of an open quoted scalar, or 0
	floor int   // flow count at the start of the open quoted scalar
	// scalarAt is the column a block scalar's lines must pass to belong to
	// it, or -1 outside a block scalar.
	scalarAt int
}

// deeper records the current depth and reports whether it exceeds the limit.
func (s *scanner) deeper() bool {
	d := s.flow + len(s.block)
	s.max = max(s.max, d)
	return d > s.limit
}

// scan returns the 1-based line and column where the depth first exceeds
// the limit, or ok.
func (s *scanner) scan() (line, col int, ok bool) {
	s.scalarAt = -1
	data := s.data
	for ln := 1; len(data) > 0; ln++ {
		end := 0
		for end < len(data) && data[end] != '\n' {
			end++
		}
		if c, bad := s.line(data[:end]); bad {
			return ln, c + 1, false
		}
		if end < len(data) {
			end++
		}
		data = data[end:]
	}
	return 0, 0, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isFlow(c byte) bool { return c == '[' || c == ']' || c == '{' || c == '}' || c == ',' }

// line scans one line (without its newline) and returns the 0-based column
// where the depth went beyond the limit, if it did.
func (s *scanner) line(b []byte) (int, bool) {
	indent := 0
	for indent < len(b) && (b[indent] == ' ' || b[indent] == '\t') {
		indent++
	}
	blank := indent == len(b) || b[indent] == '\r'
	if s.scalarAt >= 0 {
		if blank || indent > s.scalarAt {
			return 0, false // a line of a block scalar: text
		}
		s.scalarAt = -1
	}
	if blank {
		return 0, false
	}
	if s.quote == 0 && b[indent] == '#' {
		return 0, false // a comment line says nothing about structure
	}
	// Block levels: close those at or right of this line's indentation.
	for len(s.block) > 0 && s.block[len(s.block)-1] >= indent {
		s.block = s.block[:len(s.block)-1]
	}
	s.block = append(s.block, indent)
	if s.deeper() {
		return indent, true
	}
	valueStart := s.quote == 0 // at a place where a block node may start
	for i := indent; i < len(b); i++ {
		c := b[i]
		if s.quote != 0 {
			switch {
			case c == '\\' && s.quote == '"':
				i++ // an escaped character never ends the scalar
			case c == '\'' && s.quote == '\'' && i+1 < len(b) && b[i+1] == '\'':
				i++ // '' is a quote inside a single-quoted scalar
			case c == s.quote:
				s.quote = 0
			case c == '[' || c == '{':
				s.flow++
				if s.deeper() {
					return i, true
				}
			case c == ']' || c == '}':
				if s.flow > s.floor {
					s.flow--
				}
			}
			continue
		}
		prevSpace := i == indent || isSpace(b[i-1])
		switch {
		case isSpace(c):
		case c == '#' && prevSpace:
			return 0, false // a comment to the end of the line
		case c == '"' || c == '\'':
			if prevSpace || isFlow(b[i-1]) || b[i-1] == ':' || b[i-1] == '?' || b[i-1] == '-' {
				s.quote, s.floor = c, s.flow
			}
			valueStart = false
		case (c == '[' || c == '{') && (s.flow > 0 || valueStart):
			// In block context a bracket opens a collection only where a
			// node starts; inside plain text it is text.
			s.flow++
			if s.deeper() {
				return i, true
			}
			valueStart = false
		case c == ']' || c == '}':
			if s.flow > 0 {
				s.flow--
			}
			valueStart = false
		case s.flow == 0 && valueStart && (c == '|' || c == '>'):
			s.scalarAt = s.block[len(s.block)-1]
			return 0, false // the rest of the line is the block scalar's header
		case s.flow == 0 && valueStart && (c == '-' || c == '?') && (i+1 == len(b) || isSpace(b[i+1])):
			// A block sequence entry or complex key opens a level at the
			// column of what follows it.
			j := i + 1
			for j < len(b) && isSpace(b[j]) {
				j++
			}
			s.block = append(s.block, j)
			if s.deeper() {
				return i, true
			}
			i = j - 1
		case c == ':' && (i+1 == len(b) || isSpace(b[i+1]) || isFlow(b[i+1])):
			valueStart = true
		case valueStart && (c == '&' || c == '!'):
			// An anchor or tag: the node itself follows it.
			for i+1 < len(b) && !isSpace(b[i+1]) && !isFlow(b[i+1]) {
				i++
			}
		default:
			valueStart = false
		}
	}
	return 0, false
}
