package server

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// Dutch labels for the code names stored in the databases.
var (
	requestKindLabels = map[string]string{
		"arrangement": "Aanvraag arrangement",
		"tlv":         "Aanvraag toelaatbaarheidsverklaring",
		"advice":      "Adviesvraag",
		"contact":     "Contactverzoek",
		"mdo":         "Multidisciplinair overleg (MDO)",
		"mdo_t":       "MDO-T (met toelaatbaarheid)",
		"ot":          "Ondersteuningsteamoverleg (OT)",
	}
	// closeReasonLabels say why a request at the SWV closed.
	closeReasonLabels = map[string]string{
		workflows.CloseRejected:  "afgewezen",
		workflows.CloseWithdrawn: "ingetrokken door de school",
		workflows.CloseExpired:   "niet aangevuld binnen de termijn",
		workflows.CloseHandled:   "afgehandeld",
		workflows.CloseEnded:     "looptijd voorbij",
		workflows.CloseRevoked:   "herroepen na bezwaar",
		workflows.CloseStale:     "een jaar niets gebeurd: verlopen zonder besluit",
	}
	requestStatusLabels = map[string]string{
		"inzage":            "ter inzage bij de ouders",
		"submitted":         "ingediend",
		"withdrawn":         "ingetrokken",
		"intake":            "intake bij het samenwerkingsverband",
		"onvolledig":        "onvolledig: de school vult aan",
		"bij_consulent":     "bij de consulent",
		"geagendeerd":       "op de agenda van de commissie",
		"ondertekenen":      "toegekend, wacht op ondertekening",
		"bezwaartermijn":    "besloten; bezwaartermijn loopt",
		"bezwaar_ingediend": "bezwaar ingediend",
		"loopt":             "loopt",
		"evalueren":         "resultaat evalueren",
		"afgesloten":        "afgesloten",
	}
	requestAnswerLabels = map[string]string{
		"agree":      "akkoord",
		"refuse":     "niet akkoord",
		"correction": "correctie gevraagd",
	}
	adviceOutcomeLabels = map[string]string{
		"positief": "positief (toekennen)",
		"negatief": "negatief (afwijzen)",
		"anders":   "anders (zie het advies)",
	}
	requestEventLabels = map[string]string{
		"intake_accepted":                   "aanvraag aangenomen",
		"intake_incomplete":                 "aanvraag onvolledig",
		"resubmit":                          "aanvraag aangevuld",
		"schedule":                          "op de agenda gezet",
		"advice":                            "advies deskundige",
		"vote":                              "stem commissielid",
		"decision":                          "besluit",
		"handled":                           "afgehandeld",
		"note":                              "notitie",
		"question":                          "vraag aan de school",
		"objection":                         "bezwaar ingediend",
		"objection_decided":                 "besluit op bezwaar",
		"withdrawal":                        "ingetrokken",
		"evaluation":                        "resultaat geëvalueerd",
		"herinnering_onvolledig":            "herinnering: aanvraag aanvullen",
		"herinnering_heraanvraag":           "herinnering: tijdig opnieuw aanvragen",
		"herinnering_bezwaaradvies":         "herinnering: adviescommissie bezwaar inschakelen",
		"proposal":                          "voorstel van de voorzitter",
		"objection_decide_by":               "beslistermijn bezwaar",
		"objection_advice":                  "advies Landelijke Bezwaaradviescommissie",
		"objection_extended":                "beslissing op bezwaar verdaagd",
		"herinnering_beslistermijn_bezwaar": "herinnering: beslistermijn bezwaar loopt af",
		"beslistermijn_bezwaar_verstreken":  "beslistermijn bezwaar verstreken",
		"avg_correction":                    "aanvullende verklaring van ouder of leerling (AVG-verzoek)",
	}
	kindLabels = map[string]string{
		"school":     "School",
		"swv_school": "SWV-schoollicentie",
		"swv":        "Samenwerkingsverband",
	}
	stepLabels = map[string]string{
		"inschrijving_controleren":         "Inschrijving controleren",
		"inschrijving_controleren_te_laat": "Inschrijving controleren (te laat)",
		"ingeschreven":                     "Ingeschreven",
		"uitgeschreven":                    "Uitgeschreven",
	}
	waitingLabels = map[string]string{
		"school":    "de school",
		"guardians": "de ouders (instemming met het handelingsdeel)",
	}
	phaseLabels = map[string]string{
		"observe":    "Waarnemen",
		"understand": "Begrijpen",
		"plan":       "Plannen",
		"realise":    "Realiseren",
		"evaluate":   "Evalueren",
		"closed":     "Afgesloten",
	}
	supportLabels = map[string]string{
		"light":          "Lichte ondersteuning",
		"extra_school":   "Extra ondersteuning op school",
		"extra_facility": "Extra ondersteuning op een voorziening",
	}
	destinationLabels = map[string]string{
		"pro":                  "Praktijkonderwijs",
		"vmbo_bb":              "Vmbo basisberoepsgerichte leerweg",
		"vmbo_kb":              "Vmbo kaderberoepsgerichte leerweg",
		"vmbo_gl_tl":           "Vmbo gemengde of theoretische leerweg",
		"havo":                 "Havo",
		"vwo":                  "Vwo",
		"vso_vervolgonderwijs": "VSO, uitstroomprofiel vervolgonderwijs",
		"vso_arbeid":           "VSO, uitstroomprofiel arbeidsmarkt",
		"vso_dagbesteding":     "VSO, uitstroomprofiel dagbesteding",
		"regulier_vo":          "Regulier voortgezet onderwijs",
		"mbo":                  "Mbo",
		"hbo":                  "Hbo",
		"wo":                   "Wo",
		"arbeid":               "Arbeid",
		"vervolgonderwijs":     "Vervolgonderwijs",
		"dagbesteding":         "Dagbesteding",
		"terug_regulier":       "Terug naar regulier onderwijs (po of vo)",
		"so_vso":               "Speciaal onderwijs of voortgezet speciaal onderwijs",
		"onderwijszorg":        "Onderwijszorgarrangement",
	}
	missingLabels = map[string]string{
		"growth.entry":                 "minstens één notitie in het groeidocument",
		"understand.promoting":         "de bevorderende factoren",
		"understand.hindering":         "de belemmerende factoren",
		"understand.educational_needs": "de onderwijsbehoeften",
		"understand.support_needs":     "de ondersteuningsbehoeften",
		"perspective.destination":      "de verwachte uitstroombestemming",
		"perspective.rationale":        "de onderbouwing van het ontwikkelingsperspectief",
		"action_part.goals":            "minstens één volledig doel (domein, doel, criterium en evaluatiedatum)",
		"action_part.support":          "de ondersteuning (wat, wie, hoe vaak, waar)",
		"hearing":                      "wat de leerling zelf van het plan vindt (hoorrecht), of waarom horen niet lukte",
		"action_part.offered":          "het handelingsdeel aanbieden ter instemming (de laatste wijzigingen zijn nog niet aangeboden)",
		"action_part.consent":          "de uitkomst van de instemming van de ouders met het handelingsdeel",
		"realise.results":              "een evaluatie van elk doel (behaald, deels of niet behaald)",
		"evaluation.meeting_on":        "de datum van het evaluatiegesprek",
		"evaluation.participants":      "wie bij het evaluatiegesprek waren",
		"evaluation.summary":           "een samenvatting van het evaluatiegesprek",
	}
	outcomeLabels = map[string]string{
		"achieved":     "Behaald",
		"partly":       "Deels behaald",
		"not_achieved": "Niet behaald",
	}
	growthKindLabels = map[string]string{
		"observation":  "Observatie",
		"tried":        "Wat is geprobeerd",
		"conversation": "Gesprek",
	}
	consentLabels = map[string]string{
		"pending": "wacht op instemming",
		"given":   "instemming gegeven",
		"refused": "geen instemming; de school blijft in gesprek",
	}
	hearingWayLabels = map[string]string{
		"conversation":  "in een gesprek",
		"drawing":       "met een tekening",
		"questionnaire": "met een vragenlijst",
		"other":         "op een andere manier",
	}
	roundLabels = map[string]string{
		"open":       "Wacht op de ouders",
		"consented":  "Instemming gegeven",
		"refused":    "Geen instemming",
		"superseded": "Vervangen door een nieuwere versie",
		"withdrawn":  "Gestopt: de leerling is uitgeschreven",
	}
	// transferStepLabels say where a transfer stands, for both schools.
	transferStepLabels = map[string]string{
		workflows.TransferStepConsent:   "wacht op toestemming van de ouders of de leerling",
		workflows.TransferStepOffered:   "wacht op de ontvangende school",
		workflows.TransferStepAccepted:  "aangenomen: het plan is overgedragen",
		workflows.TransferStepDeclined:  "niet aangenomen door de ontvangende school",
		workflows.TransferStepRefused:   "geen toestemming: het plan gaat niet over",
		workflows.TransferStepExpired:   "verlopen: geen toestemming binnen de termijn",
		workflows.TransferStepWithdrawn: "ingetrokken door de school",
	}
	transferAnswerLabels = map[string]string{"agree": "akkoord", "refuse": "niet akkoord"}
	answerLabels         = map[string]string{
		"agree":    "akkoord",
		"disagree": "niet akkoord",
		"question": "vraag of opmerking",
	}
	deadlineLabels = map[string]string{
		"opp":        "OPP vaststellen",
		"evaluation": "Evaluatie met ouders",
	}
	deadlineStateLabels = map[string]string{
		"reminder": "binnenkort",
		"overdue":  "te laat",
	}
	participantKindLabels = map[string]string{
		"staff":    "school",
		"guardian": "ouder/verzorger",
		"external": "extern",
	}
	relationLabels = plan.RelationLabels()
)

// relationOrder is the order relations are offered in forms.
var relationOrder = []string{"mother", "father", "parent", "legal_guardian", "foster_parent", "carer", "other"}

// roleLabel is the Dutch name of a role stored as text, including the
// logbook's actors that are not staff.
func roleLabel(r string) string {
	switch {
	case r == "guardian" || strings.HasPrefix(r, "guardian:"):
		return "ouder/verzorger"
	case r == "pupil":
		return "leerling"
	case r == "school":
		return "school (antwoord van een ouder vastgelegd)"
	case r == "system":
		return "TOP dossier (proces)"
	}
	return auth.Role(r).Label()
}

func labelFunc(labels map[string]string) func(any) string {
	return func(v any) string {
		s := deref(v)
		if l, ok := labels[s]; ok {
			return l
		}
		return s
	}
}

// deref prints what a pointer points to, and "" for nil; templates use it
// for the nullable columns sqlc maps to pointers.
func deref(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	return fmt.Sprint(rv.Interface())
}
