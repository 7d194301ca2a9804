package server

import (
	"net/url"
	"testing"

	"github.com/topdossier/topdossier/fault"
)

// TestFormState: a form that came back gives back what was typed in it,
// and only in it; other forms on the page show their stored values.
func TestFormState(t *testing.T) {
	f := formState{Sent: "stem", Values: url.Values{"motivation": {"Te weinig"}, "approve": {"0"}, "members": {"a", "b"}},
		Errors: fault.FieldErrors{"motivation": "Schrijf de motivering op."}}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"typed in the form sent", f.Typed("stem", "motivation", ""), "Te weinig"},
		{"stored value in another form", f.Typed("advies", "motivation", "opgeslagen"), "opgeslagen"},
		{"fallback for a field not sent", f.Typed("stem", "category", "hoog"), "hoog"},
		{"choice kept", f.Chosen("stem", "approve", "0", "1"), true},
		{"default choice elsewhere", f.Chosen("advies", "approve", "1", "1"), true},
		{"check box picked", f.Picked("stem", "members", "b"), true},
		{"check box not picked", f.Picked("stem", "members", "c"), false},
		{"message beside its field", f.Err("stem", "motivation"), "Schrijf de motivering op."},
		{"no message in another form", f.Err("advies", "motivation"), ""},
		{"failed", f.Failed("stem"), true},
		{"others did not fail", f.Failed("advies"), false},
		{"a page without a form sent", formState{}.Typed("stem", "motivation", ""), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}
