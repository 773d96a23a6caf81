// Package yamlpos gives positions in YAML files, read with goccy/go-yaml, as
// diag positions and errors, for every reader of YAML input (scenarios,
// tournament specs).
package yamlpos

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag"
)

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
		return &diag.Error{Pos: pos, Msg: ye.GetMessage()}
	}
	return &diag.Error{Pos: diag.Pos{File: file}, Msg: err.Error()}
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
