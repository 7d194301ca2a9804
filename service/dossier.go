package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
	"github.com/topdossier/topdossier/las"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/store"
	"github.com/topdossier/topdossier/temporalx"
	"github.com/topdossier/topdossier/workflows"
)

// DossierView is everything the dossier page, its PDF and the API show of
// the current dossier of one pupil.
type DossierView struct {
	Dossier      school.Dossier
	Pupil        school.Pupil
	Guardians    []school.Guardian
	Step         *school.ProcessStep
	Content      plan.Content
	Versions     map[string]int32
	Participants []school.DossierParticipant
	Growth       []school.GrowthEntry
	Tests        []school.TestResult
	// LOVS is the pupil's results from the pupil-tracking system, per
	// test with its trend.
	LOVS        []las.TestSeries
	Transitions []school.DossierTransition
	Attachments []school.ListAttachmentsRow
	// ActionPart is the last frozen handelingsdeel; FrozenGoals its goals,
	// which realisation evaluates.
	ActionPart  *school.ActionPartVersion
	FrozenGoals []plan.Goal
	// Frozen is that version's handelingsdeel, as offered for consent.
	Frozen    plan.ActionPart
	Checklist plan.Checklist
	// Consent is the round of the last frozen version, when it started.
	Consent *ConsentView
	// Requests are the requests to the SWV made from this dossier.
	Requests []school.SwvRequest
	// Starts are the start of the support and its later changes, oldest
	// first, with who recorded them (StartedBy: names by user id).
	Starts    []school.DossierStart
	StartedBy map[uuid.UUID]string
}

// ConsentView is a consent round as the dossier page shows it.
type ConsentView struct {
	Round     school.ConsentRound
	Parties   []ConsentPartyView
	Responses []school.ConsentResponse
}

// Name is the name of the party with key, as the page shows it.
func (c *ConsentView) Name(key string) string {
	for _, p := range c.Parties {
		if p.Key == key {
			return p.Name
		}
	}
	return key
}

type ConsentPartyView struct {
	Key, Name       string
	Decides, Shares bool
	Removed         bool
	// Email is where the party is mailed ("" : asked in a meeting or on
	// paper only); Account their portal account: "" none, "invited" (the
	// activation link not used yet) or "active".
	Email   string
	Account string
}

// Answer is the party's last answer in the round ("" : none yet).
func (c *ConsentView) Answer(key string) string {
	answer := ""
	for _, r := range c.Responses {
		if r.PartyKey == key {
			answer = r.Answer
		}
	}
	return answer
}

// Phase is where the dossier stands according to the projection.
func (v DossierView) Phase() plan.Phase {
	switch {
	case v.Dossier.ClosedAt != nil:
		return plan.PhaseClosed
	case v.Step == nil:
		return ""
	}
	return plan.Phase(v.Step.Step)
}

// Load reads the current dossier of a pupil in one transaction, so
// the page never mixes two saves.
func (s *Dossiers) Load(ctx context.Context, licenceID, pupilID uuid.UUID) (DossierView, error) {
	var v DossierView
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
	if err == nil {
		v.StartedBy = s.startedBy(ctx, v.Starts)
		err = s.partyAccounts(ctx, v.Consent)
	}
	return v, err
}

// partyAccounts fills in, per party of the consent round, whether their
// portal account is active or only invited.
func (s *Dossiers) partyAccounts(ctx context.Context, cv *ConsentView) error {
	if cv == nil {
		return nil
	}
	for i, p := range cv.Parties {
		var err error
		if cv.Parties[i].Account, err = portalAccountState(ctx, platform.New(s.tenants.Platform()), p.Email); err != nil {
			return err
		}
	}
	return nil
}

// portalAccountState is where the portal account of an address stands:
// "" none (or a member of staff's), "invited" (the activation link not
// used yet) or "active".
func portalAccountState(ctx context.Context, q *platform.Queries, email string) (string, error) {
	if email == "" {
		return "", nil
	}
	u, err := q.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", nil
	case err != nil:
		return "", err
	case u.Kind == platform.UserKindStaff:
		return "", nil
	case u.PasswordHash != nil && u.DisabledAt == nil:
		return "active", nil
	}
	return "invited", nil
}

// StartedByName is who recorded st ("" for the system or an account
// deleted since).
func (v DossierView) StartedByName(st school.DossierStart) string {
	if st.ByUserID == nil {
		return ""
	}
	return v.StartedBy[*st.ByUserID]
}

// startedBy are the names of the people who recorded the starts; an
// account deleted since has none.
func (s *Dossiers) startedBy(ctx context.Context, starts []school.DossierStart) map[uuid.UUID]string {
	var ids []uuid.UUID
	for _, st := range starts {
		if st.ByUserID != nil {
			ids = append(ids, *st.ByUserID)
		}
	}
	names, _ := userNames(ctx, s.tenants, ids) // a name that cannot be read is left out
	return names
}

func (v *DossierView) load(ctx context.Context, q *school.Queries, licenceID uuid.UUID) error {
	id := v.Dossier.ID
	var err error
	if v.Guardians, err = q.ListGuardians(ctx, v.Pupil.ID); err != nil {
		return err
	}
	if v.Starts, err = q.ListDossierStarts(ctx, id); err != nil {
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
	if v.LOVS, err = loadTestSeries(ctx, q, v.Dossier.PupilID); err != nil {
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
func (v *DossierView) loadConsent(ctx context.Context, q *school.Queries) error {
	round, err := q.GetConsentRoundForVersion(ctx, school.GetConsentRoundForVersionParams{DossierID: v.Dossier.ID,
		ActionPartNumber: v.ActionPart.Number})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	cv := &ConsentView{Round: round}
	parties, err := q.ListConsentParties(ctx, round.ID)
	if err != nil {
		return err
	}
	for _, p := range parties {
		pv := ConsentPartyView{Key: p.PartyKey, Decides: p.Decides, Shares: p.Shares, Removed: p.RemovedAt != nil, Email: p.Email}
		switch {
		case p.Kind == "pupil":
			pv.Name = store.PupilName(v.Pupil) + " (leerling)"
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

// CheckNotRestricted refuses a write or a share while the use of the
// pupil's data is restricted.
func (s *Dossiers) CheckNotRestricted(ctx context.Context, licenceID, pupilID uuid.UUID) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return store.RefuseRestricted(ctx, school.New(pool), pupilID)
	})
}

// DossierInput is a new dossier as the form and the API send it.
type DossierInput struct {
	SupportLevel string `json:"support_level"`
	Reason       string `json:"reason"`
	StartedOn    string `json:"started_on"`
	// ActionID, when set (an API call with an Idempotency-Key), makes a
	// retry after a crash answer with the dossier the first call opened.
	ActionID string `json:"-"`
}

func (in DossierInput) validate(today time.Time) (school.CreateDossierParams, fault.FieldErrors) {
	errs := fault.FieldErrors{}
	p := school.CreateDossierParams{SupportLevel: school.SupportLevel(in.SupportLevel), Reason: strings.TrimSpace(in.Reason)}
	if !p.SupportLevel.Valid() {
		errs["support_level"] = "Kies het ondersteuningsniveau."
	}
	switch n := len([]rune(p.Reason)); {
	case n == 0:
		errs["reason"] = "Schrijf de aanleiding op: waarom krijgt deze leerling een dossier?"
	case n > 5000:
		errs["reason"] = "De aanleiding is te lang (hoogstens 5000 tekens)."
	}
	started, err := time.Parse(time.DateOnly, strings.TrimSpace(in.StartedOn))
	switch {
	case err != nil:
		errs["started_on"] = "Vul de startdatum in."
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

// Create opens a dossier with its empty sections, the guardians and
// the person who opens it as participants, then starts its workflow. When
// the start fails the dossier is kept and startErr says why.
func (s *Dossiers) Create(ctx context.Context, actor Actor, licenceID, pupilID uuid.UUID, in DossierInput) (d school.Dossier, startErr, err error) {
	params, fields := in.validate(s.today())
	if fields != nil {
		return d, nil, fields
	}
	params.PupilID = pupilID
	// A pupil whose data's use is restricted (AVG art. 18) gets no new
	// plan either until the school lifts the restriction.
	err = writeOfPupil(ctx, s.tenants, licenceID, pupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		if done, err := earlierEffect(ctx, q, in.ActionID, "dossier"); err != nil || done != nil {
			if done != nil {
				d, err = q.GetDossier(ctx, *done)
			}
			return err
		}
		var err error
		if d, err = createDossier(ctx, tx, actor, params, "geopend"); err != nil {
			return err
		}
		return recordEffect(ctx, q, in.ActionID, "dossier", d.ID)
	})
	if err != nil {
		return d, nil, err
	}
	return d, s.Start(ctx, licenceID, d), nil
}

// createDossier opens a dossier in tx: its sections, the guardians and
// the actor as participants, the start of the support with who recorded
// it and why (startReason), and the logbook line.
func createDossier(ctx context.Context, tx pgx.Tx, actor Actor, params school.CreateDossierParams, startReason string) (school.Dossier, error) {
	q := school.New(tx)
	guardians, err := q.ListGuardians(ctx, params.PupilID)
	if err != nil {
		return school.Dossier{}, err
	}
	d, err := q.CreateDossier(ctx, params)
	if err != nil {
		if errors.Is(db.Classify(err), fault.ErrConflict) {
			return d, fault.FieldErrors{"support_level": "Deze leerling heeft al een open dossier."}
		}
		return d, fmt.Errorf("create dossier: %w", err)
	}
	for _, sec := range plan.Sections() {
		if err := q.CreateSection(ctx, school.CreateSectionParams{DossierID: d.ID, Cycle: 1, Section: sec, Content: []byte("{}")}); err != nil {
			return d, fmt.Errorf("create section: %w", err)
		}
	}
	for _, g := range guardians {
		gid := g.ID
		if _, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "guardian",
			Name: strings.Join(strings.Fields(g.GivenName+" "+g.NameInfix+" "+g.FamilyName), " "),
			Role: plan.RelationLabel(string(g.Relation)), GuardianID: &gid}); err != nil {
			return d, fmt.Errorf("add guardian: %w", err)
		}
	}
	if actor.Name != "" {
		uid := actor.UserID
		if _, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "staff",
			Name: actor.Name, Role: actor.Role.Label(), UserID: &uid}); err != nil {
			return d, fmt.Errorf("add staff: %w", err)
		}
	}
	if _, err := q.RecordDossierStart(ctx, school.RecordDossierStartParams{DossierID: d.ID, StartedOn: d.StartedOn,
		Reason: startReason, ByUserID: actor.userID()}); err != nil {
		return d, fmt.Errorf("record start: %w", err)
	}
	e := actor.entry(ctx, params.PupilID, logbook.ActionCreate, "dossier")
	e.EntityID = d.ID.String()
	return d, logbook.Append(ctx, tx, e)
}

// Start starts the dossier's workflow, idempotently.
func (s *Dossiers) Start(ctx context.Context, licenceID uuid.UUID, d school.Dossier) error {
	y, m, day := d.StartedOn.Date()
	_, err := workflows.StartDossier(ctx, s.temporal, workflows.DossierInput{
		LicenceID: licenceID.String(), DossierID: d.ID.String(), PupilID: d.PupilID.String(), Cycle: d.Cycle,
		ExtraSupport: extraSupport(d.SupportLevel), OpenedAt: time.Date(y, m, day, 0, 0, 0, 0, s.cfg.Location),
		Timers: s.cfg.DossierTimers,
	})
	return err
}

// SaveSection stores one section over the version the editor started
// from, with its logbook line. A stale version returns StaleSection with
// what is stored now; nothing is overwritten.
func (s *Dossiers) SaveSection(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, section string, version int32, content any) (school.DossierSection, error) {
	raw, err := json.Marshal(content)
	if err != nil {
		return school.DossierSection{}, err
	}
	var saved school.DossierSection
	uid := actor.UserID
	err = writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		var err error
		saved, err = q.SaveSection(ctx, school.SaveSectionParams{DossierID: d.ID, Cycle: d.Cycle, Section: section,
			Content: raw, UpdatedBy: &uid, Version: version})
		if errors.Is(err, pgx.ErrNoRows) {
			current, err := q.GetSection(ctx, school.GetSectionParams{DossierID: d.ID, Cycle: d.Cycle, Section: section})
			if err != nil {
				return db.Classify(err)
			}
			return &StaleSection{Current: current}
		}
		if err != nil {
			return fmt.Errorf("save section: %w", err)
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "dossier_section")
		e.EntityID = fmt.Sprintf("%s:%d:%s", d.ID, d.Cycle, section)
		return logbook.Append(ctx, tx, e)
	})
	return saved, err
}

// StaleSection is a save over a version somebody else replaced.
type StaleSection struct {
	Current school.DossierSection
}

func (e *StaleSection) Error() string { return "section changed since it was loaded" }
func (e *StaleSection) Unwrap() error { return fault.ErrConflict }

// DecodeSection reads a section's typed content for the school type and
// normalises it; the field errors name what to fix.
func DecodeSection(section, schoolType string, raw []byte) (any, fault.FieldErrors, error) {
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
		return errors.Join(fault.ErrMalformed, err)
	}
	return nil
}

// AdvanceOutcome is how an advance request ended, for page and API.
type AdvanceOutcome struct {
	Status  workflows.DossierStatus
	Missing []string // codes, when fields are missing
	Moved   bool     // the dossier was moved on by somebody else
}

// Advance asks the workflow to end the current phase. The server
// reads the checklist first so the update's validator can refuse at once,
// naming what is missing; the update id is the request id, so a repeated
// click has one effect.
func (s *Dossiers) Advance(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, requestID string, from, to plan.Phase) (AdvanceOutcome, error) {
	var out AdvanceOutcome
	var check plan.Checklist
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		check, err = store.ReadChecklist(ctx, school.New(pool), d.ID, d.Cycle)
		return err
	})
	if err != nil {
		return out, err
	}
	req := workflows.AdvanceDossier{RequestID: requestID, UserID: actor.UserID.String(),
		Role: string(actor.Role), From: from, To: to, Checklist: check}
	err = temporalx.Update(ctx, s.temporal, workflows.DossierWorkflowID(licenceID.String(), d.ID.String()), requestID,
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
		return out, errors.Join(fault.ErrNoProcess, err)
	}
	return out, err
}

// freezeActionPart freezes the current handelingsdeel draft as the next
// numbered version, to be offered for consent. It refuses an incomplete
// handelingsdeel, and a draft frozen before returns that version (frozen
// false).
func (s *Dossiers) freezeActionPart(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier) (school.ActionPartVersion, []string, bool, error) {
	var v school.ActionPartVersion
	var missing []string
	frozen := false
	uid := actor.UserID
	err := writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		if _, err := q.GetDossierForUpdate(ctx, d.ID); err != nil {
			return db.Classify(err)
		}
		check, err := store.ReadChecklist(ctx, q, d.ID, d.Cycle)
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
		v, err = q.FreezeActionPart(ctx, school.FreezeActionPartParams{FrozenBy: &uid, DossierID: d.ID, Cycle: d.Cycle})
		if errors.Is(err, pgx.ErrNoRows) {
			v, err = q.LatestActionPartVersion(ctx, d.ID)
			return db.Classify(err)
		}
		if err != nil {
			return fmt.Errorf("freeze action part: %w", err)
		}
		frozen = true
		e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "action_part_version")
		e.EntityID = fmt.Sprintf("%s:%d", d.ID, v.Number)
		return logbook.Append(ctx, tx, e)
	})
	return v, missing, frozen, err
}

// FreezeActionPart offers the handelingsdeel from the page: a new
// version is frozen and its consent round started; a round that cannot
// start now (Temporal away) is logged, and the page offers to ask again.
func (s *Dossiers) FreezeActionPart(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier) (school.ActionPartVersion, []string, error) {
	v, missing, frozen, err := s.freezeActionPart(ctx, actor, licenceID, d)
	if err == nil && frozen {
		if serr := s.StartConsent(ctx, licenceID, d, v.Number); serr != nil {
			s.logger.ErrorContext(ctx, "consent round not started", "err", serr)
		}
	}
	return v, missing, err
}

// OfferActionPart offers the handelingsdeel through the API, where no
// one sees a button to ask again: the draft is frozen unless it is the
// last version already, and while that version's consent is pending its
// round is started (an existing or finished one is kept). A round that cannot
// start is an error (ErrUnavailable), so the caller's retry with the
// same key starts it: the version is not frozen twice.
func (s *Dossiers) OfferActionPart(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier) (school.ActionPartVersion, []string, error) {
	v, missing, _, err := s.freezeActionPart(ctx, actor, licenceID, d)
	if err != nil || len(missing) > 0 || v.ConsentStatus != plan.ConsentPending {
		return v, missing, err
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err := s.StartConsent(ctx, licenceID, d, v.Number); err != nil && !errors.As(err, &started) {
		return v, nil, errors.Join(fault.ErrUnavailable, err)
	}
	return v, nil, nil
}

// ConsentAnswerInput is an answer the school records for a party who
// gave it on paper or in a meeting; the portal sends the parties' own.
type ConsentAnswerInput struct {
	RequestID string `json:"request_id"`
	Party     string `json:"party"`
	Answer    string `json:"answer"`
	Remark    string `json:"remark"`
}

// RespondConsent records an answer in the version's consent round. The
// round decides; the school never decides for the parents, it records
// what they said.
func (s *Dossiers) RespondConsent(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, version int32, in ConsentAnswerInput) (workflows.ConsentStatus, error) {
	return s.RespondConsentAs(ctx, actor, licenceID, d, version, in, "school")
}

// RespondConsentAs sends an answer through channel: "school" when the
// school records it, "portal" when the party answers themselves.
func (s *Dossiers) RespondConsentAs(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, version int32, in ConsentAnswerInput, channel string) (workflows.ConsentStatus, error) {
	var st workflows.ConsentStatus
	if err := CheckRequestID(in.RequestID); err != nil {
		return st, err
	}
	in.Remark = strings.TrimSpace(in.Remark)
	if len([]rune(in.Remark)) > 5000 {
		return st, fault.FieldErrors{"remark": "De opmerking is te lang (hoogstens 5000 tekens)."}
	}
	// A round that ended has no workflow left to ask; the database says why.
	// An answer sent again to a closed round (its first answer lost with a
	// server) is answered as the first: it may be the one that closed it.
	var round school.ConsentRound
	var kept bool
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		q := school.New(pool)
		round, err = q.GetConsentRoundForVersion(ctx, school.GetConsentRoundForVersionParams{DossierID: d.ID,
			ActionPartNumber: version})
		if err != nil || round.Status == "open" {
			return db.Classify(err)
		}
		kept, err = q.ConsentResponseKept(ctx, school.ConsentResponseKeptParams{RequestID: in.RequestID, RoundID: round.ID, PartyKey: in.Party})
		return err
	})
	switch {
	case errors.Is(err, fault.ErrNotFound):
		return st, fault.FieldErrors{"answer": "Er loopt geen instemmingsronde voor deze versie; vraag eerst instemming."}
	case err != nil:
		return st, err
	case kept && round.Status != "open":
		return st, nil
	case round.Status != "open":
		return st, fault.Refused(fault.CodeConsentClosed)
	}
	err = temporalx.Update(ctx, s.temporal, workflows.ConsentWorkflowID(licenceID.String(), d.ID.String(), version), in.RequestID,
		workflows.UpdateConsentRespond, &st, plan.ConsentAnswer{RequestID: in.RequestID, PartyKey: in.Party, Answer: in.Answer,
			Remark: in.Remark, Channel: channel, UserID: actor.UserID.String()})
	var refusal *fault.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Fields() != nil:
		return st, refusal.Fields()
	case errors.Is(err, fault.ErrNoProcess):
		return st, fault.Refused(fault.CodeConsentClosed)
	}
	return st, err
}

// StartConsent starts the consent round of a frozen version.
// The SWV's rules at this moment go with it; the round keeps them.
func (s *Dossiers) StartConsent(ctx context.Context, licenceID uuid.UUID, d school.Dossier, version int32) error {
	rules, err := s.ConsentRules(ctx, licenceID)
	if err != nil {
		return err
	}
	_, err = workflows.StartConsent(ctx, s.temporal, workflows.ConsentInput{LicenceID: licenceID.String(),
		DossierID: d.ID.String(), PupilID: d.PupilID.String(), Version: version,
		Timers: rules.Timers, Ages: rules.Ages, Policy: rules.Policy})
	return err
}

// GrowthInput is a groeidocument entry.
type GrowthInput struct {
	Kind       string `json:"kind"`
	OccurredOn string `json:"occurred_on"`
	Body       string `json:"body"`
	// ActionID, when set (an API call with an Idempotency-Key), makes a
	// retry find the note the first call wrote instead of writing another.
	ActionID string `json:"-"`
}

func (s *Dossiers) AddGrowthEntry(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, in GrowthInput) (school.GrowthEntry, error) {
	errs := fault.FieldErrors{}
	if !plan.GrowthKind(in.Kind) {
		errs["kind"] = "Kies observatie, wat is geprobeerd of gesprek."
	}
	on, err := time.Parse(time.DateOnly, strings.TrimSpace(in.OccurredOn))
	today := s.today()
	switch {
	case err != nil:
		errs["occurred_on"] = "Vul de datum in."
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
	uid := actor.UserID
	err = writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		if done, err := earlierEffect(ctx, q, in.ActionID, "growth_entry"); err != nil || done != nil {
			if done != nil {
				g, err = q.GetGrowthEntry(ctx, *done)
			}
			return err
		}
		var err error
		g, err = q.AddGrowthEntry(ctx, school.AddGrowthEntryParams{DossierID: d.ID, Cycle: d.Cycle,
			Kind: in.Kind, OccurredOn: on, Body: body, AuthorUserID: &uid, AuthorName: actor.Name})
		if err != nil {
			return err
		}
		if err := recordEffect(ctx, q, in.ActionID, "growth_entry", g.ID); err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "growth_entry")
		e.EntityID = g.ID.String()
		return logbook.Append(ctx, tx, e)
	})
	return g, err
}

// TestInput is a test result typed in by hand.
type TestInput struct {
	Instrument string `json:"instrument"`
	TakenOn    string `json:"taken_on"`
	Score      string `json:"score"`
	Level      string `json:"level"`
}

func (s *Dossiers) AddTestResult(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, in TestInput) error {
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
	on, err := time.Parse(time.DateOnly, strings.TrimSpace(in.TakenOn))
	if err != nil || on.After(s.today()) {
		errs["taken_on"] = "Vul de afnamedatum in (niet in de toekomst)."
	}
	if len(errs) > 0 {
		return errs
	}
	uid := actor.UserID
	return writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		r, err := school.New(tx).AddTestResult(ctx, school.AddTestResultParams{DossierID: d.ID, Cycle: d.Cycle,
			Instrument: in.Instrument, TakenOn: on, Score: in.Score, Level: in.Level, AuthorUserID: &uid})
		if err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "test_result")
		e.EntityID = r.ID.String()
		return logbook.Append(ctx, tx, e)
	})
}

// ParticipantInput is an external professional joining the plan.
type ParticipantInput struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
}

func (s *Dossiers) AddParticipant(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, in ParticipantInput) error {
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
	return writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		p, err := school.New(tx).AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "external",
			Name: in.Name, Role: in.Role, Organisation: in.Organisation})
		if err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "dossier_participant")
		e.EntityID = p.ID.String()
		return logbook.Append(ctx, tx, e)
	})
}

// HeaderInput changes the dossier's support level, reason and start.
type HeaderInput struct {
	DossierInput
	Version int32 `json:"version"`
	// StartChangeReason: why the start date changes. The six weeks for
	// the OPP run from it, so a change needs a reason and is kept.
	StartChangeReason string `json:"start_change_reason"`
}

// SaveHeader saves the dossier header over the version the editor saw and
// tells the workflow when the support level changes whether an OPP is due.
// The signal's request id is the header's new version, so a signal the
// client retries counts once, and a second save (a new version) counts
// again.
func (s *Dossiers) SaveHeader(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, in HeaderInput) (school.Dossier, error) {
	params, fields := in.validate(s.today())
	startChanged := fields["started_on"] == "" && !params.StartedOn.Equal(d.StartedOn)
	changeReason := strings.TrimSpace(in.StartChangeReason)
	if startChanged && (changeReason == "" || len([]rune(changeReason)) > 1000) {
		if fields == nil {
			fields = fault.FieldErrors{}
		}
		fields["start_change_reason"] = "De zes weken voor het OPP lopen vanaf de startdatum. Schrijf op waarom die verandert (hoogstens 1000 tekens)."
	}
	if fields != nil {
		return d, fields
	}
	var saved school.Dossier
	wid := workflows.DossierWorkflowID(licenceID.String(), d.ID.String())
	err := writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		var err error
		saved, err = school.New(tx).UpdateDossierHeader(ctx, school.UpdateDossierHeaderParams{ID: d.ID,
			SupportLevel: params.SupportLevel, Reason: params.Reason, StartedOn: params.StartedOn, Version: in.Version})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("dossier header changed: %w", fault.ErrConflict)
		}
		if err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "dossier")
		e.EntityID = d.ID.String()
		if err := logbook.Append(ctx, tx, e); err != nil {
			return err
		}
		if startChanged {
			previous := d.StartedOn
			id, err := school.New(tx).RecordDossierStart(ctx, school.RecordDossierStartParams{DossierID: d.ID, StartedOn: saved.StartedOn,
				PreviousOn: &previous, Reason: changeReason, ByUserID: actor.userID()})
			if err != nil {
				return err
			}
			e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "dossier_start")
			e.EntityID = id.String()
			if err := logbook.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		if extraSupport(saved.SupportLevel) == extraSupport(d.SupportLevel) && saved.StartedOn.Equal(d.StartedOn) {
			return nil
		}
		y, m, day := saved.StartedOn.Date()
		return store.EnqueueSignal(ctx, school.New(tx), wid, workflows.SignalDossierSupportChanged, workflows.SupportChanged{
			RequestID: fmt.Sprintf("header:%s:%d", d.ID, saved.Version), ExtraSupport: extraSupport(saved.SupportLevel),
			OpenedAt: time.Date(y, m, day, 0, 0, 0, 0, s.cfg.Location)})
	})
	if err != nil {
		return saved, err
	}
	deliverSignals(ctx, s.tenants, s.temporal, s.logger, licenceID, wid)
	return saved, nil
}

// Status asks the workflow where the dossier is.
func (s *Dossiers) Status(ctx context.Context, licenceID, dossierID uuid.UUID) (workflows.DossierStatus, error) {
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

// AddColleague adds a staff member of the licence as participant, once.
func (s *Dossiers) AddColleague(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, userID uuid.UUID) error {
	staff, err := platform.New(s.tenants.Platform()).ListStaffForLicence(ctx, &licenceID)
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
	return writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		q := school.New(tx)
		if _, err := q.GetDossierForUpdate(ctx, d.ID); err != nil {
			return db.Classify(err)
		}
		current, err := q.ListParticipants(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, p := range current {
			if p.UserID != nil && *p.UserID == userID {
				return nil // already taking part
			}
		}
		p, err := q.AddParticipant(ctx, school.AddParticipantParams{DossierID: d.ID, Kind: "staff", Name: who.DisplayName,
			Role: auth.Role(who.Role).Label(), UserID: &userID})
		if err != nil {
			return err
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionCreate, "dossier_participant")
		e.EntityID = p.ID.String()
		return logbook.Append(ctx, tx, e)
	})
}

// RemoveParticipant takes someone off the plan's participants.
func (s *Dossiers) RemoveParticipant(ctx context.Context, actor Actor, licenceID uuid.UUID, d school.Dossier, id uuid.UUID) error {
	return writeOfPupil(ctx, s.tenants, licenceID, d.PupilID, func(tx pgx.Tx) error {
		n, err := school.New(tx).RemoveParticipant(ctx, school.RemoveParticipantParams{ID: id, DossierID: d.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.ErrNotFound
		}
		e := actor.entry(ctx, d.PupilID, logbook.ActionUpdate, "dossier_participant")
		e.EntityID = id.String()
		return logbook.Append(ctx, tx, e)
	})
}

// SetViewWithoutAuthority stores whether guardians without parental
// authority may read the plan in the portal: a school setting, logged as
// a line of the school (no pupil).
func (s *Dossiers) SetViewWithoutAuthority(ctx context.Context, actor Actor, licenceID uuid.UUID, view bool) error {
	return s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if err := school.New(tx).SetViewWithoutAuthority(ctx, view); err != nil {
				return err
			}
			return logbook.Append(ctx, tx, actor.actionEntry(ctx, logbook.ActionUpdate, "school_setting", "view_without_authority"))
		})
	})
}

// Header reads only the dossier row of a pupil's current dossier.
func (s *Dossiers) Header(ctx context.Context, licenceID, pupilID uuid.UUID) (school.Dossier, error) {
	var d school.Dossier
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		d, err = school.New(pool).CurrentDossierOfPupil(ctx, pupilID)
		return db.Classify(err)
	})
	return d, err
}

// OpenForWrite is the pupil's current dossier, to be written: a closed
// dossier answers fault.ErrClosed, a pupil under restriction
// fault.ErrRestricted.
func (s *Dossiers) OpenForWrite(ctx context.Context, licenceID, pupilID uuid.UUID) (school.Dossier, error) {
	var row school.CurrentDossierForWriteRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		row, err = school.New(pool).CurrentDossierForWrite(ctx, pupilID)
		return db.Classify(err)
	})
	switch {
	case err != nil:
	case row.Dossier.ClosedAt != nil:
		err = fault.ErrClosed
	case row.Restricted:
		err = fault.ErrRestricted
	}
	return row.Dossier, err
}

// List lists the dossiers the actor may see (with ownGroups, a teacher's
// own groups only), filtered by params, with one logbook line of the
// number shown.
func (s *Dossiers) List(ctx context.Context, actor Actor, licenceID uuid.UUID, ownGroups bool, params school.ListDossiersParams) ([]school.ListDossiersRow, error) {
	var rows []school.ListDossiersRow
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			q := school.New(tx)
			if ownGroups {
				groups, err := q.ListStaffGroups(ctx, actor.UserID)
				if err != nil {
					return err
				}
				params.Groups = groups
			}
			var err error
			if rows, err = q.ListDossiers(ctx, params); err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			return logbook.Append(ctx, tx, actor.listEntry(ctx, len(rows)))
		})
	})
	return rows, err
}

// Settings are the choices the school made for its portal.
func (s *Dossiers) Settings(ctx context.Context, licenceID uuid.UUID) (school.SchoolSetting, error) {
	var set school.SchoolSetting
	err := s.tenants.With(ctx, licenceID, func(pool *pgxpool.Pool) error {
		var err error
		set, err = school.New(pool).GetSchoolSetting(ctx)
		return err
	})
	return set, err
}
