package fault

import "errors"

// ErrUnavailable marks a dependency (Temporal, a database) that did not
// answer; the person may try again.
var ErrUnavailable = errors.New("dependency unavailable")

// ErrNoProcess is returned when the workflow an action is meant for does
// not run (it ended, or its start failed).
var ErrNoProcess = errors.New("process not running")

// Codes of the refusals of a process: the type of the application error a
// workflow's update refuses with. The values are part of the contract
// with running workflows; never change one.
const (
	// CodeDossierIncomplete: a phase may not end yet; the refusal's
	// details are the codes of what is missing (plan.Missing).
	CodeDossierIncomplete  = "DossierIncomplete"
	CodeDossierPhaseMoved  = "DossierPhaseMoved"  // somebody else moved the dossier on
	CodeDossierInvalidStep = "DossierInvalidStep" // not a step from this phase

	CodeConsentClosed   = "ConsentClosed"   // the round ended (decided or superseded)
	CodeConsentNoParty  = "ConsentNoParty"  // the person is not asked in this round
	CodeConsentInvalid  = "ConsentInvalid"  // unknown answer
	CodeConsentNoRemark = "ConsentNoRemark" // "niet akkoord" needs a remark
	CodeConsentLate     = "ConsentLate"     // the deadline passed: the school talks with the parents now

	CodeRequestStep      = "RequestWrongStep"
	CodeRequestInvalid   = "RequestInvalid"
	CodeExpertLinked     = "ExpertLinked"
	CodeExpertTwice      = "ExpertTwice"
	CodeExpertProfession = "ExpertProfession"
	CodeAdviceMissing    = "AdviceMissing"
	CodeAlreadyVoted     = "AlreadyVoted"
	CodeNotMember        = "NotMember"
	CodeRequestClosed    = "RequestClosed" // the request's process ended
	// CodeBeforeMeeting: a vote before the day of the meeting the request
	// is on; a committee decides in or after its meeting.
	CodeBeforeMeeting = "BeforeMeeting"
	// CodeNotChair: only the chair of the meeting proposes the term.
	CodeNotChair = "NotChair"
	// CodeProposalLocked: votes were cast on the proposal; it stays.
	CodeProposalLocked = "ProposalLocked"
	// CodeNoProposal: an approving vote before the chair's proposal.
	CodeNoProposal = "NoProposal"
	// CodeObjectionExtended: the decision on an objection was postponed
	// once already (Awb 7:10 lid 3 allows one postponement).
	CodeObjectionExtended = "ObjectionExtended"
	// CodeObjectionAdviceMissing: on a TLV objection the SWV decides after
	// the advice of the Landelijke Bezwaaradviescommissie.
	CodeObjectionAdviceMissing = "ObjectionAdviceMissing"
	// CodeSigningUnavailable: the SWV has no signing certificate that is
	// valid now; nothing was numbered or signed.
	CodeSigningUnavailable = "SigningUnavailable"

	// CodeRestricted: the use of the pupil's data is restricted (AVG art.
	// 18); the write or share that found it was refused where it happens.
	CodeRestricted = "Restricted"

	CodeRetentionInvalid = "RetentionInvalid"
	CodeRetentionDone    = "RetentionDone"
	CodeRetentionHeld    = "RetentionHeld" // erase refused: a legal hold runs

	// CodeTransferStep: the transfer is no longer where the action
	// belongs (decided, withdrawn, or not yet offered).
	CodeTransferStep = "TransferWrongStep"
	// CodeTransferNoReason: a receiving school declines with a reason.
	CodeTransferNoReason = "TransferNoReason"
)

// Refusal is a process's "no" to an action: the workflow refused the
// update with Code. It is an answer, not a failure: nothing changed.
type Refusal struct {
	Code    string
	details func(...any) error
}

// NewRefusal is a refusal with code whose details decodes into its
// arguments (nil: no details).
func NewRefusal(code string, details func(...any) error) *Refusal {
	return &Refusal{Code: code, details: details}
}

// Error names the code, for logs.
func (r *Refusal) Error() string { return "refused: " + r.Code }

// Details decodes the refusal's details into v.
func (r *Refusal) Details(v ...any) error {
	if r.details == nil {
		return errors.New("refusal " + r.Code + " has no details")
	}
	return r.details(v...)
}

// Fields is the refusal as a form error: the field it concerns and what
// the person reads, in Dutch; nil for a code without wording.
func (r *Refusal) Fields() FieldErrors {
	field, text := refusalText(r.Code)
	if text == "" {
		return nil
	}
	return FieldErrors{field: text}
}

// refusalText is every refusal in Dutch, with the form field it belongs
// to.
func refusalText(code string) (field, text string) {
	switch code {
	case CodeConsentClosed:
		return "answer", "Over deze versie is al beslist, of er is een nieuwere versie ter instemming aangeboden."
	case CodeConsentNoParty:
		return "answer", "Deze persoon wordt in deze ronde niet om instemming gevraagd."
	case CodeConsentInvalid:
		return "answer", "Kies akkoord, niet akkoord of een vraag."
	case CodeConsentNoRemark:
		return "remark", "Schrijf bij niet akkoord op waarom; dat is nodig om verder te praten."
	case CodeConsentLate:
		return "answer", "De termijn om te antwoorden is voorbij; neem contact op met de school."
	case CodeRequestStep:
		return "action", "Deze stap past niet bij waar de aanvraag nu staat; laad de pagina opnieuw."
	case CodeRequestInvalid:
		return "action", "Niet alles is goed ingevuld."
	case CodeExpertLinked:
		return "action", "U bent verbonden aan de school die de aanvraag doet en kunt hierover geen advies geven."
	case CodeExpertTwice:
		return "action", "Er zijn al twee adviezen, of u gaf al advies."
	case CodeExpertProfession:
		return "action", "Eén van de twee deskundigen moet orthopedagoog of psycholoog zijn."
	case CodeAdviceMissing:
		return "action", "Voor een toelaatbaarheidsverklaring zijn eerst de adviezen van twee deskundigen nodig."
	case CodeAlreadyVoted:
		return "action", "U heeft al gestemd; de beslissing staat vast of wacht op de andere leden."
	case CodeNotMember:
		return "action", "U zit niet in de commissie van deze vergadering."
	case CodeNotChair:
		return "action", "Alleen de voorzitter van de vergadering legt de looptijd voor."
	case CodeProposalLocked:
		return "action", "Er is al over dit voorstel gestemd; het ligt vast."
	case CodeNoProposal:
		return "action", "De voorzitter legt eerst de looptijd (en voor SO en VSO de categorie) voor; daarna stemt de commissie daarover."
	case CodeObjectionExtended:
		return "action", "De beslistermijn is al een keer verdaagd; dat kan maar één keer (artikel 7:10 lid 3 Awb)."
	case CodeObjectionAdviceMissing:
		return "action", "Leg eerst het advies van de Landelijke Bezwaaradviescommissie vast; daarna beslist het samenwerkingsverband op het bezwaar."
	case CodeSigningUnavailable:
		return "action", "Het certificaat waarmee het samenwerkingsverband besluiten ondertekent, ontbreekt of is niet (meer) geldig. " +
			"Er is niets ondertekend of genummerd. Vraag de beheerder van TOP dossier een geldig certificaat te installeren en onderteken daarna opnieuw."
	case CodeBeforeMeeting:
		return "action", "Stemmen kan op of na de dag van de vergadering waarop de aanvraag staat, niet ervoor: de commissie beslist in of na haar vergadering."
	case CodeRequestClosed:
		return "action", "Deze aanvraag is afgesloten."
	case CodeTransferStep:
		return "transfer", "Deze overdracht staat niet (meer) op deze stap: er is al beslist, of hij is ingetrokken. Laad de pagina opnieuw."
	case CodeTransferNoReason:
		return "reason", "Schrijf op waarom de school de overdracht niet aanneemt; de school die overdraagt en de ouders lezen dat."
	case CodeRetentionInvalid:
		return "until", "Kies een datum na het huidige einde van de bewaartermijn, en een reden."
	}
	return "", ""
}

// Refused is the form error of a refusal with code, as Refusal.Fields.
func Refused(code string) FieldErrors {
	return (&Refusal{Code: code}).Fields()
}
