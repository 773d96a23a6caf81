// Package printable keeps hostile text from fooling a reader: characters
// that control a terminal (ESC and OSC sequences can retitle the window or
// clear the screen) or that cannot be seen (zero-width characters, bidi
// overrides) are refused in identifiers and escaped in names and labels on
// output, so that "employer" and "employer\u200b" never look the same.
package printable

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hidden reports whether r controls the terminal or cannot be seen: C0 and
// C1 controls and DEL, format characters (zero-width space and joiners,
// bidi embeddings, overrides and isolates, the byte-order mark, the soft
// hyphen), line and paragraph separators, variation selectors and the other
// default-ignorable code points, which fonts draw as nothing.
func Hidden(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// Check returns a description of the first hidden character of s, or of
// its first byte that is not UTF-8, and "" when s has none: the reason an
// identifier is refused.
func Check(s string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("the byte 0x%02X, which is not UTF-8", s[i])
		case Hidden(r):
			return fmt.Sprintf("the %s character U+%04X", kind(r), r)
		}
	}
	return ""
}

func kind(r rune) string {
	if unicode.Is(unicode.Cc, r) {
		return "control"
	}
	return "invisible"
}

// Escape returns s with every hidden character and every byte that is not
// UTF-8 written as a Go escape (\x1b, \u200b), for printing a name or label
// on one line.
func Escape(s string) string { return escape(s, false) }

// Text is Escape for text of several lines: newlines and tabs stay.
func Text(s string) string { return escape(s, true) }

func escape(s string, lines bool) string {
	clean := true
	for i, r := range s {
		if Hidden(r) && !(lines && (r == '\n' || r == '\t')) || r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case Hidden(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case Hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Writer returns a writer that escapes, as Text does, what it passes on to
// w: wrap a text report's destination in it and every name and label the
// report prints is safe. Each Write is escaped on its own, so a caller
// should write whole lines or strings (as fmt.Fprintf does).
func Writer(w io.Writer) io.Writer { return writer{w} }

type writer struct{ w io.Writer }

func (t writer) Write(p []byte) (int, error) {
	s := Text(string(p))
	if len(s) == len(p) {
		return t.w.Write(p)
	}
	if _, err := io.WriteString(t.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
