package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/school"
)

// TestPupilLeavesAndIsForgotten: with the terms shortened to seconds, a
// pupil with a dossier, a consent round, an attachment, a request to the
// SWV and a guardian's portal link leaves; both retention workflows run
// on the real Temporal server; afterwards no row of any table of the
// school's schema mentions the pupil, the portal link is gone, two
// deletion records hold only counts, and the logbook chain verifies.
func TestPupilLeavesAndIsForgotten(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RetentionDossier, c.RetentionEnrolment = 2*time.Second, 4*time.Second })
	ctx := context.Background()
	pupil, _, _ := requestPupil(t, h, "Vera")
	prepareRequest(t, h, pupil, "kind", "advice", "question", "Hoe helpen we Vera met lezen?")
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", h.school.ID, pupil)
	if resp, out := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", "not-an-id", "left_on", "2020-01-01")); resp.StatusCode != 422 {
		t.Errorf("leave with a stale form: %d %s", resp.StatusCode, out)
	}
	if resp, out := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", "2099-01-01")); resp.StatusCode != 422 ||
		!strings.Contains(out, "vandaag of eerder") {
		t.Errorf("leave in the future: %d", resp.StatusCode)
	}
	if resp, _ := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", time.Now().Format("2006-01-02"))); resp.StatusCode != 303 {
		t.Fatalf("leave: %d", resp.StatusCode)
	}
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		eventually(t, "the pupil's deletion", func() bool {
			var n int
			_ = pool.QueryRow(ctx, `SELECT count(*) FROM pupil WHERE id = $1`, pupil).Scan(&n)
			var records int
			_ = pool.QueryRow(ctx, `SELECT count(*) FROM deletion_record`).Scan(&records)
			return n == 0 && records == 2
		})
		names, err := pgx.CollectRows(must(pool.Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)), pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			var hits int
			q := `SELECT count(*) FROM ` + pgx.Identifier{n}.Sanitize() + ` t WHERE t::text LIKE '%' || $1 || '%'`
			if err := pool.QueryRow(ctx, q, pupil.String()).Scan(&hits); err != nil {
				return err
			}
			if hits != 0 {
				t.Errorf("table %s: %d rows still mention the pupil", n, hits)
			}
		}
		if n, err := logbook.Verify(ctx, school.New(pool), nil); err != nil || n == 0 {
			t.Errorf("logbook after deletion: %d rows, %v", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var links int
	if err := h.platform.Pool.QueryRow(ctx, `SELECT count(*) FROM pupil_link WHERE pupil_id = $1`, pupil).Scan(&links); err != nil || links != 0 {
		t.Errorf("%d portal links to the deleted pupil (err %v)", links, err)
	}
	if resp, _ := h.do(t, "GET", pupilURL, "", ""); resp.StatusCode != 404 {
		t.Errorf("the deleted pupil's page: %d, want 404", resp.StatusCode)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestArchiveHoldAndReturn: with the real terms, a pupil who left shows
// in the archive with the dates of deletion; the IB'er cannot hold it,
// the school admin can (an earlier date is refused); the pupil comes
// back: the archive no longer lists them and the retention is cancelled.
func TestArchiveHoldAndReturn(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pupil, _, _ := requestPupil(t, h, "Ties")
	pupilURL := fmt.Sprintf("/licenties/%s/leerlingen/%s", h.school.ID, pupil)
	left := time.Now().AddDate(0, 0, -3)
	if resp, _ := h.do(t, "POST", pupilURL+"/uitschrijven", formType, form("request_id", uuid.NewString(), "left_on", left.Format("2006-01-02"))); resp.StatusCode != 303 {
		t.Fatalf("leave: %d", resp.StatusCode)
	}
	archive := fmt.Sprintf("/licenties/%s/archief", h.school.ID)
	dossierDue := left.AddDate(2, 0, 0)
	// 2 × 365 days: one day earlier across a leap day.
	eventually(t, "the archive's dates", func() bool {
		page := h.page(t, archive)
		return strings.Contains(page, "Ties Aanvraag") && (strings.Contains(page, dossierDue.Format("02-01-2006")) ||
			strings.Contains(page, dossierDue.AddDate(0, 0, -1).Format("02-01-2006")))
	})
	hold := form("request_id", uuid.NewString(), "until", left.AddDate(3, 0, 0).Format("2006-01-02"), "reason", "bezwaar")
	if resp, _ := h.do(t, "POST", pupilURL+"/bewaren", formType, hold); resp.StatusCode != 404 {
		t.Errorf("the IB'er holds: %d, want 404", resp.StatusCode)
	}
	h.user(t, "directie@linde.invalid", "staff", member{auth.RoleSchoolAdmin, &h.school.ID})
	admin := h.login(t, "directie@linde.invalid")
	if resp, out := h.doAs(t, admin, "POST", pupilURL+"/bewaren", formType, form("request_id", uuid.NewString(), "until", left.AddDate(1, 0, 0).Format("2006-01-02"),
		"reason", "bezwaar")); resp.StatusCode != 422 || !strings.Contains(out, "na het huidige einde") {
		t.Errorf("a hold ending earlier: %d", resp.StatusCode)
	}
	if resp, out := h.doAs(t, admin, "POST", pupilURL+"/bewaren", formType, hold); resp.StatusCode != 303 {
		t.Fatalf("hold: %d %s", resp.StatusCode, out)
	}
	eventually(t, "the hold in the archive", func() bool {
		_, page := h.doAs(t, admin, "GET", archive, "", "")
		return strings.Contains(page, "tot "+left.AddDate(3, 0, 0).Format("02-01-2006")) && strings.Contains(page, "(bezwaar)")
	})
	if resp, _ := h.do(t, "POST", pupilURL+"/terugkeer", formType, form("request_id", uuid.NewString())); resp.StatusCode != 303 {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	if page := h.page(t, archive); strings.Contains(page, "Ties Aanvraag") {
		t.Error("the archive still lists the pupil who came back")
	}
	for _, kind := range []string{"dossier", "enrolment"} {
		var cancelled int
		err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
			return pool.QueryRow(ctx, `SELECT count(*) FROM retention_event WHERE entity_id = $1 AND kind = $2 AND what = 'cancelled'`, pupil, kind).Scan(&cancelled)
		})
		if err != nil || cancelled != 1 {
			t.Errorf("%s retention cancelled %d times (err %v)", kind, cancelled, err)
		}
	}
	var linked int
	_ = h.platform.Pool.QueryRow(ctx, `SELECT count(*) FROM pupil_link WHERE pupil_id = $1`, pupil).Scan(&linked)
	if linked == 0 {
		t.Error("the returned pupil lost the guardian's portal link")
	}
}
