// Command topdossier runs TOP dossier: `dev` (everything in one process with
// a local Temporal dev server and demo data), `server`, `worker`, `migrate`,
// `licence` (create, list and remove licences) and `logbook verify`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Amsterdam even on hosts without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "topdossier:", err)
		os.Exit(1)
	}
}

const usage = `gebruik: topdossier <opdracht>

  dev       alles in één proces: Temporal dev server, worker, server en demodata
  server    de webserver (HTML en /api/v1)
  worker    de Temporal worker
  migrate   platformdatabase en alle licentiedatabases bijwerken
  licence   licenties beheren: create | list | remove
  logbook   verify: de hashketen van de logboeken controleren
  import    edexml -licence <id> [-dry-run] BESTAND: leerlingen, groepen en
            leerkrachten uit de leerlingadministratie inlezen
  oso       export -licence <id> -pupil <id> -profile OV|PaO: het OSO-dossier
            van een leerling; import -licence <id> [-dry-run] BESTAND: een
            ontvangen OSO-dossier inlezen
  backup    -dir MAP: pg_dump van de platformdatabase en van elke
            licentiedatabase, met een manifest
  reconcile [-licence <id>]: schooldatabases met Temporal vergelijken (na
            het terugzetten van een back-up) en herstellen wat zonder gissen kan
  keys      reseal: na een sleutelwissel (PAYLOAD_KEY nieuw, PAYLOAD_KEYS_OLD
            oud) alle opgeslagen geheimen met de nieuwe sleutel versleutelen
  probe URL: gezondheidscontrole voor een container: slaagt als URL met 200
            antwoordt (bijv. http://127.0.0.1:8080/readyz)

Instellingen komen uit de omgeving; zie README.md.`

// run is main without the process: tests call it with their own context,
// arguments, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("geen opdracht gegeven")
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, getenv, stdout, stderr)
	case "server":
		return runServer(ctx, getenv, stderr)
	case "worker":
		return runWorker(ctx, getenv, stderr)
	case "migrate":
		return runMigrate(ctx, getenv, stdout, stderr)
	case "licence":
		return runLicence(ctx, args[1:], getenv, stdout, stderr)
	case "logbook":
		return runLogbook(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], getenv, stdout, stderr)
	case "oso":
		return runOSO(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], getenv, stdout, stderr)
	case "reconcile":
		return runReconcile(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], getenv, stdout, stderr)
	case "probe":
		return runProbe(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("onbekende opdracht %q", args[0])
	}
}
