// Package yamlpos reads YAML input for every parley reader of YAML
// (scenarios, tournament specs) with goccy/go-yaml: it parses only what is
// safe to parse, refuses what would expand beyond the file, and gives
// positions in the file as diag positions and errors.
package yamlpos

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/nesting"
	"github.com/parleyhq/parley/internal/printable"
	"github.com/parleyhq/parley/internal/safeio"
)

// Parse parses a YAML (or JSON) file safely. It accepts a byte-order mark
// at the start; it refuses, before parsing, nesting deeper than
// nesting.MaxDepth, on which the parser's time and memory grow
// quadratically; and it refuses aliases (*name), whose expansion lets a few
// hundred bytes stand for gigabytes ("billion laughs"): parley files spell
// every value out. Errors are a diag.List.
func Parse(data []byte, file string) (*ast.File, error) {
	data = safeio.TrimBOM(data)
	if err := nesting.YAML(data, file); err != nil {
		return nil, diag.List{err.(*diag.Error)}
	}
	var f *ast.File
	err := Guard(func() (err error) {
		f, err = parser.ParseBytes(data, 0)
		return err
	})
	if err != nil {
		return nil, diag.List{Error(file, err)}
	}
	var aliases []ast.Node
	for _, d := range f.Docs {
		aliases = findAliases(d, aliases)
	}
	if len(aliases) > 0 {
		more := ""
		if len(aliases) > 1 {
			more = fmt.Sprintf(" (the first of %d)", len(aliases))
		}
		return nil, diag.List{{Pos: Of(file, aliases[0]), Msg: fmt.Sprintf("%s is a YAML alias%s; parley files take no aliases, which let a few bytes stand for gigabytes: write the value out",
			printable.Escape(aliases[0].String()), more)}}
	}
	return f, nil
}

// findAliases appends the alias nodes under n to list.
func findAliases(n ast.Node, list []ast.Node) []ast.Node {
	switch v := n.(type) {
	case *ast.AliasNode:
		return append(list, v)
	case *ast.DocumentNode:
		return findAliases(v.Body, list)
	case *ast.AnchorNode:
		return findAliases(v.Value, list)
	case *ast.TagNode:
		return findAliases(v.Value, list)
	case *ast.MappingKeyNode:
		return findAliases(v.Value, list)
	case *ast.MappingValueNode:
		return findAliases(v.Value, findAliases(v.Key, list))
	case *ast.MappingNode:
		for _, kv := range v.Values {
			list = findAliases(kv, list)
		}
	case *ast.SequenceNode:
		for _, e := range v.Values {
			list = findAliases(e, list)
		}
	}
	return list
}

// Whole reports why the number node n cannot be read as an integer without
// losing its fraction (go-yaml would drop it silently), or "" when it can
// or when n is not a number.
func Whole(n ast.Node) string {
	switch v := n.(type) {
	case *ast.FloatNode:
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value != math.Trunc(v.Value) {
			return fmt.Sprintf("%s is not a whole number", v.GetToken().Value)
		}
	case *ast.NanNode, *ast.InfinityNode:
		return fmt.Sprintf("%s is not a whole number", n.GetToken().Value)
	}
	return ""
}

// Of returns the position of node n in file (the file alone when n has none).
func Of(file string, n ast.Node) diag.Pos {
	if n == nil {
		return diag.Pos{File: file}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return diag.Pos{File: file}
	}
	return diag.Pos{File: file, Line: tk.Position.Line, Col: tk.Position.Column}
}

// Error turns an error from go-yaml into a positioned error in file; any
// other error keeps its message, positioned at the file.
func Error(file string, err error) *diag.Error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		pos := diag.Pos{File: file}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos.Line, pos.Col = tk.Position.Line, tk.Position.Column
		}
		return &diag.Error{Pos: pos, Msg: short(ye.GetMessage())}
	}
	return &diag.Error{Pos: diag.Pos{File: file}, Msg: short(err.Error())}
}

// short cuts a parser message that echoes a long stretch of the input, and
// escapes what a terminal would act on.
func short(msg string) string {
	const most = 200
	if len(msg) > most {
		msg = strings.ToValidUTF8(msg[:most], "") + "…"
	}
	return printable.Escape(msg)
}

// Guard runs decode, a call into go-yaml, turning a panic inside the
// library on malformed input into an error, so that bad input never
// crashes parley.
func Guard(decode func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML decoder failed on this input (%v)", r)
		}
	}()
	return decode()
}
