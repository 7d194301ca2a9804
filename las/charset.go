package las

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// cp1252 are the characters Windows-1252 puts at 0x80–0x9F, where
// ISO-8859-1 has control characters; 0 marks an unused byte.
var cp1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// charsetReader lets the parser read an export its LAS wrote in
// ISO-8859-1 or Windows-1252 (as older exports are), as libxml2 does.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-1", "iso8859-1", "latin1", "l1", "windows-1252", "cp1252", "iso-8859-15":
	default:
		return nil, fmt.Errorf("tekenset %s wordt niet ondersteund; exporteer als UTF-8", label)
	}
	// The file is in memory already (at most MaxFileSize): converted at
	// once, no goroutine to leak when parsing stops early.
	in, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(in)+len(in)/8)
	for _, c := range in {
		r := rune(c)
		if c >= 0x80 && c < 0xa0 && cp1252[c-0x80] != 0 {
			r = cp1252[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return bytes.NewReader(out), nil
}
