package geniusweb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/nesting"
	"github.com/parleyhq/parley/internal/safeio"
)

// node is a JSON value that keeps object key order and positions, so that
// issues keep the order of the file and errors can name line and column.
type node struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	pos   diag.Pos
	keys  []string
	vals  []*node // object values (parallel to keys) or array elements
	str   string  // string value, or number literal
	truth bool
}

func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) kindName() string {
	switch n.kind {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

type parser struct {
	data      []byte
	off       int
	line, col int
	file      string
}

// parseJSON parses a JSON document, refusing nesting deeper than
// nesting.MaxDepth before parsing (GeniusWeb profiles nest five levels).
// A byte-order mark may open it.
func parseJSON(data []byte, file string) (*node, error) {
	data = safeio.TrimBOM(data)
	if err := nesting.YAML(data, file); err != nil {
		return nil, err
	}
	p := &parser{data: data, line: 1, col: 1, file: file}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.off < len(p.data) {
		return nil, p.errf("unexpected %q after the JSON value", p.data[p.off])
	}
	return n, nil
}

func (p *parser) pos() diag.Pos { return diag.Pos{File: p.file, Line: p.line, Col: p.col} }

func (p *parser) errf(format string, args ...any) error {
	return &diag.Error{Pos: p.pos(), Msg: "JSON syntax error: " + fmt.Sprintf(format, args...)}
}

// skip consumes the byte c if it comes next, and reports whether it did.
func (p *parser) skip(c byte) bool {
	if p.off < len(p.data) && p.data[p.off] == c {
		p.advance(1)
		return true
	}
	return false
}

func (p *parser) advance(n int) {
	for i := 0; i < n && p.off < len(p.data); i++ {
		if p.data[p.off] == '\n' {
			p.line++
			p.col = 1
		} else if p.data[p.off] < 0x80 || p.data[p.off] >= 0xC0 {
			p.col++ // count characters, not UTF-8 continuation bytes
		}
		p.off++
	}
}

func (p *parser) space() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\n', '\r':
			p.advance(1)
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*node, error) {
	if depth > nesting.MaxDepth { // a guard: the scan before parsing refuses this
		return nil, p.errf("nested deeper than %d levels", nesting.MaxDepth)
	}
	if p.off >= len(p.data) {
		return nil, p.errf("unexpected end of input")
	}
	n := &node{pos: p.pos()}
	switch c := p.data[p.off]; {
	case c == '{':
		n.kind = 'o'
		p.advance(1)
		p.space()
		if p.skip('}') {
			return n, nil
		}
		for {
			p.space()
			if p.off >= len(p.data) || p.data[p.off] != '"' {
				return nil, p.errf("expected a quoted object key")
			}
			k, err := p.string()
			if err != nil {
				return nil, err
			}
			p.space()
			if !p.skip(':') {
				return nil, p.errf("expected ':' after object key %s", diag.Excerpt(k))
			}
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if n.get(k) != nil {
				return nil, &diag.Error{Pos: v.pos, Msg: fmt.Sprintf("duplicate object key %s", diag.Excerpt(k))}
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, v)
			p.space()
			if p.skip(',') {
				continue
			}
			if p.skip('}') {
				return n, nil
			}
			return nil, p.errf("expected ',' or '}' in object")
		}
	case c == '[':
		n.kind = 'a'
		p.advance(1)
		p.space()
		if p.skip(']') {
			return n, nil
		}
		for {
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
			p.space()
			if p.skip(',') {
				continue
			}
			if p.skip(']') {
				return n, nil
			}
			return nil, p.errf("expected ',' or ']' in array")
		}
	case c == '"':
		n.kind = 's'
		s, err := p.string()
		n.str = s
		return n, err
	case c == '-' || (c >= '0' && c <= '9'):
		n.kind = 'n'
		start := p.off
		end := start
		for end < len(p.data) && isNumberByte(p.data[end]) {
			end++
		}
		lit := string(p.data[start:end])
		if !json.Valid([]byte(lit)) {
			return nil, p.errf("malformed number %s", diag.Excerpt(lit))
		}
		n.str = lit
		p.advance(end - start)
		return n, nil
	default:
		for _, w := range []string{"true", "false", "null"} {
			if len(p.data)-p.off >= len(w) && string(p.data[p.off:p.off+len(w)]) == w {
				p.advance(len(w))
				if w == "null" {
					n.kind = 'z'
				} else {
					n.kind, n.truth = 'b', w == "true"
				}
				return n, nil
			}
		}
		r, _ := utf8.DecodeRune(p.data[p.off:])
		return nil, p.errf("unexpected %q", r)
	}
}

func isNumberByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')
}

// string reads a quoted string at p.off.
func (p *parser) string() (string, error) {
	end := p.off + 1
	for end < len(p.data) {
		switch p.data[end] {
		case '\\':
			end += 2
			continue
		case '"':
			var s string
			if err := json.Unmarshal(p.data[p.off:end+1], &s); err != nil {
				return "", p.errf("malformed string")
			}
			p.advance(end + 1 - p.off)
			return s, nil
		}
		if p.data[end] < 0x20 {
			return "", p.errf("control character in string")
		}
		end++
	}
	return "", p.errf("unterminated string")
}

// number returns the value of a number node.
func (n *node) number() (float64, bool) {
	if n.kind != 'n' {
		return 0, false
	}
	x, err := strconv.ParseFloat(n.str, 64)
	return x, err == nil
}
