package service

import (
	"strings"
	"unicode"

	"github.com/topdossier/topdossier/fault"
)

// CheckRequestID checks the request id an action carries: the key under
// which a repeated post, a retry or a double click counts once. Pages put
// a UUID in their forms; API clients choose their own. One rule for both:
// 1 to 100 characters, no spaces or control characters.
func CheckRequestID(id string) error {
	if id == "" || len(id) > 100 || strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fault.FieldErrors{"request_id": "Het verzoek mist een geldig kenmerk (request_id, hoogstens 100 tekens): " +
			"laad de pagina opnieuw, of geef in de API een request_id mee zodat een herhaald verzoek één keer telt."}
	}
	return nil
}
