package server

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
)

// publicRoutes need no login and show no pupil data.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /static/*file": true,
	"GET /inloggen": true, "GET /toegankelijkheid": true, "POST /inloggen": true, "POST /uitloggen": true, "GET /api/v1/openapi.json": true,
	"GET /inloggen/code": true, "POST /inloggen/code": true, "GET /inloggen/opnieuw": true, "POST /inloggen/opnieuw": true,
	"GET /activeren/:token": true, "POST /activeren/:token": true, "GET /inloggen/entree": true, "GET /inloggen/entree/terug": true,
	"POST /inloggen/passkey/begin": true, "POST /inloggen/passkey/finish": true,
}

// TestEveryRouteRefusesOutsiders walks every route of the router with
// actors who have no business with pupil P of school A: nobody, the IB'er
// of school B (with A's ids and with B's licence id and A's pupil id),
// A's IB'er with a pupil id of school B, a teacher of A without P's
// group, the platform admin, an SWV consultant and a guardian account.
// None may read P's data or change anything.
func TestEveryRouteRefusesOutsiders(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.school
	b := h.platform.School(t, "Basisschool Elders", "34CD")
	swvLic, err := h.platform.Tenants.CreateLicence(ctx, newSWVLicence(h))
	if err != nil {
		t.Fatal(err)
	}
	pupilP := h.createPupil(t, h.cookie, a.ID, "Geheimnaam", "3")
	h.user(t, "ib@elders.invalid", "staff", member{auth.RoleIB, &b.ID})
	otherIB := h.login(t, "ib@elders.invalid")
	pupilQ := h.createPupil(t, otherIB, b.ID, "Andereschool", "4")
	h.openDossier(t, h.cookie, a.ID, pupilP)
	h.addGrowth(t, h.cookie, a.ID, pupilP, "Geheimeobservatie")
	h.openDossier(t, otherIB, b.ID, pupilQ)
	teacher := h.user(t, "meester@linde.invalid", "staff", member{auth.RoleTeacher, &a.ID})
	err = h.platform.Tenants.With(ctx, a.ID, func(pool *pgxpool.Pool) error {
		return school.New(pool).AddStaffGroup(ctx, school.AddStaffGroupParams{UserID: teacher, GroupName: "9z"})
	})
	if err != nil {
		t.Fatal(err)
	}
	h.user(t, "admin@platform.invalid", "staff", member{auth.RolePlatformAdmin, nil})
	h.user(t, "consulent@swv.invalid", "staff", member{auth.RoleConsultant, &swvLic.ID})
	h.user(t, "ouder@thuis.invalid", "guardian")
	logbookBefore := logbookCount(t, h, a.ID)

	type actor struct {
		name, cookie     string
		licence, pupil   uuid.UUID
		mayManageLicence bool
		// pupilRoutesOnly: an actor on their own licence with a pupil id
		// of another school; only routes with a pupil are foreign to them.
		pupilRoutesOnly bool
	}
	actors := []actor{
		{name: "anoniem", licence: a.ID, pupil: pupilP},
		{name: "IB school B", cookie: otherIB, licence: a.ID, pupil: pupilP},
		{name: "IB school B met eigen licentie", cookie: otherIB, licence: b.ID, pupil: pupilP, pupilRoutesOnly: true},
		{name: "IB school A met leerling van B", cookie: h.cookie, licence: a.ID, pupil: pupilQ, pupilRoutesOnly: true},
		{name: "leerkracht zonder groep", cookie: h.login(t, "meester@linde.invalid"), licence: a.ID, pupil: pupilP},
		{name: "platformbeheerder", cookie: h.login(t, "admin@platform.invalid"), licence: a.ID, pupil: pupilP, mayManageLicence: true},
		{name: "consulent", cookie: h.login(t, "consulent@swv.invalid"), licence: a.ID, pupil: pupilP},
		{name: "ouder zonder koppeling", cookie: h.login(t, "ouder@thuis.invalid"), licence: a.ID, pupil: pupilP},
	}
	secrets := []string{"Geheimnaam", "Andereschool", "Geheimeobservatie"}
	param := regexp.MustCompile(`:([a-z]+)`)
	pairs := 0
	for _, r := range h.engine.Routes() {
		key := r.Method + " " + r.Path
		if publicRoutes[key] {
			continue
		}
		for _, ac := range actors {
			licenceRoute := strings.HasPrefix(r.Path, "/beheer/") || r.Path == "/api/v1/licences" || r.Path == "/api/v1/licences/:licence" ||
				strings.HasPrefix(r.Path, "/licenties/:licence/medewerkers") // appointing a licence's admins
			if ac.mayManageLicence && licenceRoute {
				continue // the platform admin manages licences by right
			}
			if ac.pupilRoutesOnly && !strings.Contains(r.Path, ":pupil") {
				continue
			}
			path := param.ReplaceAllStringFunc(r.Path, func(m string) string {
				switch m {
				case ":licence":
					return ac.licence.String()
				case ":section":
					return "understand"
				case ":version":
					return "1"
				}
				return ac.pupil.String()
			})
			pairs++
			ct, body := requestBody(r.Method, r.Path, h)
			resp, out := h.doAs(t, ac.cookie, r.Method, path, ct, body)
			for _, sec := range secrets {
				if strings.Contains(out, sec) {
					t.Errorf("%s: %s %s shows pupil data", ac.name, r.Method, path)
				}
			}
			redirectToLogin := resp.StatusCode == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/inloggen")
			okStatus := resp.StatusCode < 300 || (resp.StatusCode < 400 && !redirectToLogin)
			if r.Method != "GET" && okStatus {
				t.Errorf("%s: %s %s succeeded (%d)", ac.name, r.Method, path, resp.StatusCode)
			}
			ownPages := r.Path == "/" || r.Path == "/account" || r.Path == "/ouder" // a person's own overview, account and children
			// A teacher lists pupils and dossiers of their own groups: none here.
			ownLists := map[string]bool{"/licenties/:licence/leerlingen": true, "/api/v1/licences/:licence/pupils": true,
				"/licenties/:licence/dossiers": true, "/api/v1/licences/:licence/dossiers": true}
			if r.Method == "GET" && okStatus && !ownPages && !ownLists[r.Path] {
				t.Errorf("%s: %s %s answered %d", ac.name, r.Method, path, resp.StatusCode)
			}
			if ac.cookie == "" && !redirectToLogin && resp.StatusCode != 401 {
				t.Errorf("anonymous %s %s: %d, want the login page or 401", r.Method, path, resp.StatusCode)
			}
		}
	}
	t.Logf("tried %d (route, actor) pairs", pairs)
	if pairs < 100 {
		t.Errorf("only %d pairs tried", pairs)
	}
	// Nothing changed: both schools keep their one pupil, both licences
	// exist, and the outsiders left no line in A's logbook.
	for _, lic := range []uuid.UUID{a.ID, b.ID} {
		err := h.platform.Tenants.With(ctx, lic, func(pool *pgxpool.Pool) error {
			q := school.New(pool)
			n, err := q.CountPupils(ctx)
			if n != 1 {
				t.Errorf("licence %s has %d pupils, want 1", lic, n)
			}
			if err != nil {
				return err
			}
			rows, err := q.ListDossiers(ctx, school.ListDossiersParams{MaxRows: 10})
			if len(rows) != 1 || rows[0].Step == nil || *rows[0].Step != "observe" {
				t.Errorf("licence %s dossiers %+v, want one, still in observe", lic, rows)
			}
			return err
		})
		if err != nil {
			t.Errorf("licence %s: %v", lic, err)
		}
	}
	if n := logbookCount(t, h, a.ID); n != logbookBefore {
		t.Errorf("logbook of A grew from %d to %d rows during the walk", logbookBefore, n)
	}
}

func newSWVLicence(h *harness) tenants.NewLicence {
	return tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Test", SWVID: h.platform.SWV.ID}
}

// requestBody is a well-formed body for the route, so that access is the
// only reason to refuse it.
func requestBody(method, path string, h *harness) (string, string) {
	switch {
	case method == "GET" || method == "DELETE":
		return "", ""
	case path == "/api/v1/licences/:licence/pupils/:pupil/dossier":
		return "application/json", `{"support_level":"extra_school","started_on":"2026-09-01"}`
	case strings.HasSuffix(path, "/dossier/sections/:section"):
		return "application/json", `{"version":1,"content":{"educational_needs":"Indringer"}}`
	case strings.HasSuffix(path, "/dossier/advance"):
		return "application/json", `{"request_id":"walk-1","from":"observe"}`
	case strings.HasSuffix(path, "/dossier/growth-entries"):
		return "application/json", `{"kind":"observation","occurred_on":"2026-11-02","body":"Indringer"}`
	case strings.HasSuffix(path, "/dossier"):
		return "application/x-www-form-urlencoded", "support_level=extra_school&started_on=2026-09-01"
	case strings.HasSuffix(path, "/dossier/fase"):
		return "application/x-www-form-urlencoded", "request_id=" + uuid.NewString() + "&from=observe"
	case strings.Contains(path, "/dossier/"):
		return "application/x-www-form-urlencoded", url.Values{"version": {"1"}, "educational_needs": {"Indringer"},
			"kind": {"observation"}, "occurred_on": {"2026-11-02"}, "body": {"Indringer"}, "outcome": {"given"},
			"name": {"Indringer"}, "organisation": {"X"}, "instrument": {"X"}, "score": {"1"}, "taken_on": {"2026-11-02"},
			"support_level": {"light"}, "started_on": {"2026-09-01"}, "request_id": {uuid.NewString()}, "party": {"pupil"},
			"answer": {"agree"}}.Encode()
	case strings.HasSuffix(path, "enrolment-confirmation"):
		return "application/json", `{"request_id":"walk-1"}`
	case path == "/api/v1/licences":
		return "application/json", `{"swv_id":"` + h.platform.SWV.ID.String() + `","kind":"school","name":"Nieuw","brin":"56EF","school_type":"BAO"}`
	case strings.HasPrefix(path, "/api/"):
		return "application/json", validPupil
	case path == "/beheer/samenwerkingsverbanden":
		return "application/x-www-form-urlencoded", "code=PO2877&swv_name=Indringer"
	case path == "/beheer/licenties":
		return "application/x-www-form-urlencoded", url.Values{"swv_id": {h.platform.SWV.ID.String()}, "kind": {"school"},
			"name": {"Nieuw"}, "brin": {"56EF"}, "school_type": {"BAO"}}.Encode()
	case strings.HasSuffix(path, "/verwijderen"):
		return "application/x-www-form-urlencoded", "confirm_name=" + url.QueryEscape("Basisschool De Linde")
	case strings.HasSuffix(path, "inschrijving-gecontroleerd"):
		return "application/x-www-form-urlencoded", "request_id=" + uuid.NewString()
	default:
		return "application/x-www-form-urlencoded", url.Values{"given_name": {"Indringer"}, "family_name": {"X"},
			"birth_date": {"2017-01-01"}, "enrolled_on": {"2024-01-01"}, "guardian_given_name": {"A"},
			"guardian_family_name": {"B"}, "guardian_relation": {"mother"}}.Encode()
	}
}

func (h *harness) createPupil(t *testing.T, cookie string, licence uuid.UUID, family, group string) uuid.UUID {
	t.Helper()
	body := `{"given_name":"Kind","family_name":"` + family + `","group_name":"` + group + `","birth_date":"2016-02-03","enrolled_on":"2023-08-21",
	  "guardians":[{"given_name":"A","family_name":"B","relation":"mother","parental_authority":true}]}`
	resp, out := h.doAs(t, cookie, "POST", "/api/v1/licences/"+licence.String()+"/pupils", "application/json", body)
	if resp.StatusCode != 201 {
		t.Fatalf("create pupil: %d %s", resp.StatusCode, out)
	}
	return uuid.MustParse(regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(out)[1])
}

func logbookCount(t *testing.T, h *harness, licence uuid.UUID) int64 {
	t.Helper()
	var n int64
	err := h.platform.Tenants.With(context.Background(), licence, func(pool *pgxpool.Pool) error {
		var err error
		n, err = logbook.Verify(context.Background(), school.New(pool), nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
