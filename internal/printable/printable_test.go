package printable

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestHidden(t *testing.T) {
	for _, r := range []rune{0, '\t', '\n', 0x1b, 0x7f, 0x85, 0x9b, 0xad, 0x200b, 0x200d, 0x202e, 0x2066, 0x2028, 0xfeff, 0xfe0f, 0x115f} {
		if !Hidden(r) {
			t.Errorf("U+%04X not hidden", r)
		}
	}
	for _, r := range []rune{' ', 'a', 'é', 'Ж', '中', '–', 0xa0, '✓'} {
		if Hidden(r) {
			t.Errorf("U+%04X hidden", r)
		}
	}
}

func TestCheck(t *testing.T) {
	for s, want := range map[string]string{
		"employer":            "",
		"Overhead line":       "",
		"Zürich–Genève":       "",
		"employer\u200b":      "the invisible character U+200B",
		"\x1b]0;pwned\x07":    "the control character U+001B",
		"abc\u202etxt.exe":    "the invisible character U+202E",
		"tab\there":           "the control character U+0009",
		"bad\xffutf8":         "the byte 0xFF, which is not UTF-8",
		"replacement\uFFFDok": "",
	} {
		if got := Check(s); got != want {
			t.Errorf("Check(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestEscape: an ESC/OSC sequence and a zero-width space print as escapes,
// so a label cannot retitle the terminal or pass for another (issue 14,
// item 6); ordinary text, accents included, is left alone.
func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"employer":                  "employer",
		"employer\u200b":            `employer\u200b`,
		"\x1b]0;pwned\x07\x1b[2J":   `\x1b]0;pwned\x07\x1b[2J`,
		"Genève":                    "Genève",
		"a\nb":                      `a\x0ab`,
		"x\xff":                     `x\xff`,
		"right-to-left \u202eabc":   `right-to-left \u202eabc`,
		"soft\u00adhyphen\ufe0fend": `soft\u00adhyphen\ufe0fend`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := Text("line 1\tx\nline\u200b 2\n"), "line 1\tx\nline\\u200b 2\n"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b)
	n, err := fmt.Fprintf(w, "party %s\n", "a\x1b[2Jb")
	if err != nil || n != len("party a\x1b[2Jb\n") {
		t.Fatalf("Fprintf = %d, %v", n, err)
	}
	if got := b.String(); got != "party a\\x1b[2Jb\n" || strings.ContainsRune(got, 0x1b) {
		t.Errorf("wrote %q", got)
	}
}
