package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/topdossier/topdossier/worker"
)

// runReconcile is `topdossier reconcile [-licence ID]`: the nightly
// reconciliation of school databases with Temporal, now (after restoring a
// school's database, README Beheer). It prints what it found and repaired.
func runReconcile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("licence", "", "alleen deze licentie")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, logger, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	tc, closeTemporal, err := dialTemporal(ctx, cfg, logger, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	defer closeTemporal()
	acts := worker.Activities(tc, worker.Deps{Tenants: dbs.tenants})
	licences := []string{*only}
	if *only == "" {
		if licences, err = acts.ReconcileLicences(ctx); err != nil {
			return err
		}
	}
	for _, l := range licences {
		r, err := acts.ReconcileLicence(ctx, l)
		if err != nil {
			return fmt.Errorf("licentie %s: %w", l, err)
		}
		fmt.Fprintf(stdout, "licentie %s: %d processen vergeleken, %d projecties hersteld, %d processen zonder dossier of leerling, %d open dossiers zonder proces\n",
			l, r.WorkflowsChecked, len(r.ProjectionsRepaired), len(r.WorkflowsWithoutEntity), len(r.DossiersWithoutWorkflow))
		for _, id := range r.ProjectionsRepaired {
			fmt.Fprintf(stdout, "  hersteld: %s\n", id)
		}
		for _, id := range r.WorkflowsWithoutEntity {
			fmt.Fprintf(stdout, "  proces zonder gegevens (na een terugzetting verloren; beslis: opnieuw invoeren of beëindigen): %s\n", id)
		}
		if len(r.DossiersWithoutWorkflow) > 0 {
			fmt.Fprintf(stdout, "  open dossiers zonder proces: %s\n", strings.Join(r.DossiersWithoutWorkflow, ", "))
		}
	}
	return nil
}
