package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
)

// runLogbook checks the logbooks' hash chains:
//
//	topdossier logbook verify [-licence ID]
//
// It names the first broken row of each licence and fails when any is broken.
func runLogbook(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("gebruik: topdossier logbook verify [-licence ID]")
	}
	fs := flag.NewFlagSet("logbook verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("licence", "", "alleen deze licentie")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	_, _, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	rows, err := platform.New(dbs.platform).ListActiveLicences(ctx)
	if err != nil {
		return err
	}
	broken, checked := 0, 0
	for _, l := range rows {
		// SWV licences too: their logbook has the same table and chain.
		if *only != "" && l.ID.String() != *only {
			continue
		}
		checked++
		var anchor *logbook.Anchor
		switch a, err := platform.New(dbs.platform).LatestLogbookAnchor(ctx, l.ID); {
		case err == nil:
			anchor = &logbook.Anchor{Seq: a.Seq, Hash: a.Hash}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var n int64
		err := dbs.tenants.With(ctx, l.ID, func(pool *pgxpool.Pool) error {
			var err error
			n, err = logbook.Verify(ctx, school.New(pool), anchor)
			return err
		})
		var be *logbook.BrokenError
		switch {
		case errors.As(err, &be):
			broken++
			fmt.Fprintf(stdout, "%s %s: GEBROKEN bij regel %d (%s)\n", l.ID, l.Name, be.Seq, be.Reason)
		case err != nil:
			return fmt.Errorf("verify logbook of %s: %w", l.ID, err)
		default:
			fmt.Fprintf(stdout, "%s %s: %d regels, keten klopt\n", l.ID, l.Name, n)
		}
	}
	if *only != "" && checked == 0 {
		if _, err := uuid.Parse(*only); err != nil {
			return fmt.Errorf("%q is geen licentie-id", *only)
		}
		return fmt.Errorf("licentie %s heeft geen logboek", *only)
	}
	if broken > 0 {
		return fmt.Errorf("%d logboek(en) gebroken", broken)
	}
	return nil
}
