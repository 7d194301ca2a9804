package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/internal/browsertest"
	"github.com/topdossier/topdossier/workflows"
)

// TestMonitorsBrowser opens both monitors in Chromium as their users do
// (the school's IB'er, the SWV's admin), keeps screenshots
// (.artifacts/journey-monitor-*.png, each page checked against WCAG 2.1
// A/AA) and prints each: the printed report has every figure with its
// table, and no navigation, filters or download links.
func TestMonitorsBrowser(t *testing.T) {
	h := newHarness(t)
	f := newSWVFixture(t, h)
	ctx := context.Background()
	seedSWVMonitor(t, h, f)
	// Some open dossiers at the school, for its own monitor.
	err := h.platform.Tenants.With(ctx, h.school.ID, func(pool *pgxpool.Pool) error {
		_, err := pool.Exec(ctx, `INSERT INTO dossier (pupil_id, support_level, started_on)
			SELECT id, 'extra_school', now() FROM pupil WHERE NOT EXISTS (SELECT 1 FROM dossier d WHERE d.pupil_id = pupil.id) LIMIT 8`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := workflows.RunMonitor(ctx, h.srv.temporal); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ who, path, shot string }{
		{"ib@linde.invalid", "/licenties/" + h.school.ID.String() + "/monitor", "school"},
		{"directeur@swv.invalid", "/licenties/" + f.lic.ID.String() + "/swv-monitor", "swv"},
	} {
		tab := browsertest.New(t, 3*time.Minute)
		browserLogin(t, h, tab, tc.who)
		if err := within(tab, 30*time.Second, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(h.http.URL+tc.path),
			chromedp.WaitVisible(chromedp.CSS("svg.chart"))); err != nil {
			t.Fatalf("%s monitor: %v", tc.shot, err)
		}
		journeyShot(t, tab, "monitor", tc.shot)
		res, err := chromedp.Call(tab, page.PrintToPDF, page.PrintToPDFParams{})
		if err != nil {
			t.Fatal(err)
		}
		printed := filepath.Join(artifactsDir(t), "monitor-"+tc.shot+".pdf")
		if err := os.WriteFile(printed, res.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		text, err := exec.Command("pdftotext", printed, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		wants := map[string][]string{
			"school": {"Open dossiers naar ondersteuningsniveau en fase", "Wettelijke termijnen", "Gemiddelde duur per fase", "Schooljaar"},
			"swv":    {"Aanvragen naar soort en uitkomst", "Toelaatbaarheidsverklaringen", "Doorlooptijd", "toegekend", "Schooljaar"},
		}[tc.shot]
		for _, want := range wants {
			if !strings.Contains(string(text), want) {
				t.Errorf("the printed %s monitor lacks %q", tc.shot, want)
			}
		}
		for _, unwanted := range []string{"Uitloggen", "als CSV", "Tonen"} {
			if strings.Contains(string(text), unwanted) {
				t.Errorf("the printed %s monitor shows %q", tc.shot, unwanted)
			}
		}
	}
}
