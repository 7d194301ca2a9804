package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/topdossier/topdossier/store"
)

// runKeys is `topdossier keys reseal`: after PAYLOAD_KEY was rotated (the
// new key in PAYLOAD_KEY, the old one in PAYLOAD_KEYS_OLD), every secret
// at rest the old key sealed is sealed again with the new one (TOTP
// secrets, SWV signing keys, webhook secrets, PGNs, LAS client keys).
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] != "reseal" {
		return errors.New("gebruik: topdossier keys reseal")
	}
	cfg, _, dbs, err := openForCommand(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer dbs.Close()
	counts, err := store.Reseal(ctx, dbs.tenants, secretKeys(cfg))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATABASE\tKOLOM\tOPNIEUW VERSLEUTELD\tAL MET DE NIEUWE SLEUTEL")
	resealed := 0
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s.%s\t%d\t%d\n", c.Database, c.Table, c.Column, c.Resealed, c.Current)
		resealed += c.Resealed
	}
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d geheimen opnieuw versleuteld met de sleutel in PAYLOAD_KEY.\n"+
		"Houd de oude sleutel in PAYLOAD_KEYS_OLD zolang er processen lopen die vóór de wissel begonnen (hun geschiedenis in Temporal), en minstens een dag.\n", resealed)
	return nil
}
