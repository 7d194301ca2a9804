package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/topdossier/topdossier/documents"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/serviceerror"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/workflows"
)

// dossierView is everything the dossier page, its PDF and the API show of
// the current dossier of one pupil.
type dossierView struct {
	Dossier      school.Dossier
	Pupil        school.Pupil
	Guardians    []school.Guardian
	Step         *school.ProcessStep
	Content      plan.Content
	Versions     map[string]int32
	Participants []school.DossierParticipant
	Growth       []school.GrowthEntry
	Tests        []school.TestResult
	Transitions  []school.DossierTransition
	Attachments  []school.ListAttachmentsRow
	// ActionPart is the last frozen handelingsdeel; FrozenGoals its goals,
	// which realisation evaluates.
	ActionPart  *school.ActionPartVersion
	FrozenGoals []plan.Goal
	// Frozen is that version's handelingsdeel, as offered for consent.
	Frozen    plan.ActionPart
	Checklist plan.Checklist
	// Consent is the round of the last frozen version, when it started.
	Consent *consentView
	// Requests are the requests to the SWV made from this dossier.
	Requests []school.SwvRequest
}

// consentView is a consent round as the dossier page shows it.
type consentView struct {
	Round     school.ConsentRound
	Parties   []consentPartyView
	Responses []school.ConsentResponse
}

// Name is the name of the party with key, as the page shows it.
func (c *consentView) Name(key string) string {
	for _, p := range c.Parties {
		if p.Key == key {
			return p.Name
		}
	}
	return key
}

type consentPartyView struct {
	Key, Name       string
	Decides, Shares bool
	Removed         bool
}

// Phase is where the dossier stands according to the projection.
func (v dossierView) Phase() plan.Phase {
	switch {
	case v.Dossier.ClosedAt != nil:
		return plan.PhaseClosed
	case v.Step == nil:
		return ""
	}
	return plan.Phase(v.Step.Step)
}

// loadDossier reads the current dossier of a pupil in one transaction, so
// the page never mixes two saves.
func (s *Server) loadDossier(ctx context.Context, licenceID, pupilID uuid.UUID) (dossierView, error) {
	var v dossierView
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			if v.Pupil, err = q.GetPupil(ctx, pupilID); err != nil {
				return db.Classify(err)
			}
			if v.Dossier, err = q.CurrentDossierOfPupil(ctx, pupilID); err != nil {
				return db.Classify(err)
			}
			return v.load(ctx, q, licenceID)
		})
	})
	return v, err
}

func (v *dossierView) load(ctx context.Context, q *school.Queries, licenceID uuid.UUID) error {
	id := v.Dossier.ID
	var err error
	if v.Guardians, err = q.ListGuardians(ctx, v.Pupil.ID); err != nil {
		return err
	}
	step, err := q.GetProcessStep(ctx, workflows.DossierWorkflowID(licenceID.String(), id.String()))
	switch {
	case err == nil:
		v.Step = &step
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	sections, err := q.ListSections(ctx, school.ListSectionsParams{DossierID: id, Cycle: v.Dossier.Cycle})
	if err != nil {
		return err
	}
	raw := map[string][]byte{}
	v.Versions = map[string]int32{}
	for _, sec := range sections {
		raw[sec.Section], v.Versions[sec.Section] = sec.Content, sec.Version
	}
	if v.Content, err = plan.DecodeContent(raw); err != nil {
		return err
	}
	if v.Participants, err = q.ListParticipants(ctx, id); err != nil {
		return err
	}
	if v.Growth, err = q.ListGrowthEntries(ctx, id); err != nil {
		return err
	}
	if v.Tests, err = q.ListTestResults(ctx, id); err != nil {
		return err
	}
	if v.Transitions, err = q.ListTransitions(ctx, id); err != nil {
		return err
	}
	if v.Attachments, err = q.ListAttachments(ctx, id); err != nil {
		return err
	}
	if v.Requests, err = q.ListSWVRequests(ctx, id); err != nil {
		return err
	}
	apv, err := q.LatestActionPartVersion(ctx, id)
	switch {
	case err == nil:
		v.ActionPart = &apv
		var frozen plan.ActionPart
		if err := json.Unmarshal(apv.Content, &frozen); err != nil {
			return fmt.Errorf("decode action part version: %w", err)
		}
		v.FrozenGoals, v.Frozen = frozen.Goals, frozen
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	var growth int64
	for _, g := range v.Growth {
		if g.Cycle == v.Dossier.Cycle {
			growth++
		}
	}
	if v.Checklist, err = store.ChecklistOf(v.Dossier.Cycle, sections, growth, v.ActionPart); err != nil {
		return err
	}
	if v.ActionPart != nil {
		return v.loadConsent(ctx, q)
	}
	return nil
}

// loadConsent reads the round of the last frozen version, with the
// parties' names from the guardians already read.
func (v *dossierView) loadConsent(ctx context.Context, q *school.Queries) error {
	round, err := q.GetConsentRoundForVersion(ctx, school.GetConsentRoundForVersionParams{DossierID: v.Dossier.ID,
		ActionPartNumber: v.ActionPart.Number})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	cv := &consentView{Round: round}
	parties, err := q.ListConsentParties(ctx, round.ID)
	if err != nil {
		return err
	}
	for _, p := range parties {
		pv := consentPartyView{Key: p.PartyKey, Decides: p.Decides, Shares: p.Shares, Removed: p.RemovedAt != nil}
		switch {
		case p.Kind == "pupil":
			pv.Name = fullName(v.Pupil) + " (leerling)"
		case p.GuardianID != nil:
			for _, g := range v.Guardians {
				if g.ID == *p.GuardianID {
					pv.Name = strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " ")
				}
			}
		}
		cv.Parties = append(cv.Parties, pv)
	}
	if cv.Responses, err = q.ListConsentResponses(ctx, round.ID); err != nil {
		return err
	}
	v.Consent = cv
	return nil
}

// viewDossier loads the dossier of the pupil in the path and logs that the
// person saw it.
func (s *Server) viewDossier(c *gin.Context) (platform.Licence, dossierView, error) {
	return s.viewDossierAs(c, logbook.ActionView, "dossier")
}

// viewDossierAs loads the dossier and logs action on entity: a view, or an
// export for the PDF.
func (s *Server) viewDossierAs(c *gin.Context, action, entity string) (platform.Licence, dossierView, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, dossierView{}, err
	}
	v, err := s.loadDossier(c, lic.ID, pupilID)
	if err != nil {
		return lic, v, err
	}
	return lic, v, s.record(c, lic.ID, pupilID, action, entity)
}

// openDossier is the open dossier of the pupil in the path, for writes.
func (s *Server) openDossier(c *gin.Context) (platform.Licence, school.Dossier, error) {
	lic, pupilID, err := s.pupilParams(c)
	if err != nil {
		return lic, school.Dossier{}, err
	}
	var row school.CurrentDossierForWriteRow
	err = s.tenants.With(c, lic.ID, func(pool *pgxpool.Pool) error {
		var err error
		row, err = school.New(pool).CurrentDossierForWrite(c, pupilID)
		return db.Classify(err)
	})
	switch {
	case err != nil:
	case row.Dossier.ClosedAt != nil:
		err = errDossierClosed
	case row.Restricted:
		err = errRestricted
	}
	return lic, row.Dossier, err
}

// errDossierClosed: a closed dossier is read, never written.
var errDossierClosed = fmt.Errorf("dossier closed: %w", fault.ErrConflict)

// errRestricted: the use of the pupil's data is restricted (AVG art. 18):
// kept and read, not changed or shared.
var errRestricted = fmt.Errorf("use restricted: %w", fault.ErrConflict)

// checkNotRestricted refuses a write or a share while the use of the
// pupil's data is restricted.
func (s *Server) checkNotRestricted(c *gin.Context, licenceID, pupilID uuid.UUID) error {
	return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		restricted, err := school.New(pool).PupilRestricted(c, pupilID)
		if err != nil {
			return db.Classify(err)
		}
		if restricted {
			return errRestricted
		}
		return nil
	})
}

// dossierInput is a new dossier as the form and the API send it.
type dossierInput struct {
	SupportLevel string `json:"support_level"`
	Reason       string `json:"reason"`
	StartedOn    string `json:"started_on"`
}

func (in dossierInput) validate(today time.Time) (school.CreateDossierParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	p := school.CreateDossierParams{SupportLevel: school.SupportLevel(in.SupportLevel), Reason: strings.TrimSpace(in.Reason)}
	if !p.SupportLevel.Valid() {
		errs["support_level"] = "Kies het ondersteuningsniveau."
	}
	if len([]rune(p.Reason)) > 5000 {
		errs["reason"] = "De aanleiding is te lang (hoogstens 5000 tekens)."
	}
	started, err := time.Parse(dateLayout, strings.TrimSpace(in.StartedOn))
	switch {
	case err != nil:
		errs["started_on"] = "Vul de startdatum in, bijvoorbeeld 2026-09-01."
	case started.After(today.AddDate(0, 3, 0)) || started.Before(today.AddDate(-20, 0, 0)):
		errs["started_on"] = "Deze startdatum kan niet kloppen."
	}
	p.StartedOn = started
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

func extraSupport(level school.SupportLevel) bool {
	return level == school.SupportLevelExtraSchool || level == school.SupportLevelExtraFacility
}

// createDossier opens a dossier with its empty sections, the guardians and
// the person who opens it as participants, then starts its workflow. When
// the start fails the dossier is kept and startErr says why.
func (s *Server) createDossier(c *gin.Context, licenceID, pupilID uuid.UUID, in dossierInput) (d school.Dossier, startErr, err error) {
	params, fields := in.validate(s.today())
	if fields != nil {
		return d, nil, fields
	}
	params.PupilID = pupilID
	p := principalOf(c)
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			guardians, err := q.ListGuardians(c, pupilID)
			if err != nil {
				return err
			}
			if d, err = q.CreateDossier(c, params); err != nil {
				if errors.Is(db.Classify(err), fault.ErrConflict) {
					return fault.FieldErrors{"support_level": "Deze leerling heeft al een open dossier."}
				}
				return fmt.Errorf("create dossier: %w", err)
			}
			for _, sec := range plan.Sections() {
				if err := q.CreateSection(c, school.CreateSectionParams{DossierID: d.ID, Cycle: 1, Section: sec, Content: []byte("{}")}); err != nil {
					return fmt.Errorf("create section: %w", err)
				}
			}
			for _, g := range guardians {
				gid := g.ID
				if _, err := q.AddParticipant(c, school.AddParticipantParams{DossierID: d.ID, Kind: "guardian",
					Name: strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " "),
					Role: relationLabels[string(g.Relation)], GuardianID: &gid}); err != nil {
					return fmt.Errorf("add guardian: %w", err)
				}
			}
			if p != nil && p.Name != "" {
				uid := p.UserID
				if _, err := q.AddParticipant(c, school.AddParticipantParams{DossierID: d.ID, Kind: "staff",
					Name: p.Name, Role: accessOf(c).Role.Label(), UserID: &uid}); err != nil {
					return fmt.Errorf("add staff: %w", err)
				}
			}
			e := s.entry(c, pupilID, logbook.ActionCreate, "dossier")
			e.EntityID = d.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return d, nil, err
	}
	return d, s.startDossier(c, licenceID, d), nil
}

// startDossier starts the dossier's workflow, idempotently.
func (s *Server) startDossier(ctx context.Context, licenceID uuid.UUID, d school.Dossier) error {
	y, m, day := d.StartedOn.Date()
	_, err := workflows.StartDossier(ctx, s.temporal, workflows.DossierInput{
		LicenceID: licenceID.String(), DossierID: d.ID.String(), PupilID: d.PupilID.String(), Cycle: d.Cycle,
		ExtraSupport: extraSupport(d.SupportLevel), OpenedAt: time.Date(y, m, day, 0, 0, 0, 0, s.location),
		Timers: s.cfg.DossierTimers,
	})
	return err
}

// saveSection stores one section over the version the editor started
// from, with its logbook line. A stale version returns staleSection with
// what is stored now; nothing is overwritten.
func (s *Server) saveSection(c *gin.Context, licenceID uuid.UUID, d school.Dossier, section string, version int32, content any) (school.DossierSection, error) {
	raw, err := json.Marshal(content)
	if err != nil {
		return school.DossierSection{}, err
	}
	var saved school.DossierSection
	uid := principalOf(c).UserID
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			var err error
			saved, err = q.SaveSection(c, school.SaveSectionParams{DossierID: d.ID, Cycle: d.Cycle, Section: section,
				Content: raw, UpdatedBy: &uid, Version: version})
			if errors.Is(err, pgx.ErrNoRows) {
				current, err := q.GetSection(c, school.GetSectionParams{DossierID: d.ID, Cycle: d.Cycle, Section: section})
				if err != nil {
					return db.Classify(err)
				}
				return &staleSection{Current: current}
			}
			if err != nil {
				return fmt.Errorf("save section: %w", err)
			}
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "dossier_section")
			e.EntityID = fmt.Sprintf("%s:%d:%s", d.ID, d.Cycle, section)
			return logbook.Append(c, tx, e)
		})
	})
	return saved, err
}

// staleSection is a save over a version somebody else replaced.
type staleSection struct {
	Current school.DossierSection
}

func (e *staleSection) Error() string { return "section changed since it was loaded" }
func (e *staleSection) Unwrap() error { return fault.ErrConflict }

// decodeSection reads a section's typed content for the school type and
// normalises it; the field errors name what to fix.
func decodeSection(section, schoolType string, raw []byte) (any, fault.FieldErrors, error) {
	var v interface {
		Normalise() fault.FieldErrors
	}
	switch section {
	case plan.SectionUnderstand:
		v = &plan.Understand{}
	case plan.SectionPerspective:
		p := &plan.Perspective{}
		if err := strictJSON(raw, p); err != nil {
			return nil, nil, err
		}
		return p, p.Normalise(schoolType), nil
	case plan.SectionActionPart:
		v = &plan.ActionPart{}
	case plan.SectionRealise:
		v = &plan.Realise{}
	case plan.SectionEvaluation:
		v = &plan.Evaluation{}
	case plan.SectionHearing:
		v = &plan.Hearing{}
	default:
		return nil, nil, fault.ErrNotFound
	}
	if err := strictJSON(raw, v); err != nil {
		return nil, nil, err
	}
	return v, v.Normalise(), nil
}

func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.Join(errMalformed, err)
	}
	return nil
}

// advanceOutcome is how an advance request ended, for page and API.
type advanceOutcome struct {
	Status  workflows.DossierStatus
	Missing []string // codes, when fields are missing
	Moved   bool     // the dossier was moved on by somebody else
}

// advanceDossier asks the workflow to end the current phase. The server
// reads the checklist first so the update's validator can refuse at once,
// naming what is missing; the update id is the request id, so a repeated
// click has one effect.
func (s *Server) advanceDossier(c *gin.Context, licenceID uuid.UUID, d school.Dossier, requestID string, from, to plan.Phase) (advanceOutcome, error) {
	var out advanceOutcome
	var check plan.Checklist
	err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		check, err = store.ReadChecklist(c, school.New(pool), d.ID, d.Cycle)
		return err
	})
	if err != nil {
		return out, err
	}
	req := workflows.AdvanceDossier{RequestID: requestID, UserID: principalOf(c).UserID.String(),
		Role: string(accessOf(c).Role), From: from, To: to, Checklist: check}
	err = temporalx.Update(c, s.temporal, workflows.DossierWorkflowID(licenceID.String(), d.ID.String()), requestID,
		workflows.UpdateAdvanceDossier, &out.Status, req)
	var refusal *fault.Refusal
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &refusal) && refusal.Code == fault.CodeDossierIncomplete:
		if derr := refusal.Details(&out.Missing); derr != nil || len(out.Missing) == 0 {
			return out, err
		}
		return out, nil
	case errors.As(err, &refusal) && (refusal.Code == fault.CodeDossierPhaseMoved || refusal.Code == fault.CodeDossierInvalidStep):
		out.Moved = true
		return out, nil
	case errors.Is(err, fault.ErrNoProcess):
		return out, errors.Join(errProcessNotRunning, err)
	}
	return out, err
}

// errProcessNotRunning: the dossier's workflow is not running (its start
// failed); the page offers to start it.
var errProcessNotRunning = fmt.Errorf("dossier process not running: %w", fault.ErrConflict)

// phaseParam reads a phase from a form or JSON value.
func phaseParam(v string, allowEmpty bool) (plan.Phase, error) {
	p := plan.Phase(v)
	if (v == "" && allowEmpty) || p.Valid() || p == plan.PhaseClosed {
		return p, nil
	}
	return "", fault.FieldErrors{"phase": "Onbekende fase."}
}

// freezeActionPart freezes the current handelingsdeel draft as the next
// numbered version, to be offered for consent. It refuses an incomplete
// handelingsdeel, and a draft frozen before returns that version.
func (s *Server) freezeActionPart(c *gin.Context, licenceID uuid.UUID, d school.Dossier) (school.ActionPartVersion, []string, error) {
	var v school.ActionPartVersion
	var missing []string
	frozen := false
	uid := principalOf(c).UserID
	err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if _, err := q.GetDossierForUpdate(c, d.ID); err != nil {
				return db.Classify(err)
			}
			check, err := store.ReadChecklist(c, q, d.ID, d.Cycle)
			if err != nil {
				return err
			}
			if check.Goals == 0 || !check.GoalsComplete {
				missing = append(missing, plan.MissingGoals)
			}
			if !check.Support {
				missing = append(missing, plan.MissingSupport)
			}
			if check.NotHeard {
				missing = append(missing, plan.MissingHearing)
			}
			if len(missing) > 0 {
				return nil
			}
			v, err = q.FreezeActionPart(c, school.FreezeActionPartParams{FrozenBy: &uid, DossierID: d.ID, Cycle: d.Cycle})
			if errors.Is(err, pgx.ErrNoRows) {
				v, err = q.LatestActionPartVersion(c, d.ID)
				return db.Classify(err)
			}
			if err != nil {
				return fmt.Errorf("freeze action part: %w", err)
			}
			frozen = true
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "action_part_version")
			e.EntityID = fmt.Sprintf("%s:%d", d.ID, v.Number)
			return logbook.Append(c, tx, e)
		})
	})
	if err == nil && frozen {
		if serr := s.startConsent(c, licenceID, d, v.Number); serr != nil {
			s.logger.ErrorContext(c, "consent round not started", "err", serr)
		}
	}
	return v, missing, err
}

// consentAnswerInput is an answer the school records for a party who
// gave it on paper or in a meeting; the portal sends the parties' own.
type consentAnswerInput struct {
	RequestID string `json:"request_id"`
	Party     string `json:"party"`
	Answer    string `json:"answer"`
	Remark    string `json:"remark"`
}

// errConsentRefused is a respond update the consent round refused; Type
// says why.
type errConsentRefused struct{ Type string }

func (e *errConsentRefused) Error() string { return "consent answer refused: " + e.Type }

// consentMessages word the consent round's refusals in Dutch.
var consentMessages = map[string]string{
	fault.CodeConsentClosed:   "Over deze versie is al beslist, of er is een nieuwere versie ter instemming aangeboden.",
	fault.CodeConsentNoParty:  "Deze persoon wordt in deze ronde niet om instemming gevraagd.",
	fault.CodeConsentInvalid:  "Kies akkoord, niet akkoord of een vraag.",
	fault.CodeConsentNoRemark: "Schrijf bij niet akkoord op waarom; dat is nodig om verder te praten.",
	fault.CodeConsentLate:     "De termijn om te antwoorden is voorbij; neem contact op met de school.",
}

// respondConsent records an answer in the version's consent round. The
// round decides; the school never decides for the parents, it records
// what they said.
func (s *Server) respondConsent(c *gin.Context, licenceID uuid.UUID, d school.Dossier, version int32, in consentAnswerInput) (workflows.ConsentStatus, error) {
	return s.respondConsentAs(c, licenceID, d, version, in, "school")
}

// respondConsentAs sends an answer through channel: "school" when the
// school records it, "portal" when the party answers themselves.
func (s *Server) respondConsentAs(c *gin.Context, licenceID uuid.UUID, d school.Dossier, version int32, in consentAnswerInput, channel string) (workflows.ConsentStatus, error) {
	var st workflows.ConsentStatus
	if err := checkRequestID(in.RequestID); err != nil {
		return st, err
	}
	in.Remark = strings.TrimSpace(in.Remark)
	if len([]rune(in.Remark)) > 5000 {
		return st, fault.FieldErrors{"remark": "De opmerking is te lang (hoogstens 5000 tekens)."}
	}
	// A round that ended has no workflow left to ask; the database says why.
	var round school.ConsentRound
	err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		round, err = school.New(pool).GetConsentRoundForVersion(c, school.GetConsentRoundForVersionParams{DossierID: d.ID,
			ActionPartNumber: version})
		return db.Classify(err)
	})
	switch {
	case errors.Is(err, fault.ErrNotFound):
		return st, fault.FieldErrors{"answer": "Er loopt geen instemmingsronde voor deze versie; vraag eerst instemming."}
	case err != nil:
		return st, err
	case round.Status != "open":
		return st, fault.Refused(fault.CodeConsentClosed)
	}
	err = temporalx.Update(c, s.temporal, workflows.ConsentWorkflowID(licenceID.String(), d.ID.String(), version), in.RequestID,
		workflows.UpdateConsentRespond, &st, plan.ConsentAnswer{RequestID: in.RequestID, PartyKey: in.Party, Answer: in.Answer,
			Remark: in.Remark, Channel: channel, UserID: principalOf(c).UserID.String()})
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return st, refusal.Fields()
	case errors.Is(err, fault.ErrNoProcess):
		return st, fault.Refused(fault.CodeConsentClosed)
	}
	return st, err
}

// startConsent starts the consent round of a frozen version.
// The SWV's rules at this moment go with it; the round keeps them.
func (s *Server) startConsent(ctx context.Context, licenceID uuid.UUID, d school.Dossier, version int32) error {
	rules, err := s.consentRules(ctx, licenceID)
	if err != nil {
		return err
	}
	_, err = workflows.StartConsent(ctx, s.temporal, workflows.ConsentInput{LicenceID: licenceID.String(),
		DossierID: d.ID.String(), PupilID: d.PupilID.String(), Version: version,
		Timers: rules.Timers, Ages: rules.Ages, Policy: rules.Policy})
	return err
}

// growthInput is a groeidocument entry.
type growthInput struct {
	Kind       string `json:"kind"`
	OccurredOn string `json:"occurred_on"`
	Body       string `json:"body"`
}

func (s *Server) addGrowthEntry(c *gin.Context, licenceID uuid.UUID, d school.Dossier, in growthInput) (school.GrowthEntry, error) {
	errs := fault.FieldErrors{}
	if _, ok := growthKindLabels[in.Kind]; !ok {
		errs["kind"] = "Kies observatie, wat is geprobeerd of gesprek."
	}
	on, err := time.Parse(dateLayout, strings.TrimSpace(in.OccurredOn))
	today := s.today()
	switch {
	case err != nil:
		errs["occurred_on"] = "Vul de datum in, bijvoorbeeld 2026-11-02."
	case on.After(today) || on.Before(today.AddDate(-20, 0, 0)):
		errs["occurred_on"] = "Deze datum kan niet kloppen."
	}
	body := strings.TrimSpace(in.Body)
	switch n := len([]rune(body)); {
	case n == 0:
		errs["body"] = "Schrijf op wat je zag, probeerde of besprak."
	case n > 5000:
		errs["body"] = "De notitie is te lang (hoogstens 5000 tekens)."
	}
	if len(errs) > 0 {
		return school.GrowthEntry{}, errs
	}
	var g school.GrowthEntry
	p := principalOf(c)
	err = s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			var err error
			g, err = school.New(tx).AddGrowthEntry(c, school.AddGrowthEntryParams{DossierID: d.ID, Cycle: d.Cycle,
				Kind: in.Kind, OccurredOn: on, Body: body, AuthorUserID: &p.UserID, AuthorName: p.Name})
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionCreate, "growth_entry")
			e.EntityID = g.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	return g, err
}

// testInput is a test result typed in by hand.
type testInput struct {
	Instrument string `json:"instrument"`
	TakenOn    string `json:"taken_on"`
	Score      string `json:"score"`
	Level      string `json:"level"`
}

func (s *Server) addTestResult(c *gin.Context, licenceID uuid.UUID, d school.Dossier, in testInput) error {
	errs := fault.FieldErrors{}
	in.Instrument, in.Score, in.Level = strings.TrimSpace(in.Instrument), strings.TrimSpace(in.Score), strings.TrimSpace(in.Level)
	if in.Instrument == "" || len([]rune(in.Instrument)) > 200 {
		errs["instrument"] = "Vul de toets of het instrument in (hoogstens 200 tekens)."
	}
	if in.Score == "" || len([]rune(in.Score)) > 50 {
		errs["score"] = "Vul de score in (hoogstens 50 tekens)."
	}
	if len([]rune(in.Level)) > 50 {
		errs["level"] = "Het niveau is te lang (hoogstens 50 tekens)."
	}
	on, err := time.Parse(dateLayout, strings.TrimSpace(in.TakenOn))
	if err != nil || on.After(s.today()) {
		errs["taken_on"] = "Vul de afnamedatum in, bijvoorbeeld 2026-10-15 (niet in de toekomst)."
	}
	if len(errs) > 0 {
		return errs
	}
	uid := principalOf(c).UserID
	return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			r, err := school.New(tx).AddTestResult(c, school.AddTestResultParams{DossierID: d.ID, Cycle: d.Cycle,
				Instrument: in.Instrument, TakenOn: on, Score: in.Score, Level: in.Level, AuthorUserID: &uid})
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionCreate, "test_result")
			e.EntityID = r.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
}

// participantInput is an external professional joining the plan.
type participantInput struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
}

func (s *Server) addParticipant(c *gin.Context, licenceID uuid.UUID, d school.Dossier, in participantInput) error {
	errs := fault.FieldErrors{}
	in.Name, in.Role, in.Organisation = strings.TrimSpace(in.Name), strings.TrimSpace(in.Role), strings.TrimSpace(in.Organisation)
	if in.Name == "" || len([]rune(in.Name)) > 200 {
		errs["name"] = "Vul de naam in (hoogstens 200 tekens)."
	}
	if len([]rune(in.Role)) > 100 {
		errs["role"] = "De functie is te lang (hoogstens 100 tekens)."
	}
	if in.Organisation == "" || len([]rune(in.Organisation)) > 200 {
		errs["organisation"] = "Vul de organisatie in (hoogstens 200 tekens)."
	}
	if len(errs) > 0 {
		return errs
	}
	return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			p, err := school.New(tx).AddParticipant(c, school.AddParticipantParams{DossierID: d.ID, Kind: "external",
				Name: in.Name, Role: in.Role, Organisation: in.Organisation})
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionCreate, "dossier_participant")
			e.EntityID = p.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
}

// headerInput changes the dossier's support level, reason and start.
type headerInput struct {
	dossierInput
	Version int32 `json:"version"`
}

// saveHeader saves the dossier header over the version the editor saw and
// tells the workflow when the support level changes whether an OPP is due.
func (s *Server) saveHeader(c *gin.Context, licenceID uuid.UUID, d school.Dossier, in headerInput) (school.Dossier, error) {
	params, fields := in.validate(s.today())
	if fields != nil {
		return d, fields
	}
	var saved school.Dossier
	err := s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			var err error
			saved, err = school.New(tx).UpdateDossierHeader(c, school.UpdateDossierHeaderParams{ID: d.ID,
				SupportLevel: params.SupportLevel, Reason: params.Reason, StartedOn: params.StartedOn, Version: in.Version})
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("dossier header changed: %w", fault.ErrConflict)
			}
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "dossier")
			e.EntityID = d.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
	if err != nil {
		return saved, err
	}
	if extraSupport(saved.SupportLevel) != extraSupport(d.SupportLevel) || !saved.StartedOn.Equal(d.StartedOn) {
		y, m, day := saved.StartedOn.Date()
		err = s.temporal.SignalWorkflow(c, workflows.DossierWorkflowID(licenceID.String(), d.ID.String()), "",
			workflows.SignalDossierSupportChanged, workflows.SupportChanged{RequestID: uuid.NewString(),
				ExtraSupport: extraSupport(saved.SupportLevel), OpenedAt: time.Date(y, m, day, 0, 0, 0, 0, s.location)})
		if err != nil {
			s.logger.ErrorContext(c, "support level not signalled", "err", err)
		}
	}
	return saved, nil
}

// dossierStatus asks the workflow where the dossier is.
func (s *Server) dossierStatus(ctx context.Context, licenceID, dossierID uuid.UUID) (workflows.DossierStatus, error) {
	var st workflows.DossierStatus
	v, err := s.temporal.QueryWorkflow(ctx, workflows.DossierWorkflowID(licenceID.String(), dossierID.String()), "", workflows.QueryDossierStatus)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return st, errors.Join(fault.ErrNotFound, err)
	case err != nil:
		return st, errors.Join(fault.ErrUnavailable, err)
	}
	return st, v.Get(&st)
}

// formInt32 reads a whole number from a form field.
func formInt32(c *gin.Context, name string) (int32, error) {
	n, err := strconv.ParseInt(c.PostForm(name), 10, 32)
	if err != nil {
		return 0, fault.FieldErrors{name: "Het formulier is verlopen; laad de pagina opnieuw."}
	}
	return int32(n), nil
}

func dossierURL(licenceID, pupilID uuid.UUID) string {
	return fmt.Sprintf("/licenties/%s/leerlingen/%s/dossier", licenceID, pupilID)
}

// canWrite reports whether the person may fill in the dossier.
func canWrite(c *gin.Context, licenceID uuid.UUID) bool {
	return principalOf(c).can(auth.PermDossierWrite, licenceID)
}

func schoolTypeOf(t *platform.SchoolType) string {
	if t == nil {
		return ""
	}
	return string(*t)
}

// oppDocument puts a dossier into the OPP's Dutch words.
func (s *Server) oppDocument(schoolName, schoolType, generatedBy string, v dossierView) documents.OPPDocument {
	c := v.Content
	factors := func(f plan.Factors) []documents.LabelledText {
		return []documents.LabelledText{{Label: "Leerling", Text: f.Pupil}, {Label: "Onderwijs en groep", Text: f.Teaching},
			{Label: "School", Text: f.School}, {Label: "Thuis", Text: f.Home}}
	}
	d := documents.OPPDocument{
		School: schoolName, SchoolType: schoolType, Pupil: fullName(v.Pupil), Group: v.Pupil.GroupName,
		BirthDate: v.Pupil.BirthDate, SupportLevel: supportLabels[string(v.Dossier.SupportLevel)], Reason: v.Dossier.Reason,
		StartedOn: v.Dossier.StartedOn, Cycle: v.Dossier.Cycle, Phase: phaseLabels[string(v.Phase())],
		Destination: destinationLabels[c.Perspective.Destination], Rationale: c.Perspective.Rationale,
		Promoting: factors(c.Understand.Promoting), Hindering: factors(c.Understand.Hindering),
		EducationalNeeds: c.Understand.EducationalNeeds, SupportNeeds: c.Understand.SupportNeeds, PupilView: c.Understand.PupilView,
		ExecutionNotes: c.Realise.Notes, Evaluation: c.Evaluation, Generated: time.Now(), Location: s.location,
		Hearing:           hearingText(c.Hearing),
		ActionPartVersion: "concept, nog niet aangeboden ter instemming", Consent: "nog niet gevraagd", GeneratedBy: generatedBy,
	}
	action := c.ActionPart
	if v.ActionPart != nil {
		var frozen plan.ActionPart
		if err := json.Unmarshal(v.ActionPart.Content, &frozen); err == nil && !v.Checklist.DraftChanged {
			action = frozen
		}
		d.ActionPartVersion = fmt.Sprintf("versie %d van %s", v.ActionPart.Number, v.ActionPart.FrozenAt.In(s.location).Format("02-01-2006"))
		if v.Checklist.DraftChanged {
			d.ActionPartVersion += " (daarna gewijzigd; de wijzigingen zijn nog niet aangeboden)"
		}
		d.Consent = consentLabels[v.ActionPart.ConsentStatus]
	}
	results := map[string]plan.GoalResult{}
	for _, r := range c.Realise.Results {
		results[r.GoalID] = r
	}
	for _, g := range action.Goals {
		og := documents.OPPGoal{Domain: g.Domain, Goal: g.Goal, Criterion: g.Criterion, EvaluateOn: g.EvaluateOn}
		if r, ok := results[g.ID]; ok {
			og.Outcome, og.Explanation = outcomeLabels[r.Outcome], r.Explanation
		}
		d.Goals = append(d.Goals, og)
	}
	d.Support, d.Deviations = action.Support, action.Deviations
	for _, p := range v.Participants {
		d.Participants = append(d.Participants, documents.OPPParticipant{Name: p.Name, Role: p.Role,
			Organisation: p.Organisation, Kind: participantKindLabels[p.Kind]})
	}
	return d
}

// addColleague adds a staff member of the licence as participant, once.
func (s *Server) addColleague(c *gin.Context, licenceID uuid.UUID, d school.Dossier, userID uuid.UUID) error {
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(c, &licenceID)
	if err != nil {
		return err
	}
	var who *platform.ListStaffForLicenceRow
	for i := range staff {
		if staff[i].UserID == userID {
			who = &staff[i]
			break
		}
	}
	if who == nil {
		return fault.FieldErrors{"user_id": "Kies een collega van deze school."}
	}
	return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if _, err := q.GetDossierForUpdate(c, d.ID); err != nil {
				return db.Classify(err)
			}
			current, err := q.ListParticipants(c, d.ID)
			if err != nil {
				return err
			}
			for _, p := range current {
				if p.UserID != nil && *p.UserID == userID {
					return nil // already taking part
				}
			}
			p, err := q.AddParticipant(c, school.AddParticipantParams{DossierID: d.ID, Kind: "staff", Name: who.DisplayName,
				Role: auth.Role(who.Role).Label(), UserID: &userID})
			if err != nil {
				return err
			}
			e := s.entry(c, d.PupilID, logbook.ActionCreate, "dossier_participant")
			e.EntityID = p.ID.String()
			return logbook.Append(c, tx, e)
		})
	})
}

// removeParticipant takes someone off the plan's participants.
func (s *Server) removeParticipant(c *gin.Context, licenceID uuid.UUID, d school.Dossier, id uuid.UUID) error {
	return s.tenants.With(c, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(c, pool, func(tx pgx.Tx) error {
			n, err := school.New(tx).RemoveParticipant(c, school.RemoveParticipantParams{ID: id, DossierID: d.ID})
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.ErrNotFound
			}
			e := s.entry(c, d.PupilID, logbook.ActionUpdate, "dossier_participant")
			e.EntityID = id.String()
			return logbook.Append(c, tx, e)
		})
	})
}

// hearingText is the hoorrecht record in one Dutch sentence.
func hearingText(h plan.Hearing) string {
	switch {
	case h.NotPossible != "":
		return "Horen was niet mogelijk: " + h.NotPossible
	case h.Summary != "":
		return fmt.Sprintf("Gehoord op %s (%s): %s", h.HeardOn, hearingWayLabels[h.How], h.Summary)
	}
	return ""
}
