package deliberation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/diag"
	"github.com/parleyhq/parley/internal/nesting"
	"github.com/parleyhq/parley/internal/safeio"
)

// Log is a published negotiation history (history*.json): the agents'
// speaking order and every turn's public answer. The first turn is p1
// proposing the initial deal and, in a complete log, the last is p1's final
// proposal, so a complete log has two turns more than its speaking order.
type Log struct {
	Path  string
	Slots []string // slot_assignment: who speaks in each round
	Turns []Turn
}

// Turn is one agent's turn: its name and the answer the others saw.
type Turn struct {
	Agent  string
	Public string
}

// Complete reports whether the log ran to its end: its speaking order and
// the opening and final turns. Logs that stopped early (an API failure)
// are incomplete; their evaluation leaves them out.
func (l *Log) Complete() bool { return len(l.Slots) > 0 && len(l.Turns) == len(l.Slots)+2 }

// logJSON is the file's shape. Logs of their earlier code keep the turns
// under "rounds"; the README's format nests them under "content".
type logJSON struct {
	Slots   []string   `json:"slot_assignment"`
	Rounds  []turnJSON `json:"rounds"`
	Content *struct {
		Slots  []string   `json:"slot_assignment"`
		Rounds []turnJSON `json:"rounds"`
	} `json:"content"`
}

type turnJSON struct {
	Agent  *string `json:"agent"`
	Public *string `json:"public_answer"`
}

// ReadLog reads a history*.json file: a regular file of at most
// safeio.MaxFileSize bytes, nested at most nesting.MaxDepth levels. Errors
// name the file and, for broken JSON, the line and column.
func ReadLog(path string) (*Log, error) {
	data, err := safeio.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseLog(data, path)
}

// ParseLog parses the text of a history*.json file named name.
func ParseLog(data []byte, name string) (*Log, error) {
	data = safeio.TrimBOM(data)
	if err := nesting.YAML(data, name); err != nil {
		return nil, err
	}
	var f logJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, name, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, &diag.Error{Pos: posAt(data, name, dec.InputOffset()), Msg: "more JSON after the log's object"}
	}
	rounds, slots := f.Rounds, f.Slots
	if f.Content != nil && rounds == nil {
		rounds, slots = f.Content.Rounds, f.Content.Slots
	}
	if rounds == nil {
		return nil, &diag.Error{Pos: diag.Pos{File: name}, Msg: `no "rounds": a negotiation log holds its turns under "rounds" (or "content": {"rounds": ...})`}
	}
	l := &Log{Path: name, Slots: slots}
	for k, r := range rounds {
		switch {
		case r.Agent == nil:
			return nil, &diag.Error{Pos: diag.Pos{File: name}, Msg: fmt.Sprintf(`turn %d (rounds[%d]) has no "agent"`, k+1, k)}
		case r.Public == nil:
			return nil, &diag.Error{Pos: diag.Pos{File: name}, Msg: fmt.Sprintf(`turn %d (rounds[%d]) has no "public_answer"`, k+1, k)}
		}
		l.Turns = append(l.Turns, Turn{Agent: *r.Agent, Public: *r.Public})
	}
	return l, nil
}

// jsonError positions a decoding error.
func jsonError(data []byte, name string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// The decoder's offset lies just past the offending byte.
		return &diag.Error{Pos: posAt(data, name, se.Offset-1), Msg: "JSON syntax error: " + se.Error()}
	case errors.As(err, &te):
		what := te.Field
		if what == "" {
			what = "the log"
		}
		return &diag.Error{Pos: posAt(data, name, valueStart(data, te.Offset)), Msg: fmt.Sprintf("%s must be %s, found a JSON %s", what, jsonKind(te.Type.Kind().String()), te.Value)}
	case errors.Is(err, io.EOF):
		return &diag.Error{Pos: diag.Pos{File: name}, Msg: "the file is empty; a negotiation log is a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &diag.Error{Pos: posAt(data, name, int64(len(data))), Msg: "JSON syntax error: the JSON ends too early"}
	}
	return &diag.Error{Pos: diag.Pos{File: name}, Msg: err.Error()}
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "a list"
	case "struct":
		return "an object"
	case "string":
		return "a string"
	case "ptr":
		return "a string"
	}
	return k
}

// valueStart finds where the JSON value ends at (or opens just before)
// off begins: the decoder reports a type error past a scalar, or past the
// bracket that opens an array or object.
func valueStart(data []byte, off int64) int64 {
	off = min(max(off, 0), int64(len(data)))
	switch {
	case off == 0:
		return 0
	case data[off-1] == '[' || data[off-1] == '{':
		return off - 1
	case data[off-1] == '"':
		for k := off - 2; k >= 0; k-- {
			if data[k] == '"' && (k == 0 || data[k-1] != '\\') {
				return k
			}
		}
		return 0
	}
	k := off
	for k > 0 && !strings.ContainsRune(" \t\r\n:,[", rune(data[k-1])) {
		k--
	}
	return k
}

// posAt turns a byte offset of data into a line and column.
func posAt(data []byte, name string, off int64) diag.Pos {
	off = min(max(off, 0), int64(len(data)))
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else if c < 0x80 || c >= 0xC0 {
			col++
		}
	}
	return diag.Pos{File: name, Line: line, Col: col}
}

// FindLogs lists the history*.json files of dir, sorted by name, or path
// itself if it is a file.
func FindLogs(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var logs []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, "history") && strings.EqualFold(filepath.Ext(n), ".json") {
			logs = append(logs, filepath.Join(path, n))
		}
	}
	if len(logs) == 0 {
		return nil, fmt.Errorf("%s holds no negotiation logs (history*.json)", path)
	}
	return logs, nil
}

// Extract is what a turn proposes, read as the games' evaluation reads it
// (eval_utils.extract_deal): newlines are dropped from the public answer,
// then for each issue the first place where its letter is followed by a
// digit 1–9 (A3, anywhere in the text, inside <DEAL> tags or not) gives
// its option. A turn proposes a deal only if it names an option of every
// issue.
type Extract struct {
	Deal  []int // an option index per issue; nil unless every issue is named and valid
	Named int   // issues named
	// Invalid lists the options named that the issue does not have (E7 of
	// an issue with five options; their scorer fails on those).
	Invalid []string
}

// ExtractDeal reads the deal a public answer proposes, in a game with the
// given number of options per issue.
func ExtractDeal(answer string, options []int) Extract {
	text := strings.ReplaceAll(answer, "\n", "")
	var x Extract
	deal := make([]int, len(options))
	for i, n := range options {
		letter := byte('A' + i)
		at := -1
		for k := 0; k+1 < len(text); k++ {
			if text[k] == letter && text[k+1] >= '1' && text[k+1] <= '9' {
				at = k
				break
			}
		}
		if at < 0 {
			deal[i] = -1
			continue
		}
		x.Named++
		v := int(text[at+1] - '1')
		if v >= n {
			x.Invalid = append(x.Invalid, text[at:at+2])
			deal[i] = -1
			continue
		}
		deal[i] = v
	}
	if x.Named == len(options) && len(x.Invalid) == 0 {
		x.Deal = deal
	}
	return x
}

// Options lists the number of options of each issue.
func (g *Game) Options() []int {
	os := make([]int, len(g.Issues))
	for i, is := range g.Issues {
		os[i] = is.Options
	}
	return os
}
