package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestRefusalFields(t *testing.T) {
	cases := []struct {
		code, field string
	}{
		{CodeConsentClosed, "answer"},
		{CodeConsentNoRemark, "remark"},
		{CodeRequestStep, "action"},
		{CodeNotMember, "action"},
		{CodeRetentionInvalid, "until"},
		{CodeDossierIncomplete, ""}, // answered with the missing fields, not a text
		{"Unknown", ""},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			got := Refused(c.code)
			if c.field == "" {
				if got != nil {
					t.Errorf("got %v, want no wording", got)
				}
				return
			}
			if len(got) != 1 || got[c.field] == "" {
				t.Errorf("got %v, want one Dutch text for field %q", got, c.field)
			}
		})
	}
}

func TestRefusalInAChain(t *testing.T) {
	err := fmt.Errorf("advance: %w", errors.Join(NewRefusal(CodeDossierIncomplete, func(v ...any) error {
		*(v[0].(*[]string)) = []string{"growth.entry"}
		return nil
	}), errors.New("update failed")))
	var r *Refusal
	if !errors.As(err, &r) || r.Code != CodeDossierIncomplete {
		t.Fatalf("got %v, want the refusal in the chain", err)
	}
	var missing []string
	if err := r.Details(&missing); err != nil || len(missing) != 1 {
		t.Errorf("got %v (err %v), want one missing code", missing, err)
	}
	if err := NewRefusal(CodeConsentLate, nil).Details(&missing); err == nil {
		t.Error("details of a refusal without them: got no error, want one")
	}
}
