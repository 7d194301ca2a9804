package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
)

// apiOp is one operation of the JSON API: its route, the permission the
// access check asks, and what the OpenAPI document says of it. The routes
// are registered and the document generated from the same table, so a
// route cannot exist without its description.
type apiOp struct {
	Method, Path string // Path under /api/v1, gin syntax
	Perm         auth.Permission
	Handle       func(*gin.Context) error
	ID, Summary  string
	// Body is the request body (a zero value of its type), nil for none.
	Body any
	// Out is the 2xx answer's body, nil for none or for a PDF.
	Out    any
	Status int // the 2xx status; 0 is 200
	PDF    bool
	// Binary: the answer is a file of its own type (an attachment).
	Binary bool
	// XMLBody: the request body is an XML file (an EDEXML export).
	XMLBody bool
	Query   []apiQuery
	// Tag groups the operation in the document.
	Tag string
}

type apiQuery struct{ Name, Description string }

// cursorQuery and limitQuery page a list (cursor paging).
var (
	cursorQuery = apiQuery{"cursor", "Waar de vorige pagina eindigde (next_cursor van die pagina)."}
	limitQuery  = apiQuery{"limit", "Hoeveel rijen per pagina (1–200, standaard 50)."}
)

// register adds the operations to the API group.
func (s *Server) register(api *gin.RouterGroup, ops []apiOp) {
	for _, op := range ops {
		api.Handle(op.Method, op.Path, s.allow(op.Perm), s.apiBody, s.idempotent, s.serve(op.Handle))
	}
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPIWith is the hand-written document (base) with the operations of
// the table added: parameters, body and answer schemas derived from the
// Go types, and the problem answers every operation can give.
func openAPIWith(base []byte, ops []apiOp) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, err
	}
	paths := doc["paths"].(map[string]any)
	components := doc["components"].(map[string]any)
	params := components["parameters"].(map[string]any)
	tags := map[string]bool{}
	for _, op := range ops {
		p := ginParam.ReplaceAllString(op.Path, "{$1}")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			var ps []any
			for _, m := range ginParam.FindAllStringSubmatch(op.Path, -1) {
				name := m[1]
				ref := strings.ToUpper(name[:1]) + name[1:]
				if _, ok := params[ref]; !ok {
					params[ref] = map[string]any{"name": name, "in": "path", "required": true,
						"schema": map[string]any{"type": "string", "format": "uuid"}}
					if name == "version" {
						params[ref].(map[string]any)["schema"] = map[string]any{"type": "integer"}
					}
				}
				ps = append(ps, map[string]any{"$ref": "#/components/parameters/" + ref})
			}
			if len(ps) > 0 {
				item["parameters"] = ps
			}
			paths[p] = item
		}
		o := map[string]any{"operationId": op.ID, "summary": op.Summary}
		if op.Tag != "" {
			o["tags"] = []any{op.Tag}
			tags[op.Tag] = true
		}
		var query []any
		for _, q := range op.Query {
			query = append(query, map[string]any{"name": q.Name, "in": "query", "required": false, "description": q.Description,
				"schema": map[string]any{"type": "string"}})
		}
		if op.Method != http.MethodGet {
			query = append(query, map[string]any{"name": idempotencyHeader, "in": "header", "required": false,
				"description": "Verplicht voor een API-sleutel: een eigen waarde per wijziging; een herhaling met dezelfde sleutel krijgt hetzelfde antwoord.",
				"schema":      map[string]any{"type": "string", "maxLength": 255}})
		}
		if len(query) > 0 {
			o["parameters"] = query
		}
		if op.XMLBody {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/xml": map[string]any{"schema": map[string]any{"type": "string"}}}}
		}
		if op.Body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Body))}}}
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case op.PDF:
			ok["content"] = map[string]any{"application/pdf": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case op.Binary:
			ok["content"] = map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
		case op.Out != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(op.Out))}}
		}
		responses := map[string]any{fmt.Sprint(status): ok}
		for _, code := range []string{"400", "401", "404"} {
			responses[code] = map[string]any{"$ref": "#/components/responses/Problem"}
		}
		if op.Method != http.MethodGet {
			for _, code := range []string{"409", "413", "422", "428"} {
				responses[code] = map[string]any{"$ref": "#/components/responses/Problem"}
			}
		}
		o["responses"] = responses
		item[strings.ToLower(op.Method)] = o
	}
	var tagList []any
	var names []string
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		tagList = append(tagList, map[string]any{"name": t})
	}
	if len(tagList) > 0 {
		doc["tags"] = tagList
	}
	return json.MarshalIndent(doc, "", "  ")
}

var (
	timeType = reflect.TypeOf(time.Time{})
	uuidType = reflect.TypeOf(uuid.UUID{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// schemaOf is the JSON schema of a Go type as encoding/json writes it.
func schemaOf(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var out map[string]any
	switch {
	case t == timeType:
		out = map[string]any{"type": "string", "format": "date-time"}
	case t == uuidType:
		out = map[string]any{"type": "string", "format": "uuid"}
	case t == rawType:
		out = map[string]any{"type": "object"}
	default:
		switch t.Kind() {
		case reflect.String:
			out = map[string]any{"type": "string"}
		case reflect.Bool:
			out = map[string]any{"type": "boolean"}
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
			out = map[string]any{"type": "integer"}
		case reflect.Float32, reflect.Float64:
			out = map[string]any{"type": "number"}
		case reflect.Slice, reflect.Array:
			out = map[string]any{"type": "array", "items": schemaOf(t.Elem())}
		case reflect.Map:
			out = map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
		case reflect.Struct:
			props := map[string]any{}
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
					// An embedded struct's fields are the outer one's, as
					// encoding/json writes them.
					for name, fs := range schemaOf(f.Type)["properties"].(map[string]any) {
						props[name] = fs
					}
					continue
				}
				if !f.IsExported() {
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "-" {
					continue
				}
				if name == "" {
					name = f.Name
				}
				fs := schemaOf(f.Type)
				if d := f.Tag.Get("doc"); d != "" {
					fs["description"] = d
				}
				if e := f.Tag.Get("enum"); e != "" {
					var vals []any
					for _, v := range strings.Split(e, "|") {
						vals = append(vals, v)
					}
					fs["enum"] = vals
				}
				props[name] = fs
			}
			out = map[string]any{"type": "object", "properties": props}
		default:
			out = map[string]any{}
		}
	}
	if nullable {
		out["nullable"] = true
	}
	return out
}
