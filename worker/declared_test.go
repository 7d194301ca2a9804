package worker_test

import (
	"reflect"
	"testing"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/workflows"
)

// TestActivitiesDeclared pins the contract between the workflows and the
// activities: every activity the workflows declare (and name by method
// value) is implemented under the same name with the same signature, and
// every activity the worker registers is declared. A rename on one side
// only would otherwise fail at run time, in a running workflow.
func TestActivitiesDeclared(t *testing.T) {
	declared := reflect.TypeFor[*workflows.Activities]()
	implemented := reflect.TypeFor[*activities.Activities]()
	if declared.NumMethod() == 0 {
		t.Fatal("workflows.Activities declares no activity")
	}
	for i := range declared.NumMethod() {
		d := declared.Method(i)
		m, ok := implemented.MethodByName(d.Name)
		if !ok {
			t.Errorf("%s: declared, not implemented by activities.Activities", d.Name)
			continue
		}
		if got, want := signature(m.Type), signature(d.Type); got != want {
			t.Errorf("%s: implemented as %s, declared as %s", d.Name, got, want)
		}
	}
	for i := range implemented.NumMethod() {
		if m := implemented.Method(i); !hasMethod(declared, m.Name) {
			t.Errorf("%s: registered as an activity, not declared in workflows.Activities", m.Name)
		}
	}
}

// signature is a method's type without its receiver.
func signature(f reflect.Type) string {
	in := make([]reflect.Type, 0, f.NumIn()-1)
	for i := 1; i < f.NumIn(); i++ {
		in = append(in, f.In(i))
	}
	out := make([]reflect.Type, 0, f.NumOut())
	for i := range f.NumOut() {
		out = append(out, f.Out(i))
	}
	return reflect.FuncOf(in, out, f.IsVariadic()).String()
}

func hasMethod(t reflect.Type, name string) bool {
	_, ok := t.MethodByName(name)
	return ok
}
