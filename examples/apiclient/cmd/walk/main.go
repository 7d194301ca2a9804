// Command walk runs the example client against a TOP dossier server:
//
//	TD_API=http://localhost:8080/api/v1 TD_SCHOOL_TOKEN=td_… TD_SWV_TOKEN=td_… \
//	TD_SCHOOL=<licence> TD_SWV=<licence> TD_PUPIL=<pupil> \
//	TD_EXPERTS=<id>,<id> TD_CHAIR=<id> TD_MEMBER=<id> TD_SIGNER=<id> \
//	go run ./examples/apiclient/cmd/walk > besluit.pdf
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/topdossier/topdossier/examples/apiclient"
)

func main() {
	experts := strings.Split(os.Getenv("TD_EXPERTS"), ",")
	if len(experts) != 2 {
		fmt.Fprintln(os.Stderr, "TD_EXPERTS: two expert ids, separated by a comma")
		os.Exit(2)
	}
	res, err := apiclient.Walk(context.Background(), apiclient.Config{
		BaseURL: os.Getenv("TD_API"), SchoolToken: os.Getenv("TD_SCHOOL_TOKEN"), SWVToken: os.Getenv("TD_SWV_TOKEN"),
		School: os.Getenv("TD_SCHOOL"), SWV: os.Getenv("TD_SWV"), Pupil: os.Getenv("TD_PUPIL"),
		Question: "Past een plek in het speciaal onderwijs?", Experts: [2]string{experts[0], experts[1]},
		Chair: os.Getenv("TD_CHAIR"), Member: os.Getenv("TD_MEMBER"), Signer: os.Getenv("TD_SIGNER"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "aanvraag %s (school) / %s (swv): besluit %s\n", res.SchoolRequest, res.SWVRequest, res.Number)
	_, _ = os.Stdout.Write(res.PDF)
}
