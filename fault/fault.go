// Package fault is the error vocabulary of TOP dossier: the sentinel
// errors and field errors every layer returns, so that one place (the
// server's error mapping) turns them into a Dutch page or an RFC 9457
// problem response, and activities into retryable or final errors. It
// imports only the standard library.
package fault

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrNotFound is returned when a row, licence or process does not exist
// (or the caller may not know that it does).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write collides with existing data.
var ErrConflict = errors.New("conflict")

// FieldErrors is a validation failure: form or JSON field name → Dutch
// message for the person who filled it in. Nothing was written.
type FieldErrors map[string]string

// Error lists the fields, not the messages, so logs stay short.
func (f FieldErrors) Error() string {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)
	return "invalid fields: " + strings.Join(names, ", ")
}

// ErrMalformed marks input that cannot be parsed at all (not JSON, not a
// form).
var ErrMalformed = errors.New("malformed input")

// ErrClosed: a closed dossier is read, never written.
var ErrClosed = fmt.Errorf("dossier closed: %w", ErrConflict)

// ErrRestricted: the use of the pupil's data is restricted (AVG art. 18):
// kept and read, not changed or shared.
var ErrRestricted = fmt.Errorf("use restricted: %w", ErrConflict)

// ErrSWVRestricted: the SWV honoured a restriction of (or an objection
// to) the use of a request (AVG art. 18, 21): kept and read, not worked on.
var ErrSWVRestricted = fmt.Errorf("request use restricted: %w", ErrRestricted)
