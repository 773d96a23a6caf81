package genius

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/scenario"
)

// Limits that keep hostile input from exhausting memory or the stack.
const (
	// MaxFileSize is the largest XML file read (Genius files are kilobytes).
	MaxFileSize = 64 << 20
	// MaxDepth is the deepest element nesting accepted.
	MaxDepth = 200
	// MaxIssueValues caps the number of values of one integer issue.
	MaxIssueValues = 1_000_000
)

// element is a minimal DOM node: Genius reads its files through a small DOM
// (SimpleDOMParser) and so do we, keeping each element's position.
type element struct {
	name     string
	attrs    []xml.Attr
	children []*element
	pos      scenario.Pos
}

// attr returns the attribute with the given local name (the first one if
// repeated) and whether it is present.
func (e *element) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// childrenNamed returns the direct children with the given tag, in order.
func (e *element) childrenNamed(name string) []*element {
	var out []*element
	for _, c := range e.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// child returns the first direct child with the given tag, or nil.
func (e *element) child(name string) *element {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// parseXML reads a whole XML document into a tree. It fails on malformed XML,
// on nesting deeper than MaxDepth and on input larger than MaxFileSize.
func parseXML(r io.Reader, file string) (*element, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &scenario.Error{Pos: scenario.Pos{File: file}, Msg: err.Error()}
	}
	if len(data) > MaxFileSize {
		return nil, &scenario.Error{Pos: scenario.Pos{File: file},
			Msg: fmt.Sprintf("file is larger than %d MiB; Genius files are far smaller", MaxFileSize>>20)}
	}
	d := newDecoder(data)
	var root *element
	var stack []*element
	for {
		line, col := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(file, d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &element{name: t.Name.Local, attrs: t.Attr, pos: scenario.Pos{File: file, Line: line, Col: col}}
			if len(stack) == 0 {
				if root != nil {
					return nil, &scenario.Error{Pos: e.pos, Msg: "more than one root element"}
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, e)
			}
			if len(stack) >= MaxDepth {
				return nil, &scenario.Error{Pos: e.pos, Msg: fmt.Sprintf("elements nested deeper than %d levels", MaxDepth)}
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, &scenario.Error{Pos: scenario.Pos{File: file}, Msg: "no XML element found (empty or not an XML file)"}
	}
	return root, nil
}

// rootName returns the tag of the document's root element, reading only as
// far as that element; it fails if the data does not start like XML.
func rootName(data []byte) (string, error) {
	d := newDecoder(data)
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return "", errors.New("text before the root element")
			}
		}
	}
}

func newDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return d
}

func syntaxError(file string, d *xml.Decoder, err error) error {
	line, col := d.InputPos()
	msg := err.Error()
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg = se.Msg
		if se.Line != line {
			line, col = se.Line, 0
		}
	}
	if msg == "" {
		msg = "malformed XML"
	}
	return &scenario.Error{Pos: scenario.Pos{File: file, Line: line, Col: col}, Msg: "XML syntax error: " + msg}
}

// charsetReader accepts the single-byte encodings old Genius files may
// declare besides UTF-8.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", charset)
}
