package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/topdossier/topdossier/config"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/fault"
)

// runLicence manages licences from the command line:
//
//	topdossier licence create -swv PO2899 -kind school -name "…" -brin 12AB -type BAO [-server main]
//	topdossier licence list
//	topdossier licence remove <id>
func runLicence(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("gebruik: topdossier licence create|list|remove")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	dbs, err := openDatabases(ctx, cfg, newLogger(cfg, stderr))
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
		if len(args) != 2 {
			return errors.New("gebruik: topdossier licence remove <id>")
		}
		id, err := uuid.Parse(args[1])
		if err != nil {
			return fmt.Errorf("%q is geen licentie-id", args[1])
		}
		if err := dbs.tenants.RemoveLicence(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "licentie %s en haar database verwijderd\n", id)
		return nil
	default:
		return fmt.Errorf("onbekende licentie-opdracht %q", args[0])
	}
}
