package negmas

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/diag/yamlpos"
)

// kind is the kind of a node of a NegMAS file.
type kind uint8

const (
	kNull kind = iota
	kMap
	kSeq
	kStr
	kInt
	kFloat
	kBool
)

func (k kind) String() string {
	switch k {
	case kMap:
		return "a mapping"
	case kSeq:
		return "a list"
	case kStr:
		return "a string"
	case kInt:
		return "an integer"
	case kFloat:
		return "a number"
	case kBool:
		return "a boolean"
	}
	return "null"
}

// node is one value of a NegMAS YAML or JSON file with its position: a
// plain tree that keeps the order of mapping keys, so that the rest of the
// package never meets go-yaml's node types.
type node struct {
	kind kind
	pos  diag.Pos
	text string  // scalars: the string, or the number as written
	num  float64 // kInt and kFloat (±Inf for .inf), 1/0 for kBool
	keys []*node // kMap: the keys, parallel to vals
	vals []*node // kMap values, kSeq elements
}

// get returns the value of key k of a mapping, or nil.
func (n *node) get(k string) *node {
	if n == nil || n.kind != kMap {
		return nil
	}
	for i, key := range n.keys {
		if key.kind == kStr && key.text == k {
			return n.vals[i]
		}
	}
	return nil
}

// isNumber reports whether n is an integer or a real number.
func (n *node) isNumber() bool { return n != nil && (n.kind == kInt || n.kind == kFloat) }

// label is how a scalar is named in parley: a string as it is, a number as
// written, a boolean as Python prints it (NegMAS's values are Python's).
func (n *node) label() string {
	switch n.kind {
	case kBool:
		if n.num != 0 {
			return "True"
		}
		return "False"
	case kNull:
		return "None"
	}
	return n.text
}

// identity is what makes two scalars the same value in NegMAS (Python's
// equality, which holds between 1 and 1.0 and between True and 1): the
// kind of value and its canonical text.
func (n *node) identity() string {
	switch n.kind {
	case kInt, kFloat, kBool:
		return "n:" + strconv.FormatFloat(n.num, 'g', -1, 64)
	case kStr:
		return "s:" + n.text
	}
	return "z:"
}

// parseTree parses a YAML or JSON file (JSON is YAML) into a node tree,
// with yamlpos's guards against deep nesting and aliases.
func parseTree(data []byte, file string) (*node, error) {
	f, err := yamlpos.Parse(data, file)
	if err != nil {
		return nil, err
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, &diag.Error{Pos: diag.Pos{File: file, Line: 1, Col: 1}, Msg: "the file is empty"}
	}
	if len(f.Docs) > 1 {
		return nil, &diag.Error{Pos: yamlpos.Of(file, f.Docs[1].Body), Msg: fmt.Sprintf("the file holds %d YAML documents; a NegMAS file holds one", len(f.Docs))}
	}
	var errs diag.List
	n := convert(f.Docs[0].Body, file, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return n, nil
}

// convert turns a go-yaml node into a node, reporting what NegMAS files
// never hold (tags, anchors with merge keys, duplicate keys).
func convert(a ast.Node, file string, errs *diag.List) *node {
	pos := yamlpos.Of(file, a)
	switch v := a.(type) {
	case nil:
		return &node{kind: kNull, pos: pos}
	case *ast.DocumentNode:
		return convert(v.Body, file, errs)
	case *ast.AnchorNode:
		return convert(v.Value, file, errs)
	case *ast.TagNode:
		errs.Add(pos, "the YAML tag %s is not part of the NegMAS format (NegMAS writes plain YAML)", diag.Excerpt(v.Start.Value))
		return &node{kind: kNull, pos: pos}
	case *ast.NullNode:
		return &node{kind: kNull, pos: pos}
	case *ast.BoolNode:
		b := 0.0
		if v.Value {
			b = 1
		}
		return &node{kind: kBool, pos: pos, text: v.Token.Value, num: b}
	case *ast.IntegerNode:
		x, ok := parseNumber(v.Token.Value)
		if !ok {
			errs.Add(pos, "%s is not a number parley can read", diag.Excerpt(v.Token.Value))
		}
		return &node{kind: kInt, pos: pos, text: v.Token.Value, num: x}
	case *ast.FloatNode:
		x, ok := parseNumber(v.Token.Value)
		if !ok {
			x = v.Value
		}
		return &node{kind: kFloat, pos: pos, text: v.Token.Value, num: x}
	case *ast.InfinityNode:
		return &node{kind: kFloat, pos: pos, text: v.Token.Value, num: v.Value}
	case *ast.NanNode:
		return &node{kind: kFloat, pos: pos, text: v.Token.Value, num: math.NaN()}
	case *ast.StringNode:
		return &node{kind: kStr, pos: pos, text: v.Value}
	case *ast.LiteralNode:
		return &node{kind: kStr, pos: pos, text: v.Value.Value}
	case *ast.MappingNode:
		n := &node{kind: kMap, pos: pos}
		seen := map[string]diag.Pos{}
		for _, kv := range v.Values {
			addPair(n, kv, seen, file, errs)
		}
		return n
	case *ast.MappingValueNode:
		n := &node{kind: kMap, pos: pos}
		addPair(n, v, map[string]diag.Pos{}, file, errs)
		return n
	case *ast.SequenceNode:
		n := &node{kind: kSeq, pos: pos}
		for _, e := range v.Values {
			n.vals = append(n.vals, convert(e, file, errs))
		}
		return n
	}
	errs.Add(pos, "unexpected YAML construct %s", diag.Excerpt(a.String()))
	return &node{kind: kNull, pos: pos}
}

// addPair adds a key and its value to mapping m; seen holds the
// identities of its keys so far.
func addPair(m *node, kv *ast.MappingValueNode, seen map[string]diag.Pos, file string, errs *diag.List) {
	var key ast.Node = kv.Key
	if mk, ok := key.(*ast.MappingKeyNode); ok {
		key = mk.Value
	}
	if _, merge := key.(*ast.MergeKeyNode); merge {
		errs.Add(yamlpos.Of(file, key), "YAML merge keys (<<) are not part of the NegMAS format")
		return
	}
	k := convert(key, file, errs)
	if k.kind == kMap || k.kind == kSeq {
		errs.Add(k.pos, "a mapping key must be a single value, not %s", k.kind)
		return
	}
	id := k.identity()
	if p, dup := seen[id]; dup {
		errs.Add(k.pos, "key %s appears twice in this mapping (also at %s)", diag.Excerpt(k.label()), p)
		return
	}
	seen[id] = k.pos
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, convert(kv.Value, file, errs))
}

// parseNumber reads a YAML number as Python's yaml module does for the
// forms NegMAS writes: decimal integers and floats, with the .inf and .nan
// spellings, and underscores between digits.
func parseNumber(s string) (float64, bool) {
	t := strings.ReplaceAll(s, "_", "")
	switch strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "+"), "-")) {
	case ".inf":
		if strings.HasPrefix(t, "-") {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case ".nan":
		return math.NaN(), true
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil {
		if i, err := strconv.ParseInt(t, 0, 64); err == nil {
			return float64(i), true
		}
		return 0, false
	}
	return x, true
}
