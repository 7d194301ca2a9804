package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
	"github.com/topdossier/topdossier/worker"
	"github.com/topdossier/topdossier/workflows"
)

// runLicence manages licences from the command line:
//
//	topdossier licence create -swv PO2899 -kind school -name "…" -brin 12AB -type BAO [-server main]
//	topdossier licence list
//	topdossier licence remove -confirm "<naam>" [-now] <id>
//
// remove closes the licence and leaves the purge to its removal workflow
// after the grace period; -now purges at once (also a licence closing).
func runLicence(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("gebruik: topdossier licence create|list|remove")
	}
	cfg, _, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	q := platform.New(dbs.platform)

	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("licence create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		swvCode := fs.String("swv", "", "code van het samenwerkingsverband, bijv. PO2899")
		kind := fs.String("kind", "school", "school, swv_school of swv")
		name := fs.String("name", "", "naam van de licentie")
		brin := fs.String("brin", "", "BRIN-code (alleen scholen)")
		schoolType := fs.String("type", "", "BAO, SBO, SO, VO, VSO of PrO (alleen scholen)")
		server := fs.String("server", "", "databaseserver (standaard LICENCE_DB_DEFAULT_SERVER)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		swv, err := q.GetSWVByCode(ctx, *swvCode)
		if err != nil {
			return fmt.Errorf("samenwerkingsverband %q: %w", *swvCode, db.Classify(err))
		}
		lic, err := dbs.tenants.CreateLicence(ctx, tenants.NewLicence{
			Kind: platform.LicenceKind(*kind), Name: *name, SWVID: swv.ID,
			BRIN: strings.ToUpper(*brin), SchoolType: platform.SchoolType(*schoolType), DBServer: *server,
		})
		var fields fault.FieldErrors
		if errors.As(err, &fields) {
			for _, msg := range fields {
				fmt.Fprintln(stderr, msg)
			}
			return errors.New("licentie niet aangemaakt")
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "licentie %s aangemaakt in database %s/%s\n", lic.ID, lic.DbServer, lic.DbName)
		return nil
	case "list":
		rows, err := q.ListLicences(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSWV\tSOORT\tNAAM\tDATABASE")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s/%s\n", r.ID, r.SwvCode, r.Kind, r.Name, r.DbServer, r.DbName)
		}
		return tw.Flush()
	case "remove":
		return removeLicence(ctx, cfg, dbs, args[1:], stdout, stderr)
	default:
		return fmt.Errorf("onbekende licentie-opdracht %q", args[0])
	}
}

// removeLicence is `licence remove`: the same removal as the page and the
// API (issue 19, fix 4) — the licence's name as confirmation, closed at
// once, purged by the LicenceRemovalWorkflow after LICENCE_REMOVAL_GRACE
// unless restored. -now is the operator's purge without the grace period
// (a licence made by mistake): closed and recorded the same way, then its
// workflows terminated and its database dropped by the removal's own
// steps, run here.
func removeLicence(ctx context.Context, cfg config.Config, dbs *databases, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("licence remove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	confirm := fs.String("confirm", "", "de naam van de licentie, ter bevestiging")
	now := fs.Bool("now", false, "meteen verwijderen, zonder bewaartermijn")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(`gebruik: topdossier licence remove -confirm "<naam>" [-now] <id>`)
	}
	id, err := uuid.Parse(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("%q is geen licentie-id", fs.Arg(0))
	}
	logger := newLogger(cfg, stderr)
	tc, closeTemporal, err := dialTemporal(ctx, cfg, logger, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	defer closeTemporal()
	operator := service.Actor{Role: "operator"}
	if !*now {
		r, err := service.NewLicences(dbs.tenants, tc, logger, cfg.LicenceRemovalGrace).Remove(ctx, operator, id, *confirm)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "licentie %s gesloten; wordt op %s verwijderd (herstellen kan tot dan)\n", id, r.PurgeAfter.Format(time.RFC3339))
		return nil
	}
	q := platform.New(dbs.platform)
	lic, err := q.GetLicence(ctx, id)
	if err != nil {
		return db.Classify(err)
	}
	if strings.TrimSpace(*confirm) != lic.Name {
		return errors.New("de naam ter bevestiging komt niet overeen; er is niets verwijderd")
	}
	// A licence closing already (its grace period running) is purged now
	// under its open removal.
	r, err := q.OpenLicenceRemoval(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		r, err = q.CloseLicence(ctx, platform.CloseLicenceParams{LicenceID: id, PurgeAfter: time.Now()})
		if errors.Is(err, pgx.ErrNoRows) {
			return errors.New("deze licentie bestaat nog niet volledig; er is niets verwijderd")
		}
	}
	if err != nil {
		return err
	}
	acts := worker.Activities(tc, worker.Deps{Tenants: dbs.tenants})
	in := workflows.LicenceRemovalInput{LicenceID: id.String(), RemovalID: r.ID.String(), PurgeAfter: r.PurgeAfter}
	n, err := acts.TerminateLicenceWorkflows(ctx, in)
	if err != nil {
		return fmt.Errorf("processen beëindigen (de licentie blijft gesloten; probeer opnieuw): %w", err)
	}
	if _, err := acts.PurgeLicence(ctx, workflows.PurgeLicenceInput{LicenceID: in.LicenceID, RemovalID: in.RemovalID, Terminated: n}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "licentie %s verwijderd: %d processen beëindigd, database gewist\n", id, n)
	return nil
}

// cliError says a validation error as its messages.
func cliError(err error) error {
	var fields fault.FieldErrors
	if errors.As(err, &fields) {
		msgs := make([]string, 0, len(fields))
		for _, m := range fields {
			msgs = append(msgs, m)
		}
		return errors.New(strings.Join(msgs, " "))
	}
	return err
}
