package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/topdossier/topdossier/service"
)

// requestSummary says where a request to the SWV stands, in plain words,
// for the school and the parents: granted or refused, for which term and
// category, until when objection is possible; before that, who has it.
func requestSummary(v service.RequestView, loc *time.Location) string {
	r := v.Request
	switch {
	case r.Status == "inzage":
		return "Nog niet ingediend: de ouders (en de leerling vanaf 16) kijken wat er meegaat."
	case v.SWVGone:
		what := "Ingediend."
		if r.Status == "withdrawn" {
			what = "Ingetrokken door de school."
		}
		return what + " Het samenwerkingsverband heeft de aanvraag inmiddels verwijderd (bewaartermijn of AVG-verzoek)."
	case r.Status == "withdrawn":
		return "Ingetrokken door de school."
	case v.SWV == nil:
		return "Ingediend; het samenwerkingsverband heeft de aanvraag nog niet ontvangen."
	}
	var b strings.Builder
	d := v.Decision
	switch {
	case d != nil && d.Approved && d.SignedPdf != nil:
		b.WriteString("Toegekend")
		if d.StartOn != nil && d.EndOn != nil {
			fmt.Fprintf(&b, " van %s tot en met %s", d.StartOn.Format("02-01-2006"), d.EndOn.Format("02-01-2006"))
		}
		if c := v.SWV.TlvCategory; c != nil {
			fmt.Fprintf(&b, ", categorie %s", *c)
		}
		b.WriteString(".")
		if d.Number != nil {
			fmt.Fprintf(&b, " Besluit %s.", *d.Number)
		}
	case d != nil && d.Approved:
		b.WriteString("Toegekend door de commissie; het besluit wordt nog ondertekend.")
	case d != nil:
		fmt.Fprintf(&b, "Afgewezen op %s.", d.DecidedOn.Format("02-01-2006"))
	default:
		switch v.SWV.Status {
		case "intake":
			b.WriteString("Ingediend; het samenwerkingsverband kijkt of de aanvraag volledig is.")
		case "onvolledig":
			b.WriteString("Het samenwerkingsverband vindt de aanvraag nog niet volledig: vul haar aan.")
		case "bij_consulent":
			b.WriteString("In behandeling bij de consulent van het samenwerkingsverband.")
		case "geagendeerd":
			b.WriteString("Op de agenda van de commissie van het samenwerkingsverband.")
		case "afgesloten":
			b.WriteString("Afgesloten door het samenwerkingsverband.")
		default:
			b.WriteString("Ingediend; bij het samenwerkingsverband: " + requestStatusLabels[v.SWV.Status] + ".")
		}
	}
	if d != nil && d.ObjectionUntil != nil {
		switch {
		case v.SWV.Status == "bezwaar_ingediend":
			b.WriteString(" Er is bezwaar gemaakt; het samenwerkingsverband beslist daarover.")
		case !d.ObjectionUntil.Before(service.Today(loc)):
			fmt.Fprintf(&b, " Bezwaar is mogelijk tot en met %s.", d.ObjectionUntil.Format("02-01-2006"))
		default:
			fmt.Fprintf(&b, " De bezwaartermijn liep tot en met %s.", d.ObjectionUntil.Format("02-01-2006"))
		}
	}
	return b.String()
}
