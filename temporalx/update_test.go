package temporalx

import (
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/fault"
)

func TestUpdateError(t *testing.T) {
	if AsFault(nil) != nil {
		t.Fatal("nil: got an error, want nil")
	}
	t.Run("refusal with details", func(t *testing.T) {
		err := AsFault(temporal.NewApplicationError("incomplete", fault.CodeDossierIncomplete, []string{"hearing"}))
		var r *fault.Refusal
		if !errors.As(err, &r) || r.Code != fault.CodeDossierIncomplete {
			t.Fatalf("got %v, want a refusal %s", err, fault.CodeDossierIncomplete)
		}
		var missing []string
		if err := r.Details(&missing); err != nil || len(missing) != 1 || missing[0] != "hearing" {
			t.Errorf("got %v (err %v), want [hearing]", missing, err)
		}
		if errors.Is(err, fault.ErrUnavailable) {
			t.Error("a refusal is an answer, not unavailability")
		}
	})
	t.Run("no process", func(t *testing.T) {
		if err := AsFault(serviceerror.NewNotFound("workflow not found")); !errors.Is(err, fault.ErrNoProcess) {
			t.Errorf("got %v, want ErrNoProcess", err)
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		if err := AsFault(serviceerror.NewUnavailable("down")); !errors.Is(err, fault.ErrUnavailable) {
			t.Errorf("got %v, want ErrUnavailable", err)
		}
	})
}
