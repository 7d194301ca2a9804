package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/service"
)

// runImport reads a school's LAS export from the command line:
//
//	topdossier import edexml -licence <id> [-dry-run] [-link-similar] FILE
//
// It prints what the file changes (the same summary as the page's
// preview); without -dry-run it then applies it, as the school admin's
// confirmation would.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "edexml" {
		return errors.New("gebruik: topdossier import edexml -licence <id> [-dry-run] BESTAND")
	}
	fs := flag.NewFlagSet("import edexml", flag.ContinueOnError)
	fs.SetOutput(stderr)
	licence := fs.String("licence", "", "id van de schoollicentie")
	dryRun := fs.Bool("dry-run", false, "alleen laten zien wat er verandert")
	linkSimilar := fs.Bool("link-similar", false, "nieuwe leerlingen met de naam en geboortedatum van een leerling zonder leerlingnummer aan die leerling koppelen")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	licenceID, err := uuid.Parse(*licence)
	if err != nil || fs.NArg() != 1 {
		return errors.New("gebruik: topdossier import edexml -licence <id> [-dry-run] BESTAND")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("bestand: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, las.MaxFileSize+1))
	f.Close()
	if err != nil {
		return err
	}
	cfg, logger, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	if *dryRun {
		// A dry run reads and compares only: no process to reach.
		li, err := lasOf(cfg, dbs.tenants, nil, logger)
		if err != nil {
			return err
		}
		p, err := li.Preview(ctx, licenceID, data)
		if err != nil {
			return importError(err)
		}
		fmt.Fprint(stdout, las.Summary(p))
		fmt.Fprintln(stdout, "Proefdraai: er is niets veranderd.")
		return nil
	}
	tc, closeTC, err := dialTemporal(ctx, cfg, logger, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	defer closeTC()
	li, err := lasOf(cfg, dbs.tenants, tc, logger)
	if err != nil {
		return err
	}
	imp, err := li.Stage(ctx, service.Actor{Role: "system"}, licenceID, service.LASSourceCLI, data)
	if err != nil {
		return importError(err)
	}
	fmt.Fprint(stdout, las.Summary(imp.Preview))
	links := map[string]uuid.UUID{}
	for _, sim := range imp.Preview.Similar {
		if !*linkSimilar {
			return fmt.Errorf("%d nieuwe leerlingen lijken al te bestaan zonder leerlingnummer; er is niets verwerkt. Koppel ze met -link-similar of op de pagina", len(imp.Preview.Similar))
		}
		links[sim.Key] = *sim.PupilID
	}
	if _, err := li.Apply(ctx, service.Actor{Role: "system"}, licenceID, imp.ID, imp.Digest, links); err != nil {
		return importError(err)
	}
	fmt.Fprintf(stdout, "Verwerkt (import %s).\n", imp.ID)
	return nil
}

// importError says a file's problems as the page does: in Dutch, with
// line and element.
func importError(err error) error {
	var fields fault.FieldErrors
	if errors.As(err, &fields) {
		msgs := make([]string, 0, len(fields))
		for _, m := range fields {
			msgs = append(msgs, m)
		}
		sort.Strings(msgs)
		return errors.New(strings.Join(msgs, " "))
	}
	return err
}
