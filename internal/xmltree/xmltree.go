// Package xmltree reads a whole XML document into a small tree whose
// elements keep their file positions, for parley's XML readers (Genius
// domains and profiles, KTAB forecast scenarios). Genius itself reads its
// files through such a DOM (SimpleDOMParser). Reading is bounded: at most
// safeio.MaxFileSize bytes and nesting.MaxDepth levels of elements.
package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/nesting"
	"github.com/parleyhq/parley/internal/safeio"
)

// Element is one XML element: its local name, attributes, child elements
// in document order, the text directly inside it and where it starts.
type Element struct {
	Name     string
	Attrs    []xml.Attr
	Children []*Element
	Pos      diag.Pos
	text     []byte
}

// Attr returns the attribute with the given local name (the first one if
// repeated) and whether it is present.
func (e *Element) Attr(name string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// Child returns the first child element with the given name, or nil.
func (e *Element) Child(name string) *Element {
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns the child elements with the given name, in order.
func (e *Element) ChildrenNamed(name string) []*Element {
	var out []*Element
	for _, c := range e.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Text returns the text directly inside the element, trimmed of white space.
func (e *Element) Text() string { return strings.TrimSpace(string(e.text)) }

// Read reads a whole XML document from r, at most safeio.MaxFileSize
// bytes, and parses it as Parse does.
func Read(r io.Reader, file string) (*Element, error) {
	data, err := safeio.ReadAll(r)
	if err != nil {
		return nil, &diag.Error{Pos: diag.Pos{File: file}, Msg: err.Error()}
	}
	return Parse(data, file)
}

// Parse parses a whole XML document into a tree. A byte-order mark may
// open it. It fails, with the position, on malformed XML, on more than one
// root element, on no element at all and on elements nested deeper than
// nesting.MaxDepth.
func Parse(data []byte, file string) (*Element, error) {
	d := newDecoder(safeio.TrimBOM(data))
	var root *Element
	var stack []*Element
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
			e := &Element{Name: t.Name.Local, Attrs: t.Attr, Pos: diag.Pos{File: file, Line: line, Col: col}}
			if len(stack) == 0 {
				if root != nil {
					return nil, &diag.Error{Pos: e.Pos, Msg: "more than one root element"}
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			if len(stack) >= nesting.MaxDepth {
				return nil, &diag.Error{Pos: e.Pos, Msg: fmt.Sprintf("elements nested deeper than %d levels; parley reads no input nested this deeply", nesting.MaxDepth)}
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			}
		}
	}
	if root == nil {
		return nil, &diag.Error{Pos: diag.Pos{File: file}, Msg: "no XML element found (empty or not an XML file)"}
	}
	return root, nil
}

// RootName returns the name of the document's root element, reading only
// as far as that element; it fails if data does not start like XML (text
// before the first element).
func RootName(data []byte) (string, error) {
	d := newDecoder(safeio.TrimBOM(data))
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
	return &diag.Error{Pos: diag.Pos{File: file, Line: line, Col: col}, Msg: "XML syntax error: " + msg}
}

// charsetReader accepts UTF-8 and the single-byte encodings old Genius
// files may declare.
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
