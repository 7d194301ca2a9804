package server

import (
	"net/url"
	"path"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/fault"
)

// formState is a form that came back with mistakes: which one, what was
// typed and the message per field. Pages with several forms embed it, so
// that nothing typed is lost and each message stands beside its field:
//
//	<textarea name="motivation">{{$.Form.Typed "stem" "motivation" ""}}</textarea>
//	{{template "field_error" ($.Form.Err "stem" "motivation")}}
//
// A form is named by the last part of the path it posts to ("stem",
// "advies", "groeidocument"), or by the part the page gives it.
type formState struct {
	Sent   string
	Values url.Values
	Errors fault.FieldErrors
}

// sentForm is the form of this request that came back with errs: named
// by its hidden field "form" where forms share a path, else by the path.
func sentForm(c *gin.Context, errs fault.FieldErrors) formState {
	name := c.PostForm("form")
	if name == "" {
		name = path.Base(c.Request.URL.Path)
	}
	return formState{Sent: name, Values: c.Request.PostForm, Errors: errs}
}

// Typed is what was typed in field name of form, else fallback (the stored
// value, or "" for a new entry).
func (f formState) Typed(form, name, fallback string) string {
	if f.Sent == form {
		if v, ok := f.Values[name]; ok && len(v) > 0 {
			return v[0]
		}
	}
	return fallback
}

// Chosen reports whether value is the choice in field name of form (as
// typed, else fallback): for radio buttons, check boxes and selects.
func (f formState) Chosen(form, name, value, fallback string) bool {
	return f.Typed(form, name, fallback) == value
}

// Picked reports whether value is among the values of field name of
// form (check boxes sharing a name).
func (f formState) Picked(form, name, value string) bool {
	return f.Sent == form && slices.Contains(f.Values[name], value)
}

// Err is the message for field name of form, "" when there is none.
func (f formState) Err(form, name string) string {
	if f.Sent != form {
		return ""
	}
	return f.Errors[name]
}

// Failed reports whether form came back with mistakes.
func (f formState) Failed(form string) bool {
	return f.Sent == form && len(f.Errors) > 0
}
