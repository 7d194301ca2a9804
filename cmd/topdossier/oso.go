package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/oso"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/workflows"
)

const osoUsage = `gebruik:
  topdossier oso export -licence <id> -pupil <id> -profile OV|PaO [-overstap POVO] [-opt-out toetsresultaten,bijlagedocs] > bestand.xml
  topdossier oso import -licence <id> [-dry-run] BESTAND`

// runOSO exchanges OSO dossiers from the command line: the export of a
// pupil's dossier to standard output, the import of a received one
// (with -dry-run only its preview).
func runOSO(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return errors.New(osoUsage)
	}
	fs := flag.NewFlagSet("oso "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	licence := fs.String("licence", "", "id van de schoollicentie")
	pupil := fs.String("pupil", "", "id van de leerling (export)")
	profile := fs.String("profile", "", "OV (overstapdossier) of PaO (samenwerkingsverband) (export)")
	overstap := fs.String("overstap", "", "POPO, POVO, VOVO, POSWV of VOSWV; standaard volgt die uit het profiel en het soort school (export)")
	optOut := fs.String("opt-out", "", "optionele categorieën waarvoor de ouders opt-out kozen, met komma's (export)")
	dryRun := fs.Bool("dry-run", false, "alleen laten zien wat er wordt opgeslagen (import)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	licenceID, err := uuid.Parse(*licence)
	if err != nil {
		return errors.New(osoUsage)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	if args[0] == "import" {
		if fs.NArg() != 1 {
			return errors.New(osoUsage)
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("bestand: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, oso.MaxFileSize+1))
		f.Close()
		if err != nil {
			return err
		}
		if *dryRun {
			p, err := service.NewOSO(nil, logger, nil, nil, service.OSOConfig{}).PreviewFile(data)
			if err != nil {
				return importError(err)
			}
			fmt.Fprint(stdout, osoSummary(p))
			fmt.Fprintln(stdout, "Proefdraai: er is niets opgeslagen.")
			return nil
		}
		dbs, err := openDatabases(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer dbs.Close()
		lic, err := platform.New(dbs.tenants.Platform()).GetLicence(ctx, licenceID)
		if err != nil {
			return fmt.Errorf("licentie %s: %w", licenceID, err)
		}
		tc, closeTC, err := dialTemporal(ctx, cfg, logger, prometheus.NewRegistry())
		if err != nil {
			return err
		}
		defer closeTC()
		svc := osoService(cfg, dbs.tenants, tc, logger)
		imp, err := svc.Stage(ctx, service.Actor{Role: "system"}, licenceID, data)
		if err != nil {
			return importError(err)
		}
		fmt.Fprint(stdout, osoSummary(imp.Preview))
		pupilID, err := svc.Apply(ctx, service.Actor{Role: "system"}, lic, imp.ID, imp.Preview.Digest)
		if err != nil {
			return importError(err)
		}
		fmt.Fprintf(stdout, "Opgeslagen: leerling %s (import %s).\n", pupilID, imp.ID)
		return nil
	}
	pupilID, err := uuid.Parse(*pupil)
	if err != nil || (*profile != oso.ProfileOV && *profile != oso.ProfilePaO) {
		return errors.New(osoUsage)
	}
	dbs, err := openDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.Close()
	lic, err := platform.New(dbs.tenants.Platform()).GetLicence(ctx, licenceID)
	if err != nil {
		return fmt.Errorf("licentie %s: %w", licenceID, err)
	}
	kind := *overstap
	if kind == "" {
		kind = defaultOverstap(*profile, lic.SchoolType)
	}
	if oso.ProfileOf(kind) != *profile {
		return fmt.Errorf("overstap %s hoort niet bij profiel %s", kind, *profile)
	}
	var cats []string
	for _, c := range strings.Split(*optOut, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cats = append(cats, c)
		}
	}
	data, _, err := osoService(cfg, dbs.tenants, nil, logger).Export(ctx, service.Actor{Role: "system"}, lic, pupilID,
		service.OSOExportForm{Overstap: kind, OptOut: cats})
	if err != nil {
		return importError(err)
	}
	_, err = stdout.Write(data)
	return err
}

// defaultOverstap is the kind of transfer of a profile from a school of
// type t: a PO school's pupils go to VO or to the SWV from PO.
func defaultOverstap(profile string, t *platform.SchoolType) string {
	vo := t != nil && (*t == platform.SchoolTypeVO || *t == platform.SchoolTypeVSO)
	switch {
	case profile == oso.ProfilePaO && vo:
		return "VOSWV"
	case profile == oso.ProfilePaO:
		return "POSWV"
	case vo:
		return "VOVO"
	}
	return "POVO"
}

// osoService is the OSO exchange as the command line uses it.
func osoService(cfg config.Config, tm *tenants.Manager, tc client.Client, logger *slog.Logger) *service.OSO {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		loc = law.Netherlands()
	}
	dossiers := service.NewDossiers(tm, tc, logger, service.Config{Location: loc, DossierTimers: dossierTimers(cfg),
		ConsentDefaults: service.ConsentRules{Timers: workflows.ConsentTimers{RemindAfter: cfg.ConsentRemindAfter,
			Deadline: cfg.ConsentDeadline, SchoolReminderEvery: cfg.ConsentSchoolReminderEvery}, Ages: law.Ages(), Policy: cfg.ConsentPolicy}})
	return service.NewOSO(tm, logger, dossiers, transferService(cfg, tm, tc, logger, loc), service.OSOConfig{Location: loc,
		Version: service.BuildVersion()})
}

// osoSummary is the preview in a few lines.
func osoSummary(p oso.Preview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "OSO-dossier %s (%s) van %s (BRIN %s)\n", p.Overstap, p.Profile, p.School, p.BRIN)
	fmt.Fprintf(&b, "Leerling: %s, geboren %s\n", p.Pupil.Name(), p.Pupil.BirthDate)
	alive := 0
	for _, g := range p.Guardians {
		if !g.Deceased {
			alive++
		}
	}
	fmt.Fprintf(&b, "Ouders/verzorgers: %d (van %d)\nSchoolloopbaan: %d jaren\nPlannen en ondersteuning: %d\nToetsresultaten: %d\nDocumenten: %d\n",
		alive, len(p.Guardians), len(p.Loopbaan), len(p.Plans), len(p.Tests), len(p.Documents))
	if len(p.NotKept) > 0 {
		fmt.Fprintf(&b, "Niet overgenomen: %s\n", strings.Join(p.NotKept, ", "))
	}
	return b.String()
}
