package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/swv"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/internal/dossiertest"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// TestSubmitRequestActivities carries a request from a real school
// database into a real SWV database: refused while the use of the pupil's
// data is restricted (AVG art. 18, checked where the share happens, not
// only on the page), copied once per round otherwise, then marked
// submitted with one logbook line of the sharing.
func TestSubmitRequestActivities(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	swvLic, err := p.Tenants.CreateLicence(ctx, tenants.NewLicence{Kind: platform.LicenceKindSwv, Name: "SWV Rivier", SWVID: p.SWV.ID})
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Tenants: p.Tenants}
	var pupil school.Pupil
	var d school.Dossier
	var req school.SwvRequest
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Fleur", FamilyName: "Smit",
			BirthDate: time.Date(2016, 5, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		if d, err = dossiertest.Complete(ctx, q, pupil.ID); err != nil {
			return err
		}
		snap, _ := json.Marshal(plan.RequestSnapshot{School: lic.Name, PupilName: "Fleur Smit", BirthDate: "2016-05-01",
			Kind: "arrangement", Question: "Extra begeleiding bij rekenen"})
		req, err = q.CreateSWVRequest(ctx, school.CreateSWVRequestParams{DossierID: d.ID, Kind: "arrangement",
			Question: "Extra begeleiding bij rekenen", Snapshot: snap})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	restrict := func(on bool) {
		t.Helper()
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			return dossiertest.Restrict(ctx, school.New(pool), pupil.ID, on)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	in := workflows.CopyRequestInput{SchoolLicenceID: lic.ID.String(), SchoolRequestID: req.ID.String(), DossierID: d.ID.String(),
		PupilID: pupil.ID.String(), SWVLicenceID: swvLic.ID.String(), Submission: req.Round, RequestID: "http-1"}
	countSWV := func() (requests, snapshots int) {
		t.Helper()
		err := p.Tenants.With(ctx, swvLic.ID, func(pool *pgxpool.Pool) error {
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM request").Scan(&requests); err != nil {
				return err
			}
			return pool.QueryRow(ctx, "SELECT count(*) FROM request_snapshot").Scan(&snapshots)
		})
		if err != nil {
			t.Fatal(err)
		}
		return requests, snapshots
	}

	t.Run("ErrRestricted", func(t *testing.T) {
		restrict(true)
		defer restrict(false)
		_, err := acts.CopyRequestToSWV(ctx, in)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != fault.CodeRestricted || !appErr.NonRetryable() {
			t.Fatalf("got %v, want a final refusal %s", err, fault.CodeRestricted)
		}
		if r, s := countSWV(); r != 0 || s != 0 {
			t.Errorf("SWV database: got %d requests, %d snapshots; want nothing shared", r, s)
		}
	})

	t.Run("OK", func(t *testing.T) {
		first, err := acts.CopyRequestToSWV(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := acts.CopyRequestToSWV(ctx, in) // a retry
		if err != nil {
			t.Fatal(err)
		}
		if first.SWVRequestID == "" || again != first || first.Resubmit {
			t.Errorf("got %+v then %+v, want the same new request twice", first, again)
		}
		if r, s := countSWV(); r != 1 || s != 1 {
			t.Errorf("SWV database: got %d requests, %d snapshots; want 1 and 1", r, s)
		}
		var stored swv.Request
		err = p.Tenants.With(ctx, swvLic.ID, func(pool *pgxpool.Pool) error {
			var err error
			stored, err = swv.New(pool).GetRequest(ctx, uuid.MustParse(first.SWVRequestID))
			return err
		})
		if err != nil || stored.PupilName != "Fleur Smit" || stored.SchoolName != lic.Name {
			t.Errorf("stored %+v (err %v), want the snapshot's pupil and the school's name", stored, err)
		}
		mark := workflows.MarkRequestSubmittedInput{SchoolLicenceID: lic.ID.String(), SchoolRequestID: req.ID.String(),
			DossierID: d.ID.String(), PupilID: pupil.ID.String(), SWVLicenceID: swvLic.ID.String(), SWVRequestID: first.SWVRequestID,
			ActorRole: "ib", RequestID: "http-1"}
		for range 2 {
			if err := acts.MarkRequestSubmitted(ctx, mark); err != nil {
				t.Fatal(err)
			}
		}
		var status string
		var shares int
		err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			if err := pool.QueryRow(ctx, "SELECT status FROM swv_request WHERE id = $1", req.ID).Scan(&status); err != nil {
				return err
			}
			return pool.QueryRow(ctx, "SELECT count(*) FROM logbook WHERE action = 'share' AND entity_id = $1", req.ID.String()).Scan(&shares)
		})
		if err != nil || status != "submitted" || shares != 1 {
			t.Errorf("school: got status %q, %d sharing lines (err %v); want submitted, 1", status, shares, err)
		}
	})
}
