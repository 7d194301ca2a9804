package server

import (
	"fmt"
	"github.com/topdossier/topdossier/auth"
	"reflect"
)

// Dutch labels for the code names stored in the databases.
var (
	kindLabels = map[string]string{
		"school":     "School",
		"swv_school": "SWV-schoollicentie",
		"swv":        "Samenwerkingsverband",
	}
	stepLabels = map[string]string{
		"inschrijving_controleren":         "Inschrijving controleren",
		"inschrijving_controleren_te_laat": "Inschrijving controleren (te laat)",
		"ingeschreven":                     "Ingeschreven",
		"uitgeschreven":                    "Uitgeschreven",
	}
	waitingLabels = map[string]string{
		"school": "de school",
	}
	relationLabels = map[string]string{
		"mother":         "moeder",
		"father":         "vader",
		"parent":         "ouder",
		"legal_guardian": "voogd",
		"foster_parent":  "pleegouder",
		"carer":          "verzorger",
		"other":          "anders",
	}
)

// relationOrder is the order relations are offered in forms.
var relationOrder = []string{"mother", "father", "parent", "legal_guardian", "foster_parent", "carer", "other"}

// roleLabel is the Dutch name of a role stored as text.
func roleLabel(r string) string {
	return auth.Role(r).Label()
}

func labelFunc(labels map[string]string) func(any) string {
	return func(v any) string {
		s := deref(v)
		if l, ok := labels[s]; ok {
			return l
		}
		return s
	}
}

// deref prints what a pointer points to, and "" for nil; templates use it
// for the nullable columns sqlc maps to pointers.
func deref(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	return fmt.Sprint(rv.Interface())
}
