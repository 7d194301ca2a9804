package activities_test

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/workflows"
)

var secretKey = auth.Keys{[]byte("test-key-test-key-test-key-test-key")}

// TestRequestActivities: in a real SWV database, the texts people typed
// move from request_input to the advice, votes and decision; the granted
// TLV gets number TLV-2026-0001, is signed with the SWV's sealed
// certificate and verifies; a second issue changes nothing; the SWV's
// logbook chain verifies.
func TestRequestActivities(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivier", SWVID: p.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	ca, err := documents.NewDemoCA("Demo-CA", now)
	if err != nil {
		t.Fatal(err)
	}
	ident, err := ca.Issue("SWV Test", "SWV Test", now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.StoreSigningIdentity(ctx, platform.New(p.Pool), secretKey, p.SWV.ID, ident); err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	if err := p.Pool.QueryRow(ctx, "SELECT key_sealed FROM swv_signing_identity").Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	keyDER, _, _ := documents.MarshalIdentity(ident)
	if len(sealed) == 0 || string(sealed) == string(keyDER) {
		t.Fatal("signing key stored in the clear")
	}
	director, err := platform.New(p.Pool).CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindStaff,
		Email: "directeur@swv.invalid", DisplayName: "J. de Wit"})
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Tenants: p.Tenants, SecretKey: secretKey}

	var req swv.Request
	so := "so"
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		req, err = swv.New(pool).CreateRequest(ctx, swv.CreateRequestParams{SchoolLicenceID: uuid.New(), SchoolRequestID: uuid.New(),
			SchoolName: "De Regenboog", Kind: "tlv", TlvType: &so, PupilName: "Noor de Vries",
			PupilBirthDate: time.Date(2015, 6, 2, 0, 0, 0, 0, time.UTC), Question: "Is een plek in het SO passend?"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	input := func(key, body, name string) {
		t.Helper()
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return swv.New(pool).PutRequestInput(ctx, swv.PutRequestInputParams{InputKey: key, RequestID: req.ID, Body: body, ActorName: name})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	record := func(r workflows.RequestRecord) {
		t.Helper()
		r.SWVLicenceID, r.RequestID, r.At = lic.ID.String(), req.ID.String(), now
		for range 2 { // a retried activity writes once
			if err := acts.RecordRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	expert1, expert2, chair, member := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	input("a1", "Gedragsproblemen vragen een kleine groep.", "drs. P. Jansen")
	record(workflows.RequestRecord{Kind: "advice", ActorID: expert1.String(), Profession: "orthopedagoog", InputKey: "a1"})
	input("a2", "Eens met het eerste advies.", "dr. M. Bakker")
	record(workflows.RequestRecord{Kind: "advice", ActorID: expert2.String(), Profession: "psycholoog", InputKey: "a2"})
	input("v1", "Toegekend: de school kan deze ondersteuning niet bieden.", "")
	record(workflows.RequestRecord{Kind: "vote", ActorID: chair.String(), Chair: true, Approve: true, InputKey: "v1"})
	input("v2", "Eens.", "")
	record(workflows.RequestRecord{Kind: "vote", ActorID: member.String(), Approve: true, InputKey: "v2"})
	record(workflows.RequestRecord{Kind: "decision", Approve: true, InputKey: chair.String(),
		StartOn: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), EndOn: time.Date(2029, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err := acts.RecordRequestStep(ctx, workflows.RequestStep{ProcessStep: workflows.ProcessStep{LicenceID: lic.ID.String(),
		WorkflowID: "request/x", EntityKind: "request", EntityID: req.ID.String(), Step: "ondertekenen", Seq: 5}}); err != nil {
		t.Fatal(err)
	}

	issue := func() string {
		t.Helper()
		n, err := acts.IssueDecision(ctx, workflows.IssueDecisionInput{SWVLicenceID: lic.ID.String(), RequestID: req.ID.String(),
			SignerID: director.ID.String(), At: now})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b := issue(), issue(); a != "TLV-2026-0001" || b != a {
		t.Errorf("numbers %q then %q, want TLV-2026-0001 once", a, b)
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		dec, err := q.GetDecision(ctx, req.ID)
		if err != nil {
			return err
		}
		roots := x509.NewCertPool()
		roots.AddCert(ca.Certificate)
		v, err := documents.VerifyPDF(dec.SignedPdf, roots)
		if err != nil || !v.Trusted || v.Name != "J. de Wit" {
			t.Errorf("signed decision: %+v (err %v)", v, err)
		}
		if dec.Motivation != "Toegekend: de school kan deze ondersteuning niet bieden." {
			t.Errorf("decision motivation %q, want the chair's", dec.Motivation)
		}
		advices, err := q.ListExpertAdvice(ctx, req.ID)
		if err != nil || len(advices) != 2 || advices[0].ExpertName == "" {
			t.Errorf("advices %+v (err %v)", advices, err)
		}
		got, err := q.GetRequest(ctx, req.ID)
		if err != nil || got.Status != "ondertekenen" {
			t.Errorf("request status %q (err %v)", got.Status, err)
		}
		var left int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM request_input").Scan(&left); err != nil || left != 0 {
			t.Errorf("%d inputs left behind (err %v)", left, err)
		}
		n, err := logbook.Verify(ctx, school.New(pool), nil)
		if err != nil || n < 6 {
			t.Errorf("SWV logbook %d rows (err %v), want every step logged and the chain intact", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRequestRetention: three years after a TLV ends its request goes
// from the SWV database: afterwards no row of any table names it, one
// deletion record remains, and the SWV logbook's chain verifies.
func TestRequestRetention(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivier", SWVID: p.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Tenants: p.Tenants, SecretKey: secretKey}
	so := "so"
	var req swv.Request
	end := time.Date(2027, 7, 31, 0, 0, 0, 0, time.UTC)
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		var err error
		if req, err = q.CreateRequest(ctx, swv.CreateRequestParams{SchoolLicenceID: uuid.New(), SchoolRequestID: uuid.New(), SchoolName: "De Eik",
			Kind: "tlv", TlvType: &so, PupilName: "Jip Weg", PupilBirthDate: time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC), Question: "SO?"}); err != nil {
			return err
		}
		if err := q.AddSnapshot(ctx, swv.AddSnapshotParams{RequestID: req.ID, Submission: 1, Content: []byte(`{"pupil_name":"Jip Weg"}`)}); err != nil {
			return err
		}
		start := end.AddDate(-2, 0, 0)
		return q.AddDecision(ctx, swv.AddDecisionParams{RequestID: req.ID, Approved: true, Motivation: "Toegekend", DecidedOn: start,
			StartOn: &start, EndOn: &end})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := acts.RecordRequestStep(ctx, workflows.RequestStep{ProcessStep: workflows.ProcessStep{LicenceID: lic.ID.String(),
		WorkflowID: "request/x", EntityKind: "request", EntityID: req.ID.String(), Step: "afgesloten", Seq: 9}}); err != nil {
		t.Fatal(err)
	}
	ref := workflows.RetentionRef{LicenceID: lic.ID.String(), Kind: workflows.RetentionKindRequest, EntityID: req.ID.String(), Term: 3 * 365 * 24 * time.Hour}
	due, err := acts.RetentionDue(ctx, ref)
	if err != nil || !due.Equal(end.AddDate(3, 0, 0)) {
		t.Fatalf("due %v (err %v), want three calendar years after the TLV's end", due, err)
	}
	if err := acts.RecordRetention(ctx, workflows.RetentionEvent{RetentionRef: ref, What: "started", InputKey: "run", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := acts.ExpireRetention(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		names, err := pgx.CollectRows(must(pool.Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)), pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			var hits int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()+` t WHERE t::text LIKE '%' || $1 || '%'`,
				req.ID.String()).Scan(&hits); err != nil {
				return err
			}
			if hits != 0 {
				t.Errorf("table %s: %d rows still name the request", n, hits)
			}
		}
		var records int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM swv_deletion_record`).Scan(&records); err != nil || records != 1 {
			t.Errorf("%d deletion records (err %v), want 1", records, err)
		}
		if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n < 3 {
			t.Errorf("SWV logbook after deletion: %d rows, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestFindRequestsPastTerm: the monthly reconciliation covers the SWVs:
// a closed request whose TLV ended more than three calendar years ago is
// found; one whose TLV ended less long ago, and a request still open
// (its own process runs), are not.
func TestFindRequestsPastTerm(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivier", SWVID: p.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Tenants: p.Tenants, SecretKey: secretKey}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	ids := map[string]uuid.UUID{}
	so := "so"
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := swv.New(pool)
		for name, c := range map[string]struct {
			end    time.Time
			status string
		}{
			"ended-four-years": {now.AddDate(-4, 0, 0), "afgesloten"},
			"ended-two-years":  {now.AddDate(-2, 0, 0), "afgesloten"},
			"still-open":       {now.AddDate(-4, 0, 0), "loopt"},
		} {
			req, err := q.CreateRequest(ctx, swv.CreateRequestParams{SchoolLicenceID: uuid.New(), SchoolRequestID: uuid.New(), SchoolName: "De Eik",
				Kind: "tlv", TlvType: &so, PupilName: name, PupilBirthDate: time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC), Question: "SO?"})
			if err != nil {
				return err
			}
			ids[name] = req.ID
			start := c.end.AddDate(-2, 0, 0)
			if err := q.AddDecision(ctx, swv.AddDecisionParams{RequestID: req.ID, Approved: true, Motivation: "Toegekend", DecidedOn: start,
				StartOn: &start, EndOn: &c.end}); err != nil {
				return err
			}
			if err := q.SetRequestStatus(ctx, swv.SetRequestStatusParams{ID: req.ID, Status: c.status}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := acts.FindRetentionOverdue(ctx, workflows.ReconcileInput{Dossier: 2 * 365 * 24 * time.Hour, Enrolment: 5 * 365 * 24 * time.Hour,
		TLV: 3 * 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != workflows.RetentionKindRequest || got[0].PupilID != ids["ended-four-years"].String() ||
		got[0].LicenceID != lic.ID.String() {
		t.Errorf("found %+v, want only the request whose TLV ended four years ago", got)
	}
	// A schedule of before (no TLV term) leaves the SWVs out.
	if got, err := acts.FindRetentionOverdue(ctx, workflows.ReconcileInput{Dossier: 2 * 365 * 24 * time.Hour, Enrolment: 5 * 365 * 24 * time.Hour}); err != nil || len(got) != 0 {
		t.Errorf("without a TLV term found %+v (err %v), want nothing", got, err)
	}
}
